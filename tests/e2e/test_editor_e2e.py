"""The browser app end to end: build a workflow from the palette, fix what the server reports, train, watch it
live; start from a recommended workflow; reload a live run page without losing or doubling an event."""

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.train]

TRAINING_TIMEOUT_MS = 240_000


def api(page: Page, method: str, path: str, body: Any = None) -> Any:
    response = page.request.fetch(path, method=method, data=body)
    assert response.ok, f"{method} {path} -> {response.status} {response.text()}"
    return response.json() if response.status != 204 else None


def catalogue(page: Page) -> list[dict[str, Any]]:
    return api(page, "GET", "/api/nodes")


def first_of(nodes: list[dict[str, Any]], category: str) -> dict[str, Any]:
    candidates = [n for n in nodes if n["category"] == category]
    return sorted(candidates, key=lambda n: not n["recommended"])[0]


def data_to_model_graph(name: str, dataset: dict[str, Any], model: dict[str, Any]) -> dict[str, Any]:
    """A workflow document of two nodes, a dataset joined to a model, both with their defaults."""
    edge = {
        "id": "e1",
        "source": "data",
        "source_port": dataset["outputs"][0]["name"],
        "target": "model",
        "target_port": model["inputs"][0]["name"],
    }
    return {
        "schema_version": 1,
        "name": name,
        "nodes": [
            {"id": "data", "type": dataset["type"], "params": dataset["defaults"], "position": {"x": 0, "y": 0}},
            {"id": "model", "type": model["type"], "params": model["defaults"], "position": {"x": 320, "y": 0}},
        ],
        "edges": [edge],
    }


def digits_project(page: Page) -> dict[str, Any]:
    projects = api(page, "GET", "/api/projects")
    return max(projects, key=lambda p: p["labelled_count"])


