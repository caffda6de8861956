"""The Ray side of one run: a named, detached actor that holds the run's share of the cluster and trains it.

Why an actor with a process inside: the actor is what Ray schedules (its num_cpus/num_gpus are the run's share) and
what a restarted server finds again by name; the training runs in a spawned worker process, the very one the local
runner starts (backend/worker/entry.py `worker_main`), so torch never loads into Ray's own worker, a cooperative
cancel is the same stop event, and killing the actor takes the worker with it (the worker dies with its parent).

The actor keeps every event the worker sent, in order, numbered from 0, and hands them out by number
(`events_after`, which waits briefly for new ones: a long poll). The server stores them and assigns their seq; the
actor never drops one, so a server that restarts mid-run asks again from where its store ends. It also notes when
the worker last said anything (an event or a heartbeat), on its own clock, so the server can tell a silent worker
from a slow one without comparing clocks across machines.

Plain Python on purpose: backend/runners/ray.py wraps it with `ray.remote`, and it imports neither ray nor torch.
"""

import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from backend.worker.heartbeat import is_heartbeat

# A finished actor still holds its CPUs/GPUs until the server, having stored its `finished`, kills it. One that no
# server collects (the server is gone for good) ends itself after this long.
LINGER_AFTER_DONE_S = 3600.0
PIPE_POLL_S = 0.5


@contextmanager
def _without_main_script() -> Iterator[None]:
    """A Ray worker runs as the script ray/_private/workers/default_worker.py; a spawned child re-runs its parent's
    main script first, so it would import Ray (~1.5 s of CPU here) before its first heartbeat. Without the script's
    path for the moment of the spawn, the child imports only what the worker needs."""
    main = sys.modules["__main__"]
    script = main.__dict__.pop("__file__", None)
    try:
        yield
    finally:
        if script is not None:
            main.__file__ = script


class RunActor:
    def __init__(
        self,
        run_id: str,
        spec_json: str,
        storage_description: dict[str, Any],
        config_dir: str,
        heartbeat_interval_s: float,
    ) -> None:
        self.run_id = run_id
        self._heartbeat_interval_s = heartbeat_interval_s
        self._events: list[str] = []  # WorkerEvent JSON, in the order the worker sent them
        self._changed = threading.Condition()
        self._context = multiprocessing.get_context("spawn")
        self._stop = self._context.Event()
        self._last_sign = time.monotonic()
        self._heard = False  # the worker has said something (an event or a beat)
        self._done = False
        self._exitcode: int | None = None
        self._pid: int | None = None
        self._start_error = ""
        # The worker's death signal is tied to the thread that spawned it: this one lives as long as the worker.
        threading.Thread(
            target=self._supervise,
            args=(spec_json, storage_description, config_dir),
            name=f"visionflow-run-{run_id}",
            daemon=True,
        ).start()

    # --- called by the server (backend/runners/ray.py) ------------------------------------------------

    def events_after(self, index: int, wait_s: float) -> dict[str, Any]:
        """The events numbered above `index` (waiting up to `wait_s` for one), whether the worker is gone (then the
        list holds everything it ever sent), its exit code, and how long it has been silent."""
        with self._changed:
            if len(self._events) <= index + 1 and not self._done:
                self._changed.wait(wait_s)
            done = self._done  # read before the slice: once done, nothing is appended
            events = self._events[index + 1 :]
            return {
                "events": events,
                "first": index + 1,
                "done": done,
                "exitcode": self._exitcode,
                "start_error": self._start_error,
                "silent_s": time.monotonic() - self._last_sign,
                "heard": self._heard,
                "pid": self._pid,
            }

    def stop_and_wait(self, grace_s: float) -> bool:
        """Ask the worker to stop after its current batch; True when it has ended within `grace_s`."""
        self._stop.set()
        deadline = time.monotonic() + grace_s
        with self._changed:
            while not self._done and (left := deadline - time.monotonic()) > 0:
                self._changed.wait(left)
            return self._done

    def worker_pid(self) -> int | None:
        """The training process (for tests that kill or pause it as a crash or a hang would)."""
        with self._changed:
            while self._pid is None and not self._done:
                self._changed.wait(1.0)
            return self._pid

    # --- the worker -------------------------------------------------------------------------------------

    def _supervise(self, spec_json: str, storage_description: dict[str, Any], config_dir: str) -> None:
        from backend.worker.entry import worker_main

        receive, send = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=worker_main,
            args=(spec_json, storage_description, send, self._stop, config_dir, self._heartbeat_interval_s),
            name=f"visionflow-run-{self.run_id}",
        )
        try:
            with _without_main_script():
                process.start()
        except Exception as error:  # e.g. out of memory for a new process: said to the server as the reason
            self._end(None, f"{type(error).__name__}: {error}")
            return
        send.close()  # the worker holds the only writer: EOF here means it is gone
        with self._changed:
            self._pid = process.pid
            self._last_sign = time.monotonic()
            self._changed.notify_all()
        while True:
            try:
                if not receive.poll(PIPE_POLL_S):
                    continue
                message = receive.recv()
            except (EOFError, OSError):
                break
            with self._changed:
                self._last_sign, self._heard = time.monotonic(), True
                if not is_heartbeat(message):
                    self._events.append(message)
                    self._changed.notify_all()
        receive.close()
        process.join()
        self._end(process.exitcode, "")

    def _end(self, exitcode: int | None, start_error: str) -> None:
        with self._changed:
            self._exitcode, self._start_error, self._done = exitcode, start_error, True
            self._changed.notify_all()
        timer = threading.Timer(LINGER_AFTER_DONE_S, os._exit, args=(0,))  # releases the run's resources
        timer.daemon = True
        timer.start()
