"""The Data page end to end: drop a folder of class folders, label with the annotator's keys (and undo), import
labels from a CSV after fixing the line its preview points at, select and act on many images, and see a run's
dataset snapshot. Each test makes its own project through the API and checks what the server stored."""

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from backend.datasets.digits import render_digits

pytestmark = [pytest.mark.browser]


def api(page: Page, method: str, path: str, body: Any = None) -> Any:
    response = page.request.fetch(path, method=method, data=body)
    assert response.ok, f"{method} {path} -> {response.status} {response.text()}"
    return response.json() if response.status != 204 else None


def new_project(page: Page, name: str) -> str:
    return api(page, "POST", "/api/projects", {"name": name})["id"]


def upload(base_url: str, pid: str, files: list[tuple[str, Path]], folders_are_classes: bool = True) -> dict[str, Any]:
    """Upload through the API (for tests about what happens after)."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        report = client.post(
            f"/api/projects/{pid}/assets",
            params={"folders_are_classes": str(folders_are_classes).lower()},
            files=[("files", (name, path.read_bytes(), "image/png")) for name, path in files],
        )
    assert report.status_code == 201, report.text
    return report.json()


def assets(page: Page, pid: str) -> list[dict[str, Any]]:
    return api(page, "GET", f"/api/projects/{pid}/assets?limit=1000")["items"]


def classes_by_name(page: Page, pid: str) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in api(page, "GET", f"/api/projects/{pid}/classes")}


def eventually(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll `check` until it returns something truthy (the UI writes asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            assert value, "condition not met in time"
            return value
        time.sleep(0.1)


def drop_paths(page: Page, target: str, paths: list[Path]) -> None:
    """A native drag and drop of files or folders from the desktop (Chromium's own drop, via DevTools), so the page
    reads the folders as a browser does for a person."""
    box = page.locator(target).bounding_box()
    assert box, f"{target} is not visible"
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 3
    cdp = page.context.new_cdp_session(page)
    data = {"items": [], "files": [str(p) for p in paths], "dragOperationsMask": 1}
    for event in ("dragEnter", "dragOver", "drop"):
        cdp.send("Input.dispatchDragEvent", {"type": event, "x": x, "y": y, "data": data})
    cdp.detach()


def test_drop_a_folder_of_class_folders(page: Page, tmp_path: Path, artifacts: Path) -> None:
    root = render_digits(tmp_path / "digits", limit_per_class=3)
    pid = new_project(page, "E2E folder drop")
    page.goto(f"/projects/{pid}/data")

    # An empty project shows one big drop zone; drop the whole folder on it.
    expect(page.get_by_test_id("dropzone-empty")).to_be_visible()
    drop_paths(page, "[data-testid=dropzone-empty]", [root])

    # Before anything is sent: what the folders will make of the images.
    dialog = page.get_by_test_id("upload-confirm")
    expect(dialog).to_contain_text("Upload folder “digits”")
    expect(dialog).to_contain_text("30 image file(s)")
    expect(dialog.get_by_test_id("preview-class")).to_have_count(10)
    expect(dialog.get_by_test_id("preview-class").first).to_have_text("0 · 3")
    # Not using folder names would leave them unlabelled; change back and upload.
    page.get_by_test_id("ignore-folders").click()
    expect(dialog.get_by_test_id("preview-class")).to_have_count(0)
    expect(dialog.get_by_test_id("layout-preview")).to_contain_text("unlabelled")
    page.get_by_test_id("ignore-folders").click()
    page.get_by_test_id("upload-confirm-submit").click()

    status = page.get_by_test_id("upload-status")
    expect(status).to_have_attribute("data-phase", "done", timeout=30_000)
    expect(page.get_by_test_id("upload-imported")).to_have_text("30 imported")

    # Labelled by folder: ten classes of three, all thirty images in the grid, each tile tagged.
    rows = page.get_by_test_id("class-list").get_by_test_id("class-row")
    expect(rows).to_have_count(10)
    for digit in range(10):
        row = page.locator(f"[data-testid=class-list] [data-class-name='{digit}']")
        expect(row.get_by_test_id("class-count")).to_have_text("3")
    expect(page.get_by_test_id("asset-total")).to_have_attribute("data-total", "30")
    expect(page.get_by_test_id("asset-tile")).to_have_count(30)
    expect(page.get_by_test_id("label-progress")).to_have_text("30 of 30 images labelled")

    # What the server stored: the class of each image is its folder, the path starts at the dropped folder.
    names = {c["id"]: c["name"] for c in api(page, "GET", f"/api/projects/{pid}/classes")}
    stored = assets(page, pid)
    assert len(stored) == 30
    for asset in stored:
        assert asset["source_path"].startswith("digits/"), asset["source_path"]
        assert names[asset["class_id"]] == asset["source_path"].split("/")[1]
    # A class named by a digit gets that digit as its key.
    assert {name: c["hotkey"] for name, c in classes_by_name(page, pid).items()} == {str(d): str(d) for d in range(10)}

    # Filter by a class from the side bar.
    page.locator("[data-testid=class-list] [data-class-name='7'] .vf-class-main").click()
    expect(page.get_by_test_id("asset-total")).to_have_attribute("data-total", "3")
    page.get_by_test_id("filter-all").click()
    expect(page.get_by_test_id("asset-total")).to_have_attribute("data-total", "30")
    page.get_by_test_id("upload-details").click()
    expect(page.get_by_test_id("upload-results").locator("tr[data-outcome=imported]")).to_have_count(30)
    page.keyboard.press("Escape")
    page.screenshot(path=str(artifacts / "data-browser.png"))


def test_pick_a_flat_folder_arrives_unlabelled(page: Page, tmp_path: Path) -> None:
    """A flat folder of images is a batch of unlabelled pictures by default; the user may make it one class."""
    photos = tmp_path / "photos"
    photos.mkdir()
    for image in sorted(render_digits(tmp_path / "digits", limit_per_class=1).glob("*/*.png"))[:4]:
        (photos / image.name).write_bytes(image.read_bytes())
    pid = new_project(page, "E2E folder picker")
    page.goto(f"/projects/{pid}/data")
    page.get_by_test_id("folder-input").set_input_files(str(photos))

    dialog = page.get_by_test_id("upload-confirm")
    expect(dialog.get_by_test_id("layout-preview")).to_have_text("The 4 image file(s) arrive unlabelled.")
    expect(dialog.get_by_test_id("flat-folder-unlabelled")).to_be_visible()
    page.get_by_test_id("ignore-folders").click()  # folder names on: the folder would be one class
    expect(dialog.get_by_test_id("preview-class")).to_have_text(["photos · 4"])
    expect(dialog).to_contain_text("Every image goes into one class, “photos”")
    page.get_by_test_id("ignore-folders").click()
    expect(dialog.get_by_test_id("layout-preview")).to_have_text("The 4 image file(s) arrive unlabelled.")
    page.get_by_test_id("upload-confirm-submit").click()

    expect(page.get_by_test_id("upload-status")).to_have_attribute("data-phase", "done")
    expect(page.get_by_test_id("asset-tile")).to_have_count(4)
    expect(page.get_by_test_id("filter-unlabelled")).to_contain_text("4")
    stored = assets(page, pid)
    assert [a["class_id"] for a in stored] == [None] * 4
    assert all(a["source_path"].startswith("photos/") for a in stored)
    assert api(page, "GET", f"/api/projects/{pid}/classes") == []


def test_label_with_hotkeys_and_undo(page: Page, base_url: str, tmp_path: Path, artifacts: Path) -> None:
    root = render_digits(tmp_path / "digits", limit_per_class=1)
    pid = new_project(page, "E2E annotator")
    files = [(p.name, p) for p in sorted(root.glob("*/*.png"))[:6]]
    upload(base_url, pid, files)  # flat names: unlabelled
    zero = api(page, "POST", f"/api/projects/{pid}/classes", {"name": "zero"})
    one = api(page, "POST", f"/api/projects/{pid}/classes", {"name": "one"})
    assert (zero["hotkey"], one["hotkey"]) == ("1", "2")

    page.goto(f"/projects/{pid}/data")
    page.get_by_test_id("view-annotate").click()
    annotator = page.get_by_test_id("annotator")
    expect(annotator).to_be_visible()
    expect(page.get_by_test_id("annotator-position")).to_have_text("1 / 6")
    order = [a["id"] for a in assets(page, pid)]
    first, second, third = order[:3]
    expect(annotator).to_have_attribute("data-asset-id", first)
    # The keys are shown next to their classes.
    expect(
        page.locator("[data-testid=annotator-classes] [data-class-name=zero] [data-testid=class-hotkey]")
    ).to_have_text("1")

    def label_of(aid):
        return api(page, "GET", f"/api/projects/{pid}/assets?limit=1000")["items"][order.index(aid)]["class_id"]

    page.keyboard.press("1")  # first → zero, then on to the next unlabelled image
    expect(annotator).to_have_attribute("data-asset-id", second)
    page.keyboard.press("2")  # second → one
    expect(annotator).to_have_attribute("data-asset-id", third)
    eventually(lambda: label_of(second) == one["id"])

    page.keyboard.press("Control+z")  # undo: back on the second image, unlabelled again
    expect(annotator).to_have_attribute("data-asset-id", second)
    expect(annotator).to_have_attribute("data-class-id", "")
    eventually(lambda: label_of(second) is None)

    page.keyboard.press("1")  # second → zero
    expect(annotator).to_have_attribute("data-asset-id", third)
    # Classes are listed by name (one, zero); the highlight starts on the first and moves with ↓ and ↑.
    highlighted = page.locator("[data-testid=annotator-classes] [data-highlighted]")
    expect(highlighted).to_have_attribute("data-class-name", "one")
    page.keyboard.press("ArrowDown")
    expect(highlighted).to_have_attribute("data-class-name", "zero")
    page.keyboard.press("ArrowUp")
    expect(highlighted).to_have_attribute("data-class-name", "one")
    page.keyboard.press("a")  # third → the highlighted class
    expect(annotator).to_have_attribute("data-asset-id", order[3])

    eventually(lambda: [label_of(a) for a in (first, second, third)] == [zero["id"], zero["id"], one["id"]])
    assert [label_of(a) for a in order[3:]] == [None, None, None]
    expect(page.get_by_test_id("annotator-progress")).to_contain_text("3 labelled of 6")

    # ← goes back to the image just labelled, showing its class.
    page.keyboard.press("ArrowLeft")
    expect(annotator).to_have_attribute("data-asset-id", third)
    expect(page.get_by_test_id("annotator-label")).to_have_text("one")
    page.screenshot(path=str(artifacts / "data-annotator.png"))

    page.keyboard.press("Escape")  # back to the grid
    expect(page.get_by_test_id("asset-browser")).to_be_visible()
    expect(page.locator("[data-testid=class-list] [data-class-name=zero] [data-testid=class-count]")).to_have_text("2")


def test_csv_import_preview_fix_and_apply(page: Page, base_url: str, tmp_path: Path, artifacts: Path) -> None:
    root = render_digits(tmp_path / "digits", limit_per_class=1)
    pid = new_project(page, "E2E CSV")
    images = sorted(root.glob("*/*.png"))[:3]
    upload(base_url, pid, [(p.name, p) for p in images])
    for name in ("zero", "one"):
        api(page, "POST", f"/api/projects/{pid}/classes", {"name": name})
    a, b, c = (p.name for p in images)
    bad = tmp_path / "labels.csv"
    bad.write_text(f"filename,label\n{a},zero\nnope.png,one\n{b},one\n")

    page.goto(f"/projects/{pid}/data")
    page.get_by_test_id("csv-import").click()
    page.get_by_test_id("csv-input").set_input_files(str(bad))

    preview = page.get_by_test_id("csv-preview")
    expect(preview).to_have_attribute("data-ready", "true")
    problem = page.get_by_test_id("csv-problem")
    expect(problem).to_have_count(1)
    expect(problem).to_have_attribute("data-line", "3")
    expect(problem).to_have_attribute("data-code", "unknown_filename")
    expect(problem).to_contain_text("line 3")
    expect(problem).to_contain_text("nope.png")
    expect(page.get_by_test_id("csv-apply")).to_be_disabled()
    expect(page.get_by_test_id("csv-apply-reason")).to_contain_text("Fix the 1 problem(s)")
    page.screenshot(path=str(artifacts / "data-csv-preview.png"))

    # Fix line 3 in place, with a class that does not exist yet: a new problem on the same line.
    page.get_by_test_id("csv-text").fill(f"filename,label\n{a},zero\n{c},two\n{b},one\n")
    expect(problem).to_have_attribute("data-code", "unknown_class")
    expect(problem).to_have_attribute("data-line", "3")
    expect(page.get_by_test_id("csv-apply")).to_be_disabled()
    # Allow new classes: no problems left, three changes, Apply says what it will do.
    page.get_by_test_id("csv-create-classes").click()
    expect(preview).to_have_attribute("data-problems", "0")
    expect(page.get_by_test_id("csv-change-count")).to_have_text("3 change(s)")
    expect(page.get_by_test_id("csv-changes")).to_contain_text("two")
    apply = page.get_by_test_id("csv-apply")
    expect(apply).to_be_enabled()
    expect(apply).to_have_text("Apply 3 change(s) and create 1 class(es)")
    apply.click()
    expect(page.get_by_test_id("csv-modal")).to_be_hidden()

    classes = classes_by_name(page, pid)
    labels = {x["filename"]: x["class_id"] for x in assets(page, pid)}
    assert labels == {a: classes["zero"]["id"], b: classes["one"]["id"], c: classes["two"]["id"]}
    expect(page.get_by_test_id("label-progress")).to_have_text("3 of 3 images labelled")
    # The export link gives the same labels back.
    exported = page.request.get(page.get_by_test_id("csv-export").get_attribute("href") or "").text()
    assert f"{c},two" in exported


def test_select_many_assign_delete_and_merge(page: Page, base_url: str, tmp_path: Path, artifacts: Path) -> None:
    root = render_digits(tmp_path / "digits", limit_per_class=1)
    pid = new_project(page, "E2E selection")
    upload(base_url, pid, [(p.name, p) for p in sorted(root.glob("*/*.png"))])  # 10 unlabelled
    cat = api(page, "POST", f"/api/projects/{pid}/classes", {"name": "cat"})
    api(page, "POST", f"/api/projects/{pid}/classes", {"name": "dog"})
    order = [a["id"] for a in assets(page, pid)]

    page.goto(f"/projects/{pid}/data")
    tiles = page.get_by_test_id("asset-tile")
    expect(tiles).to_have_count(10)
    tiles.nth(1).click()
    tiles.nth(4).click(modifiers=["Shift"])  # range 1..4
    expect(page.get_by_test_id("selection-count")).to_have_text("4 selected")
    page.keyboard.press("1")  # cat's key labels the selection
    expect(page.locator("[data-testid=class-list] [data-class-name=cat] [data-testid=class-count]")).to_have_text("4")
    labels = {a["id"]: a["class_id"] for a in assets(page, pid)}
    assert [labels[i] for i in order[1:5]] == [cat["id"]] * 4 and labels[order[0]] is None

    # Assign with the menu, then delete two after confirming.
    page.get_by_test_id("select-page").click()  # page has some selected → select all
    expect(page.get_by_test_id("selection-count")).to_have_text("10 selected")
    page.get_by_test_id("select-page").click()
    expect(page.get_by_test_id("selection-bar")).not_to_contain_text("selected")
    tiles.nth(8).click()
    tiles.nth(9).click()
    page.get_by_test_id("delete-selection").click()
    page.get_by_test_id("confirm-delete").click()
    expect(tiles).to_have_count(8)
    assert len(assets(page, pid)) == 8

    # Merge cat into dog: the dry run says what will happen first.
    page.locator("[data-testid=class-list] [data-class-name=cat]").hover()
    page.get_by_role("button", name="Actions for cat").click()
    page.get_by_role("menuitem", name="Merge into…").click()
    page.get_by_test_id("merge-target").click()
    page.get_by_role("option", name="dog").click()
    expect(page.get_by_test_id("dry-run-message")).to_have_text(
        "4 image(s) move from 'cat' to 'dog', and 'cat' is deleted."
    )
    page.get_by_test_id("class-merge-confirm").click()
    expect(page.locator("[data-testid=class-list] [data-class-name=dog] [data-testid=class-count]")).to_have_text("4")
    expect(page.locator("[data-testid=class-list] [data-class-name=cat]")).to_have_count(0)

    # Statistics: per-class bars and the warnings the server raises.
    page.get_by_test_id("view-stats").click()
    expect(page.get_by_test_id("stats-labelled")).to_have_text("4")
    expect(page.get_by_test_id("stats-warnings")).to_contain_text("dog")
    samples = page.get_by_test_id("class-samples").locator("img")
    expect(samples).to_have_count(4)  # dog's 4 images (up to 4 a class)
    expect(samples.first).to_have_js_property("complete", True)
    assert samples.first.evaluate("img => img.naturalWidth") > 0
    expect(page.get_by_test_id("stats-sizes")).to_contain_text("< 64 px")
    expect(page.get_by_test_id("stats-aspect")).to_contain_text("about square")
    page.screenshot(path=str(artifacts / "data-stats.png"))


def test_run_page_shows_the_dataset_snapshot(page: Page, base_url: str, tmp_path: Path) -> None:
    root = render_digits(tmp_path / "digits", limit_per_class=3)
    pid = new_project(page, "E2E snapshot")
    upload(base_url, pid, [(f"{p.parent.name}/{p.name}", p) for p in sorted(root.glob("[012]/*.png"))])
    workflow = api(page, "POST", f"/api/projects/{pid}/workflows/from-template", {"template_id": "small-fast-320"})
    run = api(page, "POST", f"/api/workflows/{workflow['id']}/runs", {"epochs": 1})
    api(page, "POST", f"/api/runs/{run['id']}/cancel")  # the snapshot is fixed when the run is queued
    snapshot = api(page, "GET", f"/api/runs/{run['id']}/snapshot")

    page.goto(f"/projects/{pid}/runs/{run['id']}")
    card = page.get_by_test_id("snapshot-card")
    expect(card).to_have_attribute("data-hash", snapshot["snapshot_hash"])
    expect(card).to_contain_text(snapshot["snapshot_hash"][:12])
    expect(card.get_by_test_id("snapshot-totals")).to_contain_text(f"{snapshot['train']} train")
    expect(card.get_by_test_id("snapshot-class")).to_have_count(3)
    for name, counts in snapshot["per_class"].items():
        row = card.locator(f"[data-testid=snapshot-class][data-class='{name}']")
        expect(row).to_have_attribute("data-train", str(counts["train"]))
        expect(row).to_have_attribute("data-val", str(counts["val"]))
