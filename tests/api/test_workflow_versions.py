"""Workflow versions through the API: a version at every save that changes the graph (create, save, restore) and at
no other; list, open, name and restore them; a run names the version it trained; a viewer reads versions but cannot
name or restore them, and a stranger finds none. (The migration that gives older workflows their version 1:
tests/unit/test_migrations.py.)"""

import asyncio

from litestar.testing import AsyncTestClient

from backend.app import create_app
from tests.api.accounts import add_user, auth_settings
from tests.api.helpers import labelled_project, new_project
from tests.conftest import DATA, FLIP, MODEL, chain


def without_name(graph: dict) -> dict:
    return {key: value for key, value in graph.items() if key != "name"}


async def versions(client, workflow_id: str, **params) -> list[dict]:
    response = await client.get(f"/api/workflows/{workflow_id}/versions", params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_version_is_stored_only_when_a_save_changes_the_graph(client):
    project = await new_project(client)
    first = chain(DATA, MODEL, name="Plain")
    created = (await client.post(f"/api/projects/{project['id']}/workflows", json={"graph": first})).json()
    w = created["id"]
    assert created["version"] == 1
    same = await client.put(f"/api/workflows/{w}", json={"graph": first})
    renamed_only = await client.put(f"/api/workflows/{w}", json={"graph": chain(DATA, MODEL, name="Renamed")})
    assert same.json()["version"] == renamed_only.json()["version"] == 1  # a name is no new graph
    second = chain(DATA, FLIP, MODEL, name="Renamed")
    saved = (await client.put(f"/api/workflows/{w}", json={"graph": second})).json()
    assert (saved["version"], saved["name"]) == (2, "Renamed")
    assert (await client.put(f"/api/workflows/{w}", json={"graph": second})).json()["version"] == 2

    listed = await versions(client, w)
    assert [(v["number"], v["node_count"], v["edge_count"]) for v in listed] == [(2, 3, 2), (1, 2, 1)]
    assert "graph" not in listed[0] and listed[0]["id"] == saved["version_id"] and listed[0]["name"] is None
    assert [v["number"] for v in await versions(client, w, before=2)] == [1]
    assert [v["number"] for v in await versions(client, w, limit=1)] == [2]

    opened = (await client.get(f"/api/workflows/{w}/versions/{listed[1]['id']}")).json()
    assert opened["graph"] == first and opened["number"] == 1


async def test_versions_are_named_and_restored_and_a_restore_is_a_new_version(client):
    project = await new_project(client)
    first, second = chain(DATA, MODEL, name="W"), chain(DATA, FLIP, MODEL, name="W")
    w = (await client.post(f"/api/projects/{project['id']}/workflows", json={"graph": first})).json()["id"]
    await client.put(f"/api/workflows/{w}", json={"graph": second})
    renamed = await client.patch(f"/api/workflows/{w}", json={"name": "  Flips  "})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Flips" and renamed.json()["version"] == 2
    v1, v2 = reversed(await versions(client, w))

    named = await client.patch(f"/api/workflows/{w}/versions/{v1['id']}", json={"name": "no flip"})
    assert named.status_code == 200 and named.json()["name"] == "no flip"
    restored = await client.post(f"/api/workflows/{w}/versions/{v1['id']}/restore")
    assert restored.status_code == 200, restored.text
    body = restored.json()
    assert body["version"] == 3 and without_name(body["graph"]) == without_name(first)
    assert body["name"] == body["graph"]["name"] == "Flips"  # the workflow keeps its name
    listed = await versions(client, w)
    assert [(v["number"], v["name"]) for v in listed] == [(3, None), (2, None), (1, "no flip")]
    again = await client.post(f"/api/workflows/{w}/versions/{listed[0]['id']}/restore")
    assert again.json()["version"] == 3  # the current graph already: nothing new
    cleared = await client.patch(f"/api/workflows/{w}/versions/{v1['id']}", json={"name": " "})
    assert cleared.json()["name"] is None

    other = (await client.post(f"/api/projects/{project['id']}/workflows", json={"graph": first})).json()["id"]
    wrong = await client.get(f"/api/workflows/{other}/versions/{v2['id']}")  # a version of another workflow
    assert wrong.status_code == 404 and "no version" in wrong.json()["detail"]
    assert (await client.post(f"/api/workflows/{w}/versions/nope/restore")).status_code == 404


async def test_a_run_names_the_version_it_trained(client, settings):
    settings.max_concurrent_runs = 0  # stays queued: only its record matters
    project, _ = await labelled_project(client)
    w = (await client.post(f"/api/projects/{project['id']}/workflows", json={"graph": chain(DATA, MODEL)})).json()["id"]
    saved = (await client.put(f"/api/workflows/{w}", json={"graph": chain(DATA, FLIP, MODEL)})).json()
    run = await client.post(f"/api/workflows/{w}/runs", json={"epochs": 1})
    assert run.status_code == 202, run.text
    assert run.json()["workflow_version_id"] == saved["version_id"]
    await client.put(f"/api/workflows/{w}", json={"graph": chain(DATA, MODEL)})  # a later save: the run keeps its own
    read = (await client.get(f"/api/runs/{run.json()['id']}")).json()
    assert read["workflow_version_id"] == saved["version_id"]
    trained = (await client.get(f"/api/workflows/{w}/versions/{read['workflow_version_id']}")).json()
    assert without_name(trained["graph"]) == without_name(chain(DATA, FLIP, MODEL))
    await client.post(f"/api/runs/{run.json()['id']}/cancel")


async def test_a_viewer_reads_versions_but_cannot_name_or_restore_and_a_stranger_finds_none(tmp_path):
    settings = auth_settings(tmp_path / "data")
    async with AsyncTestClient(app=create_app(settings)) as client:
        owner, viewer, stranger = (add_user(settings, name) for name in ("olive", "vera", "eve"))
        client.headers.update(owner.headers)
        project = await new_project(client)
        await client.put(f"/api/projects/{project['id']}/members/{viewer.id}", json={"role": "viewer"})
        w = (await client.post(f"/api/projects/{project['id']}/workflows", json={"graph": chain(DATA, MODEL)})).json()
        version = (await client.get(f"/api/workflows/{w['id']}/versions")).json()[0]
        assert version["created_by"] == owner.id and version["created_by_name"] == "olive"
        del client.headers["Authorization"]
        base = f"/api/workflows/{w['id']}/versions"
        for path in (base, f"{base}/{version['id']}"):
            assert (await client.get(path, headers=viewer.headers)).status_code == 200
            assert (await client.get(path, headers=stranger.headers)).status_code == 404
        for method, path, body in (
            ("POST", f"{base}/{version['id']}/restore", None),
            ("PATCH", f"{base}/{version['id']}", {"name": "mine"}),
            ("PATCH", f"/api/workflows/{w['id']}", {"name": "mine"}),
            ("POST", f"/api/workflows/{w['id']}/duplicate", None),
            ("POST", f"/api/projects/{project['id']}/workflows/import", chain(DATA, MODEL)),
            ("PATCH", f"/api/projects/{project['id']}", {"name": "mine"}),
        ):
            refused = await client.request(method, path, headers=viewer.headers, json=body)
            assert refused.status_code == 403, (method, path, refused.text)
            hidden = await client.request(method, path, headers=stranger.headers, json=body)
            assert hidden.status_code == 404, (method, path, hidden.text)


async def test_saves_at_the_same_moment_each_get_their_own_number(client):
    """Two tabs autosaving one workflow: the workflow row's lock orders the saves (backend/workflows/versions.py)."""
    project = await new_project(client)
    w = (await client.post(f"/api/projects/{project['id']}/workflows", json={"graph": chain(DATA, MODEL)})).json()
    graphs = [chain(DATA, ("model", "model.yolov8_cls", {"imgsz": 32 * size})) for size in range(2, 10)]
    saves = await asyncio.gather(*(client.put(f"/api/workflows/{w['id']}", json={"graph": g}) for g in graphs))
    assert [save.status_code for save in saves] == [200] * len(graphs)
    assert sorted(v["number"] for v in await versions(client, w["id"])) == list(range(1, len(graphs) + 2))


def test_the_demo_workflow_made_from_the_command_line_starts_at_version_1(tmp_path, monkeypatch):
    from sqlmodel import select

    import backend.datasets.digits as digits
    from backend.cli import main
    from backend.db.models import Workflow, WorkflowVersion
    from backend.db.session import make_engine, session_for
    from backend.settings import Settings

    render = digits.render_digits
    monkeypatch.setattr(digits, "render_digits", lambda folder: render(folder, limit_per_class=2))  # 20, not 500
    monkeypatch.setenv("VISIONFLOW_DATA_DIR", str(tmp_path / "data"))
    assert main(["demo"]) == 0
    with session_for(make_engine(Settings().resolved_database_url)) as session:
        [workflow] = session.exec(select(Workflow)).all()
        versions = session.exec(select(WorkflowVersion)).all()
    assert [(v.workflow_id, v.number, v.graph) for v in versions] == [(workflow.id, 1, workflow.graph)]
