"""Recommendations, dataset checks and the model store in the browser, on data the tests make themselves.

A project of tiny (24 px) images: the templates page marks one card "Recommended for your data" with an input size
fitted to them, that workflow is created at the fitted size, and the Run Training dialog pre-fills the server's
data-aware defaults with their explanation. A project whose validation folder holds a re-encoded copy of a training
image: the Dataset node shows the leakage warning on the canvas (as a warning, not an error), and the class
imbalance warning's one-click fix sets the node's `balance` through the editor (autosaved). The model store page
shows why the server refused an upload that is not weights.
"""

import io
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser]

RECOMMENDED = "Recommended for your data"


def png(pixels: np.ndarray, compress_level: int = 6) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8)).save(buffer, format="PNG", compress_level=compress_level)
    return buffer.getvalue()


def picture(rng: np.random.Generator, side: int, colour: int) -> np.ndarray:
    """A smooth random picture (an 8×8 pattern enlarged), so perceptual hashes of different pictures differ."""
    coarse = rng.integers(0, 256, size=(8, 8, 3)).astype(np.uint8)
    coarse[..., colour] = np.maximum(coarse[..., colour], 160)
    return np.asarray(Image.fromarray(coarse).resize((side, side), Image.Resampling.BILINEAR))


def new_project(base_url: str, name: str, files: list[tuple[str, bytes]]) -> str:
    """A project with `files` uploaded under their paths (class folders, maybe under train/ and val/)."""
    with httpx.Client(base_url=base_url, timeout=60) as client:
        project = client.post("/api/projects", json={"name": name})
        assert project.status_code == 201, project.text
        pid = project.json()["id"]
        report = client.post(
            f"/api/projects/{pid}/assets", files=[("files", (path, data, "image/png")) for path, data in files]
        )
        assert report.status_code == 201, report.text
        assert len(report.json()["imported"]) == len(files), report.json()
        return pid


def api(base_url: str, method: str, path: str, body: Any = None) -> Any:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        response = client.request(method, path, json=body)
        assert response.is_success, f"{method} {path} -> {response.status_code} {response.text}"
        return response.json() if response.status_code != 204 else None


def node(page: Page, node_id: str):  # type: ignore[no-untyped-def]
    return page.locator(f"[data-testid=flow-node][data-node-id='{node_id}']")


def test_tiny_images_get_a_recommended_template_at_a_fitted_size(page: Page, base_url: str, artifacts) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)
    files = [
        (f"{name}/{k}.png", png(picture(rng, 24, colour)))
        for colour, name in enumerate(["red", "green"])
        for k in range(20)
    ]
    pid = new_project(base_url, "Tiny images", files)
    templates = api(base_url, "GET", f"/api/templates?project_id={pid}")
    recommended = [t for t in templates if t["fit"]["recommended"]]
    assert len(recommended) == 1, [t["fit"] for t in templates]
    fit = recommended[0]["fit"]
    assert fit["imgsz"] < fit["template_imgsz"] or fit["imgsz"] <= 64, fit

    page.goto(f"/projects/{pid}/workflows/new")
    cards = page.get_by_test_id("template-card")
    expect(cards).to_have_count(len(templates))
    marked = page.locator("[data-testid=template-card][data-recommended=true]")
    expect(marked).to_have_count(1)
    expect(marked).to_have_attribute("data-template-id", recommended[0]["id"])
    expect(marked.get_by_test_id("recommended-badge")).to_have_text(RECOMMENDED)
    expect(cards.first).to_have_attribute("data-recommended", "true")  # shown first
    expect(page.get_by_text(RECOMMENDED, exact=True)).to_have_count(1)
    expect(marked.get_by_test_id("template-fit")).to_have_attribute("data-imgsz", str(fit["imgsz"]))
    expect(marked.get_by_test_id("fit-summary")).to_have_text(fit["summary"])
    expect(marked.get_by_test_id("fit-summary")).to_contain_text(f"{fit['imgsz']} px")
    for card in cards.all():  # every card states its fit to this data
        expect(card.get_by_test_id("fit-score")).to_be_visible()
    page.screenshot(path=str(artifacts / "templates-recommended.png"), full_page=True)

    # One click: the workflow trains at the fitted size, and Run Training pre-fills the data-aware defaults.
    marked.click()
    expect(page.get_by_test_id("editor")).to_be_visible()
    workflow_id = page.get_by_test_id("editor").get_attribute("data-workflow-id")
    graph = api(base_url, "GET", f"/api/workflows/{workflow_id}")["graph"]
    sizes = [n["params"]["imgsz"] for n in graph["nodes"] if "imgsz" in n["params"]]
    assert sizes == [fit["imgsz"]], graph
    expect(page.get_by_test_id("issues-panel")).to_have_attribute("data-errors", "0", timeout=10_000)
    defaults = api(base_url, "GET", f"/api/workflows/{workflow_id}/run-defaults")
    page.get_by_test_id("run-training").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_test_id("run-defaults-explanation")).to_have_text(defaults["explanation"])
    expect(dialog.locator("#root_epochs")).to_have_value(str(defaults["settings"]["epochs"]))
    page.screenshot(path=str(artifacts / "run-defaults.png"))


