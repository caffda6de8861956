"""Editing without fear, in the browser: undo and redo of an add, a delete (the node and its edges come back and
are saved), a connection, a disconnection, a drag (one step) and a parameter typed in one field (one step); copy a
node in one workflow and paste it into another through the system clipboard; duplicate; the right-click menus."""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from . import test_editor_e2e as editor

pytestmark = [pytest.mark.browser]


def press(page: Page, keys: str) -> None:
    """A shortcut with the focus out of any field (in a field, Ctrl+Z is the field's own undo)."""
    page.evaluate("document.activeElement instanceof HTMLElement && document.activeElement.blur()")
    page.keyboard.press(keys)


def expect_graph(page: Page, nodes: int, edges: int) -> None:
    expect(page.locator("[data-testid=flow-node]")).to_have_count(nodes)
    expect(page.locator(".react-flow__edge")).to_have_count(edges)


def stored(page: Page, workflow_id: str) -> dict[str, Any]:
    editor.wait_saved(page)
    return editor.api(page, "GET", f"/api/workflows/{workflow_id}")["graph"]


def test_undo_redo_and_copy_paste_between_workflows(page: Page, artifacts: Path) -> None:
    nodes = editor.catalogue(page)
    dataset, augmentation, model = (editor.first_of(nodes, c) for c in ("dataset", "augmentation", "model"))
    project = editor.api(page, "POST", "/api/projects", {"name": "History e2e"})
    graph = editor.data_to_model_graph("First", dataset, model)
    first = editor.api(page, "POST", f"/api/projects/{project['id']}/workflows", {"graph": graph})
    second = editor.api(
        page,
        "POST",
        f"/api/projects/{project['id']}/workflows",
        {"graph": {"schema_version": 1, "name": "Second", "nodes": [], "edges": []}},
    )
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"/projects/{project['id']}/workflows/{first['id']}")
    expect_graph(page, 2, 1)
    expect(page.get_by_test_id("undo")).to_be_disabled()

    # Add (next to the selected node, spliced into the chain): one step, undone and redone.
    editor.select_node(page, "data")
    page.get_by_test_id("palette-search").fill(augmentation["title"])
    page.get_by_test_id("palette-search").press("Enter")
    expect_graph(page, 3, 2)
    aug_id = page.locator("[data-testid=flow-node]").nth(2).get_attribute("data-node-id") or ""
    press(page, "Control+z")
    expect_graph(page, 2, 1)
    press(page, "Control+Shift+z")
    expect_graph(page, 3, 2)
    press(page, "f")  # the add moved the model node right: bring everything into view

    # Delete a node with both its edges; undo brings all three back, and autosave stores them.
    editor.select_node(page, aug_id)
    press(page, "Delete")
    expect_graph(page, 2, 0)
    assert len(stored(page, first["id"])["nodes"]) == 2
    press(page, "Control+z")
    expect_graph(page, 3, 2)
    restored = stored(page, first["id"])
    assert {n["id"] for n in restored["nodes"]} == {"data", aug_id, "model"}
    assert len(restored["edges"]) == 2

    # Connect, then undo and redo (Ctrl+Y) the connection.
    press(page, "Control+y")
    expect_graph(page, 2, 0)
    editor.drag_edge(page, "data", dataset["outputs"][0]["name"], "model", model["inputs"][0]["name"])
    expect_graph(page, 2, 1)
    press(page, "Control+z")
    expect_graph(page, 2, 0)
    press(page, "Control+y")
    expect_graph(page, 2, 1)

    # Disconnect from the edge's right-click menu; undo reconnects.
    # (by the mouse at its middle: a level edge's box is 0 px high, which Playwright counts as not visible)
    middle = page.evaluate(
        """() => { const p = document.querySelector('.react-flow__edge path'); const l = p.getTotalLength();
        const m = p.getPointAtLength(l / 2).matrixTransform(p.getScreenCTM()); return {x: m.x, y: m.y}; }"""
    )
    page.mouse.click(middle["x"], middle["y"], button="right")
    page.get_by_test_id("menu-delete-edge").click()
    expect_graph(page, 2, 0)
    press(page, "Control+z")
    expect_graph(page, 2, 1)

    # A drag is one step, however many pixels it moves.
    wrapper = page.locator(".react-flow__node[data-id='data']")
    placed = wrapper.evaluate("e => getComputedStyle(e).transform")
    start = wrapper.locator(".vf-node-head").bounding_box()
    assert start
    page.mouse.move(start["x"] + 20, start["y"] + 10)
    page.mouse.down()
    page.mouse.move(start["x"] + 20, start["y"] + 130, steps=12)
    page.mouse.up()
    expect(wrapper).not_to_have_css("transform", placed)
    press(page, "Control+z")
    expect(wrapper).to_have_css("transform", placed)

    # Typing in one field is one step (the toolbar buttons leave the inspector open).
    editor.select_node(page, "model")
    imgsz = page.get_by_test_id("inspector").locator("#root_imgsz")
    before = imgsz.input_value()
    imgsz.select_text()
    imgsz.press_sequentially("96")
    expect(imgsz).to_have_value("96")
    page.get_by_test_id("undo").click()
    expect(imgsz).to_have_value(before)
    page.get_by_test_id("redo").click()
    expect(imgsz).to_have_value("96")
    assert next(n for n in stored(page, first["id"])["nodes"] if n["id"] == "model")["params"]["imgsz"] == 96

    # Copy the dataset node (Ctrl+C) and paste it into the second workflow (Ctrl+V): a fresh node there.
    editor.select_node(page, "data")
    press(page, "Control+c")
    expect(page.get_by_text("Copied 1 node")).to_be_visible()
    assert '"nodes"' in page.evaluate("navigator.clipboard.readText()")  # the system clipboard holds workflow JSON
    page.get_by_test_id("workflow-select").click()
    page.get_by_role("option", name="Second").click()
    expect(page.get_by_test_id("editor")).to_have_attribute("data-workflow-id", second["id"])
    expect_graph(page, 0, 0)
    press(page, "Control+v")
    expect_graph(page, 1, 0)
    pasted = page.locator("[data-testid=flow-node]").first
    expect(pasted).to_have_attribute("data-node-type", dataset["type"])
    # Duplicate (Ctrl+D), then delete the duplicate from its right-click menu.
    press(page, "Control+d")
    expect_graph(page, 2, 0)
    duplicate = page.locator("[data-testid=flow-node]").nth(1)
    duplicate.locator(".vf-node-head").click(button="right")
    expect(page.get_by_test_id("context-menu")).to_be_visible()
    page.screenshot(path=str(artifacts / "editor-context-menu.png"))
    page.get_by_test_id("menu-delete").click()
    expect_graph(page, 1, 0)
    # The canvas menu pastes where it was opened.
    page.get_by_test_id("canvas").locator(".react-flow__pane").click(button="right", position={"x": 500, "y": 400})
    page.get_by_test_id("menu-paste").click()
    expect_graph(page, 2, 0)
    # …and adds a node chosen from a searchable list, there too.
    page.get_by_test_id("canvas").locator(".react-flow__pane").click(button="right", position={"x": 500, "y": 600})
    page.get_by_test_id("menu-add-node").click()
    page.get_by_role("combobox", name="Node to add").fill(model["title"])
    page.get_by_role("option", name=model["title"], exact=True).click()
    expect_graph(page, 3, 0)
    types = [n["type"] for n in stored(page, second["id"])["nodes"]]
    assert types == [dataset["type"], dataset["type"], model["type"]]

    # Text that is not a workflow is refused with a reason.
    page.evaluate("navigator.clipboard.writeText('not a workflow')")
    press(page, "Control+v")
    expect(page.get_by_text("not JSON")).to_be_visible()
    expect_graph(page, 3, 0)
    page.screenshot(path=str(artifacts / "editor-history.png"))
    editor.api(page, "DELETE", f"/api/projects/{project['id']}")
