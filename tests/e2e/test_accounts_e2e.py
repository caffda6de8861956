"""Accounts in the browser, on a server of its own with accounts on: the login page (a wrong password says so, the
right one opens the projects, the page asked for is kept), writes from a login session (the CSRF token on fetches
and on the upload's XHR), logging out, and a viewer who opens a project and finds no way to change it.

Users are written straight into the database with an API token each (tests/api/accounts.py): the setup calls as
them through the API, and only the browser logs in (each login checks an Argon2 hash)."""

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from backend.settings import Settings
from tests.api.accounts import PASSWORD, TestUser, add_user
from tests.conftest import TEST_CLIENT_HOSTS, LiveServer

pytestmark = [pytest.mark.browser]

ADMIN_PASSWORD = "admin-password-e2e"
VIEWER_REASON = "Viewers can look but not change this project"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    if not (Path(__file__).resolve().parents[2] / "frontend" / "dist" / "index.html").is_file():
        pytest.fail("frontend/dist is not built: `make test` builds it (cd frontend && npm ci && npm run build)")
    live = LiveServer(
        tmp_path_factory.mktemp("accounts") / "data", seed_demo=False, auth=True, admin_password=ADMIN_PASSWORD
    )
    yield live
    live.stop()


@pytest.fixture(scope="module")
def users(server: LiveServer) -> dict[str, TestUser]:
    settings = Settings(data_dir=server.data_dir, allowed_hosts=TEST_CLIENT_HOSTS, auth=True)
    return {"boss": add_user(settings, "boss", is_admin=True), "vera": add_user(settings, "vera")}


@pytest.fixture
def base_url(server: LiveServer) -> str:  # the e2e conftest's `page` opens this server, not the shared one
    return server.url


def call(server: LiveServer, who: TestUser, method: str, path: str, **kwargs: Any) -> Any:
    response = httpx.request(method, f"{server.url}{path}", headers=who.headers, timeout=30, **kwargs)
    assert response.is_success, f"{method} {path} -> {response.status_code} {response.text}"
    return response.json() if response.status_code != 204 else None


def png(shade: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), (shade, shade, shade)).save(buffer, format="PNG")
    return buffer.getvalue()


def log_in(page: Page, name: str, password: str) -> None:
    page.get_by_test_id("login-name").fill(name)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()


def test_log_in_write_and_log_out(page: Page, server: LiveServer, tmp_path: Path) -> None:
    page.goto("/")
    expect(page.get_by_test_id("login-page")).to_be_visible()

    log_in(page, "admin", "not-the-password")
    expect(page.get_by_test_id("login-error")).to_have_text("Wrong user name or password.")
    expect(page.get_by_test_id("login-page")).to_be_visible()

    log_in(page, "admin", ADMIN_PASSWORD)
    expect(page.get_by_test_id("new-project")).to_be_visible()
    expect(page.get_by_test_id("user-menu")).to_have_text("admin")

    # Writes from the login session carry its CSRF token: a fetch (create the project, preview the upload) and
    # the upload's XMLHttpRequest.
    page.get_by_test_id("new-project").click()
    page.get_by_test_id("project-name-input").fill("Admin's project")
    page.get_by_test_id("create-project-submit").click()
    expect(page.get_by_test_id("project-name")).to_have_text("Admin's project")
    page.get_by_test_id("nav-data").click()
    photos = tmp_path / "photos"
    photos.mkdir()
    for shade in (10, 200):
        (photos / f"{shade}.png").write_bytes(png(shade))
    page.get_by_test_id("folder-input").set_input_files(str(photos))
    expect(page.get_by_test_id("upload-confirm").get_by_test_id("layout-preview")).to_have_text(
        "The 2 image file(s) arrive unlabelled."  # the server's preview came back: a flat folder is unlabelled
    )
    page.get_by_test_id("upload-confirm-submit").click()
    expect(page.get_by_test_id("upload-status")).to_have_attribute("data-phase", "done")
    expect(page.get_by_test_id("upload-imported")).to_have_text("2 imported")

    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("login-page")).to_be_visible()
    # The session is gone on the server too, not only in the page.
    assert page.request.get("/api/projects").status == 401


