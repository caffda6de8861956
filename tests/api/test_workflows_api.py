from tests.api.helpers import labelled_project, new_project
from tests.conftest import DATA, FLIP, MODEL, chain


async def test_catalogue_and_templates_endpoints(client):
    nodes = (await client.get("/api/nodes")).json()
    assert any(n["type"] == "model.yolov8_cls" for n in nodes)
    templates = (await client.get("/api/templates")).json()
    assert "Small model, fast inference, 320px" in {t["title"] for t in templates}
    schema = (await client.get("/api/run-settings/schema")).json()
    assert schema["properties"]["checkpoint"]["enum"] == ["latest", "lowest_val_loss", "highest_accuracy"]


async def test_saving_keeps_a_broken_graph_and_returns_its_issues(client):
    project, _ = await labelled_project(client, per_class=6)  # enough that the dataset checks find nothing
    broken = chain(DATA, FLIP)
    created = await client.post(f"/api/projects/{project['id']}/workflows", json={"graph": broken})
    assert created.status_code == 201
    body = created.json()
    assert body["graph"] == broken and [i["code"] for i in body["issues"]] == ["no_model"]
    fixed = await client.put(f"/api/workflows/{body['id']}", json={"graph": chain(DATA, FLIP, MODEL, name="Fixed")})
    assert fixed.json()["issues"] == [] and fixed.json()["name"] == "Fixed"
    listed = (await client.get(f"/api/projects/{project['id']}/workflows")).json()
    assert [w["id"] for w in listed] == [body["id"]]


async def test_validate_endpoint_answers_200_with_every_issue_and_422_only_for_what_is_not_a_graph(client):
    project, _ = await labelled_project(client, per_class=6)  # enough that the dataset checks find nothing
    bad = chain(DATA, ("flip", "augment.horizontal_flip", {"p": 3}), ("model", "model.yolov8_cls", {"imgsz": 33}))
    response = await client.post("/api/workflows/validate", json={"graph": bad, "project_id": project["id"]})
    assert response.status_code == 200 and response.json()["valid"] is False  # issues are an answer, not an error
    codes = {(i["code"], i["node_id"], i["field"]) for i in response.json()["issues"]}
    assert codes == {("invalid_param", "flip", "p"), ("imgsz_not_multiple_of_32", "model", "imgsz")}
    good = await client.post(
        "/api/workflows/validate", json={"graph": chain(DATA, FLIP, MODEL), "project_id": project["id"]}
    )
    assert good.status_code == 200 and good.json() == {"valid": True, "issues": []}
    junk = await client.post("/api/workflows/validate", json={"graph": "not a graph"})
    assert junk.status_code == 422 and junk.json()["issues"][0]["code"] == "invalid_graph"


async def test_project_facts_reach_validation(client):
    project = await new_project(client)
    await client.post(f"/api/projects/{project['id']}/classes", json={"name": "only"})
    response = await client.post(
        "/api/workflows/validate", json={"graph": chain(DATA, MODEL), "project_id": project["id"]}
    )
    assert {i["code"] for i in response.json()["issues"]} == {"too_few_classes", "class_without_images"}


async def test_template_instantiation_gives_a_valid_workflow(client):
    project, _ = await labelled_project(client, per_class=6)  # enough that the dataset checks find nothing
    created = await client.post(
        f"/api/projects/{project['id']}/workflows/from-template", json={"template_id": "small-fast-320"}
    )
    assert created.status_code == 201
    assert created.json()["issues"] == []
    assert (
        await client.post(f"/api/projects/{project['id']}/workflows/from-template", json={"template_id": "nope"})
    ).status_code == 404


async def test_running_an_invalid_workflow_is_422_with_issues(client):
    project = await new_project(client)
    workflow = (
        await client.post(f"/api/projects/{project['id']}/workflows", json={"graph": chain(DATA, MODEL)})
    ).json()
    response = await client.post(f"/api/workflows/{workflow['id']}/runs", json={"epochs": 1})
    assert response.status_code == 422
    assert "too_few_classes" in {i["code"] for i in response.json()["issues"]}


async def test_bad_run_settings_are_400_naming_the_field(client):
    project, _ = await labelled_project(client)
    workflow = (
        await client.post(f"/api/projects/{project['id']}/workflows", json={"graph": chain(DATA, MODEL)})
    ).json()
    response = await client.post(f"/api/workflows/{workflow['id']}/runs", json={"epochs": 0, "checkpoint": "best"})
    assert response.status_code == 400
    assert "epochs" in response.text and "checkpoint" in response.text


async def test_compare_runs_shows_what_differs(client, settings):
    settings.max_concurrent_runs = 0  # stay queued: this compares setups, not training
    project, _ = await labelled_project(client)
    workflow = (
        await client.post(f"/api/projects/{project['id']}/workflows", json={"graph": chain(DATA, FLIP, MODEL)})
    ).json()
    first = (await client.post(f"/api/workflows/{workflow['id']}/runs", json={"epochs": 1})).json()
    second = (await client.post(f"/api/workflows/{workflow['id']}/runs", json={"epochs": 5, "batch": 16})).json()
    compared = (
        await client.get(f"/api/projects/{project['id']}/runs/compare", params={"ids": f"{first['id']},{second['id']}"})
    ).json()
    differences = {d["key"]: d["values"] for d in compared["differences"]}
    assert differences == {
        "settings.epochs": {first["id"]: 1, second["id"]: 5},
        "settings.batch": {first["id"]: 64, second["id"]: 16},
    }
    assert [r["id"] for r in compared["runs"]] == [first["id"], second["id"]]
    assert (
        await client.get(f"/api/projects/{project['id']}/runs/compare", params={"ids": first["id"]})
    ).status_code == 400


async def test_the_split_of_a_workflow_with_errors_is_refused_naming_it_not_guessed(client):
    """Its dataset node's parameters were never validated: no silent fallback to a default split."""
    project, _ = await labelled_project(client, per_class=5)
    graph = chain(("data", "dataset.project", {"val_fraction": 7}), MODEL)
    workflow = (await client.post(f"/api/projects/{project['id']}/workflows", json={"graph": graph})).json()
    response = await client.get(
        f"/api/projects/{project['id']}/assets", params={"split": "val", "workflow_id": workflow["id"]}
    )
    assert response.status_code == 400 and response.json()["extra"]["field"] == "workflow_id"
    assert "has errors" in response.json()["detail"]


async def test_a_run_without_settings_takes_the_defaults_from_the_images_it_validated(client):
    project, _ = await labelled_project(client, per_class=6)
    workflow = (
        await client.post(f"/api/projects/{project['id']}/workflows", json={"graph": chain(DATA, FLIP, MODEL)})
    ).json()
    defaults = (await client.get(f"/api/workflows/{workflow['id']}/run-defaults")).json()
    run = await client.post(f"/api/workflows/{workflow['id']}/runs")
    assert run.status_code == 202, run.text
    assert run.json()["settings"] == defaults["settings"]
    await client.post(f"/api/runs/{run.json()['id']}/cancel")
