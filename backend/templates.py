"""Recommended workflows: the JSON graphs in `recommended_workflows/`, offered as one-click starting points."""

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from backend.graph.schema import Graph

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "recommended_workflows"


@cache
def load_templates(directory: Path = TEMPLATES_DIR) -> dict[str, Graph]:
    """Template id (file stem) → graph, in file-name order."""
    return {path.stem: Graph.model_validate(json.loads(path.read_text())) for path in sorted(directory.glob("*.json"))}


def describe_templates() -> list[dict[str, Any]]:
    return [
        {
            "id": template_id,
            "title": g.name,
            "description": g.description,
            "tags": g.tags,
            "graph": g.model_dump(mode="json"),
        }
        for template_id, g in load_templates().items()
    ]


def instantiate(template_id: str, project_id: str | None) -> dict[str, Any]:
    """The template's graph as a new workflow document, its dataset nodes bound to `project_id`."""
    document = copy.deepcopy(load_templates()[template_id].model_dump(mode="json"))
    for node in document["nodes"]:
        if node["type"].startswith("dataset."):
            node["params"]["project_id"] = project_id
    return document
