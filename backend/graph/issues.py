"""Validation issues: one shape for every problem, addressed to a node and a field, with a stable code."""

from enum import StrEnum
from typing import Any, Literal

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
    WEIGHTS_ARCHITECTURE_MISMATCH = "weights_architecture_mismatch"  # store weights of another family or size
    # Dataset checks (backend/graph/dataset_checks.py): facts about the images, on the dataset node.
    DUPLICATE_IMAGES = "duplicate_images"  # warning: the same file twice in one split
    NEAR_DUPLICATE_IMAGES = "near_duplicate_images"  # warning: near-identical pictures in one split
    DUPLICATE_LEAKAGE = "duplicate_leakage"  # warning: the same file in training and validation
    NEAR_DUPLICATE_LEAKAGE = "near_duplicate_leakage"  # warning: near-identical pictures across the splits
    CLASS_WITHOUT_VALIDATION_IMAGES = "class_without_validation_images"  # warning (error when no class has any)
    CLASS_WITHOUT_TRAINING_IMAGES = "class_without_training_images"  # error: the model could not learn it
    FEW_TRAINING_IMAGES = "few_training_images"  # warning: a class with only a handful to learn from
    CLASS_IMBALANCE = "class_imbalance"  # warning, with a fix: weighted sampling
    SMALL_IMAGES_UPSAMPLED = "small_images_upsampled"  # warning on the model's imgsz: images enlarged many times
    EXTREME_ASPECT_CROPPED = "extreme_aspect_cropped"  # warning: center crop cuts away much of long images
    UNREADABLE_IMAGES = "unreadable_images"  # warning (skipped), error when no image is readable


Severity = Literal["error", "warning"]


class IssueFix(BaseModel):
    """A one-click remedy: set `field` of node `node_id` to `value`; `label` is the button's text."""

    model_config = ConfigDict(frozen=True)
    label: str
    node_id: str
    field: str
    value: Any


class Issue(BaseModel):
    model_config = ConfigDict(frozen=True)
    code: Code
    severity: Severity = "error"
    message: str
    node_id: str | None = None
    field: str | None = None
    edge_id: str | None = None
    fix: IssueFix | None = None


def has_errors(issues: list[Issue]) -> bool:
    return any(issue.severity == "error" for issue in issues)
