"""The workflow graph as stored and exchanged: plain JSON, parsed into frozen pydantic models.

Parsing checks only the shape of the graph (a list of nodes and a list of edges) and its size. What each node's
parameters mean is the validator's business, so that every problem is reported on its node and field.

Size limits keep a posted graph from costing memory, storage and echo: every list and string is bounded, and
each node's parameters are bounded as JSON. They sit far above any graph a person builds (the largest template
has a handful of nodes), and a graph within them fits the JSON body cap (settings.max_json_body_bytes).
"""

import json
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from backend.plain_text import PlainedText

SCHEMA_VERSION = 1

MAX_NODES = 500
MAX_EDGES = 2000
MAX_ID_LENGTH = 100
MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 5000
MAX_TAGS = 50
MAX_PARAMS_JSON_BYTES = 8 * 1024  # one node's parameters, as compact JSON
MAX_PARAM_STRING_LENGTH = 1000  # any string inside a node's parameters
# the pydantic error types that mean "too big" (not "malformed"): saving refuses these, and keeps other issues
SIZE_ERROR_TYPES = frozenset({"too_long", "string_too_long", "params_too_large"})

NodeId = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID_LENGTH)]
PortName = Annotated[str, StringConstraints(max_length=MAX_ID_LENGTH)]


class Position(BaseModel):
    model_config = ConfigDict(frozen=True)
    x: float = 0.0
    y: float = 0.0


# what `json.dumps(params, separators=(",", ":"), default=str)` makes, without building an encoder per node
_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"), default=str)


def _longest_string(value: Any) -> int:
    """The longest string (key or value) anywhere in a JSON value."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return max((max(len(str(k)), _longest_string(v)) for k, v in value.items()), default=0)
    if isinstance(value, list):
        return max((_longest_string(v) for v in value), default=0)
    return 0


class Node(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: NodeId
    type: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    params: dict[str, Any] = Field(default_factory=dict)
    position: Position | None = None

    @field_validator("params")
    @classmethod
    def _params_bounded(cls, params: dict[str, Any]) -> dict[str, Any]:
        try:
            size = len(_COMPACT_JSON.encode(params))
            # Every string `_longest_string` counts (a key or a value inside dicts and lists) is written whole into
            # that JSON, escaped no shorter: JSON within the string limit holds no longer string, and the walk,
            # a third of a 300-node graph's validation, is needed only past it (issue 12).
            longest = _longest_string(params) if size > MAX_PARAM_STRING_LENGTH else size
        except (ValueError, RecursionError):  # a value nested too deep to walk is too large as well
            size = longest = MAX_PARAMS_JSON_BYTES + 1
        if longest > MAX_PARAM_STRING_LENGTH:
            raise PydanticCustomError(
                "params_too_large",
                "a parameter string may hold at most {limit} characters; this one has {size}",
                {"limit": MAX_PARAM_STRING_LENGTH, "size": longest},
            )
        if size > MAX_PARAMS_JSON_BYTES:
            raise PydanticCustomError(
                "params_too_large",
                "a node's parameters may take at most {limit} bytes as JSON; these take {size}",
                {"limit": MAX_PARAMS_JSON_BYTES, "size": size},
            )
        return params


class Edge(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: NodeId
    source: PortName
    source_port: PortName
    target: PortName
    target_port: PortName


class Graph(BaseModel):
    """A workflow: nodes joined by typed edges. `schema_version` guards the stored format."""

    model_config = ConfigDict(frozen=True)
    schema_version: int = SCHEMA_VERSION
    name: PlainedText = Field(default="Untitled workflow", max_length=MAX_NAME_LENGTH)
    description: str = Field(default="", max_length=MAX_DESCRIPTION_LENGTH)
    tags: list[Annotated[str, StringConstraints(max_length=MAX_ID_LENGTH)]] = Field(
        default_factory=list, max_length=MAX_TAGS
    )
    nodes: list[Node] = Field(default_factory=list, max_length=MAX_NODES)
    edges: list[Edge] = Field(default_factory=list, max_length=MAX_EDGES)

    def node(self, node_id: str) -> Node | None:
        return next((n for n in self.nodes if n.id == node_id), None)
