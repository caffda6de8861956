"""Official weights downloaded by name end to end: a real Ultralytics checkpoint the test makes, served by a
stand-in release on 127.0.0.1 with its sha256 digest, checked by the same worker subprocess as an upload."""

from pathlib import Path

import pytest
import torch
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.settings import Settings
from tests.release_server import serve_release, sha256_digest


@pytest.fixture(scope="module")
def official_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """What `yolo11n-cls.pt` is: a yolo11n-cls model with a 1000-class head, saved as Ultralytics saves it."""
    from ultralytics import YOLO

    path = tmp_path_factory.mktemp("official") / "yolo11n-cls.pt"
    torch.manual_seed(7)
    YOLO("yolo11n-cls.yaml").save(path)
    return path.read_bytes()


def _store_files(settings: Settings) -> list[Path]:
    return [p for p in settings.model_store.rglob("*") if p.is_file()]


async def test_a_verified_download_is_checked_stored_and_listed_once(settings, official_checkpoint):
    with serve_release({"yolo11n-cls.pt": official_checkpoint}) as release:
        app = create_app(settings.model_copy(update={"weights_release_url": release.url}))
        async with AsyncTestClient(app=app) as client:
            created = await client.post("/api/models/download", json={"name": "yolo11n-cls.pt"})
            assert created.status_code == 201, created.text
            entry = created.json()
            assert (await client.get("/api/models")).json() == [entry]
            again = await client.post("/api/models/download", json={"name": "yolo11n-cls.pt"})
            nodes = {n["type"]: n for n in (await client.get("/api/nodes")).json()}
    assert {k: entry[k] for k in ("architecture", "family", "size", "filename")} == {
        "architecture": "yolo11n-cls.yaml",
        "family": "yolo11",
        "size": "n",
        "filename": "yolo11n-cls.pt",
    }
    assert f"sha256:{entry['sha256']}" == sha256_digest(official_checkpoint)
    assert entry["classes"]["nc"] == 1000 and entry["bytes"] == len(official_checkpoint)
    assert (settings.model_store / entry["name"]).read_bytes() == official_checkpoint
    assert again.status_code == 409 and entry["name"] in again.json()["detail"]
    assert nodes["model.yolo11_cls"]["params_schema"]["properties"]["pretrained"]["enum"] == [None, entry["name"]]
    assert sorted(p.name for p in _store_files(settings)) == sorted([entry["name"], entry["name"][:-3] + ".json"])


async def test_a_checksum_mismatch_is_refused_and_leaves_nothing(settings, official_checkpoint):
    wrong = sha256_digest(official_checkpoint + b"tampered")
    with serve_release({"yolo11n-cls.pt": official_checkpoint}, digests={"yolo11n-cls.pt": wrong}) as release:
        app = create_app(settings.model_copy(update={"weights_release_url": release.url}))
        async with AsyncTestClient(app=app) as client:
            refused = await client.post("/api/models/download", json={"name": "yolo11n-cls.pt"})
            listed = (await client.get("/api/models")).json()
    assert refused.status_code == 422 and "does not match" in refused.json()["detail"]
    assert "/files/yolo11n-cls.pt" in release.requests  # downloaded, then discarded
    assert listed == [] and _store_files(settings) == []


async def test_a_file_named_for_one_architecture_but_holding_another_is_refused(settings, tmp_path):
    """The name decides the architecture: yolov8n weights published as yolo11n-cls.pt fail the worker's check."""
    from ultralytics import YOLO

    other = tmp_path / "v8.pt"
    YOLO("yolov8n-cls.yaml").save(other)
    with serve_release({"yolo11n-cls.pt": other.read_bytes()}) as release:
        app = create_app(settings.model_copy(update={"weights_release_url": release.url}))
        async with AsyncTestClient(app=app) as client:
            refused = await client.post("/api/models/download", json={"name": "yolo11n-cls.pt"})
    assert refused.status_code == 422 and "not yolo11n-cls.yaml" in refused.json()["detail"]
    assert _store_files(settings) == []
