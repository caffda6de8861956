"""The ImageFolder tree of links that Ultralytics trains from."""

from pathlib import Path

import pytest

from backend.graph.spec import DatasetItem, DatasetSpec
from backend.storage import LocalStorage
from backend.worker.materialise import class_folder_names, item_index, materialise
from tests.worker.conftest import stored_items


def test_class_folders_sort_in_class_order_and_are_safe_names():
    names = ["zebra", "../../etc", "猫", "a b", ".hidden", "x"] + [f"c{i}" for i in range(6)]
    folders = class_folder_names(names)

    assert sorted(folders) == folders  # Ultralytics' (sorted) class index == our label index
    assert folders[:6] == ["00_zebra", "01_etc", "02_class", "03_a_b", "04_hidden", "05_x"]
    assert all("/" not in f and not f.startswith(".") for f in folders)


def test_materialise_links_every_item_and_keeps_empty_classes(tmp_path: Path):
    images = []
    for n in range(4):
        image = tmp_path / "src" / f"image {n}.PNG"
        image.parent.mkdir(exist_ok=True)
        image.write_bytes(f"not decoded here {n}".encode())
        images.append(image)
    (tmp_path / "src" / "notes.txt").write_text("x")
    store = LocalStorage(tmp_path / "store")
    files = [(images[0], 0, "train"), (images[1], 1, "train"), (images[2], 0, "val")]
    files += [(tmp_path / "src" / "notes.txt", 1, "val"), (images[3], 1, "train")]
    items = stored_items(store, files)
    dataset = DatasetSpec(class_names=["cat", "dog", "bird"], items=items, snapshot_hash="x")

    result = materialise(dataset, tmp_path / "data", {"png", "jpg"}, store)
    materialise(dataset, tmp_path / "data", {"png", "jpg"}, store)  # a second time replaces the tree

    assert result.counts == {"train": 3, "val": 1} and result.skipped == [3]
    root = tmp_path / "data"
    assert sorted(p.name for p in (root / "train").iterdir()) == ["0_cat", "1_dog", "2_bird"]
    assert not any((root / "train" / "2_bird").iterdir())
    linked = sorted((root / "train" / "1_dog").iterdir())
    assert [p.name for p in linked] == ["1.png", "4.png"]
    assert [item_index(p) for p in linked] == [1, 4]
    assert linked[0].resolve() == store.image(items[1].content_hash, ".png")
    assert linked[0].read_bytes() == images[1].read_bytes()


def test_a_missing_image_is_an_error(tmp_path: Path):
    items = [DatasetItem(content_hash="0" * 64, suffix=".png", label=0, split="train")]
    dataset = DatasetSpec(class_names=["a"], items=items, snapshot_hash="x")
    with pytest.raises(FileNotFoundError, match="dataset item 0 is missing"):
        materialise(dataset, tmp_path / "data", {"png"}, LocalStorage(tmp_path / "store"))
