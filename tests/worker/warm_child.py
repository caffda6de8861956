"""Targets for warm workers spawned by tests/worker/test_worker_leftovers.py: `warm_worker_main` with `prepare` (and,
for the priority check, the training) replaced, so a child costs a spawn, not torch's imports. Light on purpose:
a spawned child imports this module first."""

import os
import threading
from typing import Any

from backend.worker import entry


def warm_with_missing_package(conn: Any, stop: Any, specs: Any, config_dir: str) -> None:
    def prepare(_: str) -> None:
        raise ModuleNotFoundError("No module named 'albumentations'", name="albumentations")

    entry.prepare = prepare
    entry.warm_worker_main(conn, stop, specs, config_dir, 0)


def warm_reporting_priorities(conn: Any, stop: Any, specs: Any, config_dir: str, niceness: int) -> None:
    """Sends (priority at start, prepare's thread priority, the training thread's priority); as an unprivileged
    user when started as root, since root may raise a priority back and hide the problem."""
    if os.getuid() == 0:
        os.setuid(65534)
    start = os.getpriority(os.PRIO_PROCESS, 0)
    seen: list[int] = []
    entry.prepare = lambda _: seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
    entry._run = lambda *_: conn.send((start, seen[0], os.getpriority(os.PRIO_PROCESS, threading.get_native_id())))
    entry.warm_worker_main(conn, stop, specs, config_dir, niceness)
