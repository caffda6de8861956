"""Run names through the API: a run started from its workflow is named by what it trains, extended and resumed runs
keep their parent's name and say how, an owner renames one (1 to 200 characters once trimmed, else 422 on `name`),
downloads and comparisons carry the name, and a run says which version of its workflow it trained. Runs come from the scripted
runner (tests/fakes/runner.py): no training."""

from pathlib import Path

from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.events.models import Artifact
from backend.settings import Settings
from tests.api.helpers import labelled_project
from tests.conftest import DATA, MODEL, chain
from tests.fakes.runner import FakeRunner, Script, event, finished, started

WEIGHTS = Artifact(name="best.pt", path="weights/best.pt", kind="weights", bytes=4)


async def _until_finished(client: AsyncTestClient, run_id: str) -> dict:
    for _ in range(500):
        run = (await client.get(f"/api/runs/{run_id}")).json()
        if run["status"] not in ("queued", "running"):
            return run
    raise AssertionError(f"the fake run {run_id} did not finish")


def _weights(settings: Settings, run_id: str, name: str) -> Path:
    path = settings.runs_dir / run_id / "weights" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"fake")
    return path


async def test_runs_are_named_renamed_and_downloaded_by_name(settings: Settings):
    runner = FakeRunner(Script(events=[started(), event(WEIGHTS), finished()]))
    async with AsyncTestClient(app=create_app(settings, runner=runner)) as client:
        project, _ = await labelled_project(client, per_class=2)
        workflow = await client.post(f"/api/projects/{project['id']}/workflows", json={"graph": chain(DATA, MODEL)})
        started_run = await client.post(f"/api/workflows/{workflow.json()['id']}/runs", json={"epochs": 3})
        assert started_run.status_code == 202, started_run.text
        first = started_run.json()
        assert first["name"] == "test workflow · YOLOv8n · 32 px · 3 ep" and first["workflow_name"] == "test workflow"
        assert (first["workflow_version_id"], first["workflow_version_number"]) == (workflow.json()["version_id"], 1)
        run_id = first["id"]
        assert (await _until_finished(client, run_id))["status"] == "succeeded"

        # an owner renames it: trimmed, runs of whitespace made one space; the list and the download say the new name
        renamed = await client.patch(f"/api/runs/{run_id}", json={"name": "  Best   so far, v2\n"})
        assert renamed.status_code == 200, renamed.text
        assert renamed.json()["name"] == "Best so far, v2" and renamed.json()["workflow_version_number"] == 1
        listed = (await client.get(f"/api/projects/{project['id']}/runs")).json()
        assert [(r["id"], r["name"], r["workflow_version_number"]) for r in listed] == [(run_id, "Best so far, v2", 1)]
        _weights(settings, run_id, "best.pt")
        download = await client.get(f"/api/runs/{run_id}/artifacts/best.pt")
        assert download.status_code == 200
        assert f'filename="Best-so-far-v2-{run_id}-best.pt"' in download.headers["content-disposition"]

        for bad, length in (("   ", 0), ("x" * 201, 201)):
            refused = await client.patch(f"/api/runs/{run_id}", json={"name": bad})
            assert refused.status_code == 422, refused.text
            assert refused.json()["extra"] == {"field": "name"} and f"this one has {length}" in refused.json()["detail"]
        # PostgreSQL refuses a NUL in text: refused here on every database, naming the field (was a 500 there)
        for control in ("a\u0000b", "a\u001bb"):
            refused = await client.patch(f"/api/runs/{run_id}", json={"name": control})
            assert refused.status_code == 400 and "name" in refused.text and "control characters" in refused.text
        assert (await client.patch(f"/api/runs/{run_id}", json={"name": "y" * 200})).status_code == 200
        assert (await client.patch("/api/runs/000000000000", json={"name": "x"})).status_code == 404
        assert (await client.patch(f"/api/runs/{run_id}", json={"name": "Best"})).json()["name"] == "Best"

        # extended and resumed runs keep the parent's name, its version too
        runner.upcoming.append(Script(events=[started(), finished("failed", "broke")]))
        extended = await client.post(f"/api/runs/{run_id}/extend", json={"epochs": 2})
        assert extended.status_code == 202, extended.text
        assert (extended.json()["name"], extended.json()["workflow_version_number"]) == ("Best · +2 ep", 1)
        assert (await _until_finished(client, extended.json()["id"]))["status"] == "failed"
        _weights(settings, extended.json()["id"], "last.pt")
        resumed = await client.post(f"/api/runs/{extended.json()['id']}/resume")
        assert resumed.status_code == 202, resumed.text
        assert resumed.json()["name"] == "Best · +2 ep (resumed)"
        await _until_finished(client, resumed.json()["id"])

        # the comparison of two runs names them
        ids = f"{run_id},{extended.json()['id']}"
        compared = (await client.get(f"/api/projects/{project['id']}/runs/compare?ids={ids}")).json()
        assert [r["name"] for r in compared["runs"]] == ["Best", "Best · +2 ep"]
