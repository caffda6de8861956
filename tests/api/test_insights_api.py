"""After training: checkpoints, worst predictions linked to assets, CAM and Try it — through a real server.
Extending a finished run and resuming a cancelled one are checked through the API and the page at once, in
tests/e2e/test_evaluation_e2e.py (each trains: one training checks both)."""

import io

import httpx
import pytest
from PIL import Image

pytestmark = pytest.mark.train


@pytest.fixture(scope="module")
def trained(trained_demo: str) -> str:
    """The digits demo trained to ≥ 95 % (5 epochs at 32 px), the session's run (tests/conftest.py), which the
    browser's evaluation tests read too."""
    return trained_demo


def get(server, path, **params):
    response = httpx.get(f"{server.url}{path}", params=params, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def test_checkpoints_carry_their_metrics(live_server, trained):
    checkpoints = get(live_server, f"/api/runs/{trained}/checkpoints")
    assert {c["kind"] for c in checkpoints} == {"last", "best"}
    assert all("accuracy" in c["metrics"] for c in checkpoints if c["kind"] == "best")


def test_worst_predictions_come_first_and_link_back_to_assets(live_server, trained):
    found = get(live_server, f"/api/runs/{trained}/predictions", limit=1000)
    losses = [e["loss"] for e in found["items"]]
    assert losses == sorted(losses, reverse=True) and found["total"] == len(losses) > 300
    first = found["items"][0]
    assert first["asset_id"] and first["label_name"] in found["class_names"]
    image = httpx.get(live_server.url + first["image_url"])
    asset_file = httpx.get(f"{live_server.url}/api/assets/{first['asset_id']}/file")
    assert image.status_code == 200 and image.content == asset_file.content
    sevens = get(live_server, f"/api/runs/{trained}/predictions", true_class="7")
    assert sevens["total"] > 0 and {e["label_name"] for e in sevens["items"]} == {"7"}
    assert (
        httpx.get(f"{live_server.url}/api/runs/{trained}/predictions", params={"true_class": "dog"}).status_code == 400
    )
    queue = get(live_server, f"/api/runs/{trained}/mislabelled")
    assert queue["total"] == len(queue["items"])


def test_cam_of_an_evaluated_image_is_a_png(live_server, trained):
    item = get(live_server, f"/api/runs/{trained}/predictions", limit=1)["items"][0]["item"]
    response = httpx.get(f"{live_server.url}/api/runs/{trained}/items/{item}/cam", timeout=120)
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).size[0] >= 32


def test_try_it_predicts_the_right_digit(live_server, trained):
    predictions = get(live_server, f"/api/runs/{trained}/predictions", limit=1000)["items"]
    sure = next(e for e in predictions if e["label"] == e["predicted"] and e["confidence"] > 0.9)
    digit = httpx.get(live_server.url + sure["image_url"]).content
    response = httpx.post(
        f"{live_server.url}/api/runs/{trained}/predict",
        params={"top_k": 3, "cam": True},
        files={"file": ("digit.png", digit, "image/png")},
        timeout=120,
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["top"][0]["class"] == sure["label_name"] and len(result["top"]) == 3
    assert result["backend"] == "onnxruntime" and result["cam_png"]
    bad = httpx.post(
        f"{live_server.url}/api/runs/{trained}/predict", files={"file": ("notes.png", b"hello", "image/png")}
    )
    assert bad.status_code == 400 and "notes.png" in bad.json()["detail"]
