"""An ImageFolder tree on disk as LabelledImages: `class/image`, or `train/class/image` + `val/class/image`;
and the facts about those images that the dataset checks and the recommender read (`visionflow run --data`).

A LabelledImage names its content, not its file: `ImageFolder.paths` says where each one is read from, until the
images are put into a run's storage by hash (backend/headless.py)."""

from dataclasses import dataclass
from pathlib import Path

from backend.datasets.fingerprints import fingerprint_file
from backend.datasets.labelled import LabelledImage, LabelledImages
from backend.datasets.library import sha256_of
from backend.graph.facts import ImageFacts

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"}


class FolderError(ValueError):
    pass


def _class_dirs(root: Path) -> list[Path]:
    return sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))


def _images(class_dir: Path) -> list[Path]:
    return sorted(p for p in class_dir.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


@dataclass(frozen=True)
class ImageFolder:
    images: LabelledImages
    paths: tuple[Path, ...]  # the file of each of `images.items`, in the same order


def read_image_folder(root: Path) -> ImageFolder:
    if not root.is_dir():
        raise FolderError(f"{root} is not a folder.")
    presplit = (root / "train").is_dir() and (root / "val").is_dir()
    sources = [(root / "train", "train"), (root / "val", "val")] if presplit else [(root, None)]
    found = [
        (path.resolve(), class_dir.name, split)
        for folder, split in sources
        for class_dir in _class_dirs(folder)
        for path in _images(class_dir)
    ]
    items = [
        LabelledImage(content_hash=sha256_of(path), suffix=path.suffix.lower(), label=label, split=split)
        for path, label, split in found
    ]
    class_names = sorted({item.label for item in items})
    if len(class_names) < 2:
        raise FolderError(f"{root} needs at least 2 class folders with images; found {len(class_names)}.")
    return ImageFolder(LabelledImages(class_names=class_names, items=items), tuple(path for path, _, _ in found))


def folder_image_facts(folder: ImageFolder) -> tuple[ImageFacts, ...]:
    """Size (as displayed, after EXIF orientation), channels and perceptual hash of each image of a folder,
    read with PIL at reduced scale; a file that does not decode is reported as unreadable, not raised."""
    return tuple(_facts_of(item, path) for item, path in zip(folder.images.items, folder.paths, strict=True))


def _facts_of(item: LabelledImage, path: Path) -> ImageFacts:
    shown = "/".join(filter(None, [item.split, item.label, path.name]))  # its place in the folder
    known = {"path": str(path), "name": shown, "content_hash": item.content_hash, "label": item.label}
    found = fingerprint_file(path)
    if found is None:
        return ImageFacts(**known, split=item.split, width=0, height=0, readable=False)
    return ImageFacts(
        **known,
        split=item.split,
        width=found.width,
        height=found.height,
        channels=found.channels,
        phash=found.phash,
        readable=True,
    )
