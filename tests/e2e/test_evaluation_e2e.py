"""Evaluation you can trust and act on, end to end: train the digits demo briefly through the API, then check in the
browser the evaluation preview (right / wrong marks, a slider across evaluations, top-k and heatmap of one image),
the worst predictions linked to the annotator, the likely-mislabelled review queue, trying the model on an uploaded
digit, resuming a cancelled run while the page keeps streaming, extending a finished run, and comparing runs."""

import os
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from backend.datasets.digits import render_digits

pytestmark = [pytest.mark.browser]

TRAINING_TIMEOUT_S = 240
FINAL = re.compile("succeeded|failed|cancelled|interrupted")
ENDED = {"succeeded", "failed", "cancelled", "interrupted"}


def wait_for(
    client: httpx.Client, run_id: str, statuses: set[str], timeout: float = TRAINING_TIMEOUT_S
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        run = client.get(f"/api/runs/{run_id}").json()
        if run["status"] in statuses:
            return run
        assert time.monotonic() < deadline, f"run {run_id} is still {run['status']}"
        time.sleep(0.2)


def start_run(client: httpx.Client, workflow_id: str, **settings: Any) -> dict[str, Any]:
    response = client.post(f"/api/workflows/{workflow_id}/runs", json={"batch": 64, **settings})
    assert response.status_code == 202, response.text
    return response.json()


@pytest.fixture(scope="module")
def demo(base_url: str) -> dict[str, Any]:
    """The digits demo project and its smallest workflow (32 px: a few seconds an epoch here)."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        project = next(p for p in client.get("/api/projects").json() if "digits" in p["name"].lower())
        workflows = client.get(f"/api/projects/{project['id']}/workflows").json()
        smallest = min(workflows, key=lambda w: max(n["params"].get("imgsz", 0) for n in w["graph"]["nodes"]))
    return {"pid": project["id"], "wid": smallest["id"]}


@pytest.fixture(scope="module")
def trained(base_url: str, demo: dict[str, Any], request: pytest.FixtureRequest) -> dict[str, Any]:
    """One finished run, shared by the tests that only read it: the session server's 5-epoch demo run, which the API
    insight tests read too (tests/conftest.py `trained_demo`), or a 3-epoch one on a server named by VISIONFLOW_E2E_URL."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        if os.environ.get("VISIONFLOW_E2E_URL"):
            run = wait_for(client, start_run(client, demo["wid"], epochs=3)["id"], ENDED)
        else:
            run = client.get(f"/api/runs/{request.getfixturevalue('trained_demo')}").json()
        assert run["status"] == "succeeded", run
        events = client.get(f"/api/runs/{run['id']}/events").json()
    evaluations = [e["data"] for e in events if e["type"] == "evaluation"]
    return {**demo, "rid": run["id"], "run": run, "evaluations": evaluations}


def test_preview_grid_marks_predictions_and_slides_across_evaluations(
    page: Page, trained: dict[str, Any], artifacts: Path
) -> None:
    evaluations = trained["evaluations"]
    assert evaluations and all(e["preview"] for e in evaluations), "the worker sends no preview images"
    sample = [p["item"] for p in evaluations[-1]["preview"]]
    assert all([p["item"] for p in e["preview"]] == sample for e in evaluations), "the preview sample is not fixed"

    page.goto(f"/projects/{trained['pid']}/runs/{trained['rid']}")
    grid = page.get_by_test_id("preview-grid")
    expect(grid).to_have_attribute("data-frames", str(len(evaluations)))
    tiles = grid.get_by_test_id("preview-tile")
    expect(tiles).to_have_count(len(sample))
    # The latest (final) evaluation: each tile is marked right or wrong, as the server said.
    final = {p["item"]: p for p in evaluations[-1]["preview"]}
    for tile in tiles.all():
        entry = final[int(tile.get_attribute("data-item") or -1)]
        expected = entry.get("correct", entry["label"] == entry["predicted"])
        expect(tile).to_have_attribute("data-correct", "true" if expected else "false")
    expect(tiles.first.locator("img")).to_have_js_property("complete", True)
    assert tiles.first.locator("img").evaluate("img => img.naturalWidth") > 0
    expect(grid.get_by_test_id("preview-summary")).to_contain_text(
        f"{sum(map(bool, [final[i].get('correct', final[i]['label'] == final[i]['predicted']) for i in final]))}/{len(sample)} right"
    )

    # Slide back to the first evaluation: the same images, that evaluation's predictions.
    thumb = grid.get_by_test_id("preview-slider").get_by_role("slider")
    thumb.focus()
    page.keyboard.press("Home")
    expect(grid).to_have_attribute("data-frame", "0")
    expect(grid).to_have_attribute("data-frame-label", "epoch 1")
    matrix = page.get_by_test_id("confusion-matrix")
    expect(matrix).to_have_attribute("data-evaluation-index", "0")  # one evaluation for the preview and the matrix
    first = {p["item"]: p for p in evaluations[0]["preview"]}
    names = evaluations[0]["class_names"]
    for tile in tiles.all():
        entry = first[int(tile.get_attribute("data-item") or -1)]
        expect(tile).to_have_attribute("data-predicted", names[entry["predicted"]])
    page.keyboard.press("ArrowRight")
    expect(grid).to_have_attribute("data-frame", "1")
    page.keyboard.press("End")
    expect(grid).to_have_attribute("data-frame", str(len(evaluations) - 1))
    expect(matrix).to_have_attribute("data-evaluation-index", str(len(evaluations) - 1))

    # One image: its top classes and where the model looks.
    tiles.first.click()
    detail = page.get_by_test_id("preview-detail")
    expect(detail).to_be_visible()
    expect(detail.get_by_test_id("topk-row").first).to_be_visible()
    top = final[sample[0]].get("top") or []
    if top:
        expect(detail.get_by_test_id("topk-row")).to_have_count(len(top))
    expect(detail.get_by_test_id("preview-track").locator("span")).to_have_count(len(evaluations))
    expect(detail.get_by_test_id("cam-image")).to_be_visible(timeout=30_000)
    assert detail.get_by_test_id("cam-image").evaluate("img => img.naturalWidth") > 0
    grid.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "run-preview-grid.png"))


