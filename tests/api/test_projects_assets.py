from pathlib import Path

from sqlmodel import select

from backend.cli import main as cli
from backend.db.models import Asset, Project
from backend.db.session import make_engine, session_for
from tests.api.helpers import new_project, png_bytes, upload


async def test_create_and_list_projects(client):
    project = await new_project(client, "Leaves")
    assert (project["task"], project["content"], project["image_count"]) == ("classification", "image", 0)
    listed = (await client.get("/api/projects")).json()
    assert [p["name"] for p in listed] == ["Leaves"]
    assert (await client.get("/api/projects/nope")).status_code == 404


async def test_project_needs_a_name(client):
    response = await client.post("/api/projects", json={"name": ""})
    assert response.status_code == 400
    assert "name" in response.text


async def test_upload_several_images_is_streamed_hashed_and_stored_by_content(client, settings):
    project = await new_project(client)
    response = await upload(
        client, project["id"], [("a.png", png_bytes((1, 2, 3))), ("b.png", png_bytes((4, 5, 6), (40, 30)))]
    )
    assert response.status_code == 201, response.text
    report = response.json()
    assert [a["filename"] for a in report["imported"]] == ["a.png", "b.png"]
    assert (report["imported"][1]["width"], report["imported"][1]["height"]) == (40, 30)
    stored = sorted(p.name for p in (settings.assets_dir).rglob("*.png"))
    assert len(stored) == 2 and all(len(Path(name).stem) == 64 for name in stored)
    assert not list((settings.data_dir / "tmp").iterdir())
    page = (await client.get(f"/api/projects/{project['id']}/assets")).json()
    assert page["total"] == 2
    image = await client.get(page["items"][0]["url"])
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"


async def test_not_an_image_is_rejected_with_its_filename_and_the_rest_imported(client, settings):
    project = await new_project(client)
    only_bad = await upload(client, project["id"], [("evil.png", b"<html><script>alert(1)</script></html>")])
    assert only_bad.status_code == 422
    assert only_bad.json()["rejected"] == [
        {
            "filename": "evil.png",
            "reason": "This is not an image file (its content is not JPEG, PNG, WebP, BMP or TIFF).",
        }
    ]
    truncated = png_bytes()[:60]
    mixed = await upload(client, project["id"], [("ok.png", png_bytes()), ("cut.png", truncated)])
    assert mixed.status_code == 201
    body = mixed.json()
    assert [a["filename"] for a in body["imported"]] == ["ok.png"]
    assert body["rejected"][0]["filename"] == "cut.png" and "damaged or truncated" in body["rejected"][0]["reason"]
    assert len(list(settings.assets_dir.rglob("*.*"))) == 1


async def test_duplicates_are_reported_and_skipped(client):
    project = await new_project(client)
    first = (await upload(client, project["id"], [("a.png", png_bytes())])).json()
    again = (await upload(client, project["id"], [("copy.png", png_bytes())])).json()
    assert again["imported"] == [] and again["duplicates"] == [
        {"filename": "copy.png", "asset_id": first["imported"][0]["id"]}
    ]


async def test_upload_that_is_not_multipart_is_a_clear_400(client):
    project = await new_project(client)
    response = await client.post(
        f"/api/projects/{project['id']}/assets", content=b"hello", headers={"content-type": "text/plain"}
    )
    assert response.status_code == 400 and "multipart/form-data" in response.json()["detail"]


async def test_oversized_file_is_rejected_at_the_cap(client, settings):
    settings.max_upload_file_bytes = 1000
    project = await new_project(client)
    response = await upload(client, project["id"], [("big.png", png_bytes(size=(400, 400)) + b"\0" * 2000)])
    assert response.status_code == 422 and "over the" in response.json()["rejected"][0]["reason"]


async def test_set_and_clear_an_asset_class(client):
    project = await new_project(client)
    asset = (await upload(client, project["id"], [("a.png", png_bytes())])).json()["imported"][0]
    red = (await client.post(f"/api/projects/{project['id']}/classes", json={"name": "red"})).json()
    assert (await client.post(f"/api/projects/{project['id']}/classes", json={"name": "red"})).status_code == 409
    labelled = await client.put(f"/api/assets/{asset['id']}/annotation", json={"class_id": red["id"]})
    assert labelled.json()["class_id"] == red["id"]
    classes = (await client.get(f"/api/projects/{project['id']}/classes")).json()
    assert classes == [{"id": red["id"], "name": "red", "colour": red["colour"], "hotkey": "1", "image_count": 1}]
    unlabelled = (await client.get(f"/api/projects/{project['id']}/assets", params={"unlabelled": True})).json()
    assert unlabelled["total"] == 0
    await client.put(f"/api/assets/{asset['id']}/annotation", json={"class_id": None})
    assert (await client.get(f"/api/projects/{project['id']}/assets", params={"unlabelled": True})).json()["total"] == 1
    other = await new_project(client, "Other")
    foreign = (await client.post(f"/api/projects/{other['id']}/classes", json={"name": "x"})).json()
    assert (
        await client.put(f"/api/assets/{asset['id']}/annotation", json={"class_id": foreign["id"]})
    ).status_code == 400


def test_cli_import_makes_classes_and_labels_from_folders(tmp_path, monkeypatch):
    for name, colour in (("cat", (1, 1, 1)), ("dog", (9, 9, 9))):
        (tmp_path / "tree" / name).mkdir(parents=True)
        for n in range(2):
            (tmp_path / "tree" / name / f"{n}.png").write_bytes(png_bytes((colour[0] + n, 0, 0)))
    (tmp_path / "tree" / "dog" / "notes.txt").write_text("not an image")
    monkeypatch.setenv("VISIONFLOW_DATA_DIR", str(tmp_path / "data"))
    assert cli(["import", "Pets", str(tmp_path / "tree")]) == 0
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'visionflow.db'}")
    with session_for(engine) as session:
        project = session.exec(select(Project)).one()
        assert project.name == "Pets"
        assert len(session.exec(select(Asset)).all()) == 4
