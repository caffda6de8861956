"""Runs are read through their typed spec: a run stored by an older server (spec_version 1, absolute paths) still
shows its snapshot and images, and a current one (content hashes) resolves its images in the data dir's store."""

import hashlib
import json
from typing import Any

from backend.db.models import Run
from backend.db.session import make_engine, session_for
from backend.settings import Settings
from backend.storage import LocalStorage

PIXELS = {"cat": b"cat pixels", "dog": b"dog pixels"}


def _spec(version: int, settings: Settings, run_id: str) -> dict[str, Any]:
    digests = {name: hashlib.sha256(content).hexdigest() for name, content in PIXELS.items()}
    assets = (settings.data_dir / "assets").resolve()
    common = {
        "workflow_name": "old run",
        "pipeline": [],
        "overrides": {"epochs": 1},
        "evaluation": {"every": 1, "checkpoint": "latest"},
    }
    if version == 1:
        items = [
            {"path": str(assets / digest[:2] / f"{digest}.png"), "label": label, "split": split}
            for (label, split), digest in zip([(0, "train"), (1, "val")], digests.values(), strict=True)
        ]
        return {
            **common,
            "spec_version": 1,
            "dataset": {"class_names": ["cat", "dog"], "items": items, "snapshot_hash": "s1"},
            "model": {"architecture": "yolov8n-cls.yaml", "imgsz": 32, "pretrained": None},
            "output_dir": str((settings.data_dir / "runs" / run_id).resolve()),
            "resume_from": None,
        }
    items = [
        {"content_hash": digest, "suffix": ".png", "label": label, "split": split}
        for (label, split), digest in zip([(0, "train"), (1, "val")], digests.values(), strict=True)
    ]
    return {
        **common,
        "spec_version": 2,
        "dataset": {"class_names": ["cat", "dog"], "items": items, "snapshot_hash": "s2"},
        "model": {"architecture": "yolov8n-cls.yaml", "imgsz": 32, "pretrained": "models/yolov8n-cls-0123.pt"},
        "run_id": run_id,
    }


def _store_runs(settings: Settings) -> None:
    storage = LocalStorage(settings.data_dir)
    for content in PIXELS.values():
        source = settings.data_dir / "incoming.png"
        source.write_bytes(content)
        storage.add_image(source, hashlib.sha256(content).hexdigest(), ".png")
        source.unlink()
    with session_for(make_engine(settings.resolved_database_url)) as session:
        for version in (1, 2):
            run_id = f"v{version}"
            spec = _spec(version, settings, run_id)
            session.add(Run(id=run_id, workflow_name="old run", status="succeeded", settings={}, spec=spec))
        session.commit()


async def test_runs_of_both_spec_versions_show_their_snapshot_and_images(client, settings):
    _store_runs(settings)
    for run_id, snapshot_hash in (("v1", "s1"), ("v2", "s2")):
        snapshot = (await client.get(f"/api/runs/{run_id}/snapshot")).json()
        assert snapshot["snapshot_hash"] == snapshot_hash and (snapshot["train"], snapshot["val"]) == (1, 1)
        assert snapshot["items"] == [
            {"content_hash": hashlib.sha256(PIXELS["cat"]).hexdigest(), "label": "cat", "split": "train"},
            {"content_hash": hashlib.sha256(PIXELS["dog"]).hexdigest(), "label": "dog", "split": "val"},
        ]
        image = await client.get(f"/api/runs/{run_id}/items/1/image")
        assert image.status_code == 200 and image.content == PIXELS["dog"]
        missing = await client.get(f"/api/runs/{run_id}/items/2/image")
        assert missing.status_code == 404


async def test_a_run_reads_as_its_typed_spec(client, settings):
    _store_runs(settings)
    with session_for(make_engine(settings.resolved_database_url)) as session:
        old, new = session.get(Run, "v1"), session.get(Run, "v2")
        assert old.job_spec().run_id == "v1" and old.job_spec().spec_version == 2
        assert new.job_spec().model.pretrained == "models/yolov8n-cls-0123.pt"
        assert Run(workflow_name="never compiled", settings={}, spec={}).job_spec() is None


async def test_a_run_the_server_creates_stores_a_spec_without_paths(client, settings):
    from tests.api.helpers import labelled_project
    from tests.conftest import MODEL, chain

    project, _ = await labelled_project(client, per_class=4)
    graph = chain(("data", "dataset.project", {}), MODEL)
    workflow = (await client.post(f"/api/projects/{project['id']}/workflows", json={"graph": graph})).json()
    run = (await client.post(f"/api/workflows/{workflow['id']}/runs", json={"epochs": 1})).json()
    await client.post(f"/api/runs/{run['id']}/cancel")

    with session_for(make_engine(settings.resolved_database_url)) as session:
        stored = session.get(Run, run["id"]).spec
    text = json.dumps(stored)
    assert stored["spec_version"] == 2 and stored["run_id"] == run["id"]
    assert str(settings.data_dir.resolve()) not in text and str(settings.data_dir) not in text
    assert not [s for s in _strings(stored) if s.startswith("/")]
    for item in stored["dataset"]["items"]:  # every image is in the store under its hash
        assert LocalStorage(settings.data_dir).image(item["content_hash"], item["suffix"]).is_file()


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in [key, *_strings(item)]]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [value] if isinstance(value, str) else []


async def test_a_stored_spec_this_server_cannot_read_is_a_409_not_a_500(client, settings):
    """A version-1 folder run named the person's own files (not the content store), and a newer server's spec is
    unknown here: the routes that read them say so."""
    folder_run = _spec(1, settings, "v1folder")
    folder_run["dataset"]["items"][0]["path"] = "/home/someone/photos/cat/IMG_0001.jpg"
    newer = {**_spec(2, settings, "v3"), "spec_version": 3}
    with session_for(make_engine(settings.resolved_database_url)) as session:
        for run_id, spec in (("v1folder", folder_run), ("v3", newer)):
            session.add(Run(id=run_id, workflow_name="unreadable", status="succeeded", settings={}, spec=spec))
        session.commit()
    for run_id in ("v1folder", "v3"):
        snapshot = await client.get(f"/api/runs/{run_id}/snapshot")
        assert snapshot.status_code == 409, snapshot.text
        assert "cannot be read" in snapshot.json()["detail"] or "newer" in snapshot.json()["detail"]
    image = await client.get("/api/runs/v1folder/items/0/image")
    assert image.status_code == 409 and "item 0" in image.json()["detail"]
    extend = await client.post("/api/runs/v1folder/extend", json={"epochs": 1})
    assert extend.status_code == 409, extend.text