def test_worst_predictions_filter_and_open_in_the_annotator(
    page: Page, trained: dict[str, Any], artifacts: Path
) -> None:
    rid, pid = trained["rid"], trained["pid"]
    page.goto(f"/projects/{pid}/runs/{rid}?tab=predictions")
    worst = page.get_by_test_id("worst-predictions")
    stored = page.request.get(f"/api/runs/{rid}/predictions?wrong_only=true&limit=24")
    assert stored.ok, f"no predictions for a finished run: {stored.status} {stored.text()}"
    wrong = stored.json()
    expect(worst).to_have_attribute("data-total", str(wrong["total"]))
    expect(worst.get_by_test_id("prediction")).to_have_count(len(wrong["items"]))
    if wrong["items"]:  # the server's order: confidently wrong first
        expect(worst.get_by_test_id("prediction").first).to_have_attribute("data-item", str(wrong["items"][0]["item"]))
        # Heatmaps instead of the images (made by the server on first request).
        worst.get_by_test_id("toggle-cam").click()
        expect(worst.get_by_test_id("cam-image")).to_have_count(len(wrong["items"]), timeout=60_000)
        page.screenshot(path=str(artifacts / "run-worst-predictions.png"), full_page=True)
        worst.get_by_test_id("toggle-cam").click()

    # Every validation image, then only the true 3s.
    worst.get_by_test_id("filter-wrong").click()
    everything = page.request.get(f"/api/runs/{rid}/predictions?limit=1").json()["total"]
    expect(worst).to_have_attribute("data-total", str(everything))
    worst.get_by_test_id("filter-true").click()
    page.get_by_role("option", name="3", exact=True).click()
    threes = page.request.get(f"/api/runs/{rid}/predictions?true_class=3&limit=100").json()
    expect(worst).to_have_attribute("data-total", str(threes["total"]))
    expect(worst.get_by_test_id("prediction").first).to_contain_text("true 3")

    if not wrong["items"]:
        worst.get_by_test_id("toggle-cam").click()
        expect(worst.get_by_test_id("cam-image").first).to_be_visible(timeout=30_000)
        page.screenshot(path=str(artifacts / "run-worst-predictions.png"), full_page=True)

    # Relabel: the annotator opens on that very image, with the model's suggestion.
    target = worst.get_by_test_id("prediction").first
    asset_id = target.get_attribute("data-asset-id")
    assert asset_id, "the prediction is not linked to the project's image"
    target.get_by_test_id("relabel-link").click()
    annotator = page.get_by_test_id("annotator")
    expect(annotator).to_have_attribute("data-asset-id", asset_id)
    expect(page.get_by_test_id("model-suggestion")).to_be_visible()