def test_dataset_node_shows_leakage_and_fixes_imbalance_in_one_click(page: Page, base_url: str, artifacts) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(1)
    counts = {"cat": (18, 4), "dog": (6, 2)}  # 3 × more cats than dogs in training: class imbalance
    files: list[tuple[str, bytes]] = []
    pictures: dict[str, np.ndarray] = {}
    for colour, (name, (train, val)) in enumerate(counts.items()):
        for split, n in (("train", train), ("val", val)):
            for k in range(n):
                pictures[f"{split}/{name}/{k}.png"] = picture(rng, 48, colour)
    # The first validation cat is the first training cat, re-encoded (other bytes, same picture).
    pictures["val/cat/0.png"] = pictures["train/cat/0.png"]
    for path, pixels in pictures.items():
        files.append((path, png(pixels, compress_level=0 if path.startswith("val/") else 9)))
    pid = new_project(base_url, "Leaky split", files)
    templates = api(base_url, "GET", f"/api/templates?project_id={pid}")
    chosen = next(t for t in templates if t["fit"]["recommended"])
    workflow = api(base_url, "POST", f"/api/projects/{pid}/workflows/from-template", {"template_id": chosen["id"]})
    dataset_id = next(n["id"] for n in workflow["graph"]["nodes"] if n["type"].startswith("dataset."))

    page.goto(f"/projects/{pid}/workflows/{workflow['id']}")
    expect(page.get_by_test_id("validation-status")).to_have_attribute("data-state", "done", timeout=15_000)
    dataset = node(page, dataset_id)
    leakage = dataset.locator("[data-testid=node-issue][data-code=near_duplicate_leakage]")
    expect(leakage).to_be_visible()
    expect(leakage).to_have_attribute("data-severity", "warning")
    expect(leakage).to_contain_text("validation")
    expect(dataset).to_have_attribute("data-severity", "warning")
    expect(dataset.get_by_test_id("node-issue-badge")).to_have_attribute("data-severity", "warning")
    expect(
        page.locator(f"[data-testid=issue-item][data-node-id='{dataset_id}'][data-code=near_duplicate_leakage]")
    ).to_have_count(1)
    expect(page.get_by_test_id("run-training")).to_be_enabled()  # warnings do not block training
    page.screenshot(path=str(artifacts / "dataset-leakage.png"))

    # Class imbalance comes with a remedy: one click sets the node's parameter, and it is saved.
    imbalance = page.locator(f"[data-testid=issue-item][data-node-id='{dataset_id}'][data-code=class_imbalance]")
    expect(imbalance).to_have_count(1)
    fix = page.get_by_test_id("issues-panel").get_by_test_id("issue-fix").filter(has_text="weighted sampling")
    expect(fix).to_have_count(1)
    fix.click()
    expect(imbalance).to_have_count(0, timeout=10_000)
    expect(fix).to_have_count(0)
    expect(page.get_by_test_id("save-status")).to_have_attribute("data-status", "saved", timeout=10_000)
    stored = api(base_url, "GET", f"/api/workflows/{workflow['id']}")["graph"]
    assert next(n for n in stored["nodes"] if n["id"] == dataset_id)["params"]["balance"] == "weighted_sampling"
    expect(leakage).to_be_visible()  # the leakage is still there: it has no one-click fix


def test_model_store_refuses_a_file_that_is_not_weights_and_says_why(page: Page, base_url: str) -> None:
    page.goto("/")
    page.get_by_test_id("nav-models").click()
    expect(page.get_by_test_id("models-page")).to_be_visible()
    before = len(api(base_url, "GET", "/api/models"))
    page.get_by_test_id("models-page").locator("input[type=file]").set_input_files(
        {
            "name": "not-a-model.pt",
            "mimeType": "application/octet-stream",
            "buffer": b"these bytes are not a checkpoint",
        }
    )
    refusal = page.get_by_test_id("model-upload-error")
    expect(refusal).to_be_visible(timeout=120_000)
    expect(refusal).to_contain_text("not-a-model.pt")
    assert len(api(base_url, "GET", "/api/models")) == before
