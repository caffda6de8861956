"""Local runner: one spawned worker process per run, events over a pipe. The worker gets the spec and a
description of the storage it reads images and weights from and writes its run folder to (backend/storage.py).

Cancel sets a flag the worker checks after every batch; a worker that has not stopped after the grace
period is killed. A worker that dies without saying `finished` (a crash, SIGKILL, out of memory) gets a
`finished: failed` with the reason, so no run is ever left `running`. The worker beats every
`heartbeat_interval_s` on its pipe (backend/worker/heartbeat.py); any message counts as a sign of life, and one
silent for `heartbeat_timeout_s` (stopped, hung, swapping) is killed and its run failed with that reason. Beats are
never events. The child kills itself when the server process dies (see backend/worker/entry.py).

With `warm_workers` > 0 a run starts in a worker prepared ahead of time (backend/runners/warm_pool.py) when one is
ready, else in a freshly spawned one; replacements warm only while no run is training.
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
from backend.runners.warm_pool import WarmPool, is_warm_ready
from backend.storage import Storage
from backend.worker.heartbeat import FIRST_MESSAGE_ALLOWANCE_S, HeartbeatWatch, is_heartbeat, no_heartbeat_reason

POLL_S = 0.2
# A warm worker taken while still preparing says nothing until its imports are done (at low priority): its first
# message may take this long before it counts as silent.
WARMING_FIRST_MESSAGE_ALLOWANCE_S = 120.0


class LocalRunner:
    def __init__(
        self,
        config_dir: Path,
        storage: Storage,
        warm_workers: int = 0,
        heartbeat_interval_s: float = 5.0,
        heartbeat_timeout_s: float = 30.0,
    ) -> None:
        self._config_dir = config_dir
        self._heartbeat_interval_s, self._heartbeat_timeout_s = heartbeat_interval_s, heartbeat_timeout_s
        self._storage = storage.description()
        self._context = multiprocessing.get_context("spawn")
        self.warm_pool = WarmPool(self._context, config_dir, warm_workers)
        self._workers: list[BaseProcess] = []  # every worker this runner handed a run (shutdown kills them)
        self._training = 0  # runs whose events are not over yet

    def warm_up(self) -> None:
        """Start the warm workers (from the event loop's thread: a child's death signal is tied to the thread that
        started it); nothing while a run trains."""
        if self._training == 0:
            self.warm_pool.refill()

    async def settled(self) -> bool:
        """Wait until no warm worker is still preparing; True when nothing trains then (the moment for other
        start-up work, such as the predictor's, which would otherwise compete with them for the CPU)."""
        while self.warm_pool.pids and not self.warm_pool.ready_pids:
            await asyncio.sleep(POLL_S)
        return self._training == 0

    async def submit(self, run_id: str, spec: TrainingJobSpec) -> JobHandle:
        warm = self.warm_pool.take()
        if warm is not None:
            try:
                warm.start(spec.model_dump_json(), self._storage, self._heartbeat_interval_s)
            except OSError:  # it died between the check and the hand-over: a cold start instead
                warm.discard()
                warm = None
        self._training += 1
        if warm is not None:
            state = {"process": warm.process, "conn": warm.conn, "stop": warm.stop, "warm": True, "training": True}
            if not warm.ready:
                state["first_message_allowance_s"] = WARMING_FIRST_MESSAGE_ALLOWANCE_S
            self._keep(warm.process)
            return JobHandle(run_id=run_id, state=state)
        from backend.worker.entry import worker_main  # the module is light; torch loads in the child

        receive, send = self._context.Pipe(duplex=False)
        stop = self._context.Event()
        process = self._context.Process(
            target=worker_main,
            args=(spec.model_dump_json(), self._storage, send, stop, str(self._config_dir), self._heartbeat_interval_s),
            name=f"visionflow-run-{run_id}",
        )
        try:
            process.start()
        except BaseException:
            self._training -= 1
            raise
        send.close()  # the child holds the only writer: EOF on our end means the child is gone
        self._keep(process)
        state = {"process": process, "conn": receive, "stop": stop, "warm": False, "training": True}
        return JobHandle(run_id=run_id, state=state)

    async def events(self, handle: JobHandle, after: int = -1) -> AsyncIterator[WorkerEvent]:
        """The worker's events as it sends them. `after` is for runners that re-attach; a local worker's pipe is
        read once, from its start."""
        process: BaseProcess = handle.state["process"]
        conn: Connection = handle.state["conn"]
        finished = False
        try:
            async for event in self._read(handle, process, conn):
                finished = event.type == "finished"
                if finished:  # the consumer may stop reading at `finished`: the run is over for the pool now
                    self._run_over(handle)
                yield event
        finally:
            self._run_over(handle)
        if not finished:
            yield WorkerEvent.of(_ending_without_finish(handle, process), time.time())

    def _run_over(self, handle: JobHandle) -> None:
        """Once per run: with nothing training any more, the warm pool fills again."""
        if handle.state.pop("training", False):
            self._training -= 1
            self.warm_up()

    async def _read(self, handle: JobHandle, process: BaseProcess, conn: Connection) -> AsyncIterator[WorkerEvent]:
        finished = False
        # counting from the start: a worker that never says anything is caught too
        watch = HeartbeatWatch(
            self._heartbeat_timeout_s, handle.state.get("first_message_allowance_s", FIRST_MESSAGE_ALLOWANCE_S)
        )
        while not finished:
            try:
                if not await asyncio.to_thread(conn.poll, POLL_S):
                    if not process.is_alive() and not conn.poll(0):  # gone, and nothing left unread
                        break
                    if watch.expired():
                        handle.state["silent_s"] = watch.allowed_s
                        process.kill()
                        break
                    continue
                message = conn.recv()
                watch.beat()
                handle.state["heard"] = True  # the worker runs our code (tests wait for it before they stop it)
                # a warm worker handed its spec before it was ready says so first; beats only say it is alive
                if is_warm_ready(message) or is_heartbeat(message):
                    continue
                event = WorkerEvent.model_validate_json(message)
            except (EOFError, OSError):
                break
            finished = event.type == "finished"
            yield event
        conn.close()
        await asyncio.to_thread(process.join, 5)

    async def cancel(self, handle: JobHandle, grace_s: float = 10) -> None:
        handle.cancel_requested = True
        process: BaseProcess = handle.state["process"]
        handle.state["stop"].set()
        await asyncio.to_thread(process.join, grace_s)
        if process.is_alive():
            process.kill()

    async def reattach(self, handle: JobHandle) -> bool:
        return False  # a local worker never outlives the server that spawned it

    async def forget(self, run_id: str) -> None:
        return None  # nothing of a run this server never submitted can run: workers die with their server

    async def shutdown(self) -> None:
        self.warm_pool.size = 0  # no replacement from a run ending now
        self.warm_pool.shutdown()
        for worker in self._workers:  # its own only: another runner in this process keeps its workers
            if worker.is_alive():
                worker.kill()

    def _keep(self, process: BaseProcess) -> None:
        self._workers = [worker for worker in self._workers if worker.is_alive()]
        self._workers.append(process)


def _ending_without_finish(handle: JobHandle, process: BaseProcess) -> Finished:
    code = process.exitcode
    if handle.cancel_requested:
        return Finished(status="cancelled", reason="Cancelled; the worker was stopped.")
    if (silent_s := handle.state.get("silent_s")) is not None:
        return Finished(status="failed", reason=no_heartbeat_reason(silent_s))
    if code is not None and code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        reason = f"The worker process was killed by {name}" + (" (out of memory?)." if name == "SIGKILL" else ".")
    else:
        reason = f"The worker process exited with code {code} without finishing the run."
    return Finished(status="failed", reason=reason)
