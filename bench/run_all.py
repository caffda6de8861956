"""Every benchmark of issue 12 in one command, and bench/RESULTS.md from what they measured. Not part of CI.

Each script runs alone as a subprocess (`<script> [--quick] --json <tmp>`) under its own time limit, so one that
hangs cannot stop the rest; it writes the figures of the bench contract (docs in /bench: "bench", "seconds",
"figures" [what, value, unit, baseline, ratio, target, met], "notes"). A script that is missing, fails, times out
or writes no JSON is reported as such in RESULTS.md, never left out. The machine and its load are written beside
the figures: numbers taken on a loaded machine say so.

    .venv/bin/python bench/run_all.py [--quick] [--only validate_speed,memory] [--out bench/RESULTS.md]
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
TOTAL_BUDGET_S = 19 * 60  # the whole run stays under 20 minutes on the 2-core machine

# (script, what it measures, time limit in seconds with --quick, without)
SCRIPTS: list[tuple[str, str, int, int]] = [
    ("train_speed", "training at 32/64 px (digits) and 224 px (15,000 JPEGs) vs plain yolo and compute", 420, 3600),
    ("first_event", "click → first batch event, cold and warm", 150, 600),
    ("ws_fanout", "WebSocket fan-out to 50/200/500 clients", 120, 600),
    ("validate_speed", "validate/compile latency, run start over 15,000 images", 120, 600),
    ("memory", "server and worker memory", 210, 600),
    ("import_speed", "upload and CSV label import", 150, 1200),
    ("inference", "Ultralytics predict vs ONNX fp32 vs int8", 150, 900),
]


@dataclass
class Outcome:
    script: str
    about: str
    status: str  # ok, missing, failed (rc N), timed out, no JSON
    wall_s: float = 0.0
    figures: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tail: str = ""  # the end of its output when it did not finish well


def run_script(script: str, about: str, limit_s: float, quick: bool) -> Outcome:
    path = BENCH / f"{script}.py"
    if not path.is_file():
        return Outcome(script, about, "missing")
    with tempfile.TemporaryDirectory() as scratch:
        result_path = Path(scratch) / f"{script}.json"
        command = [sys.executable, str(path), *(["--quick"] if quick else []), "--json", str(result_path)]
        print(f"\n=== {script} (limit {limit_s:.0f} s): {' '.join(command[1:])}", flush=True)
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
        )
        try:
            output, _ = process.communicate(timeout=limit_s)
            status = "ok" if process.returncode == 0 else f"failed (exit {process.returncode})"
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)  # the script and every server or worker it started
            output, _ = process.communicate()
            status = f"timed out after {limit_s:.0f} s"
        wall = time.perf_counter() - started
        print(output[-4000:], flush=True)
        outcome = Outcome(script, about, status, wall_s=wall)
        if result_path.is_file():
            try:
                data = json.loads(result_path.read_text())
                outcome.figures = list(data.get("figures", []))
                outcome.notes = [str(n) for n in data.get("notes", [])]
            except (ValueError, AttributeError) as error:
                outcome.status += f"; unreadable JSON ({error})"
        elif status == "ok":
            outcome.status = "no JSON written"
        if outcome.status != "ok":
            outcome.tail = output[-1500:]
        return outcome


def machine() -> dict[str, str]:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor() or "unknown",
    )  # fmt: skip
    memory_kib = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    try:
        os_name = next(
            line.split("=", 1)[1].strip().strip('"')
            for line in Path("/etc/os-release").read_text().splitlines()
            if line.startswith("PRETTY_NAME=")
        )
    except (OSError, StopIteration):
        os_name = platform.platform()
    versions = {}
    for package in ("torch", "ultralytics", "onnxruntime", "albumentations", "litestar"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return {
        "CPU": f"{cpu}, {os.cpu_count()} logical cores",
        "memory": f"{memory_kib / 1024 / 1024:.1f} GiB",
        "OS": f"{os_name} (kernel {platform.release()})",
        "Python": platform.python_version(),
        **versions,
        "GPU": gpu(),
    }


def gpu() -> str:
    if shutil.which("nvidia-smi") is None:
        return "none"
    found = subprocess.run(
        ["nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader"], capture_output=True, text=True
    )
    return found.stdout.strip().replace("\n", "; ") or "none"


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f}"


def cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "met" if value else "**not met**"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def results_markdown(outcomes: list[Outcome], facts: dict[str, str], quick: bool, times: dict[str, str]) -> str:
    lines = [
        "# Benchmark results (issue 12)",
        "",
        f"Made by `.venv/bin/python bench/run_all.py{' --quick' if quick else ''}` on {times['date']}; "
        f"{times['total']} in all. Every ratio is measured side by side in the same script run.",
        "",
        "## Machine",
        "",
        *[f"- {key}: {value}" for key, value in facts.items()],
        f"- load average (1/5/15 min) at the start: {times['load_start']}; at the end: {times['load_end']}"
        + (" — **loaded: other work shared the CPU; figures are noisy**" if times["loaded"] else ""),
        "",
        "## Scripts",
        "",
        "| script | measures | status | wall |",
        "|---|---|---|---|",
        *[f"| {o.script} | {o.about} | {cell(o.status)} | {o.wall_s:.0f} s |" for o in outcomes],
        "",
        "## Figures",
        "",
        "| script | what | value | unit | baseline | ratio | target | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        if not o.figures:
            lines.append(f"| {o.script} | *no figures: {cell(o.status)}* | | | | | | |")
        for f in o.figures:
            lines.append(
                f"| {o.script} | {cell(f.get('what'))} | {cell(f.get('value'))} | {cell(f.get('unit'))} | "
                f"{cell(f.get('baseline'))} | {cell(f.get('ratio'))} | {cell(f.get('target'))} | {cell(f.get('met'))} |"
            )
    lines += ["", "## Notes", ""]
    for o in outcomes:
        for note in o.notes:
            lines.append(f"- {o.script}: {note}")
        if o.tail:
            tail = o.tail.strip().replace("```", "'''")
            lines += [f"- {o.script}: {o.status}; the end of its output:", "", "```", tail, "```", ""]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="each script's --quick (the whole run < 20 minutes)")
    parser.add_argument("--only", help="comma-separated script names (default: all)")
    parser.add_argument("--out", type=Path, default=BENCH / "RESULTS.md")
    args = parser.parse_args()
    chosen = set(args.only.split(",")) if args.only else None
    started = time.perf_counter()
    load_start = load()
    facts = machine()
    outcomes = []
    for script, about, quick_limit, full_limit in SCRIPTS:
        if chosen is not None and script not in chosen:
            continue
        limit = quick_limit if args.quick else full_limit
        if args.quick:  # the whole run keeps its budget: a late script gets what is left
            limit = min(limit, TOTAL_BUDGET_S - (time.perf_counter() - started))
        if limit < 10:
            outcomes.append(Outcome(script, about, "not run: the time budget was spent"))
            continue
        outcomes.append(run_script(script, about, limit, args.quick))
    total = time.perf_counter() - started
    load_end = load()
    cores = os.cpu_count() or 1
    times = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "total": f"{total / 60:.1f} min",
        "load_start": load_start,
        "load_end": load_end,
        "loaded": float(load_start.split(" / ")[0]) > 0.5 * cores,
    }
    args.out.write_text(results_markdown(outcomes, facts, args.quick, times))
    print(f"\nwrote {args.out} ({total / 60:.1f} min)")
    for o in outcomes:
        print(f"  {o.script:<16} {o.status} ({o.wall_s:.0f} s, {len(o.figures)} figures)")


if __name__ == "__main__":
    main()
