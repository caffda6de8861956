"""A corpus of hostile and broken uploads: each gets a clear report, and nothing lands outside the data dir."""

import io
import stat
import zipfile

import pytest
from PIL import Image

from backend.datasets.archive import Limits
from tests.api.helpers import new_project, png_bytes, upload


def jpeg_bytes(size=(64, 48), exif_orientation: int | None = None) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    if exif_orientation:
        exif[0x0112] = exif_orientation
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def gif_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (8, 8)).save(buffer, format="GIF")
    return buffer.getvalue()


def huge_png(width=20_000, height=20_000) -> bytes:
    """A tiny file that claims 400 megapixels (a decompression bomb)."""
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def zip_of(entries: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return buffer.getvalue()


def files_outside(root, data_dir) -> list:
    return [p for p in root.rglob("*") if p.is_file() and data_dir not in p.parents]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("truncated.jpg", jpeg_bytes((640, 480))[:900], "damaged or truncated"),
        ("page.png", b"<!doctype html><html><body>hi</body></html>", "not an image file"),
        ("bomb.png", huge_png(), "limit of 50,000,000 pixels"),
        ("empty.jpg", b"", "not an image file"),
        ("anim.gif", gif_bytes(), "GIF files are not supported"),
    ],
)
async def test_bad_file_is_reported_by_name_with_reason(client, settings, name, content, reason):
    project = await new_project(client)
    response = await upload(client, project["id"], [(name, content)])
    assert response.status_code == 422
    (rejected,) = response.json()["rejected"]
    assert rejected["filename"] == name and reason in rejected["reason"]
    assert not list(settings.assets_dir.rglob("*.*")) and not list((settings.data_dir / "tmp").iterdir())


async def test_exif_orientation_is_respected_in_size_and_thumbnail(client):
    project = await new_project(client)
    asset = (await upload(client, project["id"], [("phone.jpg", jpeg_bytes((64, 48), exif_orientation=6))])).json()[
        "imported"
    ][0]
    assert (asset["width"], asset["height"]) == (48, 64)
    thumb = await client.get(asset["thumbnail_url"])
    assert thumb.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(thumb.content)).size == (48, 64)


async def test_zip_with_class_folders_creates_classes_labels_and_splits(client):
    project = await new_project(client)
    archive = zip_of(
        {
            "pets/train/cat/1.png": png_bytes((1, 0, 0)),
            "pets/train/dog/2.png": png_bytes((2, 0, 0)),
            "pets/val/cat/3.png": png_bytes((3, 0, 0)),
            "pets/readme.txt": b"hello",
            "__MACOSX/pets/._1.png": b"junk",
        }
    )
    report = (await upload(client, project["id"], [("pets.zip", archive)])).json()
    assert sorted(report["classes_created"]) == ["cat", "dog"] and report["labelled"] == 3
    assert [r["filename"] for r in report["rejected"]] == ["pets.zip: pets/readme.txt"]
    by_name = {a["filename"]: a for a in report["imported"]}
    assert (by_name["1.png"]["split"], by_name["3.png"]["split"]) == ("train", "val")
    assert by_name["1.png"]["source_path"] == "pets/train/cat/1.png"
    classes = {c["name"]: c["image_count"] for c in (await client.get(f"/api/projects/{project['id']}/classes")).json()}
    assert classes == {"cat": 2, "dog": 1}


async def test_zip_entries_that_escape_or_link_are_refused_and_nothing_is_written_outside(client, settings, tmp_path):
    project = await new_project(client)
    archive = zip_of(
        {
            "../../escape.png": png_bytes((5, 5, 5)),
            "/abs/evil.png": png_bytes((6, 6, 6)),
            "ok/fine.png": png_bytes((7, 7, 7)),
        },
        links={"ok/link.png": "/etc/passwd"},
    )
    report = (await upload(client, project["id"], [("evil.zip", archive)])).json()
    reasons = {r["filename"]: r["reason"] for r in report["rejected"]}
    assert (
        "leads outside" in reasons["evil.zip: ../../escape.png"]
        and "leads outside" in reasons["evil.zip: /abs/evil.png"]
    )
    assert "Links" in reasons["evil.zip: ok/link.png"]
    assert [a["filename"] for a in report["imported"]] == ["fine.png"]
    assert files_outside(tmp_path, settings.data_dir) == []


