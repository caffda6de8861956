"""Does the one-click path learn on real data that is not our demo? Visionflow's recommended run against an RBF SVM.

    pip install -e '.[bench]'          # scikit-image: the bundled photos two of the datasets are cut from
    .venv/bin/python bench/learning.py [--only NAME] [--workflow FILE] [--keep DIR] [--timeout S]

For each dataset in bench/learning_data.py (real images shipped inside scikit-learn and scikit-image; nothing is
downloaded) the script writes an ImageFolder tree to a temp dir, then
(a) runs `visionflow run --data DIR` (the recommended workflow with default settings; `--workflow FILE` runs
    `visionflow run FILE --data DIR` instead) as a subprocess of the checkout this file lives in, and reads the
    final `accuracy:` line and the command's wall time;
(b) trains scikit-learn's `SVC()` (RBF, C=1, gamma='scale') on raw pixels scaled to 0..1 on exactly the same
    train/val split: `assign_splits` over `read_image_folder(DIR)` with the dataset node's params (the workflow's,
    else the node's defaults), checked against the split in the run's spec.json.
Verdict: "ok" when Visionflow gets at least as many validation images right as the SVM and its wall time ≤ 180 s (issue 8's target on 2 cores).
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import backend  # noqa: E402
from backend.datasets.folder import ImageFolder, read_image_folder  # noqa: E402
from backend.datasets.labelled import assign_splits  # noqa: E402
from bench.learning_data import DATASETS  # noqa: E402
from nodes.datasets import ProjectDatasetParams  # noqa: E402

TIME_TARGET_S = 180.0
FINAL_ACCURACY = re.compile(r"^\s+accuracy:\s+([0-9.]+)\s*$", re.MULTILINE)
LAST_EVALUATION = re.compile(r"^(eval epoch \d+.*?: accuracy [0-9.]+)", re.MULTILINE)


@dataclass
class Outcome:
    accuracy: float | None  # None: no final accuracy printed (failed, timed out)
    seconds: float
    status: str  # succeeded / failed / timeout / the CLI's exit code
    notes: list[str]


def dataset_params(workflow: Path | None) -> ProjectDatasetParams:
    """The split parameters the run will use: the workflow's dataset node, else the node's defaults."""
    if workflow is not None:
        for node in json.loads(workflow.read_text())["nodes"]:
            if node["type"].startswith("dataset."):
                return ProjectDatasetParams.model_validate(node.get("params", {}))
    return ProjectDatasetParams()


def load_pixels(folder: ImageFolder, splits: list[str], side: int | None):
    """(x_train, y_train, x_val, y_val): flattened pixels in 0..1, resized to side×side when sizes differ."""
    import numpy as np
    from PIL import Image

    pixels: dict[str, list] = {"train": [], "val": []}
    labels: dict[str, list] = {"train": [], "val": []}
    for item, path, split in zip(folder.images.items, folder.paths, splits, strict=True):
        with Image.open(path) as image:
            image = image.convert("L" if len(image.getbands()) == 1 else "RGB")
            if side is not None and image.size != (side, side):
                image = image.resize((side, side), Image.Resampling.BILINEAR)
            pixels[split].append(np.asarray(image, dtype=np.float32).reshape(-1) / 255.0)
            labels[split].append(item.label)
    return np.stack(pixels["train"]), np.array(labels["train"]), np.stack(pixels["val"]), np.array(labels["val"])


def describe(folder: ImageFolder) -> tuple[str, int, set[tuple[int, int]]]:
    """("W×H" or "W×H..W×H", channels, every size seen): the channels of the files (L → 1, RGB → 3)."""
    from PIL import Image

    sizes, channels = set(), set()
    for path in folder.paths:
        with Image.open(path) as image:
            sizes.add(image.size)
            channels.add(len(image.getbands()))
    low, high = min(sizes), max(sizes)
    size = f"{low[0]}×{low[1]}" if low == high else f"{low[0]}×{low[1]}..{high[0]}×{high[1]}"
    return size, max(channels), sizes


def run_svm(folder: ImageFolder, splits: list[str], sizes: set[tuple[int, int]]) -> Outcome:
    from sklearn.svm import SVC

    started = time.monotonic()
    side = None if len(sizes) == 1 else 32  # a common small size only when the images vary
    x_train, y_train, x_val, y_val = load_pixels(folder, splits, side)
    accuracy = float((SVC().fit(x_train, y_train).predict(x_val) == y_val).mean())
    return Outcome(accuracy, time.monotonic() - started, "succeeded", [])


def run_visionflow(data: Path, data_dir: Path, workflow: Path | None, timeout_s: float, log: Path) -> Outcome:
    """`visionflow run` with its own data dir: the run's files land in `<data_dir>/runs/cli-<time>/`."""
    command = [sys.executable, "-m", "backend.cli", "run", *([str(workflow)] if workflow else []), "--data", str(data)]
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "VISIONFLOW_DATA_DIR": str(data_dir)}
    started = time.monotonic()
    with log.open("w") as sink:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            code = process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGTERM)  # the CLI and its worker process: the group this started
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            code = None
    seconds = time.monotonic() - started
    text = log.read_text(errors="replace")
    found = FINAL_ACCURACY.findall(text)
    lines = text.replace("\r", "\n").splitlines()
    notes = [line.strip() for line in lines if "recommend" in line.lower()][:1]  # which workflow, and why
    evaluations = LAST_EVALUATION.findall("\n".join(lines))
    if evaluations and (code is None or not found):  # stopped early: how far it had got
        notes.append(f"last evaluation before it stopped: {evaluations[-1].strip()}")
    notes += [line.strip() for line in lines if line.startswith(("failed:", "warning:", "error:"))]
    status = "timeout" if code is None else ("succeeded" if code == 0 else f"exit {code}")
    return Outcome(float(found[-1]) if found and code is not None else None, seconds, status, notes)


