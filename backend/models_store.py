"""The model store: pretrained `.pt` files an admin uploaded, each with a JSON sidecar that describes it.

A stored file is `<name>.pt` with `<name>.json` beside it (architecture, family, size, classes, sha256, bytes,
uploaded_at). The sidecar is written last and removed first, atomically, so an entry is listed only while its
weights are whole. The server reads sidecars only: it never opens a `.pt` (the worker's `weights_check` does).
Names are generated (`<architecture stem>-<sha256 prefix>`): an uploaded filename is display data, never a path.
"""

import json
import os
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from nodes.models import family_of

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,100}\.pt$")
# Every catalogue read lists the store: look at the folder at most this often (its own add and remove show at
# once; another process's change within this time), so GET /api/nodes never waits on a busy disk.
RECHECK_S = 1.0


class StoredClasses(BaseModel):
    model_config = ConfigDict(frozen=True)
    nc: int = Field(description="Outputs of the classifier head the weights were trained with.")
    names: list[str] | None = Field(default=None, description="Class names saved in the checkpoint, if any.")


class StoredWeights(BaseModel):
    """One entry of the store: what `GET /api/models` lists and the model node's `pretrained` enum offers."""

    model_config = ConfigDict(frozen=True)
    name: str = Field(description="Store name: the `pretrained` value of a model node, and the file name.")
    filename: str = Field(description="The name of the uploaded file, for display only.")
    architecture: str = Field(description='Ultralytics model yaml, e.g. "yolo11n-cls.yaml".')
    family: str
    size: str
    classes: StoredClasses
    sha256: str
    bytes: int
    uploaded_at: datetime


class WeightsSource(Protocol):
    """Where the catalogue learns which weights exist; the store itself, or a fixed list in tests."""

    def entries(self) -> tuple[StoredWeights, ...]: ...


class NoWeights:
    def entries(self) -> tuple[StoredWeights, ...]:
        return ()


class StoreError(ValueError):
    """A store operation the caller asked for cannot be done (unknown name, duplicate)."""


class ModelStore:
    """The store folder. Reads are cached until a sidecar is added, replaced or removed (by any process; another
    process's change shows within `RECHECK_S`)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._cached: tuple[int, tuple[StoredWeights, ...]] | None = None
        self._checked_at = 0.0

    def entries(self) -> tuple[StoredWeights, ...]:
        if self._cached is not None and time.monotonic() - self._checked_at < RECHECK_S:
            return self._cached[1]
        self._checked_at = time.monotonic()
        if not self.folder.is_dir():
            return ()
        try:
            stamp = hash(tuple(sorted((p.name, p.stat().st_mtime_ns) for p in self.folder.glob("*.json"))))
        except FileNotFoundError:  # a sidecar removed while listing
            return self._read()
        if self._cached is None or self._cached[0] != stamp:
            self._cached = (stamp, self._read())
        return self._cached[1]

    def find(self, name: str) -> StoredWeights | None:
        return next((entry for entry in self.entries() if entry.name == name), None)

    def path_of(self, name: str) -> Path:
        if not _NAME.match(name):
            raise StoreError(f"{name!r} is not a model store name.")
        return self.folder / name

    def incoming_dir(self) -> Path:
        return self.folder / ".incoming"

    def add(
        self, checked_file: Path, *, filename: str, architecture: str, classes: StoredClasses, sha256: str
    ) -> StoredWeights:
        """Move a checked file into the store under a generated name and describe it; the file is moved, not copied."""
        family, size = family_of(architecture) or ("", "")
        if not family:
            raise StoreError(f"{architecture!r} is not an architecture a model node trains.")
        name = f"{architecture.removesuffix('.yaml')}-{sha256[:12]}.pt"
        existing = self.find(name)
        if existing is not None:
            raise StoreError(f"These weights are already in the store as {existing.name!r}.")
        entry = StoredWeights(
            name=name,
            filename=filename[:200],
            architecture=architecture,
            family=family,
            size=size,
            classes=classes,
            sha256=sha256,
            bytes=checked_file.stat().st_size,
            uploaded_at=datetime.now(UTC),
        )
        os.replace(checked_file, self.folder / name)
        sidecar = self.folder / f".{name}.json.tmp"
        sidecar.write_text(entry.model_dump_json(indent=1))
        os.replace(sidecar, self._sidecar(name))
        self._cached = None
        return entry

    def remove(self, name: str) -> None:
        if self.find(name) is None:
            raise StoreError(f"The model store has no weights {name!r}.")
        self._sidecar(name).unlink(missing_ok=True)
        self.path_of(name).unlink(missing_ok=True)
        self._cached = None

    def _sidecar(self, name: str) -> Path:
        return self.folder / f"{name.removesuffix('.pt')}.json"

    def _read(self) -> tuple[StoredWeights, ...]:
        entries = []
        for sidecar in sorted(self.folder.glob("*.json")):
            try:
                entry = StoredWeights.model_validate(json.loads(sidecar.read_text()))
            except (OSError, ValueError):
                continue  # a damaged sidecar hides its weights rather than breaking the catalogue
            if entry.name == f"{sidecar.stem}.pt" and (self.folder / entry.name).is_file():
                entries.append(entry)
        return tuple(sorted(entries, key=lambda e: e.name))
