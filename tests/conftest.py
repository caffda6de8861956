"""Shared fixtures: a fresh data dir per test, an in-process app client, and graph builders."""

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.settings import DEFAULT_ALLOWED_HOSTS, Settings

# Accounts off for every test, and every server process a test starts, unless it asks for them (`auth=True`, as
# tests/api/accounts.py `auth_settings` does): the tests of everything else call as the one local user.
os.environ["VISIONFLOW_AUTH"] = "off"
# No warm worker processes in tests (each costs ~3 s of CPU at every app start) unless a test asks for them
# (tests/api/test_warm_workers.py).
os.environ["VISIONFLOW_WARM_WORKERS"] = "0"

# The host litestar's in-process test clients send (their default base_url), allowed beside the loopback names
TEST_CLIENT_HOSTS = [*DEFAULT_ALLOWED_HOSTS, "testserver.local"]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", allowed_hosts=TEST_CLIENT_HOSTS, auth=False)


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
            for n, (a, b) in enumerate(zip(nodes, nodes[1:], strict=False), start=1)
        ],
    }


DATA = ("data", "dataset.project", {})
FLIP = ("flip", "augment.horizontal_flip", {"p": 0.5})
MODEL = ("model", "model.yolov8_cls", {"size": "n", "imgsz": 32})


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LiveServer:
    """A real `visionflow serve` process on a temp data dir, seeded with the digits demo project. Accounts are off
    unless `auth`: then the first admin (`admin`) gets `admin_password`."""

    def __init__(
        self, data_dir: Path, seed_demo: bool = True, auth: bool = False, admin_password: str | None = None
    ) -> None:
        import os
        import subprocess
        import sys

        self.data_dir = data_dir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        env = {**os.environ, "VISIONFLOW_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
        env["VISIONFLOW_AUTH"] = "on" if auth else "off"
        if auth and admin_password is not None:
            env["VISIONFLOW_ADMIN_PASSWORD"] = admin_password
        cli = [sys.executable, "-m", "backend.cli"]
        if seed_demo:
            subprocess.run([*cli, "demo"], env=env, check=True, capture_output=True)
        data_dir.mkdir(parents=True, exist_ok=True)
        self.log = (data_dir / "server.log").open("w")
        self.process = subprocess.Popen(
            [*cli, "serve", "--port", str(self.port)], env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        import time

        import httpx

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {(self.data_dir / 'server.log').read_text()}")
            try:
                if httpx.get(f"{self.url}/api/auth/config", timeout=1).status_code == 200:  # answers with auth on
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not start in 30 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except Exception:
            self.process.kill()
        self.log.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory):
    server = LiveServer(tmp_path_factory.mktemp("live") / "data")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def trained_demo(live_server: LiveServer) -> str:
    """The id of one finished run of the digits demo on the session server: 5 epochs at 32 px, ≥ 95 % accuracy (0.992
    here, 0.958 after its second epoch: training is deterministic).
    Shared by the tests that only read a trained run (tests/api/test_insights_api.py, tests/e2e/test_evaluation_e2e.py),
    so the suite trains it once."""
    import time

    import httpx

    project = next(p for p in httpx.get(f"{live_server.url}/api/projects").json() if "digits" in p["name"])
    workflows = httpx.get(f"{live_server.url}/api/projects/{project['id']}/workflows").json()
    workflow = min(workflows, key=lambda w: max(n["params"].get("imgsz", 0) for n in w["graph"]["nodes"]))  # 32 px
    response = httpx.post(f"{live_server.url}/api/workflows/{workflow['id']}/runs", json={"epochs": 5, "batch": 64})
    assert response.status_code == 202, response.text
    deadline = time.monotonic() + 240
    while (run := httpx.get(f"{live_server.url}/api/runs/{response.json()['id']}").json())["status"] in UNFINISHED:
        assert time.monotonic() < deadline, f"the demo run is still {run['status']} after 240 s"
        time.sleep(0.2)
    assert run["status"] == "succeeded", run
    assert run["metrics"]["accuracy"] >= 0.95, run["metrics"]
    return run["id"]


UNFINISHED = ("queued", "running")
