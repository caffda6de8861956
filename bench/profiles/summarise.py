"""Where a training's time goes, from a py-spy raw profile (`py-spy record -s -f raw`: one collapsed stack per line,
with its sample count): each process's samples sorted into the phases of Ultralytics' training loop by the frames
they contain, first match wins. A bench tool (py-spy is not a project dependency).

    .venv/bin/python bench/profiles/summarise.py PROFILE.raw [--from-frame _do_train]
"""

import re
import sys
from collections import Counter, defaultdict

# (phase, frame substring), first match wins: order from the innermost kinds of work outwards.
PHASES = [
    ("validation (incl. BatchNorm re-estimation)", "validate (ultralytics/engine/trainer.py"),
    ("validation (incl. BatchNorm re-estimation)", "VisionflowTrainer.validate"),
    ("setup before the first batch", "_setup_train"),
    ("waiting for the next batch (DataLoader)", "_next_data"),
    ("waiting for the next batch (DataLoader)", "InfiniteDataLoader.__iter__"),
    ("backward", "backward (torch/_tensor.py"),
    ("optimizer step + EMA", "optimizer_step"),
    ("forward + loss", "forward"),
    ("forward + loss", "loss ("),
    ("our callbacks (events)", "Reporter."),
    ("Ultralytics callbacks / progress / logging", "run_callbacks"),
    ("Ultralytics callbacks / progress / logging", "tqdm"),
    ("Ultralytics callbacks / progress / logging", "TQDM"),
    ("batch to device / preprocess", "preprocess_batch"),
    ("loader: read from the decode cache", "DecodeCache.image"),
    ("loader: decode files", "imread"),
    ("loader: augmentation (albumentations)", "albumentations"),
    ("loader: collate", "collate"),
    ("loader: other", "_worker_loop"),
]


def phase(stack: str) -> str:
    for name, marker in PHASES:
        if marker in stack:
            return name
    return "other"


def main(path: str, inside: str | None) -> None:
    per_process: dict[str, Counter] = defaultdict(Counter)
    with open(path, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if not count.isdigit():
                continue
            process = re.match(r"process (\d+)", stack)
            key = process.group(1) if process else "main"
            if inside and inside not in stack and "_worker_loop" not in stack:
                continue
            per_process[key][phase(stack)] += int(count)
    for pid, phases in sorted(per_process.items(), key=lambda item: -sum(item[1].values())):
        total = sum(phases.values())
        role = (
            "DataLoader worker"
            if phases.get("loader: other", 0) + sum(v for k, v in phases.items() if k.startswith("loader")) > total / 2
            else "training process"
        )
        print(f"process {pid} ({role}): {total} samples")
        for name, samples in phases.most_common():
            print(f"  {samples / total:6.1%}  {samples:6d}  {name}")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    where = arguments[arguments.index("--from-frame") + 1] if "--from-frame" in arguments else None
    main(arguments[0], where)