def test_likely_mislabelled_queue_walks_in_the_annotator(page: Page, trained: dict[str, Any]) -> None:
    rid, pid = trained["rid"], trained["pid"]
    queue = page.request.get(f"/api/runs/{rid}/mislabelled")
    assert queue.ok, f"{queue.status} {queue.text()}"
    items = [i for i in queue.json()["items"] if i["asset_id"]]
    page.goto(f"/projects/{pid}/runs/{rid}?tab=predictions")
    panel = page.get_by_test_id("mislabelled")
    expect(panel).to_have_attribute("data-total", str(queue.json()["total"]))
    if not items:
        expect(panel.get_by_test_id("mislabelled-empty")).to_be_visible()
        return
    panel.get_by_test_id("review-mislabelled").click()
    annotator = page.get_by_test_id("annotator")
    expect(annotator).to_have_attribute("data-asset-id", items[0]["asset_id"])
    expect(page.get_by_test_id("annotator-position")).to_have_text(f"1 / {len(items)}")
    expect(page.get_by_test_id("model-suggestion")).to_have_attribute("data-class", items[0]["predicted_name"])
    if len(items) > 1:
        page.keyboard.press("ArrowRight")
        expect(annotator).to_have_attribute("data-asset-id", items[1]["asset_id"])
    page.get_by_test_id("back-to-grid").click()
    expect(page).to_have_url(re.compile(rf"/runs/{rid}\?tab=predictions"))


def test_try_it_predicts_an_uploaded_digit(
    page: Page, trained: dict[str, Any], tmp_path: Path, artifacts: Path
) -> None:
    root = render_digits(tmp_path / "digits", limit_per_class=1)
    three = next((root / "3").glob("*.png"))
    page.goto(f"/projects/{trained['pid']}/runs/{trained['rid']}?tab=try")
    panel = page.get_by_test_id("try-it")
    panel.get_by_test_id("try-it-drop").locator("input[type=file]").set_input_files(str(three))
    result = panel.get_by_test_id("try-it-result")
    expect(result).to_be_visible(timeout=30_000)
    rows = result.get_by_test_id("topk-row")
    expect(rows).to_have_count(5)
    confidences = [float(r.get_attribute("data-confidence") or "nan") for r in rows.all()]
    assert confidences == sorted(confidences, reverse=True) and 0 < sum(confidences) <= 1.0001, confidences
    expect(result.get_by_test_id("try-it-latency")).to_have_text(re.compile(r"^\d+(\.\d+)? ms · (onnxruntime|torch)$"))
    expect(result.get_by_test_id("try-it-class")).not_to_be_empty()
    expect(result.get_by_test_id("try-it-cam")).to_be_visible()
    assert result.get_by_test_id("try-it-cam").evaluate("img => img.naturalWidth") > 0
    page.screenshot(path=str(artifacts / "run-try-it.png"))

    # Not an image: the server says so, and the page shows it.
    text = tmp_path / "notes.txt"
    text.write_text("not an image")
    panel.get_by_test_id("try-it-drop").locator("input[type=file]").set_input_files(str(text))
    expect(panel.get_by_test_id("try-it-error")).to_be_visible()
    expect(panel.get_by_test_id("try-it-error")).not_to_have_text(re.compile(r"^\s*No prediction\s*$"))


