"""Entry point of a worker process started by the local runner with multiprocessing's 'spawn' method.

The process trains one spec, reading and writing through the storage its runner described (backend/storage.py),
and sends every event as JSON over `conn`. It ends with its parent: on Linux the kernel kills it when the parent
goes (PR_SET_PDEATHSIG), and a watchdog thread covers other systems and the case where the parent was already gone.

A warm worker (`warm_worker_main`, started ahead of time by backend/runners/warm_pool.py) does the spec-independent
preparation first (`prepare`: ~90 % of a cold start's CPU is imports), then waits for its spec.
"""

import ctypes
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

from backend.worker.heartbeat import Heartbeat, LockedSender

_PR_SET_PDEATHSIG = 1
WATCHDOG_INTERVAL_S = 1.0
WARM_READY = "warm-ready"  # a warm worker's first message: prepared, waiting for a spec


def worker_main(
    spec_json: str,
    storage_description: dict[str, Any],
    conn: multiprocessing.connection.Connection,
    stop_event: Any,
    config_dir: str,
    heartbeat_interval_s: float | None = None,
) -> None:
    """A cold worker: started for one spec, it prepares (imports) and trains it. It beats every
    `heartbeat_interval_s` (backend/worker/heartbeat.py); None: no beats, for a caller that reads only events."""
    parent = parent_pid()
    die_with_parent(parent)
    # Ctrl-C in the server's terminal reaches this process group too; the server decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _run(spec_json, storage_description, conn, stop_event, config_dir, heartbeat_interval_s)


def warm_worker_main(
    conn: multiprocessing.connection.Connection,
    stop_event: Any,
    specs: multiprocessing.connection.Connection,
    config_dir: str,
    niceness: int,
) -> None:
    """A warm worker (backend/runners/warm_pool.py): prepared at low priority before any spec exists, it says
    WARM_READY on `conn`, then waits for one (spec_json, storage_description) on `specs` and trains it as a cold
    worker would. EOF on `specs` (the pool let it go) ends it. The hand-over also carries the heartbeat interval;
    an idle warm worker does not beat (nobody reads it then)."""
    parent = parent_pid()
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Warming must not slow a training run or the server; a prepare that fails (a missing package) is reported on
    # the run this worker is given, as a cold worker's would be, so it still says WARM_READY ("waiting for a spec").
    failed = prepare_at_low_priority(config_dir, niceness)
    try:
        conn.send(WARM_READY)
        spec_json, storage_description, heartbeat_interval_s = specs.recv()
    except (BrokenPipeError, EOFError, ConnectionResetError, OSError):
        return  # released before it got a spec, or the server is gone
    finally:
        specs.close()
    _run(spec_json, storage_description, conn, stop_event, config_dir, heartbeat_interval_s, failed)


def prepare_at_low_priority(config_dir: str, niceness: int) -> Exception | None:
    """`prepare` at `niceness` above this process's priority, returning what it raised. On Linux a thread has its
    own nice value: prepare runs in a thread of its own that lowers only itself, so the process trains at its
    normal priority afterwards (an unprivileged process may lower its priority but never raise it back). Elsewhere
    the whole process is lowered and raised back where permitted."""
    failures: list[Exception] = []

    def run() -> None:
        try:
            prepare(config_dir)
        except Exception as error:  # reported on the run this worker gets
            failures.append(error)

    if sys.platform.startswith("linux"):

        def lowered() -> None:
            with suppress(OSError):
                tid = threading.get_native_id()
                os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + niceness)
            run()

        thread = threading.Thread(target=lowered, name="warm-prepare")
        thread.start()
        thread.join()
    else:
        before = os.getpriority(os.PRIO_PROCESS, 0)
        os.nice(niceness)
        run()
        with suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, 0, before)
    return failures[0] if failures else None


def prepare(config_dir: str) -> None:
    """What every run needs before its spec matters: the offline switches, then the slow imports (torch,
    torchvision with torch._dynamo, Ultralytics' classifier trainer, albumentations, OpenCV, our worker modules)."""
    from backend.worker.offline import configure_offline

    configure_offline(Path(config_dir))  # before anything imports ultralytics or albumentations
    import albumentations  # noqa: F401
    import cv2  # noqa: F401
    import torch  # noqa: F401
    import torchvision.transforms  # noqa: F401  (its import pulls torch._dynamo: ~1 s of CPU)
    import ultralytics.models.yolo.classify  # noqa: F401
    from ultralytics import YOLO  # noqa: F401

    import backend.worker.finish  # noqa: F401
    import backend.worker.job  # noqa: F401
    import backend.worker.pipeline  # noqa: F401
    import backend.worker.trainer  # noqa: F401


def _run(
    spec_json: str,
    storage_description: dict[str, Any],
    conn: multiprocessing.connection.Connection,
    stop_event: Any,
    config_dir: str,
    heartbeat_interval_s: float | None,
    failed_prepare: Exception | None = None,
) -> None:
    # DataLoader workers are forked from this process; without this they would hold the pipe open after we die,
    # and the server would see EOF only when they notice and exit too.
    os.register_at_fork(after_in_child=conn.close)

    send = LockedSender(conn.send)  # the events and the heartbeat thread share the pipe, one message at a time
    heartbeat = Heartbeat(send, heartbeat_interval_s).start() if heartbeat_interval_s else None

    def emit(event: Any) -> None:
        send(event.model_dump_json())

    try:
        try:
            if failed_prepare is not None:
                raise failed_prepare  # "ModuleNotFoundError: No module named 'albumentations'", not an exit code
            prepare(config_dir)  # nothing left to do in a warm worker
            from backend.graph.spec import TrainingJobSpec
            from backend.storage import storage_from
            from backend.worker.job import run_job

            spec = TrainingJobSpec.model_validate_json(spec_json)
            storage = storage_from(storage_description)
        except Exception as error:  # run_job reports its own failures; this covers what happens before it
            _report_failure(emit, error)
            return
        run_job(spec, storage, emit, stop_event.is_set)
    except (BrokenPipeError, EOFError, ConnectionResetError):
        pass  # the server is gone: nobody is left to report to
    finally:
        if heartbeat is not None:
            heartbeat.stop()
        # not under a beat being sent; but a beat stuck on a full pipe must not keep the worker from ending
        locked = send.lock.acquire(timeout=1.0)
        conn.close()
        if locked:
            send.lock.release()


def _report_failure(emit: Any, error: Exception) -> None:
    from backend.events.models import Finished, WorkerEvent

    reason = f"{type(error).__name__}: {error}".splitlines()[0][:500]
    emit(WorkerEvent.of(Finished(status="failed", reason=reason), time.time()))


def parent_pid() -> int:
    parent = multiprocessing.parent_process()
    return parent.pid if parent is not None and parent.pid is not None else os.getppid()


def die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        # The signal fires when the thread that spawned this process exits, so spawn from a long-lived thread.
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the death signal was armed
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="parent-watchdog", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCHDOG_INTERVAL_S)
    os._exit(1)
