"""Importing a workflow document (the export format: the graph as the editor downloads it), duplicating and renaming a
workflow, renaming a project: export → import gives the identical graph; an older schema_version is upgraded when
the server knows how and refused naming `schema_version` when not; unknown node types are imported, each reported;
a name the project has gets " (2)"."""

from backend.workflows import upgrade
from tests.api.helpers import new_project
from tests.conftest import DATA, FLIP, MODEL, chain


def without_name(graph: dict) -> dict:
    return {key: value for key, value in graph.items() if key != "name"}


async def import_into(client, project_id: str, document: dict):
    return await client.post(f"/api/projects/{project_id}/workflows/import", json=document)


async def test_export_then_import_gives_the_identical_graph_and_a_clash_gets_a_number(client):
    source, target = await new_project(client, "Source"), await new_project(client, "Target")
    graph = chain(("data", "dataset.project", {"val_fraction": 0.25}), FLIP, MODEL, name="Flips")
    graph["nodes"][0]["position"] = {"x": 12.5, "y": -3.0}
    graph["description"], graph["extra"] = "kept as sent", {"anything": [1, 2]}
    w = (await client.post(f"/api/projects/{source['id']}/workflows", json={"graph": graph})).json()
    exported = (await client.get(f"/api/workflows/{w['id']}")).json()["graph"]  # what the editor downloads

    elsewhere = await import_into(client, target["id"], exported)
    assert elsewhere.status_code == 201, elsewhere.text
    body = elsewhere.json()
    assert body["graph"] == exported and body["project_id"] == target["id"] and body["version"] == 1
    assert (body["renamed_from"], body["upgraded_from"], body["unknown_nodes"], body["rebound_nodes"]) == (
        None,
        None,
        [],
        [],
    )
    assert (await client.get(f"/api/workflows/{body['id']}")).json()["graph"] == exported

    here, again = [(await import_into(client, source["id"], exported)).json() for _ in range(2)]
    assert [here["name"], again["name"]] == ["Flips (2)", "Flips (3)"] and here["renamed_from"] == "Flips"
    assert here["graph"]["name"] == "Flips (2)" and without_name(here["graph"]) == without_name(exported)


async def test_a_dataset_node_bound_to_another_project_reads_the_importing_one(client):
    project = await new_project(client)
    document = chain(("data", "dataset.project", {"project_id": "elsewhere"}), MODEL)
    body = (await import_into(client, project["id"], document)).json()
    assert body["rebound_nodes"] == ["data"] and body["graph"]["nodes"][0]["params"]["project_id"] == project["id"]
    assert "unknown_project" not in {issue["code"] for issue in body["issues"]}


async def test_unknown_node_types_are_imported_each_reported_on_its_node(client):
    project = await new_project(client)
    document = chain(DATA, ("glow", "augment.glow_v9", {"p": 1}), ("zap", "custom.zap", {}), MODEL)
    response = await import_into(client, project["id"], document)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["unknown_nodes"] == [
        {"node_id": "glow", "type": "augment.glow_v9"},
        {"node_id": "zap", "type": "custom.zap"},
    ]
    assert {(i["code"], i["node_id"]) for i in body["issues"] if i["code"] == "unknown_node_type"} == {
        ("unknown_node_type", "glow"),
        ("unknown_node_type", "zap"),
    }
    assert body["graph"] == document


async def test_a_schema_version_the_server_cannot_read_is_refused_naming_it(client):
    project = await new_project(client)
    for version, says in [
        (0, "cannot upgrade"),
        (2, "newer Visionflow"),
        ("1", "whole number"),
        (True, "whole number"),
    ]:
        response = await import_into(client, project["id"], {**chain(DATA, MODEL), "schema_version": version})
        assert response.status_code == 422, response.text
        [issue] = response.json()["issues"]
        assert (issue["code"], issue["field"]) == ("unsupported_schema_version", "schema_version")
        assert says in issue["message"], (version, issue["message"])
    assert (await client.get(f"/api/projects/{project['id']}/workflows")).json() == []


async def test_an_older_schema_version_is_upgraded_step_by_step(client, monkeypatch):
    """No older format exists yet (version 1 is the first): a step registered here stands for the first one."""

    def from_0(document: dict) -> dict:  # say version 0 called the model node "yolo"
        nodes = [{**n, "type": "model.yolov8_cls"} if n["type"] == "yolo" else n for n in document["nodes"]]
        return {**document, "nodes": nodes}

    monkeypatch.setitem(upgrade.UPGRADES, 0, from_0)
    project = await new_project(client)
    old = chain(DATA, ("model", "yolo", {"size": "n", "imgsz": 32}))
    response = await import_into(client, project["id"], {**old, "schema_version": 0})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["upgraded_from"] == 0 and body["graph"] == chain(DATA, MODEL) and body["unknown_nodes"] == []
    too_old = await import_into(client, project["id"], {**old, "schema_version": -1})
    assert "versions 0 to 1" in too_old.json()["issues"][0]["message"]


async def test_a_document_that_is_no_workflow_is_refused_with_its_issues(client):
    project = await new_project(client)
    response = await import_into(client, project["id"], {"images": [], "nodes": "not a list"})
    assert response.status_code == 422 and response.json()["issues"][0]["code"] == "invalid_graph"
    assert (await client.post("/api/projects/nope/workflows/import", json=chain(DATA, MODEL))).status_code == 404


async def test_duplicate_and_rename_a_workflow_and_rename_a_project(client):
    project = await new_project(client, "Old name")
    w = (
        await client.post(f"/api/projects/{project['id']}/workflows", json={"graph": chain(DATA, MODEL, name="A")})
    ).json()
    await client.put(f"/api/workflows/{w['id']}", json={"graph": chain(DATA, FLIP, MODEL, name="A")})
    copy = await client.post(f"/api/workflows/{w['id']}/duplicate")
    assert copy.status_code == 201, copy.text
    assert copy.json()["name"] == "A (2)" and copy.json()["version"] == 1  # a history of its own
    assert without_name(copy.json()["graph"]) == without_name(chain(DATA, FLIP, MODEL))
    copy_of_copy = (await client.post(f"/api/workflows/{copy.json()['id']}/duplicate")).json()
    assert copy_of_copy["name"] == "A (3)"

    renamed = await client.patch(f"/api/workflows/{w['id']}", json={"name": "Better"})
    assert renamed.json()["name"] == "Better" and renamed.json()["graph"]["name"] == "Better"
    assert (await client.patch(f"/api/workflows/{w['id']}", json={"name": "   "})).status_code == 400

    project_renamed = await client.patch(f"/api/projects/{project['id']}", json={"name": " New name "})
    assert project_renamed.status_code == 200 and project_renamed.json()["name"] == "New name"
    assert (await client.get(f"/api/projects/{project['id']}")).json()["name"] == "New name"
    assert (await client.patch(f"/api/projects/{project['id']}", json={"name": "  "})).status_code == 400
