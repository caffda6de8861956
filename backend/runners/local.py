"""Local runner: one spawned worker process per run, events over a pipe. The worker gets the spec and a
description of the storage it reads images and weights from and writes its run folder to (backend/storage.py).

Cancel sets a flag the worker checks after every batch; a worker that has not stopped after the grace
period is killed. A worker that dies without saying `finished` (a crash, SIGKILL, out of memory) gets a
`finished: failed` with the reason, so no run is ever left `running`. The child kills itself when the
server process dies (see backend/worker/entry.py).
"""

import asyncio
import multiprocessing
import signal
import time
from collections.abc import AsyncIterator
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from backend.events.models import Finished, WorkerEvent
from backend.graph.spec import TrainingJobSpec
from backend.runners.base import JobHandle
from backend.storage import Storage

POLL_S = 0.2


class LocalRunner:
    def __init__(self, config_dir: Path, storage: Storage) -> None:
        self._config_dir = config_dir
        self._storage = storage.description()
        self._context = multiprocessing.get_context("spawn")

    async def submit(self, run_id: str, spec: TrainingJobSpec) -> JobHandle:
        from backend.worker.entry import worker_main  # the module is light; torch loads in the child

        receive, send = self._context.Pipe(duplex=False)
        stop = self._context.Event()
        process = self._context.Process(
            target=worker_main,
            args=(spec.model_dump_json(), self._storage, send, stop, str(self._config_dir)),
            name=f"visionflow-run-{run_id}",
        )
        process.start()
        send.close()  # the child holds the only writer: EOF on our end means the child is gone
        return JobHandle(run_id=run_id, state={"process": process, "conn": receive, "stop": stop})

    async def events(self, handle: JobHandle, after: int = -1) -> AsyncIterator[WorkerEvent]:
        """The worker's events as it sends them. `after` is for runners that re-attach; a local worker's pipe is
        read once, from its start."""
        process: BaseProcess = handle.state["process"]
        conn: Connection = handle.state["conn"]
        finished = False
        while not finished:
            try:
                if not await asyncio.to_thread(conn.poll, POLL_S):
                    continue
                event = WorkerEvent.model_validate_json(conn.recv())
            except (EOFError, OSError):
                break
            finished = event.type == "finished"
            yield event
        conn.close()
        await asyncio.to_thread(process.join, 5)
        if not finished:
            yield WorkerEvent.of(_ending_without_finish(handle, process), time.time())

    async def cancel(self, handle: JobHandle, grace_s: float = 10) -> None:
        handle.cancel_requested = True
        process: BaseProcess = handle.state["process"]
        handle.state["stop"].set()
        await asyncio.to_thread(process.join, grace_s)
        if process.is_alive():
            process.kill()

    async def reattach(self, handle: JobHandle) -> bool:
        return False  # a local worker never outlives the server that spawned it

    async def shutdown(self) -> None:
        for child in self._context.active_children():
            child.kill()


def _ending_without_finish(handle: JobHandle, process: BaseProcess) -> Finished:
    code = process.exitcode
    if handle.cancel_requested:
        return Finished(status="cancelled", reason="Cancelled; the worker was stopped.")
    if code is not None and code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        reason = f"The worker process was killed by {name}" + (" (out of memory?)." if name == "SIGKILL" else ".")
    else:
        reason = f"The worker process exited with code {code} without finishing the run."
    return Finished(status="failed", reason=reason)