def copy_labelled_images(
    base_url: str, source: dict[str, Any], target_id: str, classes: int = 3, per_class: int = 16
) -> None:
    """Give a new project a small labelled dataset, taken from the digits project through the API."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        source_classes = client.get(f"/api/projects/{source['id']}/classes").json()[:classes]
        for source_class in source_classes:
            target_class = client.post(f"/api/projects/{target_id}/classes", json={"name": source_class["name"]}).json()
            page_ = client.get(
                f"/api/projects/{source['id']}/assets", params={"class_id": source_class["id"], "limit": per_class}
            ).json()
            files = [
                (
                    "files",
                    (
                        f"{source_class['name']}-{a['filename']}",
                        client.get(f"/api/assets/{a['id']}/file").content,
                        "image/png",
                    ),
                )
                for a in page_["items"]
            ]
            report = client.post(f"/api/projects/{target_id}/assets", files=files)
            assert report.status_code == 201, report.text
            for asset in report.json()["imported"]:
                labelled = client.put(f"/api/assets/{asset['id']}/annotation", json={"class_id": target_class["id"]})
                assert labelled.status_code == 200, labelled.text


def node(page: Page, node_id: str):  # type: ignore[no-untyped-def]
    return page.locator(f"[data-testid=flow-node][data-node-id='{node_id}']")


def add_from_palette(page: Page, descriptor: dict[str, Any], x: int, y: int) -> str:
    """Drag a palette item onto the canvas; returns the id the editor gives the new node."""
    page.get_by_test_id("palette-search").fill(descriptor["title"])
    item = page.locator(f"[data-testid=palette-item][data-node-type='{descriptor['type']}']")
    before = page.locator("[data-testid=flow-node]").count()
    page.drag_and_drop(
        f"[data-testid=palette-item][data-node-type='{descriptor['type']}']",
        "[data-testid=canvas] .react-flow__pane",
        target_position={"x": x, "y": y},
    )
    expect(page.locator("[data-testid=flow-node]")).to_have_count(before + 1)
    page.get_by_test_id("palette-search").fill("")
    expect(item).to_be_visible()
    return page.locator("[data-testid=flow-node]").nth(before).get_attribute("data-node-id") or ""


def drag_edge(page: Page, source: str, source_port: str, target: str, target_port: str) -> None:
    start = node(page, source).get_by_test_id(f"handle-out-{source_port}").bounding_box()
    end = node(page, target).get_by_test_id(f"handle-in-{target_port}").bounding_box()
    assert start and end
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=15)
    page.mouse.up()


def select_node(page: Page, node_id: str) -> None:
    node(page, node_id).locator(".vf-node-head").click()
    expect(page.get_by_test_id("inspector")).to_have_attribute("data-node-id", node_id)


def wait_saved(page: Page) -> None:
    expect(page.get_by_test_id("save-status")).to_have_attribute("data-status", "saved", timeout=10_000)


def test_build_a_workflow_from_the_palette_and_train(page: Page, base_url: str, artifacts: Path) -> None:
    nodes = catalogue(page)
    dataset, augmentation, model = first_of(nodes, "dataset"), first_of(nodes, "augmentation"), first_of(nodes, "model")
    digits = digits_project(page)

    # A new project opens on the templates; start from an empty canvas.
    page.goto("/")
    page.get_by_test_id("new-project").click()
    page.get_by_test_id("project-name-input").fill("E2E project")
    page.get_by_test_id("create-project-submit").click()
    expect(page.get_by_test_id("templates")).to_be_visible()
    page.get_by_test_id("blank-workflow").click()
    expect(page.get_by_test_id("editor")).to_be_visible()
    workflow_id = page.get_by_test_id("editor").get_attribute("data-workflow-id")
    project_id = re.search(r"/projects/([^/]+)/", page.url).group(1)  # type: ignore[union-attr]

    data_id = add_from_palette(page, dataset, 120, 220)
    aug_id = add_from_palette(page, augmentation, 400, 220)
    model_id = add_from_palette(page, model, 680, 220)

    # The server says the model has no input: badge and red border on the node, a line in the issues panel.
    model_input = model["inputs"][0]["name"]
    expect(node(page, model_id)).to_have_attribute("data-severity", "error")
    expect(page.locator(f"[data-testid=issue-item][data-node-id='{model_id}'][data-code=missing_input]")).to_have_count(
        1
    )

    out_port = dataset["outputs"][0]["name"]
    drag_edge(page, data_id, out_port, aug_id, augmentation["inputs"][0]["name"])
    drag_edge(page, aug_id, augmentation["outputs"][0]["name"], model_id, model_input)
    expect(page.locator(".react-flow__edge")).to_have_count(2)
    # A second edge into a single-input port is refused while dragging.
    drag_edge(page, data_id, out_port, model_id, model_input)
    expect(page.locator(".react-flow__edge")).to_have_count(2)
    expect(page.locator(f"[data-testid=issue-item][data-node-id='{model_id}'][data-code=missing_input]")).to_have_count(
        0
    )

    # Parameters in the inspector: an invalid input size is explained on the field and blocks training.
    select_node(page, model_id)
    imgsz = page.get_by_test_id("inspector").locator("#root_imgsz")
    imgsz.fill("33")
    expect(imgsz).to_have_attribute("aria-invalid", "true")
    field_error = page.get_by_test_id("inspector").locator(".mantine-InputWrapper-error")
    expect(field_error).to_have_count(1)
    expect(node(page, model_id)).to_have_attribute("data-severity", "error")
    expect(page.get_by_test_id("run-training")).to_be_disabled()
    expect(page.get_by_test_id("run-disabled-reason")).to_contain_text("32")
    imgsz.fill("32")
    expect(field_error).to_have_count(0)
    expect(imgsz).not_to_have_attribute("aria-invalid", "true")

    # The new project has no images yet: the dataset node says so. Give it some, and the error goes.
    expect(node(page, data_id)).to_have_attribute("data-severity", "error")
    copy_labelled_images(base_url, digits, project_id)
    select_node(page, data_id)
    page.get_by_test_id("inspector").locator("#root_val_fraction").fill("0.25")
    expect(page.get_by_test_id("issues-panel")).to_have_attribute("data-errors", "0", timeout=10_000)
    expect(page.get_by_test_id("run-training")).to_be_enabled()
    wait_saved(page)
    stored = api(page, "GET", f"/api/workflows/{workflow_id}")["graph"]
    params = {n["id"]: n["params"] for n in stored["nodes"]}
    assert params[model_id]["imgsz"] == 32
    assert params[data_id]["val_fraction"] == 0.25
    assert len(stored["edges"]) == 2
    page.get_by_test_id("canvas").click(position={"x": 500, "y": 600})
    page.screenshot(path=str(artifacts / "editor.png"))

    # Run Training: 1 epoch at 32 px, then watch it live.
    page.get_by_test_id("run-training").click()
    settings = page.get_by_role("dialog")
    settings.locator("#root_epochs").fill("1")
    settings.get_by_test_id("start-training").click()
    expect(page).to_have_url(re.compile(r"/runs/[^/]+$"))
    expect(page.get_by_test_id("chart-metrics")).not_to_have_attribute("data-points", "0", timeout=TRAINING_TIMEOUT_MS)
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "succeeded", timeout=TRAINING_TIMEOUT_MS)
    expect(page.get_by_test_id("chart-loss")).not_to_have_attribute("data-points", "0")
    expect(page.get_by_test_id("confusion-matrix").locator("td").first).to_be_visible()
    expect(page.get_by_test_id("artifact-link").first).to_be_visible()
    page.screenshot(path=str(artifacts / "run.png"), full_page=True)


def test_recommended_workflow_in_one_click_validates(page: Page, artifacts: Path) -> None:
    digits = digits_project(page)
    templates = api(page, "GET", "/api/templates")
    assert templates
    page.set_viewport_size({"width": 1280, "height": 800})  # a laptop's window: the canvas is 720 px wide
    page.goto(f"/projects/{digits['id']}/workflows/new")
    card = page.get_by_test_id("template-card").first
    template_id = card.get_attribute("data-template-id")
    card.click()
    expect(page).to_have_url(re.compile(r"/workflows/(?!new)[^/]+$"))
    template = next(t for t in templates if t["id"] == template_id)
    expect(page.locator("[data-testid=flow-node]")).to_have_count(len(template["graph"]["nodes"]))
    expect(page.locator(".react-flow__edge")).to_have_count(len(template["graph"]["edges"]))
    expect(page.get_by_test_id("validation-status")).to_have_attribute("data-state", "done")
    expect(page.get_by_test_id("issues-panel")).to_have_attribute("data-errors", "0")
    expect(page.get_by_test_id("run-training")).to_be_enabled()
    wait_saved(page)
    page.screenshot(path=str(artifacts / "editor-template.png"))

    # Readable on open: title and parameter text at least 11 px on screen, the start of the pipeline in view, and
    # the issues panel (docked under the canvas) over no node.
    view = canvas_geometry(page)
    assert view["titles"] == len(template["graph"]["nodes"])
    assert min(view["fonts"]) * view["zoom"] >= 11, view
    first = min(view["nodes"].values(), key=lambda b: b["x"])
    assert view["canvas"]["x"] <= first["x"] and first["y"] + first["height"] <= view["canvas"]["bottom"], view
    assert not [i for i, b in view["nodes"].items() if overlap(clip(b, view["canvas"]), view["issues"])], view

    # Two nodes added from the palette (double-click) land where they overlap no node.
    augmentations = [n for n in catalogue(page) if n["category"] == "augmentation"]
    augmentation = min(augmentations, key=lambda n: len(n["params_schema"].get("properties", {})))  # quick to draw
    item = page.locator(f"[data-testid=palette-item][data-node-type='{augmentation['type']}']")
    for count in (1, 2):
        item.dblclick()
        expect(page.locator("[data-testid=flow-node]")).to_have_count(len(template["graph"]["nodes"]) + count)
    added = canvas_geometry(page)["nodes"]
    new_ids = set(added) - {n["id"] for n in template["graph"]["nodes"]}
    assert len(new_ids) == 2
    assert not [(i, j) for i in new_ids for j in added if i != j and overlap(added[i], added[j])], added
    page.screenshot(path=str(artifacts / "editor-readable.png"))
    # Undo both: the workflow is stored valid again, as other tests of the session may train the digits project's
    # workflows (two unconnected augmentations are an error: "Connect something to images").
    for count in (1, 0):
        page.keyboard.press("Control+z")
        expect(page.locator("[data-testid=flow-node]")).to_have_count(len(template["graph"]["nodes"]) + count)
    wait_saved(page)
    expect(page.get_by_test_id("issues-panel")).to_have_attribute("data-errors", "0")


CANVAS_GEOMETRY = """() => {
  const box = (e) => { const r = e.getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width, height: r.height,
    bottom: r.bottom, right: r.right}; };
  const nodes = {};
  for (const n of document.querySelectorAll('[data-testid=flow-node]')) nodes[n.dataset.nodeId] = box(n);
  const texts = [...document.querySelectorAll('.vf-node-title, .vf-node-id, .vf-node-param, .vf-port-label, .vf-node-note')];
  return {
    zoom: new DOMMatrix(getComputedStyle(document.querySelector('.react-flow__viewport')).transform).a,
    fonts: texts.map((t) => parseFloat(getComputedStyle(t).fontSize)),
    titles: document.querySelectorAll('.vf-node-title').length,
    canvas: box(document.querySelector('[data-testid=canvas] .react-flow')),
    issues: box(document.querySelector('[data-testid=issues-panel]')),
    nodes,
  };
}"""


def canvas_geometry(page: Page) -> dict[str, Any]:
    """Screen boxes of the nodes, the canvas and the issues panel; the zoom; the font sizes of every text in the nodes."""
    return page.evaluate(CANVAS_GEOMETRY)


def clip(box: dict[str, float], to: dict[str, float]) -> dict[str, float]:
    """The part of a node's box the canvas shows (it hides what lies outside it)."""
    x, y = max(box["x"], to["x"]), max(box["y"], to["y"])
    right, bottom = min(box["x"] + box["width"], to["right"]), min(box["y"] + box["height"], to["bottom"])
    return {"x": x, "y": y, "width": max(0.0, right - x), "height": max(0.0, bottom - y)}


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    if not (a["width"] and a["height"] and b["width"] and b["height"]):
        return False
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def test_reloading_a_live_run_loses_and_doubles_nothing(page: Page, artifacts: Path) -> None:
    digits = digits_project(page)
    workflows = api(page, "GET", f"/api/projects/{digits['id']}/workflows")
    smallest = min(workflows, key=lambda w: max(n["params"].get("imgsz", 0) for n in w["graph"]["nodes"]))
    run = api(page, "POST", f"/api/workflows/{smallest['id']}/runs", {"epochs": 2})

    page.goto(f"/projects/{digits['id']}/runs/{run['id']}")
    events = page.get_by_test_id("run-events")
    expect(page.get_by_test_id("chart-loss")).not_to_have_attribute("data-points", "0", timeout=TRAINING_TIMEOUT_MS)
    assert events.get_attribute("data-finished") == "false", "the run ended before the reload; make it longer"
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url) if "/ws/runs/" in ws.url else None)  # not the bell's
    page.reload()
    expect(page.get_by_test_id("run-status")).to_have_attribute(
        "data-status", re.compile("succeeded|failed|cancelled|interrupted"), timeout=TRAINING_TIMEOUT_MS
    )
    expect(events).to_have_attribute("data-finished", "true")
    # The reloaded page resumed from the events it had already seen instead of replaying them all.
    assert sockets and re.search(r"[?&]after=\d+", sockets[0]), sockets

    stored = api(page, "GET", f"/api/runs/{run['id']}/events?after=-1")
    seqs = [e["seq"] for e in stored]
    assert seqs == list(range(len(seqs)))
    expect(events).to_have_attribute("data-count", str(len(stored)))
    expect(events).to_have_attribute("data-last-seq", str(seqs[-1]))
    expect(events).to_have_attribute("data-dense", "true")
    batches = sum(e["type"] == "batch" for e in stored)
    evaluations = sum(e["type"] == "evaluation" and not e["data"].get("final") for e in stored)
    expect(page.get_by_test_id("chart-metrics")).to_have_attribute("data-points", str(evaluations))
    expect(page.get_by_test_id("chart-lr")).to_have_attribute("data-points", str(batches))
    assert page.get_by_test_id("run-status").get_attribute("data-status") == "succeeded"
    page.screenshot(path=str(artifacts / "run-after-reload.png"), full_page=True)


