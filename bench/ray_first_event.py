"""What running on Ray costs a person (docs/cluster.md): Ray's own start, and click → first `batch` event through the
Ray runner beside the local runner's, on the same machine and data (the digits demo, 1 epoch).

Measured:
    ray start --head        the CLI starting a head node (2 CPUs, no dashboard), as an operator would
    ray.init, local Ray     what a server with VISIONFLOW_RUNNER=ray and no address does at its first run
    first actor placed      an actor's creation → its first answer (Ray starts a worker process for it)
    click → first batch     a real `visionflow serve` (tests/conftest.py LiveServer) through the HTTP API and the run's
                            WebSocket: local runner without warm workers (spawn per run), Ray runner on the head above
                            (first and second run), Ray runner with a local Ray the server starts (its first run pays
                            ray.init)

    .venv/bin/python bench/ray_first_event.py [--json PATH]

It stops the head with `ray stop`, which stops every Ray on this machine. Other processes on a shared machine make
every figure noisy: read the Ray rows against the local row measured beside them.
"""

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.first_event import click_to_first_batch, demo_settings, figure  # noqa: E402
from tests.conftest import LiveServer, _free_port  # noqa: E402

RAY = str(Path(sys.executable).with_name("ray"))


def timed_command(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def ray_init_and_first_actor(temp_dir: Path) -> tuple[float, float]:
    """In a fresh process: ray.init as the server does it (backend/runners/ray.py `connect`), then one actor."""
    script = (
        "import time, sys; from pathlib import Path; started = time.perf_counter()\n"
        "from backend.runners.ray import connect; import ray\n"
        f"connect(None, Path({str(temp_dir)!r})); inited = time.perf_counter()\n"
        "Ping = ray.remote(type('Ping', (), {'ping': lambda self: 1}))\n"
        "ray.get(Ping.remote().ping.remote()); placed = time.perf_counter()\n"
        "print(inited - started, placed - inited); ray.shutdown()\n"
    )
    output = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True).stdout
    init_s, actor_s = (float(x) for x in output.split()[-2:])
    return init_s, actor_s


def serve(data_dir: Path, seed_demo: bool, env: dict[str, str]) -> LiveServer:
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        return LiveServer(data_dir, seed_demo=seed_demo)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def clicks(server: LiveServer, label: str, times: int, figures: list[dict[str, Any]]) -> None:
    workflow_id, settings = demo_settings(server, epochs=1)
    for n in range(times):
        seconds, cpu, _ = asyncio.run(click_to_first_batch(server, workflow_id, settings, finish=False))
        figures.append(figure(f"click → first batch, {label}" + (f", run {n + 1}" if times > 1 else ""), seconds))
        figures.append(figure("  CPU spent in it (server + its child processes; not Ray's)", cpu, unit="CPU s"))


def main(json_path: Path | None) -> None:
    figures: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="vf-rb-") as scratch:
        root = Path(scratch)
        init_s, actor_s = ray_init_and_first_actor(root / "init")
        figures.append(figure("ray.init, local Ray (as the server starts it)", init_s))
        figures.append(figure("first actor placed and answering", actor_s))

        data_dir = root / "data"
        server = serve(data_dir, seed_demo=True, env={"VISIONFLOW_WARM_WORKERS": "0"})
        try:
            clicks(server, "local runner, spawned worker", 1, figures)
        finally:
            server.stop()

        port = _free_port()
        head = [RAY, "start", "--head", f"--port={port}", "--num-cpus=2", "--include-dashboard=false"]
        figures.append(figure("ray start --head", timed_command([*head, f"--temp-dir={root / 'head'}"])))
        try:
            env = {"VISIONFLOW_RUNNER": "ray", "VISIONFLOW_RAY_ADDRESS": f"127.0.0.1:{port}"}
            server = serve(data_dir, seed_demo=False, env=env)
            try:
                clicks(server, "Ray runner on a running head", 2, figures)
            finally:
                server.stop()
        finally:
            subprocess.run([RAY, "stop", "--force"], capture_output=True)

        server = serve(data_dir, seed_demo=False, env={"VISIONFLOW_RUNNER": "ray"})
        try:
            clicks(server, "Ray runner, local Ray started by the server", 1, figures)
        finally:
            server.stop()
    print(f"{'what':<70} {'value':>8}")
    for row in figures:
        print(f"{row['what']:<70} {row['value']:>7.2f} {row['unit']}")
    if json_path is not None:
        json_path.write_text(json.dumps({"bench": "ray_first_event", "figures": figures}, indent=2))


if __name__ == "__main__":
    arguments = sys.argv[1:]
    main(Path(arguments[arguments.index("--json") + 1]) if "--json" in arguments else None)
