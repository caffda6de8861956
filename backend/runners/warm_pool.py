"""WarmPool: worker processes started before anyone clicks Run, so a run starts training at once.

A cold worker spends ~90 % of its start-up CPU importing torch, torchvision, Ultralytics and albumentations
(bench/first_event.py; the profile is in docs/architecture.md, "Runners"). A warm worker
(backend/worker/entry.py `warm_worker_main`) does that at low priority (nice) ahead of time, says it is ready on
its event pipe, and waits for a spec on a pipe of its own. `take()` hands out a ready worker, else one still
warming (or None: the runner then spawns a cold one as before); `refill()` starts replacements, which the runner calls only while no run is
training, so warming never takes CPU from a training run. A warm worker that died while idle (killed, out of
memory) is dropped, never handed a spec. Every warm worker dies with the server, as every worker does.

    pool = WarmPool(context, config_dir, size=1)
    pool.refill()                   # from a long-lived thread (the event loop's): the child's death signal is tied to it
    taken = pool.take()             # WarmWorker | None
    taken.start(spec_json, storage, heartbeat_interval_s)  # then read taken.conn, as a cold worker's
    pool.shutdown()
"""

from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

WARM_NICENESS = 10  # of the thread that prepares only: the run it is then given trains at normal priority


@dataclass
class WarmWorker:
    process: BaseProcess
    conn: Connection  # the worker's events (first WARM_READY), read by the runner
    stop: Any  # multiprocessing Event: cooperative cancel
    specs: Connection  # where its spec goes
    ready: bool = field(default=False)

    def start(self, spec_json: str, storage_description: dict[str, Any], heartbeat_interval_s: float) -> None:
        self.specs.send((spec_json, storage_description, heartbeat_interval_s))
        self.specs.close()

    def check_ready(self) -> bool:
        """True once it said it is prepared; False while it still imports, or when it died."""
        if not self.ready and self.process.is_alive():
            try:
                if self.conn.poll():
                    message = self.conn.recv()
                    self.ready = message == _warm_ready()
            except (EOFError, OSError):
                return False
        return self.ready and self.process.is_alive()

    def discard(self) -> None:
        for conn in (self.specs, self.conn):
            conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)


class WarmPool:
    def __init__(self, context: SpawnContext, config_dir: Path, size: int) -> None:
        self._context = context
        self._config_dir = config_dir
        self.size = size
        self._idle: list[WarmWorker] = []

    def take(self) -> WarmWorker | None:
        """A prepared worker, out of the pool, else one still preparing (it is further along than a fresh spawn, and
        a fresh spawn would compete with it for the CPU); None when the pool is empty. Dead ones are dropped. A
        worker taken before it was ready still sends WARM_READY first: the reader skips it."""
        for worker in list(self._idle):
            if not worker.process.is_alive():
                self._idle.remove(worker)
                worker.discard()
        ready = [worker for worker in self._idle if worker.check_ready()]
        if not ready and not self._idle:
            return None
        worker = (ready or self._idle)[0]
        self._idle.remove(worker)
        return worker

    def refill(self) -> None:
        """Start warm workers until the pool holds `size` (dead ones replaced). Call it only while nothing trains."""
        for worker in list(self._idle):
            if not worker.process.is_alive():
                self._idle.remove(worker)
                worker.discard()
        while len(self._idle) < self.size:
            self._idle.append(self._spawn())

    @property
    def pids(self) -> list[int]:
        """The pool's live workers, warming or ready."""
        return [w.process.pid for w in self._idle if w.process.pid is not None and w.process.is_alive()]

    @property
    def ready_pids(self) -> list[int]:
        """The pool's workers that are prepared and alive."""
        return [w.process.pid for w in self._idle if w.process.pid is not None and w.check_ready()]

    def shutdown(self) -> None:
        for worker in self._idle:
            worker.discard()
        self._idle.clear()

    def _spawn(self) -> WarmWorker:
        from backend.worker.entry import warm_worker_main  # the module is light; torch loads in the child

        receive, send = self._context.Pipe(duplex=False)
        spec_receive, spec_send = self._context.Pipe(duplex=False)
        stop = self._context.Event()
        process = self._context.Process(
            target=warm_worker_main,
            args=(send, stop, spec_receive, str(self._config_dir), WARM_NICENESS),
            name="visionflow-warm-worker",
        )
        process.start()
        send.close()  # the child holds the only writer: EOF on our end means the child is gone
        spec_receive.close()
        return WarmWorker(process=process, conn=receive, stop=stop, specs=spec_send)


def is_warm_ready(message: object) -> bool:
    return message == _warm_ready()


def _warm_ready() -> str:
    from backend.worker.entry import WARM_READY

    return WARM_READY
