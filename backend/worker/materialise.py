"""Lay a dataset snapshot out as the ImageFolder tree Ultralytics reads, with links instead of copies.

    data/train/0_cat/0003.jpg -> storage.image(item 3's content hash, ".jpg")
    data/val/1_dog/0007.png   -> storage.image(item 7's content hash, ".png")

Class folders are `<index, zero-padded>_<sanitised name>`, so sorting them gives class_names order and
Ultralytics' class indices equal ours. Every class gets a folder in every split, even an empty one, for the
same reason. A link's stem is the item's index in the spec, which maps a sample back to its item.
"""

import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from backend.graph.spec import DatasetSpec, Split
from backend.storage import Storage

SPLITS: tuple[Split, ...] = ("train", "val")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_NAME = 64


class MaterialisedDataset(BaseModel):
    model_config = ConfigDict(frozen=True)
    root: Path
    counts: dict[str, int]  # images linked per split
    skipped: list[int]  # item indices whose file type the trainer cannot read


def class_folder_names(class_names: list[str]) -> list[str]:
    width = len(str(max(len(class_names) - 1, 0)))
    return [f"{index:0{width}d}_{_safe(name)}" for index, name in enumerate(class_names)]


def item_index(sample_path: str | Path) -> int:
    """The spec item a materialised sample links to."""
    return int(Path(sample_path).stem)


def materialise(
    dataset: DatasetSpec, root: Path, image_suffixes: Iterable[str], storage: Storage
) -> MaterialisedDataset:
    """Replace `root` with a fresh tree of links to the snapshot's images, which `storage` resolves to local files;
    `image_suffixes` without dots."""
    readable = {suffix.lower().lstrip(".") for suffix in image_suffixes}
    if root.is_symlink() or root.is_file():
        raise ValueError(f"dataset folder {root} is not a directory")
    if root.exists():
        shutil.rmtree(root)  # removes the links, never what they point to
    folders = class_folder_names(dataset.class_names)
    for split in SPLITS:
        for folder in folders:
            (root / split / folder).mkdir(parents=True)

    width = len(str(max(len(dataset.items) - 1, 0)))
    counts = dict.fromkeys(SPLITS, 0)
    skipped: list[int] = []
    # Strings, not Paths, and no resolve(): at 15,000 items pathlib's joins and realpath() were most of the time
    # between a click and the first batch (backend/runners/warm_pool.py). The store's paths are absolute already.
    split_folders = {split: [os.path.join(root, split, folder) for folder in folders] for split in SPLITS}
    for index, item in enumerate(dataset.items):
        suffix = item.suffix
        if suffix.lstrip(".") not in readable:
            skipped.append(index)
            continue
        try:
            source = storage.image(item.content_hash, suffix)
        except FileNotFoundError as error:
            raise FileNotFoundError(f"dataset item {index} is missing: {error}") from None
        target = os.path.join(split_folders[item.split][item.label], f"{index:0{width}d}{suffix}")
        _link(os.path.abspath(source), target)
        counts[item.split] += 1
    return MaterialisedDataset(root=root, counts=counts, skipped=skipped)


def _safe(name: str) -> str:
    cleaned = _UNSAFE.sub("_", name).strip("._")[:_MAX_NAME]
    return cleaned or "class"


def _link(source: str, target: str) -> None:
    try:
        os.symlink(source, target)
    except OSError:  # file systems without symlinks (some Windows setups)
        shutil.copyfile(source, target)
