"""The node catalogue: the node types from `nodes/`, described for the UI (`GET /api/nodes`).

A Catalogue is an immutable value built once per app. It reads which pretrained weights the model store holds
through a `WeightsSource`, so the model node's form offers exactly the stored weights of its own family, and an
upload or a delete shows up without rebuilding the catalogue.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from backend.models_store import ModelStore, NoWeights, StoredWeights, WeightsSource
from nodes import ALL_NODE_TYPES
from nodes.base import ModelNode, NodeType

CATEGORY_ORDER = ("dataset", "preprocessing", "augmentation", "model")


@dataclass(frozen=True)
class Catalogue:
    node_types: Mapping[str, type[NodeType]]
    store: WeightsSource = field(default_factory=NoWeights)
    # (weights, descriptors): describe() is rebuilt only when the store's entries change (the store hands back the
    # same tuple while nothing changed), so GET /api/nodes stays cheap enough for the event loop
    _described: list[tuple[tuple[StoredWeights, ...], list[dict[str, Any]]]] = field(
        default_factory=list, compare=False, repr=False
    )

    def get(self, type_id: str) -> type[NodeType] | None:
        return self.node_types.get(type_id)

    @property
    def weights(self) -> tuple[StoredWeights, ...]:
        """Every entry of the model store, now."""
        return self.store.entries()

    def stored_weights(self, name: str) -> StoredWeights | None:
        return next((entry for entry in self.weights if entry.name == name), None)

    def weights_for(self, family: str) -> tuple[StoredWeights, ...]:
        """The store entries a model node of `family` can start from, by name."""
        return tuple(entry for entry in self.weights if entry.family == family)

    def describe(self) -> list[dict[str, Any]]:
        weights = self.weights
        if self._described and self._described[0][0] is weights:
            return self._described[0][1]
        ordered = sorted(
            self.node_types.values(),
            key=lambda n: (CATEGORY_ORDER.index(n.category), not n.recommended, n.title.lower()),
        )
        described = [self._descriptor(n) for n in ordered]
        self._described[:] = [(weights, described)]
        return described

    def _descriptor(self, node: type[NodeType]) -> dict[str, Any]:
        schema = node.params_schema()
        model: dict[str, Any] = {}
        if issubclass(node, ModelNode):
            # The Ultralytics configs this node trains, size → yaml: what a store upload may be declared as.
            model = {"family": node.family, "architectures": {size: node.architecture(size) for size in node.sizes}}
            if "pretrained" in schema.get("properties", {}):
                schema = _with_weights_enum(schema, tuple(entry.name for entry in self.weights_for(node.family)))
        return {
            **model,
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


def build_catalogue(model_store: Path | WeightsSource | None = None) -> Catalogue:
    """The catalogue of every node type; weights come from the store folder (or any WeightsSource) given."""
    store = ModelStore(model_store) if isinstance(model_store, Path) else model_store or NoWeights()
    return Catalogue(node_types=MappingProxyType({n.type_id: n for n in ALL_NODE_TYPES}), store=store)
