"""The server process itself: light imports, recovery after a restart, workers that die with it."""

import os
import signal
import subprocess
import sys
import time

import httpx
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.cli import demo_workflow
from backend.db.models import Run
from backend.db.session import make_engine, session_for
from tests.api.helpers import png_bytes
from tests.api.test_live_training import read_events, start_run
from tests.conftest import TEST_CLIENT_HOSTS, LiveServer


def test_the_server_never_imports_torch_ultralytics_or_albumentations(tmp_path):
    code = (
        "import sys; from backend.app import create_app; from backend.settings import Settings; "
        f"create_app(Settings(data_dir={str(tmp_path)!r})); "
        "print(sorted(m for m in ('torch', 'ultralytics', 'albumentations', 'cv2') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


async def test_openapi_schema_is_served(client):
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/workflows/validate" in schema["paths"] and "/api/nodes" in schema["paths"]


async def test_after_a_restart_running_runs_are_interrupted_and_queued_ones_resume_their_place(settings):
    settings.max_concurrent_runs = 0  # nothing starts: we only look at what recovery decides
    app = create_app(settings)
    engine = make_engine(settings.resolved_database_url)
    with session_for(engine) as session:
        session.add(Run(id="was-running", workflow_name="w", status="running", settings={}, spec={}))
        session.add(Run(id="was-queued", workflow_name="w", status="queued", settings={}, spec={}))
        session.commit()
    async with AsyncTestClient(app=app) as client:
        interrupted = (await client.get("/api/runs/was-running")).json()
        assert interrupted["status"] == "interrupted" and "server stopped" in interrupted["reason"]
        events = (await client.get("/api/runs/was-running/events")).json()
        assert [(e["seq"], e["type"], e["data"]["status"]) for e in events] == [(0, "finished", "interrupted")]
        assert (await client.get("/api/runs/was-queued")).json()["status"] == "queued"


def seed_a_few_digits(server: LiveServer) -> None:
    """A project `start_run` finds (its name says digits) with the demo's workflow and 2 × 8 labelled images: enough
    to start a run, and much quicker to make than the 1,797-image demo."""
    with httpx.Client(base_url=server.url, timeout=30) as client:
        project = client.post("/api/projects", json={"name": "A few digits"}).json()
        for shade, name in ((30, "0"), (220, "1")):
            class_id = client.post(f"/api/projects/{project['id']}/classes", json={"name": name}).json()["id"]
            files = [("files", (f"{name}-{n}.png", png_bytes((shade, n, 90), (32, 32)), "image/png")) for n in range(8)]
            for asset in client.post(f"/api/projects/{project['id']}/assets", files=files).json()["imported"]:
                client.put(f"/api/assets/{asset['id']}/annotation", json={"class_id": class_id})
        graph = demo_workflow(project["id"])
        assert client.post(f"/api/projects/{project['id']}/workflows", json={"graph": graph}).status_code == 201


async def test_a_worker_dies_with_its_server(tmp_path):
    server = LiveServer(tmp_path / "data", seed_demo=False)
    try:
        seed_a_few_digits(server)
        run_id = start_run(server, epochs=200)
        events = await read_events(server, run_id, until=lambda e: e["type"] == "batch")
        pid = next(e for e in events if e["type"] == "started")["data"]["pid"]
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait(10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.1)
        assert not _alive(pid), "the worker outlived its server"
    finally:
        server.stop()
    restarted = LiveServer(tmp_path / "data", seed_demo=False)
    try:
        run = httpx.get(f"{restarted.url}/api/runs/{run_id}").json()
        assert run["status"] == "interrupted"
    finally:
        restarted.stop()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie (exited, not yet reaped) is not alive
        return stat.read().split(")")[-1].split()[0] != "Z"


async def test_the_built_app_is_served_with_real_content_types_and_an_spa_fallback(tmp_path):
    from backend.settings import Settings

    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><div id=root></div>")
    (dist / "assets" / "app.js").write_text("console.log(1)")
    (dist / "assets" / "app.css").write_text("body{}")
    (tmp_path / "secret.txt").write_text("TOP SECRET")
    settings = Settings(data_dir=tmp_path / "data", frontend_dir=dist, allowed_hosts=TEST_CLIENT_HOSTS)
    async with AsyncTestClient(app=create_app(settings)) as client:
        assert "javascript" in (await client.get("/assets/app.js")).headers["content-type"]
        assert (await client.get("/assets/app.css")).headers["content-type"].startswith("text/css")
        deep_link = await client.get("/projects/abc/runs/xyz")
        assert deep_link.headers["content-type"].startswith("text/html") and "root" in deep_link.text
        assert (await client.get("/api/nope")).status_code == 404
        for sneaky in ("/..%2Fsecret.txt", "/assets/..%2F..%2Fsecret.txt", "/%2E%2E/secret.txt"):
            assert "TOP SECRET" not in (await client.get(sneaky)).text
