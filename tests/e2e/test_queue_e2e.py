"""The run queue in the browser, on an in-process server whose scripted runner (tests/fakes/runner.py) takes the
first run, says it waits for a GPU and holds it, so nothing trains and the next runs wait for the one slot: the runs
list shows each one's place and why it waits; "Move to front" puts the last one first; a queued run cancelled from
the list ends cancelled and the others move up; the run page says its place, and the held run the runner's reason.
Screenshot: test-artifacts/queue.png."""

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import Page, expect

from backend.app import create_app
from backend.events.models import Waiting
from backend.settings import Settings
from tests.api.helpers import png_bytes
from tests.conftest import DATA, MODEL, _free_port, chain
from tests.fakes.runner import FakeRunner, Script, event, finished, started

pytestmark = [pytest.mark.browser]

GPU = "Waiting for a GPU: the cluster has 0 free of 1."


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """In this process, not a `visionflow serve`: the app is already imported, and the runner is the scripted one."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("queue") / "data", max_concurrent_runs=1, warm_workers=0)
    runner = FakeRunner(Script(events=[event(Waiting(reason=GPU)), started(), finished()], hold=asyncio.Event()))
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, runner=runner), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the queue test's server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def queued_runs(base_url: str) -> tuple[str, list[str]]:
    """A project of two labelled classes and four runs of one workflow: the runner holds the first, the others wait."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        project = client.post("/api/projects", json={"name": "Queue e2e"}).json()["id"]
        for index, (name, colour) in enumerate({"red": (220, 20, 20), "blue": (20, 20, 220)}.items()):
            class_id = client.post(f"/api/projects/{project}/classes", json={"name": name}).json()["id"]
            files = [
                (
                    "files",
                    (f"{name}{n}.png", png_bytes((colour[0], colour[1] + n + 10 * index, colour[2])), "image/png"),
                )
                for n in range(2)
            ]
            for asset in client.post(f"/api/projects/{project}/assets", files=files).json()["imported"]:
                client.put(f"/api/assets/{asset['id']}/annotation", json={"class_id": class_id})
        workflow = client.post(f"/api/projects/{project}/workflows", json={"graph": chain(DATA, MODEL)}).json()["id"]
        runs = []
        for _ in range(4):
            started = client.post(f"/api/workflows/{workflow}/runs", json={"epochs": 1})
            assert started.status_code == 202, started.text
            runs.append(started.json()["id"])
    return project, runs


def test_queue_positions_move_to_front_and_cancel_a_queued_run(page: Page, base_url: str, artifacts: Path) -> None:
    project, (held, first, second, third) = queued_runs(base_url)
    page.goto(f"/projects/{project}/runs")
    row = {
        run_id: page.locator(f'[data-testid="run-row"][data-run-id="{run_id}"]')
        for run_id in (held, first, second, third)
    }
    expect(row[held].get_by_test_id("queue-place")).to_have_text("Handed to the runner")
    expect(row[held].get_by_test_id("queue-reason")).to_have_text(GPU)
    expect(row[first].get_by_test_id("queue-place")).to_have_text("1st in the queue")
    expect(row[third].get_by_test_id("queue-place")).to_have_text("3rd in the queue")
    expect(row[first].get_by_test_id("queue-reason")).to_have_text("Waiting for a free slot: 1 run training, limit 1.")
    expect(row[third].get_by_test_id("queue-reason")).to_have_text("2 runs ahead; 1 run training, limit 1.")
    expect(row[first].get_by_test_id("queue-move-to-front")).to_be_disabled()  # next already

    row[third].get_by_test_id("queue-move-to-front").click()
    expect(row[third].get_by_test_id("queue-place")).to_have_text("1st in the queue")
    expect(row[first].get_by_test_id("queue-place")).to_have_text("2nd in the queue")
    expect(row[second].get_by_test_id("queue-place")).to_have_text("3rd in the queue")

    row[first].get_by_test_id("queue-cancel").click()
    expect(row[first].get_by_test_id("run-status")).to_have_attribute("data-status", "cancelled")
    expect(row[first].get_by_test_id("queue-note")).to_have_count(0)
    expect(row[second].get_by_test_id("queue-place")).to_have_text("2nd in the queue")
    page.screenshot(path=str(artifacts / "queue.png"), full_page=True)

    row[second].click()  # the run page says where it stands
    banner = page.get_by_test_id("queue-banner")
    expect(banner).to_contain_text("Queued · 2nd in the queue")
    expect(banner.get_by_test_id("queue-reason")).to_have_text("1 run ahead; 1 run training, limit 1.")
    banner.get_by_test_id("queue-move-to-front").click()
    expect(banner).to_contain_text("Queued · 1st in the queue")

    page.goto(f"/projects/{project}/runs/{held}")  # the runner's own reason, from its `waiting` event
    expect(page.get_by_test_id("queue-banner").get_by_test_id("queue-reason")).to_have_text(GPU)
    expect(page.get_by_test_id("queue-move-to-front")).to_be_disabled()
