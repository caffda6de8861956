"""The servers of the kill -9 crash trials (tests/crash_trials.py): `visionflow serve` started on a data dir and
killed with SIGKILL, as a new interpreter or forked from a Zygote that imported the server once."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 60.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(data_dir: Path) -> dict[str, str]:
    return {"VISIONFLOW_DATA_DIR": str(data_dir), "VISIONFLOW_AUTH": "off", "PYTHONUNBUFFERED": "1"}


class Server:
    """`visionflow serve` on `data_dir` with accounts off, killed with SIGKILL, never stopped politely. `forked_by`:
    a Zygote forks it (the same `backend.cli.main(["serve", …])`, its imports already done) instead of a new
    interpreter importing everything again (≈ 2 s here, most of a trial)."""

    def __init__(self, data_dir: Path, log: Path, forked_by: "Zygote | None" = None) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.killed = False
        started = time.perf_counter()
        if forked_by is not None:
            self.pid = forked_by.fork_server(data_dir, self.port, log)
        else:
            with log.open("a") as out:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "backend.cli", "serve", "--port", str(self.port)],
                    env={**os.environ, **server_env(data_dir)},
                    cwd=ROOT,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            self.pid = self.process.pid
        self._wait_until_up(log)
        self.start_s = time.perf_counter() - started

    def alive(self) -> bool:
        if self.process is not None:
            return self.process.poll() is None
        try:
            os.kill(self.pid, 0)  # the zygote ignores SIGCHLD, so a dead child is reaped at once
        except ProcessLookupError:
            return False
        return True

    def _wait_until_up(self, log: Path) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if not self.alive():
                self.killed = True  # nothing left to kill
                raise RuntimeError(f"the server exited at start: {log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/api/projects", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.02)
        self.kill()
        raise RuntimeError(f"the server did not answer within {START_TIMEOUT_S:.0f} s")

    def kill(self) -> None:
        if self.killed:  # its pid may belong to another process by now
            return
        self.killed = True
        with suppress(ProcessLookupError):  # it died by itself
            os.kill(self.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait()
            return
        while self.alive():
            time.sleep(0.005)


class Zygote:
    """A Python process that imported the server once and forks a fresh `visionflow serve` per trial."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from tests.crash_servers import zygote_main; zygote_main()"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None and self.process.stdout.readline().strip() == "ready"

    def fork_server(self, data_dir: Path, port: int, log: Path) -> int:
        assert self.process.stdin is not None and self.process.stdout is not None
        order = {"env": server_env(data_dir), "port": port, "log": str(log)}
        self.process.stdin.write(json.dumps(order) + "\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(10)


def zygote_main() -> None:
    """The zygote's loop: one JSON order a line on stdin → fork a server, print its pid."""
    import uvicorn  # noqa: F401  (everything `serve` imports, imported once)

    import backend.app  # noqa: F401
    import backend.cli

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # killed servers are reaped by the kernel: no zombies
    print("ready", flush=True)
    for line in sys.stdin:
        order = json.loads(line)
        pid = os.fork()
        if pid == 0:  # the server: its own log, its environment, then the CLI as `visionflow serve` runs it
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            out = os.open(order["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
            os.dup2(out, 1)
            os.dup2(out, 2)
            os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
            os.environ.update(order["env"])
            code = 1
            try:
                code = backend.cli.main(["serve", "--port", str(order["port"])])
            finally:
                os._exit(code)
        print(pid, flush=True)
