"""Memory (issue 12): the server's resident memory idle, while and after it makes a 15,000-image project's run spec,
and a training worker's peak during a short digits run. Read from /proc (VmRSS sampled every 50 ms, VmHWM for
peaks).

The worker is found as a process below the server (the local runner spawns it: its Python name
"visionflow-run-<id>" is not the OS's, so it is told by its parent, not its name); warm workers waiting beside it,
if any, are reported apart.

    .venv/bin/python bench/memory.py [--quick] [--json PATH]
"""

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.big_project import IMAGES, add_workflow, fill_project, start_server  # noqa: E402
from bench.validate_speed import bench_graph  # noqa: E402
from tests.conftest import LiveServer  # noqa: E402

SAMPLE_S = 0.05


def status_mib(pid: int, key: str) -> float | None:
    """A VmRSS / VmHWM line of /proc/<pid>/status in MiB; None when the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


class Sampler:
    """Peak VmRSS of one process, and of each process below it, sampled in a thread until stopped."""

    def __init__(self, pid: int, children: bool = False) -> None:
        self.pid, self.children = pid, children
        self.peak = 0.0
        self.child_peaks: dict[int, float] = {}
        self.child_hwm: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, status_mib(self.pid, "VmRSS") or 0.0)
            if self.children:
                for child in descendants(self.pid):
                    if "resource_tracker" in cmdline(child):
                        continue
                    rss, hwm = status_mib(child, "VmRSS"), status_mib(child, "VmHWM")
                    if rss is not None:
                        self.child_peaks[child] = max(self.child_peaks.get(child, 0.0), rss)
                    if hwm is not None:
                        self.child_hwm[child] = max(self.child_hwm.get(child, 0.0), hwm)
            self._stop.wait(SAMPLE_S)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def server_figures(rows: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        server = start_server(Path(scratch) / "data")  # queues runs, trains none
        try:
            client = httpx.Client(base_url=server.url, timeout=120)
            client.get("/api/projects")
            time.sleep(1.0)
            idle = status_mib(server.process.pid, "VmRSS")
            rows.append(figure("server RSS idle (started, one request answered)", idle, "MiB"))
            project_id = fill_project(server)
            workflow_id = add_workflow(server, project_id, bench_graph(30))
            sampler = Sampler(server.process.pid)
            response = client.post(f"/api/workflows/{workflow_id}/runs", json={"epochs": 1})
            sampler.stop()
            assert response.status_code == 202, response.text[:300]
            after = status_mib(server.process.pid, "VmRSS")
            rows.append(figure(f"server RSS peak while making a {IMAGES}-image run spec", sampler.peak, "MiB"))
            rows.append(figure(f"server RSS after the {IMAGES}-image run is queued", after, "MiB"))
            rows.append(figure("server RSS growth from idle", (after or 0) - (idle or 0), "MiB"))
            client.close()
        finally:
            server.stop()


def worker_figures(rows: list[dict[str, Any]], notes: list[str], epochs: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        server = LiveServer(Path(scratch) / "data")  # the digits demo
        try:
            client = httpx.Client(base_url=server.url, timeout=120)
            project = client.get("/api/projects").json()[0]
            workflow = client.get(f"/api/projects/{project['id']}/workflows").json()[0]
            settings = client.get(f"/api/workflows/{workflow['id']}/run-defaults").json()["settings"]
            settings.update(epochs=epochs, eval_every=1)
            before = set(descendants(server.process.pid))
            sampler = Sampler(server.process.pid, children=True)
            started = time.monotonic()
            run = client.post(f"/api/workflows/{workflow['id']}/runs", json=settings).json()
            while run["status"] in ("queued", "running") and time.monotonic() - started < 600:
                time.sleep(0.5)
                run = client.get(f"/api/runs/{run['id']}").json()
            sampler.stop()
            new = {pid: peak for pid, peak in sampler.child_peaks.items() if pid not in before}
            if not new:
                notes.append("No worker process was seen below the server: worker peak not measured.")
                return
            worker = max(new, key=new.get)
            peak = max(new[worker], sampler.child_hwm.get(worker, 0.0))
            rows.append(figure(f"worker peak RSS, digits demo, {epochs} epoch(s) ({run['status']})", peak, "MiB"))
            rows.append(figure("server RSS peak during that training", sampler.peak, "MiB"))
            waiting = {pid: rss for pid, rss in sampler.child_peaks.items() if pid in before}
            if waiting:
                notes.append(f"{len(waiting)} process(es) below the server before the run (warm workers?): peak RSS "
                             f"{', '.join(f'{v:.0f} MiB' for v in waiting.values())}.")  # fmt: skip
            client.close()
        finally:
            server.stop()


def figure(what: str, value: float | None, unit: str) -> dict[str, Any]:
    print(f"{what:<70} {value if value is not None else float('nan'):>8.1f} {unit}", flush=True)
    return {"what": what, "value": None if value is None else round(value, 1), "unit": unit,
            "baseline": None, "ratio": None, "target": None, "met": None}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one training epoch (about a minute)")
    parser.add_argument("--json", type=Path, help="write the figures here (bench/run_all.py's contract)")
    args = parser.parse_args()
    started = time.perf_counter()
    rows: list[dict[str, Any]] = []
    notes = [f"The {IMAGES} images are database rows (no files): the spec is what the server holds for such a run."]

    def save() -> None:  # after each part: a run cut short by its time limit still reports what it measured
        if args.json:
            seconds = round(time.perf_counter() - started, 1)
            args.json.write_text(
                json.dumps({"bench": "memory", "seconds": seconds, "figures": rows, "notes": notes}, indent=2)
            )

    server_figures(rows)
    save()
    worker_figures(rows, notes, epochs=1 if args.quick else 3)
    save()
    for note in notes:
        print(f"note: {note}")
    print(f"wall {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
