"""A project's own menu: rename it, and delete it after typing its name."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_data_e2e import api, new_project

pytestmark = pytest.mark.browser


def test_rename_then_delete_a_project_from_its_menu(page: Page, artifacts: Path) -> None:
    pid = new_project(page, "E2E rename me")
    page.goto(f"/projects/{pid}/data")
    expect(page.get_by_test_id("project-name")).to_have_text("E2E rename me")

    page.get_by_test_id("project-menu").click()
    page.get_by_test_id("rename-project").click()
    page.get_by_test_id("project-name-input").fill("E2E renamed")
    page.get_by_test_id("rename-project-save").click()
    expect(page.get_by_test_id("project-name")).to_have_text("E2E renamed")
    assert api(page, "GET", f"/api/projects/{pid}")["name"] == "E2E renamed"

    page.get_by_test_id("project-menu").click()
    page.get_by_test_id("delete-project").click()
    confirm = page.get_by_test_id("delete-project-confirm")
    expect(confirm).to_be_disabled()  # until the name is typed
    page.get_by_test_id("delete-project-confirm-name").fill("E2E renamed")
    page.screenshot(path=str(artifacts / "project-delete.png"))
    confirm.click()
    expect(page.get_by_test_id("projects-table").or_(page.get_by_test_id("projects-empty"))).to_be_visible()
    expect(page.locator(f"[data-project-id='{pid}']")).to_have_count(0)
    assert page.request.get(f"/api/projects/{pid}").status == 404
