"""Workflow versions in the browser: three saves make three versions (the second adds a node, the third changes a
parameter); the Versions drawer names one; the diff against the current graph marks the added node green and the
changed one amber with "Input size (px): 224 → 320"; restoring the first version from the drawer puts its graph in
the open editor at once, as one new version (the editor's own save of the restored graph makes none)."""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from . import test_editor_e2e as editor

pytestmark = [pytest.mark.browser]


def edge(
    edge_id: str, source: dict[str, Any], source_id: str, target: dict[str, Any], target_id: str
) -> dict[str, Any]:
    return {
        "id": edge_id,
        "source": source_id,
        "source_port": source["outputs"][0]["name"],
        "target": target_id,
        "target_port": target["inputs"][0]["name"],
    }


def test_versions_name_diff_and_restore(page: Page, artifacts: Path) -> None:
    nodes = editor.catalogue(page)
    dataset, augmentation, model = (editor.first_of(nodes, c) for c in ("dataset", "augmentation", "model"))
    project = editor.api(page, "POST", "/api/projects", {"name": "Versions e2e"})
    data_node = {"id": "data", "type": dataset["type"], "params": dataset["defaults"], "position": {"x": 0, "y": 0}}
    model_node = {
        "id": "model",
        "type": model["type"],
        "params": {**model["defaults"], "imgsz": 224},
        "position": {"x": 640, "y": 0},
    }
    aug_node = {
        "id": "aug",
        "type": augmentation["type"],
        "params": augmentation["defaults"],
        "position": {"x": 320, "y": 0},
    }
    first = {
        "schema_version": 1,
        "name": "Versioned",
        "nodes": [data_node, model_node],
        "edges": [edge("e1", dataset, "data", model, "model")],
    }
    workflow = editor.api(page, "POST", f"/api/projects/{project['id']}/workflows", {"graph": first})
    wid = workflow["id"]
    added = {
        **first,
        "nodes": [data_node, aug_node, model_node],
        "edges": [edge("e1", dataset, "data", augmentation, "aug"), edge("e2", augmentation, "aug", model, "model")],
    }
    editor.api(page, "PUT", f"/api/workflows/{wid}", {"graph": added})
    changed = {
        **added,
        "nodes": [data_node, aug_node, {**model_node, "params": {**model_node["params"], "imgsz": 320}}],
    }
    editor.api(page, "PUT", f"/api/workflows/{wid}", {"graph": changed})

    page.goto(f"/projects/{project['id']}/workflows/{wid}")
    expect(page.get_by_test_id("flow-node")).to_have_count(3)
    page.get_by_test_id("versions-open").click()
    rows = page.get_by_test_id("version-row")
    expect(rows).to_have_count(3)
    expect(rows.first).to_have_attribute("data-version-number", "3")
    expect(rows.first).to_contain_text("current")
    page.screenshot(path=str(artifacts / "versions-drawer.png"))

    # Name version 1 in place; Enter saves the name.
    oldest = page.locator("[data-testid=version-row][data-version-number='1']")
    with page.expect_response(lambda r: r.request.method == "PATCH" and "/versions/" in r.url) as named:
        oldest.get_by_test_id("version-name").fill("baseline")
        oldest.get_by_test_id("version-name").press("Enter")
    assert named.value.ok

    # Compare it with the current graph: the added node green, the changed one amber with its parameter old → new.
    oldest.get_by_test_id("version-compare-current").click()
    expect(page.get_by_test_id("version-page")).to_be_visible()
    expect(page.locator(".react-flow__node.vf-diff-added [data-node-id=aug]")).to_have_count(1)
    expect(page.locator(".react-flow__node.vf-diff-changed [data-node-id=model]")).to_have_count(1)
    expect(page.locator(".react-flow__node.vf-diff-unchanged [data-node-id=data]")).to_have_count(1)
    expect(page.get_by_test_id("diff-panel")).to_contain_text("Changes from v1 “baseline” to v3")
    expect(page.get_by_test_id("param-change")).to_have_text(["Input size (px): 224 → 320"])
    expect(page.locator(".react-flow__edge.vf-diff-removed")).to_have_count(1)
    page.screenshot(path=str(artifacts / "versions-diff.png"))
    page.locator("[data-testid=diff-change][data-node-id=model]").click()
    expect(page.locator(".react-flow__node.selected [data-node-id=model]")).to_have_count(1)

    # Back in the editor, restore version 1 from the drawer: its graph is on the canvas at once and saved.
    page.get_by_test_id("back-to-editor").click()
    expect(page.get_by_test_id("flow-node")).to_have_count(3)
    page.get_by_test_id("versions-open").click()
    page.locator("[data-testid=version-row][data-version-number='1']").get_by_test_id("version-restore").click()
    page.get_by_test_id("confirm-restore").click()
    expect(page.get_by_test_id("flow-node")).to_have_count(2)
    expect(page.locator("[data-testid=flow-node][data-node-id=aug]")).to_have_count(0)
    editor.wait_saved(page)
    stored = editor.api(page, "GET", f"/api/workflows/{wid}")["graph"]
    assert [n["id"] for n in stored["nodes"]] == ["data", "model"]
    assert stored["nodes"][1]["params"]["imgsz"] == 224
    versions = editor.api(page, "GET", f"/api/workflows/{wid}/versions")
    assert [(v["number"], v["name"]) for v in versions] == [(4, None), (3, None), (2, None), (1, "baseline")]
