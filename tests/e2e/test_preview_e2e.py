"""The augmentation preview in the browser: on an augmentation node of the demo project's workflow the inspector shows
its images before and after the node and as the model gets them; a re-roll draws new ones."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_editor_e2e import api, catalogue, digits_project, select_node, wait_saved

pytestmark = [pytest.mark.browser]


def test_the_inspector_previews_an_augmentation_on_the_projects_images(page: Page, artifacts: Path) -> None:
    digits = digits_project(page)
    template = api(page, "GET", "/api/templates")[0]
    workflow = api(
        page, "POST", f"/api/projects/{digits['id']}/workflows/from-template", {"template_id": template["id"]}
    )
    types = {n["type"]: n for n in catalogue(page)}
    augment_id = next(n["id"] for n in workflow["graph"]["nodes"] if types[n["type"]]["category"] == "augmentation")
    page.goto(f"/projects/{digits['id']}/workflows/{workflow['id']}")
    wait_saved(page)
    select_node(page, augment_id)

    panel = page.get_by_test_id("preview-panel")
    panel.get_by_test_id("preview-toggle").click()
    expect(panel).to_have_attribute("data-state", "ready", timeout=30_000)  # the first asks start the worker
    expect(panel.get_by_test_id("preview-sample")).to_have_count(4)
    expect(panel.get_by_test_id("preview-image")).to_have_count(12)
    first = panel.get_by_test_id("preview-image").first.get_attribute("src")
    assert first and first.startswith("data:image/")
    assert page.evaluate("img => img.naturalWidth", panel.get_by_test_id("preview-image").first.element_handle()) > 0

    panel.get_by_test_id("preview-reroll").click()
    expect(panel).to_have_attribute("data-seed", "1")
    expect(panel).to_have_attribute("data-state", "ready")
    expect(panel.get_by_test_id("preview-image").first).not_to_have_attribute("src", first)
    page.mouse.move(0, 0)  # no tooltip over the strip
    panel.screenshot(path=str(artifacts / "augmentation-preview.png"))
