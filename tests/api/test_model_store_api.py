"""Model store routes that refuse before any checking process starts (no torch here)."""

from litestar.testing import AsyncTestClient

from backend.app import create_app


async def test_an_upload_over_the_cap_is_refused_and_leaves_nothing(settings):
    small = settings.model_copy(update={"max_model_upload_bytes": 1024})
    async with AsyncTestClient(app=create_app(small)) as client:
        response = await client.post("/api/models", files={"file": ("big.pt", b"x" * 4096)})
        assert response.status_code == 413 and "limit" in response.json()["detail"]
        assert [p for p in small.model_store.rglob("*") if p.is_file()] == []


async def test_bad_requests_get_clear_4xx(client):
    missing = await client.post("/api/models", files={"weights": ("a.pt", b"x")})
    assert missing.status_code == 400 and "'file'" in missing.json()["detail"]
    unknown = await client.post("/api/models", files={"file": ("a.pt", b"x")}, data={"architecture": "../x.yaml"})
    assert unknown.status_code == 422 and "yolo11n-cls.yaml" in unknown.json()["detail"]
    assert (await client.delete("/api/models/nothing.pt")).status_code == 404
    assert (await client.get("/api/models")).json() == []
