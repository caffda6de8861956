"""Shared fixtures: a fresh data dir per test, an in-process app client, and graph builders."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=create_app(settings)) as test_client:
        yield test_client


def chain(*nodes: tuple[str, str, dict[str, Any]], name: str = "test workflow") -> dict[str, Any]:
    """A workflow document whose nodes are joined one after another through their `dataset` ports."""
    return {
        "schema_version": 1,
        "name": name,
        "nodes": [{"id": i, "type": t, "params": p} for i, t, p in nodes],
        "edges": [
            {"id": f"e{n}", "source": a[0], "source_port": "dataset", "target": b[0], "target_port": "dataset"}
            for n, (a, b) in enumerate(zip(nodes, nodes[1:]), start=1)
        ],
    }


DATA = ("data", "dataset.project", {})
FLIP = ("flip", "augment.horizontal_flip", {"p": 0.5})
MODEL = ("model", "model.yolov8_cls", {"size": "n", "imgsz": 32})
