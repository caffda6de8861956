"""Host allow-list, Origin check and security headers (backend/security.py): what a hostile web page could do to a
server on 127.0.0.1 through DNS rebinding, a cross-site form post or a cross-site WebSocket is refused."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from backend.security import CONTENT_SECURITY_POLICY, DOCS_CONTENT_SECURITY_POLICY, host_name
from backend.settings import Settings
from tests.api.event_log import QUEUED_RUN, write_runs
from tests.api.helpers import new_project, png_bytes, upload
from tests.conftest import LiveServer

EVIL = "http://evil.example"
HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("origins") / "data"
    write_runs(data_dir, long_run=False)  # a queued run whose socket a handshake opens
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VISIONFLOW_MAX_CONCURRENT_RUNS", "0")  # the queued run stays queued
        live = LiveServer(data_dir, seed_demo=False)
    yield live
    live.stop()


def assert_security_headers(response: httpx.Response) -> None:
    assert {name: response.headers.get(name) for name in HEADERS} == HEADERS
    assert "access-control-allow-origin" not in response.headers  # CORS stays off


async def project_names(client) -> list[str]:
    return [p["name"] for p in (await client.get("/api/projects")).json()]


def test_a_real_server_refuses_a_foreign_host_and_answers_its_loopback_names(server: LiveServer):
    refused = httpx.get(f"{server.url}/api/projects", headers={"Host": "evil.example"})
    assert refused.status_code == 400
    assert "evil.example" in refused.json()["detail"] and "VISIONFLOW_ALLOWED_HOSTS" in refused.json()["detail"]
    assert_security_headers(refused)
    for host in (f"127.0.0.1:{server.port}", f"localhost:{server.port}", "[::1]:8000", "LOCALHOST"):
        assert httpx.get(f"{server.url}/api/projects", headers={"Host": host}).status_code == 200, host
    created = httpx.post(f"{server.url}/api/projects", headers={"Host": "evil.example"}, json={"name": "Rebound"})
    assert created.status_code == 400
    assert "Rebound" not in [p["name"] for p in httpx.get(f"{server.url}/api/projects").json()]


async def test_the_in_process_client_gets_the_same_host_check(client):
    refused = await client.get("/api/projects", headers={"Host": "evil.example:8000"})
    assert refused.status_code == 400 and "evil.example" in refused.json()["detail"]
    assert (await client.get("/api/projects", headers={"Host": "localhost:8000"})).status_code == 200
    assert (await client.get("/api/projects")).status_code == 200  # testserver.local, allowed in tests/conftest.py


async def test_a_cross_site_text_plain_post_is_refused_and_creates_nothing(client):
    attack = await client.post(
        "/api/projects", content=b'{"name": "Planted"}', headers={"Origin": EVIL, "Content-Type": "text/plain"}
    )
    assert attack.status_code == 403 and "evil.example" in attack.json()["detail"]
    assert_security_headers(attack)
    as_json = await client.post("/api/projects", json={"name": "Planted"}, headers={"Origin": EVIL})
    assert as_json.status_code == 403
    sandboxed = await client.post("/api/projects", json={"name": "Planted"}, headers={"Origin": "null"})
    assert sandboxed.status_code == 403
    assert "Planted" not in await project_names(client)


async def test_cross_site_deletes_and_updates_are_refused_too(client):
    project = (await client.post("/api/projects", json={"name": "Keep"})).json()
    for method in ("DELETE", "PATCH", "PUT"):
        response = await client.request(method, f"/api/projects/{project['id']}", json={}, headers={"Origin": EVIL})
        assert response.status_code == 403, method
    assert (await client.get(f"/api/projects/{project['id']}")).status_code == 200


async def test_same_origin_allowed_hosts_and_no_origin_may_write(client):
    for origin in ("http://testserver.local", "http://localhost:5173", "http://127.0.0.1:8000", None):
        headers = {"Origin": origin} if origin else {}
        response = await client.post("/api/projects", json={"name": f"From {origin}"}, headers=headers)
        assert response.status_code == 201, (origin, response.text)
    assert "From http://localhost:5173" in await project_names(client)


async def test_a_read_from_a_foreign_origin_gets_no_cors_headers(client):
    response = await client.get("/api/projects", headers={"Origin": EVIL})
    assert response.status_code == 200
    assert_security_headers(response)


async def test_a_websocket_handshake_from_a_foreign_origin_is_refused(server: LiveServer):
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with websockets.connect(f"{server.ws_url}/ws/runs/{QUEUED_RUN}", origin=EVIL):
            pass
    assert refused.value.response.status_code == 403
    # the same handshake without Origin is accepted: the refusal above is the Origin's, not the run's
    async with websockets.connect(f"{server.ws_url}/ws/runs/{QUEUED_RUN}") as socket:
        assert socket.response.status_code == 101
    with pytest.raises(websockets.InvalidStatus) as rebound:
        async with websockets.connect(
            f"{server.ws_url}/ws/runs/{QUEUED_RUN}", additional_headers={"Host": "evil.example"}
        ):
            pass
    assert rebound.value.response.status_code == 403


async def test_a_websocket_handshake_from_the_server_itself_or_without_origin_is_accepted(server: LiveServer):
    for origin in (f"http://127.0.0.1:{server.port}", "http://localhost:5173", None):
        async with websockets.connect(f"{server.ws_url}/ws/runs/{QUEUED_RUN}", origin=origin) as socket:
            assert socket.response.status_code == 101, origin


def test_every_answer_carries_the_security_headers(server: LiveServer):
    page = httpx.get(f"{server.url}/projects/some/deep/link")
    assert page.headers["content-type"].startswith("text/html")
    assert_security_headers(page)
    assert_security_headers(httpx.get(f"{server.url}/api/projects"))
    assert_security_headers(httpx.get(f"{server.url}/api/projects/missing"))  # a 404
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY and "'unsafe-eval'" not in CONTENT_SECURITY_POLICY


def test_the_built_frontend_has_no_inline_script_the_policy_would_block():
    index = Path(__file__).resolve().parents[2] / "frontend" / "dist" / "index.html"
    html = index.read_text()
    assert "<script" in html and all('src="' in tag.split(">")[0] for tag in html.split("<script")[1:])


def test_allowed_hosts_come_from_a_comma_list(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("VISIONFLOW_ALLOWED_HOSTS", " box.lan, 192.168.1.20 ,")
    assert Settings(data_dir=tmp_path).allowed_hosts == ["box.lan", "192.168.1.20"]
    monkeypatch.delenv("VISIONFLOW_ALLOWED_HOSTS")
    assert Settings(data_dir=tmp_path).allowed_hosts == ["localhost", "127.0.0.1", "[::1]"]


def test_host_names_lose_their_port():
    assert [host_name(h) for h in ("localhost:8000", "[::1]:8000", "[::1]", "127.0.0.1", "Box.LAN:1")] == [
        "localhost",
        "[::1]",
        "[::1]",
        "127.0.0.1",
        "box.lan",
    ]


async def test_a_png_html_polyglot_is_served_as_an_image_never_sniffed_as_html(client):
    project = await new_project(client)
    polyglot = png_bytes() + b"<html><script>alert(document.domain)</script></html>"
    report = (await upload(client, project["id"], [("page.html.png", polyglot)])).json()
    asset_id = report["imported"][0]["id"]
    for path in (f"/api/assets/{asset_id}/file", f"/api/assets/{asset_id}/thumbnail"):
        served = await client.get(path)
        assert served.status_code == 200
        assert served.headers["content-type"] in ("image/png", "image/jpeg"), path
        assert served.headers["content-disposition"].startswith("inline; filename=")
        assert_security_headers(served)


async def test_the_openapi_page_gets_the_policy_its_redoc_bundle_needs_and_the_json_the_strict_one(client):
    page = await client.get("/schema")
    assert page.status_code == 200 and page.headers["content-security-policy"] == DOCS_CONTENT_SECURITY_POLICY
    assert "cdn.redoc.ly" in page.text and page.headers["x-frame-options"] == "DENY"
    assert_security_headers(await client.get("/schema/openapi.json"))
