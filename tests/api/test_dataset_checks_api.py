"""Dataset checks end to end: fingerprints made at upload (and back-filled for older assets) reach the dataset
node's issues in POST /api/workflows/validate; the folder producer the CLI uses reads the same facts."""

import io

import numpy as np
from PIL import Image
from sqlmodel import Session, delete, select

from backend.datasets.fingerprints import perceptual_hash
from backend.datasets.folder import folder_image_facts, read_image_folder
from backend.datasets.image_facts import FingerprintBackfill, project_image_facts
from backend.datasets.library import labelled_images
from backend.db.models import AssetFingerprint
from backend.db.session import make_engine
from tests.api.helpers import new_project, upload
from tests.conftest import DATA, FLIP, MODEL, chain


def picture(seed: int, size=(96, 72), mode="RGB") -> Image.Image:
    """A smooth random picture: blobs of colour, like a photo at low resolution (noise would hash at random)."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
    image = Image.fromarray(coarse).resize(size, Image.Resampling.BICUBIC)
    return image.convert(mode)


def encoded(image: Image.Image, fmt="JPEG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def dataset_files() -> list[tuple[str, bytes]]:
    """Two classes, fixed split, distinct pictures; plus one picture re-encoded into both train/ and val/."""
    files = [
        (f"{split}/{label}/{n}.jpg", encoded(picture(100 * c + n), quality=90))
        for c, label in enumerate(("cat", "dog"))
        for n in range(8)
        for split in ["val" if n < 2 else "train"]
    ]
    twin = picture(999)
    files += [("train/cat/holiday.jpg", encoded(twin, quality=95)), ("val/cat/holiday.jpg", encoded(twin, quality=40))]
    return files


async def validate(client, project_id):
    response = await client.post(
        "/api/workflows/validate", json={"graph": chain(DATA, FLIP, MODEL), "project_id": project_id}
    )
    return response.status_code, response.json()["issues"]


async def test_a_picture_reencoded_into_train_and_val_is_near_duplicate_leakage(client):
    project = await new_project(client)
    report = (await upload(client, project["id"], dataset_files())).json()
    assert len(report["imported"]) == 18 and report["labelled"] == 18
    status, issues = await validate(client, project["id"])
    assert status == 200
    assert [(i["code"], i["severity"], i["node_id"]) for i in issues] == [("near_duplicate_leakage", "warning", "data")]
    assert "'val/cat/holiday.jpg' ≈ 'train/cat/holiday.jpg'" in issues[0]["message"]


async def test_fingerprints_are_stored_at_upload_and_back_filled(client, settings):
    project = await new_project(client)
    files = [
        ("cat/grey.png", encoded(picture(1, mode="L"), "PNG")),
        ("cat/alpha.png", encoded(picture(2, mode="RGBA"), "PNG")),
        ("dog/colour.jpg", encoded(picture(3))),
    ]
    await upload(client, project["id"], files)
    engine = make_engine(settings.resolved_database_url)
    with Session(engine) as session:
        stored = {row.channels: row.phash for row in session.exec(select(AssetFingerprint))}
        assert sorted(stored) == [1, 3, 4] and all(len(phash) == 16 for phash in stored.values())
        session.exec(delete(AssetFingerprint))  # as in a database from before fingerprints
        session.commit()
        waiting = project_image_facts(session, settings, project["id"])  # requests never decode: no hash yet
        assert all(f.phash is None and f.readable for f in waiting)
        assert FingerprintBackfill(engine, settings).run() == 3  # the server's thread
        facts = {f.name: f for f in project_image_facts(session, settings, project["id"])}
        compiled = labelled_images(session, project["id"])  # what compile splits: the same images, by content
        assert sorted(f.content_hash for f in facts.values()) == sorted(item.content_hash for item in compiled.items)
        assert {name: f.channels for name, f in facts.items()} == {
            "cat/grey.png": 1,
            "cat/alpha.png": 4,
            "dog/colour.jpg": 3,
        }
        assert all(f.readable and f.phash for f in facts.values())
        refilled = {row.channels: row.phash for row in session.exec(select(AssetFingerprint))}
        assert sum(bin(int(stored[c], 16) ^ int(refilled[c], 16)).count("1") for c in stored) <= 6
    engine.dispose()


def test_folder_facts_read_sizes_channels_hashes_and_broken_files(tmp_path):
    for split, label, name, content in [
        ("train", "cat", "a.jpg", encoded(picture(1, size=(40, 30)))),
        ("train", "cat", "broken.jpg", encoded(picture(2))[:200]),
        ("train", "dog", "b.png", encoded(picture(3, mode="L"), "PNG")),
        ("val", "cat", "a-again.jpg", encoded(picture(1, size=(40, 30)), quality=50)),
        ("val", "dog", "c.png", encoded(picture(4, mode="RGBA"), "PNG")),
    ]:
        (tmp_path / split / label).mkdir(parents=True, exist_ok=True)
        (tmp_path / split / label / name).write_bytes(content)
    facts = {f.name: f for f in folder_image_facts(read_image_folder(tmp_path))}
    assert (facts["train/cat/a.jpg"].width, facts["train/cat/a.jpg"].height) == (40, 30)
    assert {name: f.channels for name, f in facts.items() if f.readable} == {
        "train/cat/a.jpg": 3,
        "train/dog/b.png": 1,
        "val/cat/a-again.jpg": 3,
        "val/dog/c.png": 4,
    }
    assert not facts["train/cat/broken.jpg"].readable
    distance = int(facts["train/cat/a.jpg"].phash, 16) ^ int(facts["val/cat/a-again.jpg"].phash, 16)
    assert distance.bit_count() <= 3


def test_flat_pictures_have_no_perceptual_hash():
    """Every one-colour picture hashes alike: they must not all count as near-duplicates of each other."""
    assert perceptual_hash(Image.new("RGB", (24, 24), (220, 20, 20))) is None
    assert perceptual_hash(picture(5)) is not None


async def test_an_asset_whose_file_vanished_is_reported_unreadable(client, settings):
    project = await new_project(client)
    files = [(f"{label}/{n}.jpg", encoded(picture(10 * c + n))) for c, label in enumerate(("a", "b")) for n in range(7)]
    imported = (await upload(client, project["id"], files)).json()["imported"]
    gone = imported[0]
    for folder in (settings.assets_dir, settings.thumbs_dir):
        (stored,) = (folder / gone["sha256"][:2]).glob(f"{gone['sha256']}.*")
        stored.unlink()
    engine = make_engine(settings.resolved_database_url)
    with Session(engine) as session:
        session.exec(delete(AssetFingerprint))
        session.commit()
    FingerprintBackfill(engine, settings).run()
    engine.dispose()
    status, issues = await validate(client, project["id"])
    assert status == 200 and [i["code"] for i in issues] == ["unreadable_images"]
    assert f"'{gone['source_path']}'" in issues[0]["message"] and "1 of 14 images" in issues[0]["message"]
