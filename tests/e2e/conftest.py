"""Browser fixtures: Debian's Chromium driven by Python Playwright against a real server.

The server is the session `live_server` (tests/conftest.py: `visionflow serve` on a temp data dir with the
digits demo). Set VISIONFLOW_E2E_URL to point the tests at another running instance instead (for example a
`vite preview` that proxies /api and /ws to a server), which helps while working on the frontend.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def base_url(request: pytest.FixtureRequest) -> str:
    override = os.environ.get("VISIONFLOW_E2E_URL")
    if override:
        return override.rstrip("/")
    if not (Path(__file__).resolve().parents[2] / "frontend" / "dist" / "index.html").is_file():
        pytest.fail("frontend/dist is not built: `make test` builds it (cd frontend && npm ci && npm run build)")
    return request.getfixturevalue("live_server").url


@pytest.fixture(scope="module")  # not the session: sync Playwright's event loop would outlive the browser tests
def browser() -> Iterator[object]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed: `make test` installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, base_url: str) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=base_url, viewport={"width": 1440, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
