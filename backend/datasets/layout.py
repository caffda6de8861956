"""Folder layouts: an image's folder is its class, and a `train/` or `val/` folder above it fixes its split.

cat/1.jpg                    → class cat
pets/train/cat/1.jpg         → class cat, split train
photos/1.jpg                 → class photos (a folder of one class)
1.jpg                        → unlabelled

A folder that cannot name a class (over 100 characters, control characters: the rule of
backend/datasets/class_names.py) gives a placement with a `class_problem`; the importer refuses that file.
"""

from dataclasses import dataclass
from pathlib import PurePosixPath

from backend.datasets.class_names import class_name_problem, shown_name

SPLIT_FOLDERS = {"train": "train", "val": "val", "valid": "val", "validation": "val"}


@dataclass(frozen=True)
class Placement:
    filename: str
    class_name: str | None
    split: str | None
    class_problem: str | None = None  # why the class folder cannot name a class, said about the folder


def clean_parts(path: str) -> list[str]:
    """The path's parts, without empty, `.` and `..` parts (the path is display data, never opened)."""
    return [p for p in PurePosixPath(path.replace("\\", "/")).parts if p not in ("", ".", "..", "/")]


def storable(name: str) -> str:
    """A file's display name as the database can hold it: PostgreSQL refuses NUL in text."""
    return name.replace("\x00", "\ufffd")


def place(path: str, use_folders: bool = True) -> Placement:
    parts = clean_parts(path)
    folders = parts[:-1] if use_folders else []
    split = next((SPLIT_FOLDERS[f.lower()] for f in folders if f.lower() in SPLIT_FOLDERS), None)
    class_folder = folders[-1].strip() if folders and folders[-1].lower() not in SPLIT_FOLDERS else None
    problem = class_name_problem(class_folder) if class_folder else None  # a folder of spaces: no class
    return Placement(
        filename=storable(parts[-1]) if parts else "unnamed",
        class_name=class_folder or None,
        split=split,
        class_problem=f"The folder {shown_name(class_folder)} cannot name a class: {problem}" if problem else None,
    )