def check_split(data_dir: Path, folder: ImageFolder, splits: list[str]) -> str:
    """Compare the split the SVM used with the one the run trained on (its spec.json: images by content hash)."""
    spec_paths = sorted((data_dir / "runs").glob("cli-*/spec.json"))
    if not spec_paths:
        return "split unchecked (no spec.json)"
    spec = json.loads(spec_paths[-1].read_text())
    theirs = Counter((item["content_hash"], item["split"]) for item in spec["dataset"]["items"])
    ours = Counter((item.content_hash, split) for item, split in zip(folder.images.items, splits, strict=True))
    return "split identical" if theirs == ours else "SPLIT DIFFERS from the run's spec.json"


def correct(accuracy: float, splits: list[str]) -> int:
    """Validation images right: the CLI prints accuracy to 4 decimals, so compare counts, not rounded fractions."""
    return round(accuracy * sum(1 for split in splits if split == "val"))


def fmt(value: float | None, digits: int = 4) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(DATASETS), action="append", help="run just this dataset (repeatable)")
    parser.add_argument("--workflow", type=Path, help="run this workflow file instead of the recommended path")
    parser.add_argument("--keep", type=Path, help="write datasets, logs and runs here and keep them")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per Visionflow run before it is stopped")
    args = parser.parse_args()
    workflow = args.workflow.resolve() if args.workflow else None
    params = dataset_params(workflow)
    print(f"backend: {Path(backend.__file__).parent}  |  visionflow run {workflow or '(recommended)'} --data DIR")
    print(f"split: val_fraction={params.val_fraction} seed={params.seed} stratified={params.stratified}\n")
    scratch = tempfile.TemporaryDirectory(prefix="vf-learning-") if args.keep is None else None
    base = args.keep.resolve() if args.keep else Path(scratch.name)
    rows, details = [], []
    for name in args.only or list(DATASETS):
        folder = base / name
        data = folder / "images"
        source = DATASETS[name](data)
        images = read_image_folder(data)
        splits = assign_splits(images.images.items, params)
        size, channels, sizes = describe(images)
        svm = run_svm(images, splits, sizes)
        log = folder / "visionflow.log"
        vf = run_visionflow(data, folder / "vf-data", workflow, args.timeout, log)
        verdict = (
            "ok"
            if vf.status == "succeeded"
            and vf.accuracy is not None
            and svm.accuracy is not None
            and correct(vf.accuracy, splits) >= correct(svm.accuracy, splits)
            and vf.seconds <= TIME_TARGET_S
            else "MISSED"
        )
        row = [name, str(len(images.images.items)), str(len(images.images.class_names)), size, str(channels)]
        row += [fmt(vf.accuracy) if vf.status == "succeeded" else f"{fmt(vf.accuracy)} ({vf.status})"]
        row += [f"{vf.seconds:.0f}", fmt(svm.accuracy), f"{svm.seconds:.1f}", verdict]
        rows.append(row)
        details.append(f"{name}: {source}; {check_split(folder / 'vf-data', images, splits)}; log {log}")
        details += [f"    {note}" for note in dict.fromkeys(vf.notes)][:6]
        print(" | ".join(row), flush=True)
    header = [
        "dataset",
        "images",
        "classes",
        "size",
        "channels",
        "Visionflow acc",
        "VF wall s",
        "SVM acc",
        "SVM wall s",
    ]
    header += [f"verdict (≥ SVM, ≤ {TIME_TARGET_S:.0f} s)"]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print("\n" + "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in [header, *rows]))
    print("\n" + "\n".join(details))
    if scratch is not None:
        scratch.cleanup()
    return 0 if all(r[-1] == "ok" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
