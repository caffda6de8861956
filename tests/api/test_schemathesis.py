"""schemathesis against the app's own OpenAPI schema (`/schema/openapi.json`): every operation, with generated valid
and invalid requests, must answer without a 5xx and with a status, content type and body the schema documents;
with accounts on, as a logged-in user (an administrator, then a viewer of the seeded project, both by API token) and
as nobody (every `/api` operation but the login and `GET /api/auth/config` must answer 401).

Bounded and deterministic: `derandomize` (the same cases every run), a few examples per operation, no example
database, no shrinking. Path ids are real ones (a seeded project, class, asset, workflow, run and user) in half the
cases, so routes get past their 404. Deletes run last. Runs start on the fake runner (tests/fakes/runner.py): no
worker process is spawned. Nothing is excluded: weights uploads are refused before any check process unless they
are a zip (junk never is), predictions need trained weights (the fake run has none: 409), and the official-weights
download points at a closed port."""

import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import strategies as st
from litestar import Litestar
from PIL import Image
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode
from schemathesis.python import asgi

from backend.app import create_app
from tests.api.accounts import TestUser, add_user, auth_settings
from tests.conftest import DATA, MODEL, TEST_CLIENT_HOSTS, chain
from tests.fakes.runner import FakeRunner

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
CONFIG = {"generation": {"deterministic": True, "database": "none"}}
NO_CALLER_NEEDED = {"/api/auth/config", "/api/auth/login"}
BASE = f"http://{asgi.HOST}"


def png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="PNG")
    return buffer.getvalue()


# One app per test: schemathesis' pytest plugin ends every ASGI lifespan it started when a test ends.
@pytest.fixture
def app(tmp_path: Path) -> Iterator[Litestar]:
    settings = auth_settings(tmp_path / "data").model_copy(
        update={
            "allowed_hosts": [*TEST_CLIENT_HOSTS, asgi.HOST],
            "weights_release_url": "http://127.0.0.1:9/releases",  # nothing listens: 503 at once, never the network
            "login_attempts_per_minute": 1000,  # generated logins are checked, not rate-limited (test_rate_limits.py)
        }
    )
    app = create_app(settings, runner=FakeRunner())
    yield app
    asgi.shutdown_lifespans()  # schemathesis started the app's lifespan, in its own loop


@pytest.fixture
def users(app: Litestar) -> dict[str, TestUser]:
    settings = app.state.settings
    return {"admin": add_user(settings, "sch-admin", is_admin=True), "viewer": add_user(settings, "sch-viewer")}


@pytest.fixture
def seeded_ids(app: Litestar, users: dict[str, TestUser]) -> dict[str, str]:
    """A project (the viewer its viewer) with two classes of labelled images, a workflow and a run: the ids path
    parameters take."""
    with asgi.get_client(app) as client:
        client.headers.update(users["admin"].headers)
        project = client.post(f"{BASE}/api/projects", json={"name": "schemathesis"}).json()
        files = [
            ("files", (f"{name}/{i}.png", png((i * 40, 200 if name == "cat" else 0, 90)), "image/png"))
            for name in ("cat", "dog")
            for i in range(4)
        ]
        upload = client.post(f"{BASE}/api/projects/{project['id']}/assets", files=files)
        assert upload.status_code == 201, upload.text
        workflow = client.post(f"{BASE}/api/projects/{project['id']}/workflows", json={"graph": chain(DATA, MODEL)})
        run = client.post(f"{BASE}/api/workflows/{workflow.json()['id']}/runs")
        assert run.status_code == 202, run.text
        viewer = users["viewer"].id
        member = client.put(f"{BASE}/api/projects/{project['id']}/members/{viewer}", json={"role": "viewer"})
        assert member.status_code == 200, member.text
        classes = client.get(f"{BASE}/api/projects/{project['id']}/classes").json()
    return {
        "project_id": project["id"],
        "class_id": classes[0]["id"],
        "asset_id": upload.json()["imported"][0]["id"],
        "workflow_id": workflow.json()["id"],
        "run_id": run.json()["id"],
        "user_id": viewer,
    }


