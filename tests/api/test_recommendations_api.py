"""Templates fitted to a project's images; the Run Training defaults; a run started without settings."""

from backend.recommend import MIN_EPOCHS
from tests.api.helpers import labelled_project, new_project, png_bytes, upload


async def test_templates_without_a_project_have_no_fit(client):
    templates = (await client.get("/api/templates")).json()
    assert len(templates) >= 3 and all(t["fit"] is None for t in templates)


async def test_the_best_fit_for_tiny_images_is_recommended_at_a_fitted_size(client):
    project, _ = await labelled_project(client, per_class=6)  # 24 px images
    response = await client.get("/api/templates", params={"project_id": project["id"]})
    assert response.status_code == 200, response.text
    fits = {t["id"]: t["fit"] for t in response.json()}
    assert [key for key, fit in fits.items() if fit["recommended"]] == ["small-fast-320"]
    small = fits["small-fast-320"]
    assert small["imgsz"] == 32 and small["template_imgsz"] == 320
    assert small["summary"] == "320 px → 32 px for your 24 px images"
    assert all(fit["imgsz"] == 32 for fit in fits.values())


async def test_an_unknown_project_is_a_404_naming_it(client):
    response = await client.get("/api/templates", params={"project_id": "nope"})
    assert response.status_code == 404 and "nope" in response.json()["detail"]


async def test_a_workflow_from_a_template_trains_at_the_fitted_size_with_fitted_defaults(client):
    project, _ = await labelled_project(client, per_class=6)
    workflow = (
        await client.post(
            f"/api/projects/{project['id']}/workflows/from-template", json={"template_id": "small-fast-320"}
        )
    ).json()
    model = next(n for n in workflow["graph"]["nodes"] if n["id"] == "model")
    assert model["params"]["imgsz"] == 32
    defaults = (await client.get(f"/api/workflows/{workflow['id']}/run-defaults")).json()
    assert defaults["settings"]["epochs"] >= MIN_EPOCHS and defaults["settings"]["batch"] <= 16
    assert "weight updates" in defaults["explanation"]

    run = await client.post(f"/api/workflows/{workflow['id']}/runs")
    assert run.status_code == 202, run.text
    assert run.json()["settings"]["epochs"] == defaults["settings"]["epochs"]
    await client.post(f"/api/runs/{run.json()['id']}/cancel")


async def test_a_saved_half_built_graph_gets_defaults_and_a_422_not_a_500(client):
    project, _ = await labelled_project(client, per_class=6)
    workflow = (await client.post(f"/api/projects/{project['id']}/workflows", json={"graph": {"nodes": 5}})).json()
    defaults = await client.get(f"/api/workflows/{workflow['id']}/run-defaults")
    assert defaults.status_code == 200 and defaults.json()["settings"]["epochs"] >= MIN_EPOCHS
    run = await client.post(f"/api/workflows/{workflow['id']}/runs")
    assert run.status_code == 422 and run.json()["issues"][0]["code"] == "invalid_graph"


async def test_run_defaults_for_a_gpu_and_a_bad_device_is_a_400_naming_it(client):
    project, _ = await labelled_project(client, per_class=6)
    workflow = (
        await client.post(
            f"/api/projects/{project['id']}/workflows/from-template", json={"template_id": "small-fast-320"}
        )
    ).json()
    gpu = await client.get(f"/api/workflows/{workflow['id']}/run-defaults", params={"device": "cuda:0"})
    assert gpu.status_code == 200 and gpu.json()["settings"]["device"] == "cuda:0"
    bad = await client.get(f"/api/workflows/{workflow['id']}/run-defaults", params={"device": "tpu; rm"})
    assert bad.status_code == 400 and "device" in bad.text


async def test_one_pixel_images_upload_and_get_the_smallest_input_size(client):
    project = await new_project(client, "Specks")
    files = [  # distinct contents: the same bytes twice would be one image
        (f"{label}/{n}.png", png_bytes((10 * n, 20, blue), size=(1, 1)))
        for label, blue in (("dark", 30), ("light", 220))
        for n in range(3)
    ]
    report = (await upload(client, project["id"], files)).json()
    assert len(report["imported"]) == 6 and report["rejected"] == []
    fits = {
        t["id"]: t["fit"] for t in (await client.get("/api/templates", params={"project_id": project["id"]})).json()
    }
    assert fits["small-fast-320"]["summary"] == "320 px → 32 px for your 1 px images"
