"""The int8 ONNX beside fp32: made after training, kept only when it agrees with fp32, timed against it in the model
card, announced as an artifact; removed with the reason when the agreement required is not met."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from backend.worker.model_card import model_card_markdown
from backend.worker.pipeline import build_transforms
from backend.worker.quantize import INT8_NAME, quantize_int8, session
from tests.worker.conftest import TrainedRun

pytestmark = pytest.mark.train


def _paths(run: TrainedRun, split: str) -> list[str]:
    return [str(run.item_file(i)) for i, item in enumerate(run.spec.dataset.items) if item.split == split]


def test_a_run_keeps_an_int8_model_that_agrees_with_fp32_and_times_both(trained_run: TrainedRun):
    int8_file = trained_run.dir / "weights" / INT8_NAME
    assert int8_file.is_file()
    assert any(a["name"] == INT8_NAME and a["kind"] == "onnx" for a in trained_run.data("artifact"))

    card = json.loads((trained_run.dir / "model_card.json").read_text())
    int8 = card["exports"]["onnx_int8"]
    assert card["weights"]["onnx_int8"] == f"weights/{INT8_NAME}" == int8["path"]
    assert int8["kept"] and int8["top1_agreement"] >= 0.99 and int8["images"] == len(trained_run.val_items())
    assert int8["calibration_images"] == len(trained_run.val_items())  # a tiny run calibrates on fewer than 200
    for model in ("fp32", "int8"):
        assert 0 < int8["latency_ms"][model]["p50"] <= int8["latency_ms"][model]["p95"]
    assert int8["int8_over_fp32_p50"] == pytest.approx(
        int8["latency_ms"]["int8"]["p50"] / int8["latency_ms"]["fp32"]["p50"]
    )
    markdown = (trained_run.dir / "model_card.md").read_text()
    assert f"int8 ONNX (`weights/{INT8_NAME}`" in markdown and "int8 p50" in markdown and "fp32 p50" in markdown
    assert any("int8 ONNX weights/best.int8.onnx: top-1 agreement" in e["message"] for e in trained_run.data("log"))

    # The kept file is an int8 model that takes and gives what fp32 does (any batch size).
    fp32, quantized = session(trained_run.dir / "weights" / "best.onnx"), session(int8_file)
    assert any(node.op_type.startswith("QLinear") for node in _graph(int8_file).node)
    x = np.random.default_rng(0).random((4, 3, 32, 32), dtype=np.float32)
    name = fp32.get_inputs()[0].name
    assert quantized.run(None, {name: x})[0].shape == fp32.run(None, {name: x})[0].shape == (4, 10)


def test_an_int8_model_below_the_agreement_required_is_removed_with_the_reason(trained_run: TrainedRun, tmp_path):
    fp32 = tmp_path / "best.onnx"
    shutil.copyfile(trained_run.dir / "weights" / "best.onnx", fp32)
    (tmp_path / INT8_NAME).write_bytes(b"an int8 file of an earlier export")
    transforms = build_transforms(trained_run.spec.pipeline, "val", trained_run.spec.model.imgsz)

    result = quantize_int8(
        fp32,
        _paths(trained_run, "train"),
        _paths(trained_run, "val")[:20],
        transforms,
        threshold=1.01,  # more than any agreement can be
        calibration_images=8,
        latency_runs=5,
        per_channel=False,  # per-tensor weights: quicker to make than the default per-channel
    )

    assert not result["kept"] and result["path"] is None
    assert not (tmp_path / INT8_NAME).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best.onnx"]  # no scratch left behind
    assert result["calibration_images"] == 8 and result["images"] == 20
    assert f"{result['top1_agreement']:.1%}" in result["reason"] and "below the 101% required" in result["reason"]
    assert set(result["latency_ms"]) == {"fp32", "int8"}


def _graph(path: Path):
    import onnx

    return onnx.load(str(path)).graph


def test_the_model_card_says_why_there_is_no_int8_model(trained_run: TrainedRun):
    card = json.loads((trained_run.dir / "model_card.json").read_text())
    reason = "int8 top-1 agreement with fp32 97.0% on 100 validation images is below the 99% required"
    card["exports"]["onnx_int8"] = {**card["exports"]["onnx_int8"], "path": None, "kept": False, "reason": reason}

    markdown = model_card_markdown(card)

    assert f"- int8 ONNX: not kept ({reason})." in markdown and "int8 ONNX (`" not in markdown
    assert "int8 p50" in markdown  # the timing is still said: it was measured
