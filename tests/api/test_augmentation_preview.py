"""The augmentation preview through real requests: a tiny project (five small PNGs, labelled and not), pictures
rendered by the real predictor process with training's transforms. One process for the module (its start is most of
the time); the stranger's test has its own app with accounts on and never reaches a worker."""

import base64
import io

import numpy as np
import pytest
from litestar.testing import AsyncTestClient
from PIL import Image

from backend.app import create_app
from backend.settings import Settings
from tests.api.accounts import add_user, auth_settings
from tests.api.helpers import new_project, upload
from tests.conftest import DATA, MODEL, TEST_CLIENT_HOSTS, chain

SIDE = (24, 16)  # width, height: not square, so the model input's resize shows
FLIP = ("flip", "augment.horizontal_flip", {"p": 1.0})


def two_tone(index: int) -> bytes:
    """Left part red, right part blue, with a brightness of its own: a flip swaps the sides."""
    pixels = np.zeros((SIDE[1], SIDE[0], 3), np.uint8)
    pixels[:, : SIDE[0] // 3] = (200, 20 + 30 * index, 20)
    pixels[:, SIDE[0] // 3 :] = (20, 20, 120 + 25 * index)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def pixels(picture: dict) -> np.ndarray:
    header, encoded = picture["data_url"].split(",", 1)
    assert header == "data:image/png;base64"
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(encoded))).convert("RGB"))


@pytest.fixture(scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("preview") / "data", allowed_hosts=TEST_CLIENT_HOSTS)
    async with AsyncTestClient(app=create_app(settings)) as client:
        project = await new_project(client, "Preview")
        report = (await upload(client, project["id"], [(f"i{n}.png", two_tone(n)) for n in range(5)])).json()
        cls = (await client.post(f"/api/projects/{project['id']}/classes", json={"name": "red"})).json()["id"]
        for asset in report["imported"][:3]:  # two stay unlabelled: the preview draws from every image
            await client.put(f"/api/assets/{asset['id']}/annotation", json={"class_id": cls})
        saved = await client.post(f"/api/projects/{project['id']}/workflows", json={"graph": chain(DATA, MODEL)})
        yield client, saved.json()["id"]


async def preview(client, workflow_id: str, **body):
    return await client.post(f"/api/workflows/{workflow_id}/preview", json=body)


async def test_a_flip_with_p_1_mirrors_every_image_of_the_edited_graph(world):
    client, workflow_id = world
    answer = await preview(client, workflow_id, graph=chain(DATA, FLIP, MODEL), node_id="flip", seed=3, count=3)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [s["transform"] for s in body["steps"]] == ["HorizontalFlip"] and body["imgsz"] == 32
    assert body["image_count"] == 5 and len(body["samples"]) == 3
    for sample in body["samples"]:
        original, augmented, model_input = (pixels(sample[k]) for k in ("original", "augmented", "model_input"))
        assert original.shape == augmented.shape == (SIDE[1], SIDE[0], 3)
        assert (sample["original"]["width"], sample["original"]["height"]) == SIDE
        assert np.array_equal(augmented, original[:, ::-1]) and not np.array_equal(augmented, original)
        assert model_input.shape == (32, 32, 3) and sample["model_input"]["width"] == 32
        assert model_input[16, 2, 2] > model_input[16, 2, 0] and model_input[16, 29, 0] > model_input[16, 29, 2]


async def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_pictures(world):
    client, workflow_id = world
    graph = chain(DATA, ("jitter", "augment.color_jitter", {"p": 1.0}), MODEL)
    asked = [await preview(client, workflow_id, graph=graph, node_id="jitter", seed=s, count=5) for s in (1, 1, 2)]
    first, again, other = ([s["augmented"]["data_url"] for s in a.json()["samples"]] for a in asked)
    assert first == again and len(first) == 5
    assert first != other


