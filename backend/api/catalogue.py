"""The node catalogue and the run-settings form: what the editor renders (templates: api/recommendations.py)."""

from typing import Any

from litestar import get

from backend.api.answers import NodeDescriptor
from backend.catalogue import Catalogue
from backend.graph.spec import RunSettings


@get("/api/nodes", tags=["catalogue"])
async def list_nodes(catalogue: Catalogue) -> list[NodeDescriptor]:
    return [NodeDescriptor.model_validate(node) for node in catalogue.describe()]


@get("/api/run-settings/schema", tags=["catalogue"])
async def run_settings_schema() -> dict[str, Any]:
    return RunSettings.model_json_schema()
