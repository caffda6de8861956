"""Validation issues: one shape for every problem, addressed to a node and a field, with a stable code."""

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict


class Code(StrEnum):
    """Stable issue codes. Clients may switch on them; never rename one."""

    INVALID_GRAPH = "invalid_graph"  # the JSON is not a graph (shape, types)
    UNSUPPORTED_SCHEMA_VERSION = "unsupported_schema_version"
    DUPLICATE_NODE_ID = "duplicate_node_id"
    DUPLICATE_EDGE_ID = "duplicate_edge_id"
    UNKNOWN_NODE_TYPE = "unknown_node_type"
    INVALID_PARAM = "invalid_param"  # pydantic's message, on the field
    UNKNOWN_NODE = "unknown_node"  # an edge names a node that is not in the graph
    UNKNOWN_PORT = "unknown_port"
    PORT_KIND_MISMATCH = "port_kind_mismatch"
    MISSING_INPUT = "missing_input"
    TOO_MANY_INPUTS = "too_many_inputs"
    CYCLE = "cycle"
    NO_DATASET = "no_dataset"
    NO_MODEL = "no_model"
    MULTIPLE_MODELS = "multiple_models"
    DANGLING_NODE = "dangling_node"  # warning: not on the path from a dataset to the model
    UNKNOWN_PROJECT = "unknown_project"
    TOO_FEW_CLASSES = "too_few_classes"
    CLASS_WITHOUT_IMAGES = "class_without_images"
    IMGSZ_NOT_MULTIPLE_OF_32 = "imgsz_not_multiple_of_32"
    UNKNOWN_WEIGHTS = "unknown_weights"


Severity = Literal["error", "warning"]


class Issue(BaseModel):
    model_config = ConfigDict(frozen=True)
    code: Code
    severity: Severity = "error"
    message: str
    node_id: str | None = None
    field: str | None = None
    edge_id: str | None = None


def has_errors(issues: list[Issue]) -> bool:
    return any(issue.severity == "error" for issue in issues)
