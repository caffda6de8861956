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
from backend.graph.validate import ValidGraph, validate
from backend.recommend import DataSummary, RunDefaults, TemplateFit, fit_template, rank, run_defaults
from nodes.base import ModelNode

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "recommended_workflows"
DEFAULT_IMGSZ, DEFAULT_SIZE, DEFAULT_VAL_FRACTION = 224, "n", 0.2  # a new model node's, a new dataset node's


@cache
def load_templates(directory: Path = TEMPLATES_DIR) -> dict[str, Graph]:
    """Template id (file stem) → graph, in file-name order."""
    return {path.stem: Graph.model_validate(json.loads(path.read_text())) for path in sorted(directory.glob("*.json"))}


def model_choice(valid: ValidGraph) -> tuple[str, int, str]:
    """(model node id, input size, model size letter) of a validated graph."""
    params = valid.model_params
    return valid.model_node.id, valid.model_type.imgsz(params), valid.model_type.size(params)


def template_fits(catalogue: Catalogue, summary: DataSummary | None) -> dict[str, TemplateFit]:
    """Template id → how it fits the data; the best fit is `recommended` (none without data)."""
    fits = {}
    for template_id, graph in load_templates().items():
        valid = validate(graph, catalogue).valid
        if valid is None:
            raise ValueError(f"recommended workflow {template_id!r} does not validate")  # tests keep them valid
        _, imgsz, size = model_choice(valid)
        fits[template_id] = fit_template(imgsz, size, summary, _pretrained(valid.model_type, size, catalogue))
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


def _pretrained(model_type: type[ModelNode], size: str, catalogue: Catalogue) -> str | None:
    """Model-store weights of exactly this architecture (family and size), when the store holds some: weights of
    another size would not load into the template's model."""
    wanted = model_type.architecture(size)
    return next((w.name for w in catalogue.weights_for(model_type.family) if w.architecture == wanted), None)


def run_defaults_for(
    valid: ValidGraph | None, catalogue: Catalogue, summary: DataSummary | None, device: str = "auto"
) -> RunDefaults:
    """What the Run Training dialog pre-fills for this workflow on this data. A workflow with errors (None) has no
    parsed model or dataset node: it gets the defaults of a new model node (224 px, size n) and a 0.2 split."""
    _, imgsz, size = model_choice(valid) if valid is not None else ("", DEFAULT_IMGSZ, DEFAULT_SIZE)
    val_fraction = valid.dataset_params.val_fraction if valid is not None else DEFAULT_VAL_FRACTION
    return run_defaults(summary, imgsz, size, val_fraction, device)
