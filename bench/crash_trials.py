"""Kill -9 crash trials at scale: N trials on one data dir (tests/crash_trials.py), each a real server killed with
SIGKILL at a seeded random moment while a client writes, then restarted and checked. Prints trials, writes
acknowledged, writes lost (must be 0) and the time; exits 1 when anything was lost or went wrong.

    .venv/bin/python bench/crash_trials.py [--trials 200] [--first-seed 0] [--data DIR] [--fresh-processes]
"""

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.crash_trials import run_trials  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--data", type=Path, default=None, help="data dir to use (default: a new temp dir)")
    parser.add_argument("--quiet", action="store_true", help="no line per trial")
    parser.add_argument(
        "--fresh-processes",
        action="store_true",
        help="start every server as a new interpreter (≈ 2 s of imports each) instead of forking it from a process "
        "that imported the server once",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crash-trials-") as temp:
        data_dir = args.data or Path(temp) / "data"
        summary = run_trials(
            data_dir, args.trials, args.first_seed, fork=not args.fresh_processes, log=None if args.quiet else print
        )
    starts = sorted(summary.starts_s)
    print(f"trials: {summary.trials} (seeds {args.first_seed}–{args.first_seed + args.trials - 1})")
    print(f"writes acknowledged: {summary.acknowledged}")
    print(f"lost: {len(summary.lost)} (must be 0)")
    for loss in summary.lost[:20]:
        print(f"  LOST {loss}")
    print(f"other problems: {len(summary.problems)}")
    for problem in summary.problems[:20]:
        print(f"  {problem}")
    print(
        f"time: {summary.seconds:.1f} s; server start median {starts[len(starts) // 2]:.2f} s, "
        f"max {starts[-1]:.2f} s over {len(starts)} starts"
    )
    return 1 if summary.lost or summary.problems else 0


if __name__ == "__main__":
    sys.exit(main())
