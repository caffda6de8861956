"""Folder layouts: an image's folder is its class, and a `train/` or `val/` folder above it fixes its split.

cat/1.jpg                    → class cat
pets/train/cat/1.jpg         → class cat, split train
photos/1.jpg                 → class photos (a folder of one class)
1.jpg                        → unlabelled
"""

from dataclasses import dataclass
from pathlib import PurePosixPath

SPLIT_FOLDERS = {"train": "train", "val": "val", "valid": "val", "validation": "val"}


@dataclass(frozen=True)
class Placement:
    filename: str
    class_name: str | None
    split: str | None


def clean_parts(path: str) -> list[str]:
    """The path's parts, without empty, `.` and `..` parts (the path is display data, never opened)."""
    return [p for p in PurePosixPath(path.replace("\\", "/")).parts if p not in ("", ".", "..", "/")]


def place(path: str, use_folders: bool = True) -> Placement:
    parts = clean_parts(path)
    folders = parts[:-1] if use_folders else []
    split = next((SPLIT_FOLDERS[f.lower()] for f in folders if f.lower() in SPLIT_FOLDERS), None)
    class_folder = folders[-1] if folders and folders[-1].lower() not in SPLIT_FOLDERS else None
    return Placement(filename=parts[-1] if parts else "unnamed", class_name=class_folder, split=split)