def test_a_failed_save_keeps_the_changes_and_delete_removes_nodes(page: Page) -> None:
    digits = digits_project(page)
    template = api(page, "GET", "/api/templates")[0]
    workflow = api(
        page, "POST", f"/api/projects/{digits['id']}/workflows/from-template", {"template_id": template["id"]}
    )
    types = {n["type"]: n for n in catalogue(page)}
    graph_nodes = workflow["graph"]["nodes"]
    model_id = next(n["id"] for n in graph_nodes if types[n["type"]]["category"] == "model")
    augment_id = next(n["id"] for n in graph_nodes if types[n["type"]]["category"] == "augmentation")
    page.goto(f"/projects/{digits['id']}/workflows/{workflow['id']}")
    wait_saved(page)

    def refuse_saves(route):  # type: ignore[no-untyped-def]
        if route.request.method == "PUT":
            route.fulfill(status=500, content_type="application/json", body='{"detail": "The disk is full."}')
        else:
            route.continue_()

    page.route("**/api/workflows/*", refuse_saves)
    select_node(page, model_id)
    page.get_by_test_id("inspector").locator("#root_imgsz").fill("64")
    expect(page.get_by_test_id("save-status")).to_have_attribute("data-status", "error", timeout=10_000)
    expect(page.get_by_test_id("save-retry")).to_be_visible()
    expect(node(page, model_id)).to_contain_text("64")
    assert api(page, "GET", f"/api/workflows/{workflow['id']}")["graph"] == workflow["graph"]

    page.unroute("**/api/workflows/*")
    page.get_by_test_id("save-retry").click()
    wait_saved(page)
    stored = api(page, "GET", f"/api/workflows/{workflow['id']}")["graph"]
    assert next(n for n in stored["nodes"] if n["id"] == model_id)["params"]["imgsz"] == 64

    # Delete removes the selected node and its edges; autosave stores that too.
    select_node(page, augment_id)
    page.get_by_test_id("canvas").locator(".react-flow__pane").focus()
    page.keyboard.press("Delete")
    expect(node(page, augment_id)).to_have_count(0)
    expect(page.locator("[data-testid=issue-item][data-code=missing_input]")).not_to_have_count(0)
    wait_saved(page)
    stored = api(page, "GET", f"/api/workflows/{workflow['id']}")["graph"]
    assert augment_id not in {n["id"] for n in stored["nodes"]}
    assert all(augment_id not in (e["source"], e["target"]) for e in stored["edges"])
    api(page, "DELETE", f"/api/workflows/{workflow['id']}")
