"""A 15,000-image, 16-class project for the benches that need one at scale (validate_speed.py, memory.py), made in
seconds: a real `visionflow serve` (tests/conftest.py's LiveServer, accounts off), its project created over HTTP,
then the image rows written straight into its SQLite database (640×480 JPEGs as an upload records them, with a
perceptual hash each). Validation and compile read only those rows, never the files, so none is written; a bench
that trains uses the digits demo instead. `Relabeller` changes one image's label over HTTP, as a person labelling
while the editor validates does (the edit that makes the server read the project's facts again).
"""

import random
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from backend.db.models import Annotation, Asset, AssetFingerprint, ImageClass  # noqa: E402
from tests.conftest import LiveServer  # noqa: E402

IMAGES, CLASSES = 15_000, 16


def server_rss_mib(pid: int) -> float:
    """Resident memory of one process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def start_server(data_dir: Path, queue_only: bool = True) -> LiveServer:
    """A live server; `queue_only`: it runs no training (max_concurrent_runs 0), so a started run stays queued and
    POST …/runs measures validate + snapshot + compile + store up to the 202, nothing after."""
    import os

    previous = os.environ.get("VISIONFLOW_MAX_CONCURRENT_RUNS")
    if queue_only:
        os.environ["VISIONFLOW_MAX_CONCURRENT_RUNS"] = "0"
    try:
        return LiveServer(data_dir, seed_demo=False)
    finally:
        if previous is None:
            os.environ.pop("VISIONFLOW_MAX_CONCURRENT_RUNS", None)
        else:
            os.environ["VISIONFLOW_MAX_CONCURRENT_RUNS"] = previous


def fill_project(server: LiveServer, images: int = IMAGES, classes: int = CLASSES, seed: int = 0) -> str:
    """A new project holding `images` labelled 640×480 JPEG rows over `classes` classes; returns its id."""
    project = httpx.post(f"{server.url}/api/projects", json={"name": f"{images} images"}, timeout=30).json()
    rng = random.Random(seed)
    stamp = datetime.now(UTC)
    class_rows = [
        {"id": uuid.uuid4().hex[:12], "project_id": project["id"], "name": f"class_{c:02d}", "created_at": stamp}
        for c in range(classes)
    ]
    assets, annotations, fingerprints = [], [], []
    for n in range(images):
        asset_id = uuid.uuid4().hex[:12]
        sha = f"{rng.getrandbits(256):064x}"
        assets.append(
            {
                "id": asset_id,
                "project_id": project["id"],
                "sha256": sha,
                "ext": "jpg",
                "filename": f"img_{n:05d}.jpg",
                "source_path": "",
                "split": None,
                "width": 640,
                "height": 480,
                "bytes": 45_000,
                "created_at": stamp,
            }
        )
        annotations.append({"asset_id": asset_id, "class_id": class_rows[n % classes]["id"], "updated_at": stamp})
        fingerprints.append({"asset_id": asset_id, "phash": f"{rng.getrandbits(64):016x}", "channels": 3})
    engine = create_engine(f"sqlite:///{server.data_dir / 'visionflow.db'}")
    with engine.begin() as connection:
        connection.execute(insert(ImageClass), class_rows)
        connection.execute(insert(Asset), assets)
        connection.execute(insert(Annotation), annotations)
        connection.execute(insert(AssetFingerprint), fingerprints)
    engine.dispose()
    return project["id"]


def add_workflow(server: LiveServer, project_id: str, graph: dict[str, Any]) -> str:
    """Save `graph` as a workflow of the project, its dataset nodes bound to it; returns the workflow id."""
    bound = {
        **graph,
        "nodes": [
            {**node, "params": {**node["params"], "project_id": project_id}}
            if node["type"].startswith("dataset.")
            else node
            for node in graph["nodes"]
        ],
    }
    response = httpx.post(f"{server.url}/api/projects/{project_id}/workflows", json={"graph": bound}, timeout=60)
    assert response.status_code == 201, response.text[:500]
    return response.json()["id"]


class Relabeller:
    """Moves one image of the project back and forth between two classes, through the labelling route."""

    def __init__(self, server: LiveServer, project_id: str) -> None:
        self.client = httpx.Client(base_url=server.url, timeout=60)
        classes = self.client.get(f"/api/projects/{project_id}/classes").json()
        self.class_ids = [c["id"] for c in classes[:2]]
        page = self.client.get(f"/api/projects/{project_id}/assets", params={"limit": 1}).json()
        self.asset_id = page["items"][0]["id"]
        self.turn = 0

    def relabel(self) -> None:
        self.turn += 1
        response = self.client.put(
            f"/api/assets/{self.asset_id}/annotation", json={"class_id": self.class_ids[self.turn % 2]}
        )
        assert response.status_code == 200, response.text[:300]

    def close(self) -> None:
        self.client.close()
