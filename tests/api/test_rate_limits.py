"""Login attempts and uploads are rate-limited per client address: over the limit, 429 with `Retry-After` and a
detail saying what was limited; another address keeps its own count. Limits are set small so the test is quick."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.settings import Settings


@asynccontextmanager
async def from_address(app: Litestar, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests come from `address` (the test client always says "testclient")."""
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        yield client


def assert_limited(response: httpx.Response, what: str) -> None:
    assert response.status_code == 429, response.text
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= 60
    body = response.json()
    assert body["status_code"] == 429
    assert what in body["detail"] and f"try again in {retry_after} s" in body["detail"], body["detail"]


@pytest.fixture
async def limited_app(settings: Settings) -> AsyncIterator[Litestar]:
    small = settings.model_copy(update={"upload_requests_per_minute": 3, "login_attempts_per_minute": 2})
    app = create_app(small)
    async with AsyncTestClient(app=app):  # runs the app's lifespan
        yield app


async def test_uploads_share_one_count_per_client_and_answer_429_past_it(limited_app):
    async with from_address(limited_app, "10.0.0.1") as first, from_address(limited_app, "10.0.0.2") as second:
        project = (await first.post("/api/projects", json={"name": "limits"})).json()
        csv = {"content": b"filename,label\n", "headers": {"content-type": "text/csv"}}
        answers = [
            await first.post(f"/api/projects/{project['id']}/assets", files={"files": ("a.png", b"not an image")}),
            await first.post(f"/api/projects/{project['id']}/labels/csv", **csv),
            await first.post("/api/models", files={"weights": ("a.pt", b"x")}),  # a bad request counts too
        ]
        assert [a.status_code for a in answers] == [422, 200, 400], [a.text for a in answers]
        for over in (
            await first.post(f"/api/projects/{project['id']}/assets", files={"files": ("b.png", b"x")}),
            await first.post(f"/api/projects/{project['id']}/labels/csv", **csv),
            await first.post("/api/models", files={"file": ("a.pt", b"x")}),
        ):
            assert_limited(over, "Upload requests")
        assert (await first.get(f"/api/projects/{project['id']}/assets")).status_code == 200  # reading is not limited
        elsewhere = await second.post(f"/api/projects/{project['id']}/labels/csv", **csv)
        assert elsewhere.status_code == 200, elsewhere.text


async def test_login_attempts_are_limited_per_client(limited_app):
    """Accounts are off in this app, so each attempt is answered 409 at once (no password hash): the count is the
    middleware's, before the handler."""
    attempt = {"name": "admin", "password": "guess"}
    async with from_address(limited_app, "10.0.0.1") as first, from_address(limited_app, "10.0.0.2") as second:
        answers = [await first.post("/api/auth/login", json=attempt) for _ in range(2)]
        assert [a.status_code for a in answers] == [409, 409], [a.text for a in answers]
        assert_limited(await first.post("/api/auth/login", json=attempt), "Login attempts")
        assert (await second.post("/api/auth/login", json=attempt)).status_code == 409
        assert (await first.get("/api/auth/config")).status_code == 200  # only the login is limited


async def test_the_schema_documents_429_where_a_limit_applies(limited_app):
    paths = limited_app.openapi_schema.to_schema()["paths"]
    limited = {
        (path, method)
        for path, operations in paths.items()
        for method, operation in operations.items()
        if "429" in operation.get("responses", {})
    }
    assert {
        ("/api/projects/{project_id}/assets", "post"),
        ("/api/projects/{project_id}/labels/csv", "post"),
        ("/api/models", "post"),
        ("/api/auth/login", "post"),
    } <= limited
    assert ("/api/projects", "post") not in limited
