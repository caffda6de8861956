"""Importing a workflow JSON in the browser: an exported workflow with a node of a type this server lacks, picked
with "Import JSON…", opens as a new workflow whose issues panel names the unknown node; the same file dropped on the
canvas opens another (an image dropped there is refused with the reason); "Duplicate workflow" opens a copy; the
new-workflow page's "Import a workflow JSON" imports too."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from . import test_editor_e2e as editor

pytestmark = [pytest.mark.browser]

DROP_FILE = """([name, type, text]) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([text], name, { type }));
    return transfer;
}"""


def drop_on_canvas(page: Page, name: str, mime: str, text: str) -> None:
    """A file dragged from the computer onto the canvas: over it first (the canvas lights up), then dropped."""
    transfer = page.evaluate_handle(DROP_FILE, [name, mime, text])
    canvas = page.get_by_test_id("canvas")
    canvas.dispatch_event("dragover", {"dataTransfer": transfer})
    expect(page.get_by_test_id("file-drop-hint")).to_be_visible()
    canvas.dispatch_event("drop", {"dataTransfer": transfer})
    expect(page.get_by_test_id("file-drop-hint")).to_have_count(0)


def expect_opened(page: Page, name: str, nodes: int) -> None:
    expect(page.get_by_test_id("workflow-name")).to_have_value(name)
    expect(page.locator("[data-testid=flow-node]")).to_have_count(nodes)


def test_import_a_file_drop_it_on_the_canvas_and_duplicate(page: Page, artifacts: Path, tmp_path: Path) -> None:
    nodes = editor.catalogue(page)
    dataset, model = editor.first_of(nodes, "dataset"), editor.first_of(nodes, "model")
    project = editor.api(page, "POST", "/api/projects", {"name": "Import e2e"})
    graph = editor.data_to_model_graph("Imported flow", dataset, model)
    source = editor.api(page, "POST", f"/api/projects/{project['id']}/workflows", {"graph": graph})
    exported = editor.api(page, "GET", f"/api/workflows/{source['id']}")["graph"]  # what "Export JSON" downloads
    glow = {"id": "glow", "type": "custom.glow_v9", "params": {"p": 1}, "position": {"x": 160, "y": 200}}
    document = json.dumps({**exported, "nodes": [*exported["nodes"], glow]})
    file = tmp_path / "flow.json"
    file.write_text(document)

    page.goto(f"/projects/{project['id']}/workflows/{source['id']}")
    expect_opened(page, "Imported flow", 2)
    page.get_by_test_id("editor-more").click()
    with page.expect_file_chooser() as chooser:
        page.get_by_test_id("menu-import-json").click()
    chooser.value.set_files(str(file))
    expect_opened(page, "Imported flow (2)", 3)
    first = page.get_by_test_id("editor").get_attribute("data-workflow-id")
    assert first != source["id"]
    expect(page.get_by_text("1 node of unknown type: glow (custom.glow_v9)")).to_be_visible()
    unknown = page.locator("[data-testid=issue-item][data-code=unknown_node_type]")
    expect(unknown).to_have_attribute("data-node-id", "glow")
    expect(unknown).to_contain_text("custom.glow_v9")
    page.screenshot(path=str(artifacts / "import-json.png"))

    # An image dropped on the canvas is refused; the workflow file dropped there opens as another new workflow.
    drop_on_canvas(page, "cat.png", "image/png", "not a workflow")
    expect(page.get_by_text("Only workflow JSON files can be dropped here")).to_be_visible()
    drop_on_canvas(page, "flow.json", "application/json", document)
    expect_opened(page, "Imported flow (3)", 3)
    assert page.get_by_test_id("editor").get_attribute("data-workflow-id") not in (first, source["id"])

    page.get_by_test_id("editor-more").click()
    page.get_by_test_id("menu-duplicate-workflow").click()
    expect_opened(page, "Imported flow (4)", 3)
    expect(page.get_by_text("Duplicated as “Imported flow (4)”")).to_be_visible()
    page.screenshot(path=str(artifacts / "import-drop-duplicate.png"))

    # The new-workflow page imports too.
    page.goto(f"/projects/{project['id']}/workflows/new")
    expect(page.get_by_test_id("import-workflow")).to_be_visible()
    page.get_by_test_id("import-input").set_input_files(str(file))
    expect_opened(page, "Imported flow (5)", 3)
    names = {w["name"] for w in editor.api(page, "GET", f"/api/projects/{project['id']}/workflows")}
    assert names == {"Imported flow", *(f"Imported flow ({n})" for n in range(2, 6))}
    editor.api(page, "DELETE", f"/api/projects/{project['id']}")
