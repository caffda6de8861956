"""`visionflow run`: headless training through the same validate → compile → worker path."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from backend.datasets.digits import render_digits

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "recommended_workflows" / "small-fast-320.json"


def visionflow(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "VISIONFLOW_DATA_DIR": str(data_dir), "HOME": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300
    )


@pytest.fixture(scope="module")
def presplit_digits(tmp_path_factory) -> Path:
    """train/ and val/ folders of digits, 20 per class: 15 train, 5 val."""
    source = render_digits(tmp_path_factory.mktemp("digits"), limit_per_class=20)
    root = tmp_path_factory.mktemp("presplit")
    for class_dir in source.iterdir():
        for n, image in enumerate(sorted(class_dir.iterdir())):
            target = root / ("val" if n % 4 == 0 else "train") / class_dir.name
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy(image, target / image.name)
    return root


@pytest.mark.train
def test_run_trains_and_prints_final_metrics(presplit_digits, tmp_path):
    result = visionflow(
        "run", str(SMALL), "--data", str(presplit_digits), "--epochs", "1", "--imgsz", "32", data_dir=tmp_path
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "150 train / 50 val images, 10 classes" in result.stdout
    assert "succeeded" in result.stdout and "accuracy:" in result.stdout
    # the folder's images went into the data dir's store by content hash: the spec names no path
    [spec_file] = (tmp_path / "runs").glob("cli-*/spec.json")
    spec = json.loads(spec_file.read_text())
    assert spec["spec_version"] == 2 and str(presplit_digits) not in spec_file.read_text()
    assert str(tmp_path) not in spec_file.read_text()
    for item in spec["dataset"]["items"]:
        digest = item["content_hash"]
        assert (tmp_path / "assets" / digest[:2] / f"{digest}{item['suffix']}").is_file()


def test_an_invalid_workflow_exits_2_with_its_issues(tmp_path, presplit_digits):
    broken = json.loads(SMALL.read_text())
    broken["nodes"] = [n for n in broken["nodes"] if n["type"] != "model.yolov8_cls"]
    (tmp_path / "broken.json").write_text(json.dumps(broken))
    result = visionflow("run", str(tmp_path / "broken.json"), "--data", str(presplit_digits), data_dir=tmp_path)
    assert result.returncode == 2
    assert "error: no_model: Add a model node" in result.stderr


def test_imgsz_override_is_validated_too(tmp_path, presplit_digits):
    result = visionflow("run", str(SMALL), "--data", str(presplit_digits), "--imgsz", "50", data_dir=tmp_path)
    assert result.returncode == 2 and "imgsz_not_multiple_of_32" in result.stderr


def test_a_folder_with_one_class_is_refused(tmp_path):
    (tmp_path / "only" / "cats").mkdir(parents=True)
    result = visionflow("run", str(SMALL), "--data", str(tmp_path / "only"), data_dir=tmp_path)
    assert result.returncode == 2 and "at least 2 class folders" in result.stderr


@pytest.mark.train
def test_run_without_a_workflow_trains_the_recommended_one_at_a_fitted_size(presplit_digits, tmp_path):
    result = visionflow("run", "--data", str(presplit_digits), "--epochs", "1", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Recommended for your data: Small model, fast inference, 320px (320 px → 32 px for your 32 px images)" in (
        result.stdout
    )
    assert "Training settings: epochs 1, batch 16, eval_every 1 (given: epochs). Data-aware default:" in result.stdout
    assert "yolov8n-cls.yaml at 32px" in result.stdout and "succeeded" in result.stdout
