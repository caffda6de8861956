"""Entry point of a worker process started by the local runner with multiprocessing's 'spawn' method.

The process trains one spec, reading and writing through the storage its runner described (backend/storage.py),
and sends every event as JSON over `conn`. It ends with its parent: on Linux the kernel kills it when the parent
goes (PR_SET_PDEATHSIG), and a watchdog thread covers other systems and the case where the parent was already gone.
"""

import ctypes
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

_PR_SET_PDEATHSIG = 1
WATCHDOG_INTERVAL_S = 1.0


def worker_main(
    spec_json: str,
    storage_description: dict[str, Any],
    conn: multiprocessing.connection.Connection,
    stop_event: Any,
    config_dir: str,
) -> None:
    parent = parent_pid()
    die_with_parent(parent)
    # Ctrl-C in the server's terminal reaches this process group too; the server decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    # DataLoader workers are forked from this process; without this they would hold the pipe open after we die,
    # and the server would see EOF only when they notice and exit too.
    os.register_at_fork(after_in_child=conn.close)

    def emit(event: Any) -> None:
        conn.send(event.model_dump_json())

    try:
        try:
            from backend.worker.offline import configure_offline

            configure_offline(Path(config_dir))  # before anything imports ultralytics or albumentations
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
        conn.close()


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