def test_checkpoints_and_artifacts(page: Page, trained: dict[str, Any]) -> None:
    page.goto(f"/projects/{trained['pid']}/runs/{trained['rid']}")
    checkpoints = page.request.get(f"/api/runs/{trained['rid']}/checkpoints").json()
    expect(page.get_by_test_id("checkpoint-row")).to_have_count(len(checkpoints))
    artifacts = page.request.get(f"/api/runs/{trained['rid']}/artifacts").json()
    links = page.get_by_test_id("artifact-link")
    expect(links).to_have_count(len(artifacts))
    names = {a["name"] for a in artifacts}
    assert {"best.pt", "last.pt"} <= names, names
    for name in ("best.pt", "best.onnx"):
        if name in names:
            link = page.locator(f"[data-testid=artifact-link][data-name='{name}']")
            assert page.request.get(link.get_attribute("href") or "").ok
    if any(a["kind"] == "model_card" for a in artifacts):
        expect(page.get_by_test_id("model-card")).to_be_visible()
        expect(page.get_by_test_id("model-card")).not_to_contain_text("Loading")


def test_resume_a_cancelled_run_continues_as_a_new_run(
    page: Page, base_url: str, demo: dict[str, Any], artifacts: Path
) -> None:
    """The page and the API at once: a run cancelled after its first epoch is resumed from the page as a new linked
    run that trains only the epochs left, while the parent stays as it was and neither can be resumed twice."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        run = start_run(client, demo["wid"], epochs=3)
        page.goto(f"/projects/{demo['pid']}/runs/{run['id']}")
        expect(page.get_by_test_id("chart-metrics")).not_to_have_attribute(
            "data-points", "0", timeout=TRAINING_TIMEOUT_S * 1000
        )  # its first epoch is evaluated and checkpointed
        client.post(f"/api/runs/{run['id']}/cancel")
        assert wait_for(client, run["id"], ENDED)["status"] == "cancelled", "the run finished before the cancel landed"
        before = client.get(f"/api/runs/{run['id']}/events").json()
        expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "cancelled")
        with page.expect_response(lambda r: r.url.endswith(f"/api/runs/{run['id']}/resume")) as resumed:
            page.get_by_test_id("resume-run").click()
        assert resumed.value.status == 202, resumed.value.text()
        child = resumed.value.json()
        assert child["id"] != run["id"] and child["parent_run_id"] == run["id"]
        twice = client.post(f"/api/runs/{run['id']}/resume")  # its resume is already under way
        assert twice.status_code == 409 and child["id"] in twice.json()["detail"]
        expect(page).to_have_url(re.compile(rf"/runs/(?!{run['id']}$)[0-9a-f]+$"))
        assert page.url.rsplit("/", 1)[-1] == child["id"]
        expect(page.get_by_test_id("parent-run-link")).to_have_text(run["id"])
        expect(page.get_by_test_id("run-lineage")).to_contain_text("resumed from")
        expect(page.get_by_test_id("run-status")).to_have_attribute(
            "data-status", FINAL, timeout=TRAINING_TIMEOUT_S * 1000
        )
        stored = client.get(f"/api/runs/{child['id']}/events").json()
        parent = client.get(f"/api/runs/{run['id']}").json()
        assert client.get(f"/api/runs/{run['id']}/events").json() == before  # the parent is not rewritten
        assert client.post(f"/api/runs/{child['id']}/resume").status_code == 409  # a finished run is not resumable
    assert parent["status"] == "cancelled"
    assert stored[-1]["type"] == "finished" and stored[-1]["data"]["status"] == "succeeded", stored[-1]
    assert [e["seq"] for e in stored] == list(range(len(stored)))
    epochs = [e["data"]["epoch"] for e in stored if e["type"] == "evaluation" and not e["data"]["final"]]
    trained = [e["data"]["epoch"] for e in before if e["type"] == "evaluation" and not e["data"]["final"]]
    assert epochs[-1] == 3 and not set(epochs) & set(trained)  # continued, nothing trained twice
    events = page.get_by_test_id("run-events")
    expect(events).to_have_attribute("data-count", str(len(stored)))
    expect(events).to_have_attribute("data-dense", "true")
    page.screenshot(path=str(artifacts / "run-resumed.png"))


def test_extend_a_run_then_compare(page: Page, trained: dict[str, Any], artifacts: Path) -> None:
    """Extending from the page starts a linked run of the extra epochs through the API (its answer is checked here,
    for the API's extend), which trains; then the two compare."""
    pid, rid = trained["pid"], trained["rid"]
    page.goto(f"/projects/{pid}/runs/{rid}")
    page.get_by_test_id("extend-run").click()
    page.get_by_test_id("extend-epochs").fill("1")
    with page.expect_response(lambda r: r.url.endswith(f"/api/runs/{rid}/extend")) as extended:
        page.get_by_test_id("extend-submit").click()
    assert extended.value.status == 202, extended.value.text()
    linked = extended.value.json()
    assert linked["parent_run_id"] == rid and linked["settings"]["epochs"] == 1
    expect(page).to_have_url(re.compile(rf"/runs/(?!{rid}$)[0-9a-f]+$"))
    child = page.url.rsplit("/", 1)[-1]
    assert child == linked["id"]
    expect(page.get_by_test_id("run-page")).to_have_attribute("data-run-id", child)
    expect(page.get_by_test_id("parent-run-link")).to_have_text(rid)
    expect(page.get_by_test_id("run-lineage")).to_contain_text("extended from")
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", FINAL, timeout=TRAINING_TIMEOUT_S * 1000)
    assert page.request.get(f"/api/runs/{child}").json()["status"] == "succeeded"
    # Renamed in its header (Enter saves); the header links the workflow version it trained.
    page.get_by_test_id("rename-run").click()
    page.get_by_test_id("run-name-input").fill("  Extended by one ")
    page.get_by_test_id("run-name-input").press("Enter")
    expect(page.get_by_test_id("run-name")).to_have_text("Extended by one")
    expect(page.get_by_test_id("run-version-link")).to_have_text(re.compile(r"^workflow version \d+$"))
    page.screenshot(path=str(artifacts / "run-renamed.png"))

    # Compare the two from the runs list.
    page.goto(f"/projects/{pid}/runs")
    for run_id in (rid, child):
        page.locator(f"[data-testid=run-row][data-run-id='{run_id}'] [data-testid=compare-check]").check()
    page.get_by_test_id("compare-runs").click()
    compare = page.get_by_test_id("compare-page")
    expect(compare).to_have_attribute("data-runs", "2")
    expect(page.get_by_test_id("compare-run")).to_have_count(2)
    expect(page.get_by_test_id("compare-run").filter(has_text="Extended by one")).to_have_count(1)
    expect(page.locator("[data-testid=compare-difference][data-key='settings.epochs']")).to_be_visible()
    expect(page.get_by_test_id("compare-chart-accuracy")).not_to_have_attribute("data-points", "0")
    expect(page.get_by_test_id("compare-chart-loss")).not_to_have_attribute("data-points", "0")
    page.screenshot(path=str(artifacts / "runs-compare.png"), full_page=True)
