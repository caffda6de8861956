"""Where a worker reads a spec's images and weights and writes its run's outputs.

A TrainingJobSpec names no path (backend/graph/spec.py): images are content hashes, weights are keys such as
"models/<file>.pt" or "runs/<run id>/weights/best.pt", outputs go to a run id. A Storage turns those into local
files. A runner hands its worker a storage *description* (plain JSON, `storage_from` builds the Storage), so the
same spec runs on another machine that can reach the store: today a data dir on a local or shared disk
(`LocalStorage`); an object store later is one more class here.

No heavy imports: the server and the worker both use this module.
"""

import os
import re
import shutil
from pathlib import Path
from typing import Any, Protocol

from backend.datasets.images import content_path
from backend.graph.spec import CONTENT_HASH_PATTERN, RUN_ID_PATTERN, SUFFIX_PATTERN, check_weights_key

_CONTENT_HASH = re.compile(CONTENT_HASH_PATTERN)
_SUFFIX = re.compile(SUFFIX_PATTERN)
_RUN_ID = re.compile(RUN_ID_PATTERN)
_CACHE_NAME = re.compile(r"[a-z][a-z0-9-]{0,40}")


class Storage(Protocol):
    def image(self, content_hash: str, suffix: str) -> Path:
        """A local readable file of that content (FileNotFoundError if the store has none)."""
        ...

    def weights(self, key: str) -> Path:
        """A local .pt for a weights key (FileNotFoundError if none; ValueError for a key that is not one)."""
        ...

    def run_folder(self, run_id: str) -> Path:
        """Where a run's outputs go (created)."""
        ...

    def cache_folder(self, name: str) -> Path:
        """A local folder for files a worker may rebuild at any time (decoded images), shared by runs (created)."""
        ...

    def description(self) -> dict[str, Any]:
        """What `storage_from` rebuilds this storage from, in another process or on another machine."""
        ...


class LocalStorage:
    """A data dir: `assets/ab/<sha256>.<ext>` (content-addressed), `models/<file>.pt`, `runs/<run id>/`."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir).resolve()

    def image(self, content_hash: str, suffix: str) -> Path:
        path = self.image_path(content_hash, suffix)
        if not path.is_file():
            raise FileNotFoundError(f"image {content_hash}{suffix} is not in the store {self.data_dir}")
        return path

    def image_path(self, content_hash: str, suffix: str) -> Path:
        """Where the image of that content lives or will live: the asset layout uploads use."""
        if not _CONTENT_HASH.fullmatch(content_hash) or not _SUFFIX.fullmatch(suffix):
            raise ValueError(f"{content_hash!r}{suffix!r} is not a content hash and a file suffix")
        return content_path(self.data_dir / "assets", content_hash, suffix.removeprefix("."))

    def add_image(self, source: Path, content_hash: str, suffix: str) -> Path:
        """Put a copy of `source` (whose sha256 is `content_hash`) into the store. Never a link: a person may edit
        their file in place later, and what the store holds under a hash must stay that content."""
        target = self.image_path(content_hash, suffix)
        if target.is_file():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        shutil.copyfile(source, partial)
        os.replace(partial, target)
        return target

    def weights(self, key: str) -> Path:
        path = self.data_dir / check_weights_key(key)
        if not path.is_file():
            raise FileNotFoundError(f"weights {key} not found in the store {self.data_dir}")
        return path

    def run_folder(self, run_id: str) -> Path:
        if not _RUN_ID.fullmatch(run_id):
            raise ValueError(f"{run_id!r} is not a run id")
        folder = self.data_dir / "runs" / run_id
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def cache_folder(self, name: str) -> Path:
        if not _CACHE_NAME.fullmatch(name):
            raise ValueError(f"{name!r} is not a cache folder name")
        folder = self.data_dir / "cache" / name
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def description(self) -> dict[str, Any]:
        return {"kind": "local", "data_dir": str(self.data_dir)}


def storage_from(description: dict[str, Any]) -> Storage:
    """The Storage a runner described to its worker: {"kind": "local", "data_dir": "..."}."""
    kind = description.get("kind")
    if kind == "local":
        data_dir = description.get("data_dir")
        if not isinstance(data_dir, str) or not data_dir:
            raise ValueError("a local storage needs its data_dir")
        return LocalStorage(Path(data_dir))
    raise ValueError(f"unknown storage kind {kind!r}; known: 'local'")
