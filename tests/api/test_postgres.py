"""The same API on PostgreSQL (VISIONFLOW_DATABASE_URL): a real server started for this module."""

import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.settings import Settings
from tests.api.helpers import labelled_project, png_bytes, upload
from tests.conftest import MODEL, TEST_CLIENT_HOSTS, chain

pytestmark = pytest.mark.postgres
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)


@pytest.fixture(scope="module")
def postgres_url():
    if PG_BIN is None:
        pytest.fail("PostgreSQL is not installed: `make test` installs Debian's postgresql")
    root = Path(tempfile.mkdtemp(prefix="visionflow-pg-"))
    shutil.chown(root, "postgres")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    def as_postgres(*command: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True, timeout=60)

    as_postgres(str(PG_BIN / "initdb"), "-D", str(root / "db"), "-A", "trust", "-U", "postgres")
    as_postgres(
        str(PG_BIN / "pg_ctl"),
        "-D",
        str(root / "db"),
        "-l",
        str(root / "log"),
        "-w",
        "-o",
        f"-p {port} -k {root} -h 127.0.0.1",
        "start",
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(root / "db"), "-m", "immediate", "stop")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
async def pg_client(postgres_url, tmp_path):
    settings = Settings(
        data_dir=tmp_path / "data", database_url=postgres_url, max_concurrent_runs=0, allowed_hosts=TEST_CLIENT_HOSTS
    )
    async with AsyncTestClient(app=create_app(settings)) as client:
        yield client


async def test_projects_uploads_labels_and_csv_on_postgres(pg_client):
    project, ids = await labelled_project(pg_client)
    report = (await upload(pg_client, project["id"], [("new.png", png_bytes((99, 1, 1)))])).json()
    assert len(report["imported"]) == 1
    csv = "filename,label\nnew.png,red\n"
    applied = await pg_client.post(
        f"/api/projects/{project['id']}/labels/csv",
        content=csv.encode(),
        params={"dry_run": False},
        headers={"content-type": "text/csv"},
    )
    assert applied.json()["applied"] is True
    stats = (await pg_client.get(f"/api/projects/{project['id']}/stats")).json()
    assert {c["name"]: c["count"] for c in stats["classes"]} == {"red": 4, "blue": 3}


async def test_runs_and_their_events_on_postgres(pg_client):
    project, _ = await labelled_project(pg_client, per_class=6)  # enough that the dataset checks find nothing
    workflow = (
        await pg_client.post(
            f"/api/projects/{project['id']}/workflows", json={"graph": chain(("data", "dataset.project", {}), MODEL)}
        )
    ).json()
    assert workflow["issues"] == []
    run = (await pg_client.post(f"/api/workflows/{workflow['id']}/runs", json={"epochs": 1})).json()
    assert (await pg_client.post(f"/api/runs/{run['id']}/cancel")).json()["status"] == "cancelled"
    events = (await pg_client.get(f"/api/runs/{run['id']}/events")).json()
    assert [(e["seq"], e["type"]) for e in events] == [(0, "queued"), (1, "finished")]
    assert (await pg_client.get(f"/api/projects/{project['id']}/runs")).json()[0]["status"] == "cancelled"
