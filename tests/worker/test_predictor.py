"""The server's PredictorPool and its predictor process, on the shared digits run (0.96 validation accuracy)."""

import base64
import json
import subprocess
import sys

import cv2
import numpy as np
import pytest

from backend.runners.predictor import PredictorError, PredictorPool

pytestmark = pytest.mark.train


@pytest.fixture(scope="module")
async def pool(offline_ultralytics):
    pool = PredictorPool(offline_ultralytics)
    yield pool
    await pool.shutdown()


async def test_the_pool_predicts_real_digits_as_the_final_evaluation_did(pool, trained_run):
    report = json.loads((trained_run.dir / "predictions.json").read_text())
    right = 0
    for row in report["items"]:
        item = trained_run.spec.dataset.items[row["item"]]
        result = await pool.predict(trained_run.dir, trained_run.item_file(row["item"]), top_k=3)
        assert result["error"] is None and result["backend"] == "onnxruntime" and result["cam_png"] is None
        assert [entry["index"] for entry in result["top"]] == [index for index, _ in row["top"][:3]]
        assert result["top"][0]["class"] == trained_run.spec.dataset.class_names[row["predicted"]]
        assert result["top"][0]["confidence"] == pytest.approx(row["confidence"], abs=1e-4)
        assert result["ms"] > 0
        right += result["top"][0]["index"] == item.label
    assert right / len(report["items"]) >= 0.95


async def test_the_pool_returns_an_eigen_cam_overlay(pool, trained_run):
    image = trained_run.item_file(trained_run.val_items()[0])

    result = await pool.predict(trained_run.dir, image, top_k=1, cam=True)

    picture = cv2.imdecode(np.frombuffer(base64.b64decode(result["cam_png"]), np.uint8), cv2.IMREAD_COLOR)
    assert picture.shape == (32, 32, 3)
    assert len(result["top"]) == 1


async def test_a_request_it_cannot_serve_gets_a_reason(pool, trained_run, tmp_path):
    missing = await pool.predict(trained_run.dir, tmp_path / "nothing.png")
    assert missing["error"] == "FileNotFoundError: image not found: nothing.png" and missing["top"] == []

    no_weights = await pool.predict(tmp_path, trained_run.item_file(0))
    assert no_weights["error"].startswith("FileNotFoundError: this run has no trained weights")


async def test_a_dead_predictor_is_started_again(pool, trained_run):
    image = trained_run.item_file(trained_run.val_items()[0])
    await pool.predict(trained_run.dir, image)
    first = pool.pid
    import os
    import signal

    os.kill(first, signal.SIGKILL)

    result = await pool.predict(trained_run.dir, image)

    assert result["error"] is None and pool.pid not in (None, first)


async def test_a_predictor_that_takes_too_long_is_stopped_with_a_clear_error(offline_ultralytics, trained_run):
    impatient = PredictorPool(offline_ultralytics, timeout_s=0.001)
    image = trained_run.item_file(trained_run.val_items()[0])
    try:
        with pytest.raises(PredictorError, match="had not answered after 0.001 s"):
            await impatient.predict(trained_run.dir, image, cam=True)
        assert impatient.pid is None
    finally:
        await impatient.shutdown()


def test_the_pool_module_leaves_torch_to_the_child():
    code = "import sys, backend.runners.predictor; print(sorted({'torch', 'onnxruntime', 'ultralytics', 'cv2'} & set(sys.modules)))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"
