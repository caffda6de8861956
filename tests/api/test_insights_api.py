"""After training: checkpoints, worst predictions linked to assets, CAM, Try it, resume and extend — through a real server."""

import io

import httpx
import pytest
from PIL import Image

from tests.api.test_live_training import read_events, start_run, wait_for_status

pytestmark = pytest.mark.train


@pytest.fixture(scope="module")
def trained(live_server) -> str:
    """The digits demo trained to ≥ 95 % (10 epochs at 32 px, about 30 s)."""
    run_id = start_run(live_server, epochs=10)
    run = wait_for_status(live_server, run_id, {"succeeded", "failed"}, timeout=240)
    assert run["status"] == "succeeded", run
    assert run["metrics"]["accuracy"] >= 0.95, run["metrics"]
    return run_id


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


def test_extend_trains_more_epochs_as_a_linked_run(live_server, trained):
    response = httpx.post(f"{live_server.url}/api/runs/{trained}/extend", json={"epochs": 1})
    assert response.status_code == 202, response.text
    child = response.json()
    assert child["parent_run_id"] == trained and child["settings"]["epochs"] == 1
    assert wait_for_status(live_server, child["id"], {"succeeded", "failed"}, timeout=120)["status"] == "succeeded"


async def test_resume_continues_a_cancelled_run_from_its_checkpoint_as_a_new_run(live_server):
    run_id = start_run(live_server, epochs=3)
    await read_events(live_server, run_id, until=lambda e: e["type"] == "checkpoint")
    httpx.post(f"{live_server.url}/api/runs/{run_id}/cancel")
    wait_for_status(live_server, run_id, {"cancelled"})
    before = get(live_server, f"/api/runs/{run_id}/events")
    resumed = httpx.post(f"{live_server.url}/api/runs/{run_id}/resume")
    assert resumed.status_code == 202, resumed.text
    child = resumed.json()
    assert child["id"] != run_id and child["parent_run_id"] == run_id
    twice = httpx.post(f"{live_server.url}/api/runs/{run_id}/resume")  # its resume is already under way
    assert twice.status_code == 409 and child["id"] in twice.json()["detail"]
    assert wait_for_status(live_server, child["id"], {"succeeded", "failed"}, timeout=120)["status"] == "succeeded"
    events = get(live_server, f"/api/runs/{child['id']}/events")
    assert [e["seq"] for e in events] == list(range(len(events)))
    epochs = [e["data"]["epoch"] for e in events if e["type"] == "evaluation" and not e["data"]["final"]]
    trained = [e["data"]["epoch"] for e in before if e["type"] == "evaluation" and not e["data"]["final"]]
    assert epochs[-1] == 3 and not set(epochs) & set(trained)  # continued, nothing trained twice
    parent = get(live_server, f"/api/runs/{run_id}")
    assert parent["status"] == "cancelled" and get(live_server, f"/api/runs/{run_id}/events") == before
    again = httpx.post(f"{live_server.url}/api/runs/{child['id']}/resume")  # a finished run is not resumable
    assert again.status_code == 409
