"""Label check through the API: start one on a finished run, watch it succeed like any run, and the mislabelled
queue then covers every labelled image; refusals are 4xx that say why."""

import asyncio
from pathlib import Path

import pytest

from backend.datasets.digits import render_digits
from tests.api.helpers import new_project, upload
from tests.conftest import MODEL, chain

SMALL_CLASS = 3  # images of digit 7: enough for 2 folds, too few for 5


async def _digits_project(client, tmp_path: Path) -> str:
    """Zeros and ones (16 each) and three sevens, uploaded and labelled; returns the project id."""
    folder = render_digits(tmp_path / "digits", size=32, limit_per_class=16)
    project = await new_project(client, "Digits")
    for digit, count in (("0", 16), ("1", 16), ("7", SMALL_CLASS)):
        class_id = (await client.post(f"/api/projects/{project['id']}/classes", json={"name": digit})).json()["id"]
        files = [(p.name, p.read_bytes()) for p in sorted((folder / digit).glob("*.png"))[:count]]
        report = (await upload(client, project["id"], files)).json()
        for asset in report["imported"]:
            await client.put(f"/api/assets/{asset['id']}/annotation", json={"class_id": class_id})
    return project["id"]


async def _wait(client, run_id: str, timeout: float = 240) -> dict:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        run = (await client.get(f"/api/runs/{run_id}")).json()
        if run["status"] not in ("queued", "running"):
            return run
        await asyncio.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish in {timeout} s")


@pytest.mark.train
async def test_a_label_check_covers_every_labelled_image(client, tmp_path):
    project_id = await _digits_project(client, tmp_path)
    graph = chain(("data", "dataset.project", {"val_fraction": 0.25, "seed": 0}), MODEL)
    workflow = (await client.post(f"/api/projects/{project_id}/workflows", json={"graph": graph})).json()
    started = await client.post(f"/api/workflows/{workflow['id']}/runs", json={"epochs": 1, "batch": 16})
    assert started.status_code == 202, started.text
    parent = started.json()

    not_yet = await client.post(f"/api/runs/{parent['id']}/label-check", json={"folds": 2})
    assert not_yet.status_code == 409 and "finished training" in not_yet.json()["detail"]
    assert (await _wait(client, parent["id"]))["status"] == "succeeded"

    before = (await client.get(f"/api/runs/{parent['id']}/mislabelled")).json()
    assert before["coverage"]["source"] == "validation" and before["coverage"]["run_id"] == parent["id"]
    assert before["coverage"]["total_labelled"] == 35 and 0 < before["coverage"]["images"] < 35
    assert f"Covers the {before['coverage']['images']} validation images" in before["coverage"]["text"]
    assert isinstance(before["suggestions_trusted"], bool) and before["total"] == len(before["items"])

    too_many = await client.post(f"/api/runs/{parent['id']}/label-check", json={"folds": 11})
    assert too_many.status_code == 400 and "folds" in too_many.text
    small = await client.post(f"/api/runs/{parent['id']}/label-check", json={"folds": 5})
    assert small.status_code == 400 and "'7' has 3" in small.json()["detail"], small.text
    assert small.json()["extra"]["field"] == "folds"
    unknown = await client.post(f"/api/runs/{parent['id']}/label-check", json={"folds": 2, "shuffle": True})
    assert unknown.status_code == 400

    response = await client.post(f"/api/runs/{parent['id']}/label-check", json={"folds": 2})
    assert response.status_code == 202, response.text
    check = response.json()
    assert check["parent_run_id"] == parent["id"] and check["status"] == "queued"
    twice = await client.post(f"/api/runs/{parent['id']}/label-check", json={"folds": 2})
    assert twice.status_code == 409 and "already under way" in twice.json()["detail"]
    finished = await _wait(client, check["id"])
    assert finished["status"] == "succeeded", finished["reason"]
    assert 0 <= finished["metrics"]["accuracy"] <= 1

    events = (await client.get(f"/api/runs/{check['id']}/events")).json()
    types = [e["type"] for e in events]
    assert types[0] == "queued" and types.count("started") == 1 and types[-1] == "finished"
    assert types.index("started") < types.index("batch") < types.index("evaluation")
    artifacts = (await client.get(f"/api/runs/{check['id']}/artifacts")).json()
    assert [a["name"] for a in artifacts] == ["label_errors.json"]

    after = (await client.get(f"/api/runs/{parent['id']}/mislabelled")).json()
    coverage = after["coverage"]
    assert coverage["source"] == "cross_validation" and coverage["run_id"] == check["id"]
    assert coverage["images"] == coverage["total_labelled"] == 35
    assert coverage["text"] == f"Covers all 35 labelled images (2-fold cross-validation, run {check['id']})"
    assert after["total"] == len(after["items"]) and isinstance(after["suggestions_trusted"], bool)
    assert after["suggestions_trusted"] or after["untrusted_reason"]
    for entry in after["items"]:
        assert entry["asset_id"] and entry["label_name"] in ("0", "1", "7") and entry["image_url"]
        assert {"item", "label", "predicted", "confidence", "true_confidence", "loss", "top"} <= set(entry)
    assert (await client.get(f"/api/runs/{check['id']}/mislabelled")).json()["coverage"] == coverage

    again = await client.post(f"/api/runs/{check['id']}/label-check", json={"folds": 2})
    assert again.status_code == 409 and "itself a label check" in again.json()["detail"]


async def test_a_label_check_of_an_unknown_run_is_404(client):
    response = await client.post("/api/runs/nope/label-check", json={"folds": 2})
    assert response.status_code == 404
