"""The workflow graph as stored and exchanged: plain JSON, parsed into frozen pydantic models.

Parsing checks only the shape of the graph (a list of nodes and a list of edges). What each node's
parameters mean is the validator's business, so that every problem is reported on its node and field.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1


class Position(BaseModel):
    model_config = ConfigDict(frozen=True)
    x: float = 0.0
    y: float = 0.0


class Node(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: str = Field(min_length=1, max_length=100)
    type: str = Field(min_length=1, max_length=200)
    params: dict[str, Any] = Field(default_factory=dict)
    position: Position | None = None


class Edge(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: str = Field(min_length=1, max_length=100)
    source: str
    source_port: str
    target: str
    target_port: str


class Graph(BaseModel):
    """A workflow: nodes joined by typed edges. `schema_version` guards the stored format."""

    model_config = ConfigDict(frozen=True)
    schema_version: int = SCHEMA_VERSION
    name: str = Field(default="Untitled workflow", max_length=200)
    description: str = Field(default="", max_length=5000)
    tags: list[str] = Field(default_factory=list)
    nodes: list[Node] = Field(default_factory=list)
    edges: list[Edge] = Field(default_factory=list)

    def node(self, node_id: str) -> Node | None:
        return next((n for n in self.nodes if n.id == node_id), None)