@pytest.fixture
def api_schema(app: Litestar, users: dict[str, TestUser], seeded_ids: dict[str, str]) -> Any:
    config = SchemathesisConfig.from_dict(CONFIG)
    return schemathesis.openapi.from_asgi("/schema/openapi.json", app, config=config, headers=users["admin"].headers)


def _cases(cases: st.SearchStrategy, headers: dict[str, str], max_examples: int, expected: int | None) -> Any:
    """A hypothesis test that sends `max_examples` of `cases` and checks each answer."""

    @hypothesis.settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[hypothesis.Phase.generate],  # no shrinking: the first failure is reported as it came
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(case=cases)
    def call(case: Any) -> None:
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        assert expected is None or response.status_code == expected, (response.status_code, response.text)

    return call


def failures_of_every_operation(
    schema: Any,
    ids: dict[str, str],
    headers: dict[str, str],
    max_examples: int,
    expected_status: Callable[[str], int | None] = lambda path: None,
) -> list[str]:
    """Each operation's first failing case (checks `CHECKS`, and the status `expected_status(path)` when it names
    one), as text; empty when every operation passed.

    Driven by hand rather than by `schema.parametrize()`: its fixture-loaded form does not run on pytest 9, and the
    import-time form would build an app while the suite is collected."""
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    # deletes last (the seeded project's last of all), so every other operation meets the seeded things
    operations.sort(key=lambda op: (op.method.upper() == "DELETE", op.path == "/api/projects/{project_id}"))
    for operation in operations:
        real = {name: ids[name] for name in re.findall(r"{(\w+)}", operation.path) if name in ids}
        strategies = [operation.as_strategy(mode) for mode in GenerationMode]
        if real:  # past the 404: the seeded project, class, asset, workflow, run or user
            strategies += [operation.as_strategy(mode, path_parameters=real) for mode in GenerationMode]
        try:
            _cases(st.one_of(strategies), headers, max_examples, expected_status(operation.path))()
        except Exception as failure:  # noqa: BLE001 - collected, so one run reports every operation that fails
            failures.append(f"{operation.label}: {failure}")
    return failures


def test_a_viewer_gets_documented_answers_everywhere(api_schema, users, seeded_ids):
    failures = failures_of_every_operation(api_schema, seeded_ids, users["viewer"].headers, max_examples=2)
    assert failures == [], "\n\n".join(failures)


def test_an_administrator_gets_documented_answers_everywhere(api_schema, users, seeded_ids):
    failures = failures_of_every_operation(api_schema, seeded_ids, users["admin"].headers, max_examples=5)
    assert failures == [], "\n\n".join(failures)


def test_nobody_gets_401_everywhere_but_the_login(api_schema, seeded_ids):
    def expected(path: str) -> int | None:
        return None if path in NO_CALLER_NEEDED else 401

    failures = failures_of_every_operation(api_schema, seeded_ids, {}, max_examples=1, expected_status=expected)
    assert failures == [], "\n\n".join(failures)


async def test_a_body_field_named_like_a_dependency_is_the_callers_error(client):
    """Found by schemathesis: litestar took `{"settings": …}` (a body key that names a dependency) for a failing
    dependency and answered 500."""
    project = (await client.post("/api/projects", json={"name": "p"})).json()
    workflow = (
        await client.post(f"/api/projects/{project['id']}/workflows", json={"graph": chain(DATA, MODEL)})
    ).json()
    response = await client.post(f"/api/workflows/{workflow['id']}/runs", json={"settings": {"epochs": 1}})
    assert response.status_code == 400, response.text
    assert response.json()["extra"] == [{"key": "settings", "message": "Extra inputs are not permitted"}]