async def test_zip_bomb_is_refused_whole_by_its_real_unpacked_size(client, settings, monkeypatch):
    project = await new_project(client)
    bomb = zip_of({f"layer/{n}.png": b"\0" * (8 * 2**20) for n in range(4)})  # 32 MiB that packs to ~32 KiB
    monkeypatch.setattr("backend.api.assets.ArchiveLimits", lambda **kw: Limits(**kw, max_total_bytes=16 * 2**20))
    response = await upload(client, project["id"], [("bomb.zip", bomb)])
    assert len(bomb) < 200_000
    assert response.status_code == 422
    assert "more than the size limit" in response.json()["rejected"][0]["reason"]
    assert not list((settings.data_dir / "tmp").iterdir())


async def test_zip_with_too_many_entries_is_refused(client, monkeypatch):
    project = await new_project(client)
    many = zip_of({f"x/{n}.png": b"x" for n in range(30)})
    monkeypatch.setattr("backend.api.assets.ArchiveLimits", lambda **kw: Limits(**kw, max_entries=20))
    response = await upload(client, project["id"], [("many.zip", many)])
    assert response.status_code == 422 and "30 files, over the limit of 20" in response.json()["rejected"][0]["reason"]


async def test_not_a_zip_named_zip_is_treated_by_content(client):
    project = await new_project(client)
    response = await upload(client, project["id"], [("photos.zip", png_bytes())])
    assert response.status_code == 201  # it is a PNG: its name is display data only


async def test_folder_classes_get_keys_by_name_and_digits_their_own_key(client):
    project = await new_project(client)
    files = [(f"digits/{d}/{d}.png", png_bytes((d, 9, 9))) for d in (7, 0, 3, 1)] + [
        ("digits/zebra/z.png", png_bytes((50, 1, 1)))
    ]
    await upload(client, project["id"], files)
    classes = {c["name"]: c["hotkey"] for c in (await client.get(f"/api/projects/{project['id']}/classes")).json()}
    assert classes == {"0": "0", "1": "1", "3": "3", "7": "7", "zebra": "2"}


async def test_layout_preview_says_what_an_upload_would_create(client):
    project = await new_project(client)
    await client.post(f"/api/projects/{project['id']}/classes", json={"name": "cat"})
    paths = ["pets/train/cat/1.jpg", "pets/train/dog/2.jpg", "pets/val/cat/3.jpg", "loose.jpg"]
    preview = (await client.post(f"/api/projects/{project['id']}/assets/layout-preview", json={"paths": paths})).json()
    assert preview == {
        "classes": [{"name": "cat", "count": 2, "new": False}, {"name": "dog", "count": 1, "new": True}],
        "splits": {"train": 2, "val": 1},
        "unlabelled": 1,
        "refused": [],
    }
    flat = await client.post(
        f"/api/projects/{project['id']}/assets/layout-preview", json={"paths": paths, "folders_are_classes": False}
    )
    assert flat.json() == {"classes": [], "splits": {"train": 0, "val": 0}, "unlabelled": 4, "refused": []}


async def test_layout_preview_lists_the_folders_the_upload_will_refuse(client):
    project = await new_project(client)
    long_name = "x" * 101
    paths = [f"{long_name}/1.png", f"{long_name}/2.png", "bad\x07bell/3.png", "cat/4.png"]
    preview = (await client.post(f"/api/projects/{project['id']}/assets/layout-preview", json={"paths": paths})).json()
    assert preview["classes"] == [{"name": "cat", "count": 1, "new": True}] and preview["unlabelled"] == 0
    refused = {r["name"]: (r["count"], r["reason"]) for r in preview["refused"]}
    assert set(refused) == {long_name, "bad\x07bell"}
    assert refused[long_name][0] == 2 and "at most 100 characters" in refused[long_name][1]
    assert refused["bad\x07bell"][0] == 1 and "control characters" in refused["bad\x07bell"][1]
