"""Downloading official weights by name, every refusal: each is decided before the worker's check runs (no torch
here). The release is a local stand-in on 127.0.0.1 (`tests/release_server.py`); nothing reaches the internet."""

import hashlib
from pathlib import Path

from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.models_store import ModelStore, StoredClasses
from backend.settings import Settings
from nodes.models import ARCHITECTURES
from tests.release_server import closed_port_url, serve_release

CONTENT = b"not really weights, but bytes with a checksum" * 100


def _app(settings: Settings, release_url: str, **update: object) -> AsyncTestClient:
    return AsyncTestClient(app=create_app(settings.model_copy(update={"weights_release_url": release_url, **update})))


def _store_files(settings: Settings) -> list[Path]:
    return [p for p in settings.model_store.rglob("*") if p.is_file()]


async def test_official_names_are_the_architectures_a_model_node_trains(client):
    names = (await client.get("/api/models/official")).json()
    assert len(names) == len(ARCHITECTURES) and {"yolov8n-cls.pt", "yolo11s-cls.pt", "yolo26x-cls.pt"} <= set(names)
    assert all(name.endswith("-cls.pt") for name in names) and "yolo12n-cls.pt" not in names


async def test_a_name_that_is_not_official_is_a_400_naming_the_field(client):
    for name in ("yolo12n-cls.pt", "../../visionflow.db", "yolo11n.pt", "yolo11n-cls.yaml"):
        response = await client.post("/api/models/download", json={"name": name})
        assert response.status_code == 400, response.text
        assert response.json()["detail"].startswith("name:") and "yolo11n-cls.pt" in response.json()["detail"]
    missing = await client.post("/api/models/download", json={"file": "yolo11n-cls.pt"})
    assert missing.status_code == 400 and "name" in missing.text


async def test_an_unreachable_release_is_a_503_that_says_an_admin_can_upload(settings):
    async with _app(settings, closed_port_url()) as client:
        response = await client.post("/api/models/download", json={"name": "yolo11n-cls.pt"})
    assert response.status_code == 503, response.text
    assert "cannot reach" in response.json()["detail"] and "upload" in response.json()["detail"]
    assert _store_files(settings) == []


async def test_a_release_without_the_file_is_a_404(settings):
    with serve_release({"yolo11n-cls.pt": CONTENT}) as release:
        async with _app(settings, release.url) as client:
            response = await client.post("/api/models/download", json={"name": "yolo26m-cls.pt"})
        async with _app(settings, release.url.replace("/release", "/no-such-release")) as client:
            gone = await client.post("/api/models/download", json={"name": "yolo11n-cls.pt"})
    assert response.status_code == 404 and "'yolo26m-cls.pt'" in response.json()["detail"]
    assert gone.status_code == 404 and "no release" in gone.json()["detail"]


async def test_a_wrong_or_missing_checksum_is_a_422_and_leaves_nothing(settings):
    digests = {"yolo11n-cls.pt": "sha256:" + "0" * 64, "yolo11s-cls.pt": None}
    with serve_release({"yolo11n-cls.pt": CONTENT, "yolo11s-cls.pt": CONTENT}, digests=digests) as release:
        async with _app(settings, release.url) as client:
            mismatch = await client.post("/api/models/download", json={"name": "yolo11n-cls.pt"})
            unverifiable = await client.post("/api/models/download", json={"name": "yolo11s-cls.pt"})
            listed = (await client.get("/api/models")).json()
    assert mismatch.status_code == 422 and "does not match" in mismatch.json()["detail"]
    assert unverifiable.status_code == 422 and "no sha256 checksum" in unverifiable.json()["detail"]
    assert "/files/yolo11s-cls.pt" not in release.requests  # refused before downloading
    assert listed == [] and _store_files(settings) == []


async def test_a_file_over_the_cap_is_a_413_and_leaves_nothing(settings):
    with serve_release({"yolo11n-cls.pt": CONTENT}) as release:
        async with _app(settings, release.url, max_model_upload_bytes=1024) as client:
            response = await client.post("/api/models/download", json={"name": "yolo11n-cls.pt"})
    assert response.status_code == 413 and "limit" in response.json()["detail"]
    assert _store_files(settings) == []


async def test_weights_already_in_the_store_are_a_409_without_downloading(settings, tmp_path):
    held = tmp_path / "held.pt"
    held.write_bytes(CONTENT)
    settings.model_store.mkdir(parents=True, exist_ok=True)
    entry = ModelStore(settings.model_store).add(
        held,
        filename="mine.pt",
        architecture="yolo11n-cls.yaml",
        classes=StoredClasses(nc=2),
        sha256=hashlib.sha256(CONTENT).hexdigest(),
    )
    with serve_release({"yolo11n-cls.pt": CONTENT}) as release:
        async with _app(settings, release.url) as client:
            response = await client.post("/api/models/download", json={"name": "yolo11n-cls.pt"})
    assert response.status_code == 409 and entry.name in response.json()["detail"]
    assert release.requests == ["/release"]


def test_the_release_address_is_a_setting(monkeypatch):
    monkeypatch.setenv("VISIONFLOW_WEIGHTS_RELEASE_URL", "http://127.0.0.1:9/release")
    assert Settings().weights_release_url == "http://127.0.0.1:9/release"
    assert Settings.model_fields["weights_release_url"].default.startswith(
        "https://api.github.com/repos/ultralytics/assets/"
    )
