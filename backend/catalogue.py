"""The node catalogue: the node types from `nodes/`, described for the UI (`GET /api/nodes`).

A Catalogue is an immutable value built once per app; it also knows which pretrained weights the
server's model store holds, so the model node's form offers exactly those.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from nodes import ALL_NODE_TYPES
from nodes.base import NodeType

CATEGORY_ORDER = ("dataset", "preprocessing", "augmentation", "model")


@dataclass(frozen=True)
class Catalogue:
    node_types: Mapping[str, type[NodeType]]
    weights: tuple[str, ...] = field(default=())  # file names in the model store

    def get(self, type_id: str) -> type[NodeType] | None:
        return self.node_types.get(type_id)

    def describe(self) -> list[dict[str, Any]]:
        ordered = sorted(
            self.node_types.values(),
            key=lambda n: (CATEGORY_ORDER.index(n.category), not n.recommended, n.title.lower()),
        )
        return [self._descriptor(n) for n in ordered]

    def _descriptor(self, node: type[NodeType]) -> dict[str, Any]:
        schema = node.params_schema()
        if "pretrained" in schema.get("properties", {}):
            schema = _with_weights_enum(schema, self.weights)
        return {
            "type": node.type_id,
            "title": node.title,
            "category": node.category,
            "description": node.description,
            "recommended": node.recommended,
            "inputs": [p.model_dump() for p in node.inputs],
            "outputs": [p.model_dump() for p in node.outputs],
            "params_schema": schema,
            "defaults": node.defaults(),
        }


def _with_weights_enum(schema: dict[str, Any], weights: tuple[str, ...]) -> dict[str, Any]:
    properties = dict(schema["properties"])
    properties["pretrained"] = {
        **{k: v for k, v in properties["pretrained"].items() if k != "anyOf"},
        "enum": [None, *weights],
        "type": ["string", "null"],
    }
    return {**schema, "properties": properties}


def build_catalogue(model_store: Path | None = None) -> Catalogue:
    weights = tuple(sorted(p.name for p in model_store.glob("*.pt"))) if model_store and model_store.is_dir() else ()
    return Catalogue(node_types=MappingProxyType({n.type_id: n for n in ALL_NODE_TYPES}), weights=weights)
