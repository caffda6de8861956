"""PredictorPool: the server's handle on one predictor process (backend/worker/predictor.py).

The server never imports torch or onnxruntime and never unpickles weights: a spawned child does the predicting,
and the two talk in JSON over a Pipe. The child starts with the first request, takes one request at a time (a
lock serialises them), dies with the server, and is started again when it has died. A request that gets no
answer in time raises PredictorError and stops the child; the next request starts a fresh one.

    pool = PredictorPool(config_dir)
    result = await pool.predict(run_dir, image_path, top_k=5, cam=False)
    # {"top": [{"index", "class", "confidence"}], "backend": "onnxruntime"|"torch", "ms", "cam_png", "error"}
    pictures = await pool.preview({"steps": [...], "upto": 1, "imgsz": 224, "seed": 0, "images": [...]})
    # {"images": [{"original", "augmented", "model_input"}], "ms", "error"}   (backend/worker/preview.py)
    pool.prestart()   # optional, on the event loop: start the process before the first request (warm workers on)
    await pool.shutdown()

`error` is a sentence for a request the predictor could not serve (no weights, unreadable image); the other
fields are then empty. PredictorError is raised when the process itself failed (did not start, died, timed out).
"""

import asyncio
import contextlib
import itertools
import json
import multiprocessing
import time
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

POLL_S = 0.1


class PredictorError(RuntimeError):
    """The predictor process could not answer: it did not start, died, or took too long."""


class _Died(Exception):
    def __init__(self, code: int | None) -> None:
        super().__init__(code)
        self.code = code


class PredictorPool:
    def __init__(
        self, config_dir: Path, timeout_s: float = 60.0, start_timeout_s: float = 120.0, threads: int = 0
    ) -> None:
        """`config_dir`: where the child keeps Ultralytics' settings and caches (as LocalRunner's workers do);
        `timeout_s`: the longest wait for one answer; `threads`: onnxruntime threads in the child (0: one per core)."""
        self._config_dir = config_dir
        self._threads = threads
        self._timeout_s = timeout_s
        self._start_timeout_s = start_timeout_s
        self._context = multiprocessing.get_context("spawn")
        self._lock = asyncio.Lock()
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        self._ids = itertools.count(1)
        self._prestarting: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int | None:
        """The predictor process's id while one runs."""
        return self._process.pid if self._process is not None and self._process.is_alive() else None

    async def predict(self, run_dir: Path, image_path: Path, top_k: int = 5, cam: bool = False) -> dict[str, Any]:
        request = {"run_dir": str(run_dir), "image_path": str(image_path), "top_k": top_k, "cam": cam}
        return await self._serve(request, "predicting")

    async def preview(self, request: dict[str, Any]) -> dict[str, Any]:
        """Augmentation preview pictures (the request and reply of backend/worker/preview.py)."""
        return await self._serve({**request, "kind": "preview"}, "rendering a preview")

    async def _serve(self, request: dict[str, Any], doing: str) -> dict[str, Any]:
        async with self._lock:
            try:
                return await self._ask(request)
            except _Died:
                # It may have died before this request (between requests, unnoticed): one fresh process, one retry.
                try:
                    return await self._ask(request)
                except _Died as died:
                    raise PredictorError(f"the predictor process ended (exit code {died.code}) while {doing}") from None

    async def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        conn = await self._running()
        request_id = next(self._ids)
        try:
            conn.send_bytes(json.dumps({"id": request_id, **request}).encode())
        except OSError:
            raise _Died(self._stop()) from None
        while True:
            reply = await self._receive(conn, self._timeout_s, "answered")
            if reply.get("id") == request_id:  # an older reply belongs to a request whose caller gave up
                reply.pop("id")
                return reply

    def prestart(self, after: Callable[[], Awaitable[bool]] | None = None) -> None:
        """Start the process in the background (call it on the event loop), so the first request finds it ready;
        `after`: awaited first, no start when it says False. A failure here is left for the first request to meet."""
        self._prestarting = asyncio.get_running_loop().create_task(self._prestart(after))

    async def _prestart(self, after: Callable[[], Awaitable[bool]] | None) -> None:
        if after is not None and not await after():
            return
        async with self._lock:
            with contextlib.suppress(PredictorError):
                await self._running()

    async def shutdown(self) -> None:
        if self._prestarting is not None:  # do not wait for a start nobody needs any more
            self._prestarting.cancel()
            await asyncio.gather(self._prestarting, return_exceptions=True)
        async with self._lock:
            if self._process is not None and self._process.is_alive() and self._conn is not None:
                try:
                    self._conn.send_bytes(json.dumps({"exit": True}).encode())
                    await asyncio.to_thread(self._process.join, 5)
                except OSError:
                    pass
            self._stop()

    async def _running(self) -> Connection:
        if self._process is not None and self._process.is_alive() and self._conn is not None:
            return self._conn
        self._stop()
        from backend.worker.predictor import predictor_main  # a light module: torch loads in the child

        ours, theirs = self._context.Pipe(duplex=True)
        # Started from the event loop's thread: the child's death signal is tied to the thread that starts it.
        process = self._context.Process(
            target=predictor_main,
            args=(theirs, str(self._config_dir), self._threads),
            name="visionflow-predictor",
            daemon=True,
        )
        process.start()
        theirs.close()
        self._process, self._conn = process, ours
        try:
            await self._receive(ours, self._start_timeout_s, "started")
        except _Died as died:
            raise PredictorError(f"the predictor process ended (exit code {died.code}) while starting") from None
        return ours

    async def _receive(self, conn: Connection, timeout_s: float, doing: str) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                if await asyncio.to_thread(conn.poll, POLL_S):
                    return json.loads(conn.recv_bytes())
            except (EOFError, OSError):
                raise _Died(self._stop()) from None
            if time.monotonic() > deadline:
                self._stop()
                raise PredictorError(
                    f"the predictor process had not {doing} after {timeout_s:g} s, so it was stopped; "
                    "the next request starts a new one"
                )

    def _stop(self) -> int | None:
        """Kill the child (if it still runs) and forget it; returns its exit code."""
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            conn.close()
        if process is None:
            return None
        if process.is_alive():
            process.kill()
        process.join(5)
        return process.exitcode
