"""A cold worker's start, up to its first `batch` event, in one process, to profile (issue 12: what bounds
click → first batch). It does what backend/worker/entry.py `worker_main` does after the spawn: `prepare()` (the
imports), then `run_job` on a digits spec (32 px, batch 64, like the demo), stopped after the first batch.

    .venv/bin/python bench/profiles/worker_start.py                      # prints the phases' wall times
    .venv/bin/pyinstrument -o bench/profiles/cold_start.txt bench/profiles/worker_start.py
    .venv/bin/python -X importtime bench/profiles/worker_start.py 2> importtime.txt

py-spy and pyinstrument are bench tools, not project dependencies: `.venv/bin/pip install py-spy pyinstrument`.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

STARTED = time.perf_counter()
ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="visionflow-start-") as scratch:
        work = Path(scratch)
        data, store_dir = _digits(work)  # a bench fixture: made before the clock's phases that matter
        ready = time.perf_counter()
        from backend.worker.entry import prepare

        cpu_before = sum(os.times()[:2])
        prepare(str(work / "config"))
        prepared, cpu_prepared = time.perf_counter(), sum(os.times()[:2])
        from train_speed import job_spec

        from backend.storage import LocalStorage
        from backend.worker.job import run_job

        storage = LocalStorage(store_dir)
        spec = job_spec(data, storage, 32, 64, epochs=1)
        first: list[float] = []

        def emit(event) -> None:
            if event.type == "batch" and not first:
                first.append(time.perf_counter())

        spec_made, cpu_spec = time.perf_counter(), sum(os.times()[:2])
        status = run_job(spec, storage, emit, lambda: bool(first))
        print(
            f"prepare (imports) {prepared - ready:.2f} s / {cpu_prepared - cpu_before:.2f} CPU s, "
            f"spec {spec_made - prepared:.2f} s, run_job to first batch "
            f"{(first[0] if first else time.perf_counter()) - spec_made:.2f} s; status {status}; "
            f"run_job CPU {sum(os.times()[:2]) - cpu_spec:.2f} s; load {os.getloadavg()[0]:.1f}"
        )


def _digits(work: Path) -> tuple[Path, Path]:
    import subprocess

    code = (
        "import sys; sys.path[:0] = [sys.argv[2], sys.argv[2] + '/bench'];"
        "from train_overhead import render_split_digits; from pathlib import Path;"
        "render_split_digits(Path(sys.argv[1]))"
    )
    subprocess.run([sys.executable, "-c", code, str(work / "digits"), str(ROOT)], check=True)  # sklearn stays out
    return work / "digits", work / "store"


if __name__ == "__main__":
    main()