def test_viewer_sees_no_way_to_change_the_project(
    page: Page, server: LiveServer, users: dict[str, TestUser], artifacts: Path
) -> None:
    boss, vera = users["boss"], users["vera"]
    pid = call(server, boss, "POST", "/api/projects", json={"name": "Shared"})["id"]
    cat = call(server, boss, "POST", f"/api/projects/{pid}/classes", json={"name": "cat"})
    call(server, boss, "POST", f"/api/projects/{pid}/assets", files=[("files", ("a.png", png(50), "image/png"))])
    call(
        server,
        boss,
        "POST",
        f"/api/projects/{pid}/workflows",
        json={"graph": {"schema_version": 1, "name": "Flow", "nodes": [], "edges": []}},
    )
    call(server, boss, "PUT", f"/api/projects/{pid}/members/{vera.id}", json={"role": "viewer"})

    # Logging in lands on the page that was asked for.
    page.goto(f"/projects/{pid}/data")
    log_in(page, "vera", PASSWORD)
    expect(page.get_by_test_id("data-page")).to_be_visible()
    expect(page.get_by_test_id("my-role")).to_have_text("viewer")
    expect(page.get_by_test_id("asset-tile")).to_have_count(1)

    # No upload, no class editing, no CSV import, no label or delete for a selection.
    expect(page.get_by_test_id("csv-import")).to_be_disabled()
    for absent in ("dropzone", "pick-files", "new-class-input"):
        expect(page.get_by_test_id(absent)).to_have_count(0)
    expect(page.get_by_role("button", name="Actions for cat")).to_have_count(0)
    page.get_by_test_id("asset-tile").click()
    expect(page.get_by_test_id("selection-count")).to_contain_text(VIEWER_REASON)
    expect(page.get_by_test_id("assign-class")).to_have_count(0)
    expect(page.get_by_test_id("delete-selection")).to_have_count(0)
    page.screenshot(path=artifacts / "accounts-viewer-data.png")

    # The annotator shows the image, but its keys and clicks write nothing: the page does not even try (the server
    # would refuse a viewer's write anyway, so the requests the page sends are what shows the UI's own guard).
    writes: list[str] = []
    page.on("request", lambda r: writes.append(f"{r.method} {r.url}") if r.method not in ("GET", "HEAD") else None)
    page.get_by_test_id("asset-tile").dblclick()
    expect(page.get_by_test_id("annotator-image")).to_be_visible()
    expect(page.get_by_test_id("annotator-read-only")).to_have_text(VIEWER_REASON)
    page.keyboard.press(cat["hotkey"])
    page.get_by_test_id("annotator-classes").get_by_test_id("class-row").first.locator("button").first.click()
    page.wait_for_timeout(300)
    assert [a["class_id"] for a in call(server, boss, "GET", f"/api/projects/{pid}/assets")["items"]] == [None]
    assert writes == []

    # The workflow opens read only: no palette, no save, and Run Training is disabled and says why.
    page.get_by_test_id("nav-workflow").click()
    expect(page.get_by_test_id("editor")).to_be_visible()
    expect(page.get_by_test_id("workflow-read-only")).to_be_visible()
    expect(page.get_by_test_id("run-training")).to_be_disabled()
    for absent in ("save-now", "new-workflow", "palette-search"):
        expect(page.get_by_test_id(absent)).to_have_count(0)
    page.get_by_test_id("run-training").locator("..").hover()
    expect(page.get_by_role("tooltip")).to_have_text(VIEWER_REASON)
    page.screenshot(path=artifacts / "accounts-viewer-editor.png")

    # The members dialog is a read-only list.
    page.get_by_test_id("members-button").click()
    dialog = page.get_by_test_id("members-dialog")
    expect(dialog.get_by_test_id("member-row")).to_have_count(2)
    expect(dialog.get_by_test_id("add-member")).to_have_count(0)
