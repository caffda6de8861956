"""Recommended workflows: the JSON graphs in `recommended_workflows/`, offered as one-click starting points.

Given facts about a dataset, each template also says how well it fits that data (backend/recommend.py) and a new
workflow made from it trains at the fitted input size, from pretrained weights when the model store has them.
"""

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from backend.catalogue import Catalogue
from backend.graph.schema import Graph
from backend.recommend import DataSummary, RunDefaults, TemplateFit, fit_template, rank, run_defaults
from nodes.base import DatasetNode, ModelNode

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "recommended_workflows"


@cache
def load_templates(directory: Path = TEMPLATES_DIR) -> dict[str, Graph]:
    """Template id (file stem) → graph, in file-name order."""
    return {path.stem: Graph.model_validate(json.loads(path.read_text())) for path in sorted(directory.glob("*.json"))}


def model_choice(graph: Graph | dict[str, Any], catalogue: Catalogue) -> tuple[str, int, str] | None:
    """(model node id, input size, model size letter) of a graph's first model node with valid parameters, or None."""
    for node in _nodes(graph):
        node_type = catalogue.get(node.type)
        if isinstance(node_type, type) and issubclass(node_type, ModelNode) and not node_type.check_params(node.params):
            return node.id, node_type.imgsz(node.params), node_type.size(node.params)
    return None


def template_fits(catalogue: Catalogue, summary: DataSummary | None) -> dict[str, TemplateFit]:
    """Template id → how it fits the data; the best fit is `recommended` (none without data)."""
    fits = {}
    for template_id, graph in load_templates().items():
        node_id, imgsz, size = model_choice(graph, catalogue) or ("", 224, "n")
        model_type = next(n.type for n in graph.nodes if n.id == node_id) if node_id else ""
        fits[template_id] = fit_template(imgsz, size, summary, _pretrained(catalogue, model_type, size))
    return rank(fits) if summary is not None else fits


def recommended_template(fits: dict[str, TemplateFit]) -> str:
    return next((key for key, fit in fits.items() if fit.recommended), next(iter(fits)))


def describe_templates(fits: dict[str, TemplateFit] | None = None) -> list[dict[str, Any]]:
    return [
        {
            "id": template_id,
            "title": g.name,
            "description": g.description,
            "tags": g.tags,
            "graph": g.model_dump(mode="json"),
            "fit": fits[template_id].model_dump(mode="json") if fits else None,
        }
        for template_id, g in load_templates().items()
    ]


def instantiate(
    template_id: str, project_id: str | None, catalogue: Catalogue, fit: TemplateFit | None = None
) -> dict[str, Any]:
    """The template's graph as a new workflow document, its dataset nodes bound to `project_id`; with a fit, its
    model node trains at the fitted size and starts from the fitted pretrained weights."""
    document = copy.deepcopy(load_templates()[template_id].model_dump(mode="json"))
    for node in document["nodes"]:
        node_type = catalogue.get(node["type"])
        category = node_type.category if node_type is not None else None
        if category == "dataset":
            node["params"]["project_id"] = project_id
            if fit is not None and fit.balance != "none":
                node["params"]["balance"] = fit.balance
        if category == "model" and fit is not None:
            node["params"]["imgsz"] = fit.imgsz
            if fit.pretrained:
                node["params"]["pretrained"] = fit.pretrained
    return document


def _pretrained(catalogue: Catalogue, model_type: str, size: str) -> str | None:
    """Model-store weights of exactly this architecture (family and size), when the store holds some: weights of
    another size would not load into the template's model."""
    node_type = catalogue.get(model_type)
    if node_type is None or not issubclass(node_type, ModelNode):
        return None
    wanted = node_type.architecture(size)
    return next((w.name for w in catalogue.weights_for(node_type.family) if w.architecture == wanted), None)


def _nodes(graph: Graph | dict[str, Any]) -> list[Any]:
    """The nodes of a parsed graph, or of a stored document whatever its shape (saving accepts half-built graphs)."""
    if isinstance(graph, Graph):
        return list(graph.nodes)
    nodes = graph.get("nodes") if isinstance(graph, dict) else None
    return [_NodeView(n) for n in nodes] if isinstance(nodes, list) else []


class _NodeView:
    """A stored node dict read like a graph Node (type, id, params)."""

    def __init__(self, raw: Any) -> None:
        raw = raw if isinstance(raw, dict) else {}
        self.id = str(raw.get("id", ""))
        self.type = str(raw.get("type", ""))
        self.params = raw.get("params") if isinstance(raw.get("params"), dict) else {}


def run_defaults_for(
    graph: Graph | dict[str, Any], catalogue: Catalogue, summary: DataSummary | None, device: str = "cpu"
) -> RunDefaults:
    """What the Run Training dialog pre-fills for this workflow on this data (any stored graph, even a broken one)."""
    _, imgsz, size = model_choice(graph, catalogue) or ("", 224, "n")
    val_fraction = next(
        (
            node_type.dataset_params(node.params).val_fraction
            for node in _nodes(graph)
            if isinstance(node_type := catalogue.get(node.type), type)
            and issubclass(node_type, DatasetNode)
            and not node_type.check_params(node.params)
        ),
        0.2,
    )
    return run_defaults(summary, imgsz, size, val_fraction, device)