async def test_the_dataset_node_shows_the_images_as_they_are_and_the_model_node_the_whole_chain(world):
    client, workflow_id = world
    graph = chain(DATA, FLIP, MODEL)
    at_data, at_model = [
        (await preview(client, workflow_id, graph=graph, node_id=n, seed=0, count=1)).json() for n in ("data", "model")
    ]
    assert at_data["steps"] == [] and [s["node_id"] for s in at_data["later_steps"]] == ["flip"]
    [sample] = at_data["samples"]
    assert np.array_equal(pixels(sample["augmented"]), pixels(sample["original"]))
    assert [s["node_id"] for s in at_model["steps"]] == ["flip"] and at_model["later_steps"] == []
    assert at_data["samples"][0]["model_input"] == at_model["samples"][0]["model_input"]  # the flip trains either way


async def test_a_node_not_in_the_graph_or_off_the_chain_and_a_graph_with_errors_are_named(world):
    client, workflow_id = world
    missing = await preview(client, workflow_id, node_id="nope")  # the saved graph
    assert missing.status_code == 404 and "'nope'" in missing.json()["detail"]
    off_chain = chain(DATA, MODEL)  # a flip fed by the dataset that feeds nothing: a warning, not an error
    off_chain["nodes"].append({"id": "loose", "type": "augment.horizontal_flip", "params": {"p": 1.0}})
    off_chain["edges"].append(
        {"id": "e9", "source": "data", "source_port": "dataset", "target": "loose", "target_port": "dataset"}
    )
    dangling = await preview(client, workflow_id, graph=off_chain, node_id="loose")
    assert dangling.status_code == 409 and "'loose'" in dangling.json()["detail"]
    broken = await preview(client, workflow_id, graph=chain(DATA, FLIP), node_id="flip")
    assert broken.status_code == 422 and {i["code"] for i in broken.json()["issues"]} >= {"no_model"}
    too_many = await preview(client, workflow_id, node_id="data", count=9)
    assert too_many.status_code == 400


async def test_a_stranger_cannot_preview_another_users_workflow(tmp_path):
    settings = auth_settings(tmp_path / "data")
    async with AsyncTestClient(app=create_app(settings)) as client:
        owner, stranger = add_user(settings, "olive"), add_user(settings, "eve")
        project = (await client.post("/api/projects", json={"name": "Mine"}, headers=owner.headers)).json()
        graph = {"graph": chain(DATA, MODEL)}
        created = await client.post(f"/api/projects/{project['id']}/workflows", json=graph, headers=owner.headers)
        workflow_id = created.json()["id"]
        body = {"node_id": "data"}
        theirs = await client.post(f"/api/workflows/{workflow_id}/preview", json=body, headers=stranger.headers)
        assert theirs.status_code == 404 and "workflow" in theirs.json()["detail"]
        mine = await client.post(f"/api/workflows/{workflow_id}/preview", json=body, headers=owner.headers)
        assert mine.status_code == 200 and mine.json()["samples"] == []  # no images yet: no worker needed


async def test_sizes_a_preview_cannot_draw_are_refused_on_their_field_before_any_image_is_rendered(world):
    """A viewer may preview: a 50,000 px resize (7.5 GB an image) must never reach the worker that also predicts."""
    client, workflow_id = world
    huge = ("big", "augment.resize", {"height": 50_000, "width": 50_000})
    refused = await preview(client, workflow_id, graph=chain(DATA, huge, MODEL), node_id="big", count=8)
    assert refused.status_code == 422, refused.text
    [issue] = refused.json()["issues"]
    assert (issue["node_id"], issue["field"], issue["code"]) == ("big", "height", "invalid_param")
    assert "at most 4096 px" in issue["message"]
    scaled = ("zoom", "augment.random_scale", {"scale_limit": 40.0})
    refused = await preview(client, workflow_id, graph=chain(DATA, scaled, MODEL), node_id="zoom")
    assert refused.status_code == 422 and refused.json()["issues"][0]["field"] == "scale_limit"
