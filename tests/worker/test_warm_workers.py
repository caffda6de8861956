"""Warm workers (backend/runners/warm_pool.py through LocalRunner): a run handed to a prepared worker trains and
streams its events in order, a worker killed mid-run still ends its run `failed` with the reason, a warm worker that
died while idle is never handed a run, and shutdown leaves no child."""

import asyncio
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from backend.events.models import WorkerEvent
from backend.runners.base import JobHandle
from backend.runners.local import LocalRunner


def _wait(condition, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


async def _events_until_killed(runner: LocalRunner, handle: JobHandle) -> list[WorkerEvent]:
    events = []
    async for event in runner.events(handle):
        events.append(event)
        if [e.type for e in events].count("batch") == 2:  # batch events are rate-limited: not every batch is one
            handle.state["process"].kill()  # out of memory, or a person's kill -9
    return events


@pytest.mark.train
def test_a_run_starts_in_the_warm_worker_and_the_pool_refills_after_it(make_spec, store, offline_ultralytics):
    runner = LocalRunner(offline_ultralytics, store, warm_workers=1)

    async def scenario() -> None:
        runner.warm_up()
        _wait(lambda: len(runner.warm_pool.ready_pids) == 1)
        warm_pid = runner.warm_pool.ready_pids[0]
        # only the preparing thread was lowered (nice 10): the process trains at the server's own priority
        assert psutil.Process(warm_pid).nice() == os.getpriority(os.PRIO_PROCESS, 0)

        handle = await runner.submit("warm-run", make_spec(overrides={"epochs": 50, "batch": 8}))
        assert handle.state["warm"] and handle.state["process"].pid == warm_pid
        assert runner.warm_pool.pids == []  # no replacement warms while the run trains
        events = await _events_until_killed(runner, handle)

        types = [e.type for e in events]
        assert types[0] == "started" and events[0].data.pid == warm_pid
        batches = [(e.data.epoch, e.data.batch) for e in events if e.type == "batch"]
        assert len(batches) == 2 and batches[0] < batches[1]  # in order, as trained
        assert types[-1] == "finished" and "finished" not in types[:-1]
        assert events[-1].data.status == "failed" and "SIGKILL" in events[-1].data.reason

        # The run is over: a replacement warms. Killed while idle, it is never handed a run.
        assert len(runner.warm_pool.pids) == 1 and runner.warm_pool.pids[0] != warm_pid
        replacement = runner.warm_pool.pids[0]
        os.kill(replacement, signal.SIGKILL)
        _wait(lambda: not psutil.pid_exists(replacement) or psutil.Process(replacement).status() == "zombie")
        assert runner.warm_pool.take() is None
        runner.warm_up()
        fresh = runner.warm_pool.pids
        assert len(fresh) == 1 and fresh[0] != replacement

        await runner.shutdown()
        assert runner.warm_pool.pids == [] and not psutil.pid_exists(fresh[0])  # killed and reaped

    asyncio.run(scenario())


_SERVER_WITH_WARM_WORKERS = """
import sys
import psutil
from litestar.testing import TestClient
from backend.app import create_app
from backend.settings import Settings

def workers():
    children = [c for c in psutil.Process().children() if c.status() != psutil.STATUS_ZOMBIE]
    return [c for c in children if "resource_tracker" not in " ".join(c.cmdline())]


app = create_app(Settings(data_dir=sys.argv[1], warm_workers=1, auth=False, allowed_hosts=["testserver.local"]))
with TestClient(app) as client:  # its lifespan starts the warm worker and the predictor
    assert client.get("/api/nodes").status_code == 200
    heavy = [m for m in ("torch", "ultralytics", "albumentations", "onnxruntime", "cv2") if m in sys.modules]
    assert not heavy, heavy
    assert workers(), "no warm worker started with the server"
assert not workers(), workers()  # shutdown killed them, warming or not
"""


def test_the_server_with_warm_workers_on_never_imports_torch_and_leaves_no_child(tmp_path):
    subprocess.run([sys.executable, "-c", _SERVER_WITH_WARM_WORKERS, str(tmp_path / "data")], check=True, timeout=60)


class _Exited:
    exitcode = 0

    def join(self, timeout: float | None = None) -> None:
        return None


def test_a_worker_taken_while_still_warming_has_its_ready_message_skipped(tmp_path):
    import multiprocessing

    from backend.events.models import Finished
    from backend.storage import LocalStorage
    from backend.worker.entry import WARM_READY

    receive, send = multiprocessing.Pipe(duplex=False)
    send.send(WARM_READY)  # what a worker handed its spec mid-preparation still says first
    send.send(WorkerEvent.of(Finished(status="succeeded", reason=""), time.time()).model_dump_json())
    send.close()
    runner = LocalRunner(tmp_path, LocalStorage(tmp_path), warm_workers=0)
    handle = JobHandle(run_id="r", state={"process": _Exited(), "conn": receive, "stop": None, "training": True})
    runner._training = 1

    async def read() -> list[WorkerEvent]:
        return [event async for event in runner.events(handle)]

    events = asyncio.run(read())
    assert [e.type for e in events] == ["finished"] and events[0].data.status == "succeeded"
