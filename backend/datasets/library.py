"""A project's images, classes and labels: the operations the API and the CLI share."""

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, delete, func, insert, select

from backend.datasets.images import ImageRejected, inspect_image, store_content, thumbnail_path
from backend.datasets.labelled import LabelledImage, LabelledImages, assign_splits
from backend.datasets.layout import Placement, place, storable
from backend.db.models import Annotation, Asset, AssetFingerprint, ImageClass, Project, new_id, now
from backend.graph.validate import ProjectFacts
from backend.settings import Settings
from nodes.base import DatasetParams
from nodes.datasets import ProjectDatasetParams

DEFAULT_HOTKEYS = "1234567890"
SQL_IN_CHUNK = 500  # ids per IN (...) clause: SQLite limits bound parameters
CLASS_COLOURS = (
    "#4c6ef5",
    "#f03e3e",
    "#37b24d",
    "#f59f00",
    "#7048e8",
    "#1098ad",
    "#d6336c",
    "#74b816",
    "#f76707",
    "#495057",
)


@dataclass
class ImportReport:
    imported: list[dict[str, Any]] = field(default_factory=list)  # Asset rows
    fingerprints: list[dict[str, Any]] = field(default_factory=list)  # AssetFingerprint rows of the imported
    duplicates: list[dict[str, str]] = field(default_factory=list)  # {filename, asset_id}
    rejected: list[dict[str, str]] = field(default_factory=list)  # {filename, reason}
    classes_created: list[str] = field(default_factory=list)
    labelled: int = 0


@dataclass(frozen=True)
class IncomingFile:
    source: Path
    display_path: str  # the name it was uploaded under, maybe with folders: display data and layout only
    sha256: str
    move: bool  # a temporary file we may move, or a user's file we copy
    archive: str | None = None  # the zip it came out of, named in reports

    @property
    def reported_name(self) -> str:
        return f"{self.archive}: {self.display_path}" if self.archive else self.display_path


def import_files(
    session: Session, settings: Settings, project_id: str, files: Iterable[IncomingFile], use_layout: bool
) -> ImportReport:
    """Check each file and add it; with `use_layout`, folders name classes and train/val folders fix splits.
    Commits once at the end. `files` may be lazy (a zip's entries, unpacked one by one): each is then looked up
    alone, never gathered first."""
    report = ImportReport()
    classes: dict[str, ImageClass] = {}
    listed = files if isinstance(files, list) else []
    known = _KnownContent(session, project_id, look_up_each=not isinstance(files, list))
    known.update(
        session.exec(
            select(Asset.sha256, Asset.id).where(
                Asset.project_id == project_id, Asset.sha256.in_({f.sha256 for f in listed})
            )
        ).all()
    )
    wanted: list[tuple[str, str]] = []  # (asset id, class name)
    for incoming in files:
        placement = place(incoming.display_path, use_layout)
        if placement.class_problem is not None:  # the folder cannot name a class: refuse this file, not the batch
            report.rejected.append({"filename": incoming.reported_name, "reason": placement.class_problem})
            _discard(incoming)
            continue
        asset = _add_one(session, settings, project_id, incoming, placement, report, known)
        if asset is not None and placement.class_name is not None:
            wanted.append((asset["id"], placement.class_name))
    for name in sorted({name for _, name in wanted}):  # new classes take keys in name order, not drop order
        classes[name], created = add_class(session, project_id, name)
        if created:
            report.classes_created.append(name)
    session.flush()
    if report.imported:  # rows, not ORM objects: a 15,000-image import spends its time on pixels, not on Python objects
        _insert_assets(session, project_id, report)
    kept = {asset["id"] for asset in report.imported}
    labels = [
        {"asset_id": asset_id, "class_id": classes[name].id, "updated_at": now()}
        for asset_id, name in wanted
        if asset_id in kept
    ]
    if labels:
        session.exec(insert(Annotation), params=labels)
    report.labelled = len(labels)
    session.commit()
    return report


def _insert_assets(session: Session, project_id: str, report: ImportReport) -> None:
    """Insert the batch's new images. One that an upload running at the same time stored first (two batches in
    flight holding the same content) becomes a duplicate of that one, not a unique-constraint error."""
    inserted = _insert_new(session, Asset, report.imported, ["project_id", "sha256"])
    lost = [asset for asset in report.imported if asset["id"] not in inserted]
    for start in range(0, len(lost), SQL_IN_CHUNK):
        chunk = lost[start : start + SQL_IN_CHUNK]
        winners = dict(
            session.exec(
                select(Asset.sha256, Asset.id).where(
                    Asset.project_id == project_id, Asset.sha256.in_([asset["sha256"] for asset in chunk])
                )
            ).all()
        )
        report.duplicates += [{"filename": a["source_path"], "asset_id": winners[a["sha256"]]} for a in chunk]
    report.imported = [asset for asset in report.imported if asset["id"] in inserted]
    report.fingerprints = [row for row in report.fingerprints if row["asset_id"] in inserted]
    if report.fingerprints:
        session.exec(insert(AssetFingerprint), params=report.fingerprints)


def _insert_new(session: Session, model: type[SQLModel], rows: list[dict[str, Any]], unique: list[str]) -> set[str]:
    """Insert the rows that clash with no row already there on the `unique` columns, and return their ids. A row
    another transaction is inserting meanwhile is waited for, then skipped (SQLite and PostgreSQL alike)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = model.__table__  # type: ignore[attr-defined]
    statement = dialect.insert(table).on_conflict_do_nothing(index_elements=unique).returning(table.c.id)
    return set(session.execute(statement, rows).scalars()) if rows else set()


def _add_one(
    session: Session,
    settings: Settings,
    project_id: str,
    incoming: IncomingFile,
    placement: Placement,
    report: ImportReport,
    known: "_KnownContent",
) -> dict[str, Any] | None:
    shown = incoming.reported_name
    if (known_id := known.find(incoming.sha256)) is not None:
        report.duplicates.append({"filename": shown, "asset_id": known_id})
        _discard(incoming)
        return None
    try:
        info = inspect_image(
            incoming.source, settings.max_image_pixels, thumbnail_path(settings.thumbs_dir, incoming.sha256)
        )
    except ImageRejected as rejection:
        report.rejected.append({"filename": shown, "reason": str(rejection)})
        _discard(incoming)
        return None
    stored = store_content(incoming.source, settings.assets_dir, incoming.sha256, info.ext, move=incoming.move)
    asset = {
        "id": new_id(),
        "project_id": project_id,
        "sha256": incoming.sha256,
        "ext": info.ext,
        "filename": placement.filename[:255],
        "source_path": storable(incoming.display_path)[:1000],
        "split": placement.split,
        "width": info.width,
        "height": info.height,
        "bytes": stored.stat().st_size,
        "created_at": now(),
    }
    known[incoming.sha256] = asset["id"]
    report.imported.append(asset)
    report.fingerprints.append({"asset_id": asset["id"], "phash": info.phash, "channels": info.channels})
    return asset


class _KnownContent(dict[str, str]):
    """sha256 → asset id of this project's images, this batch included; with `look_up_each`, one not held is asked
    of the database (a lazy batch cannot be looked up in one query beforehand)."""

    def __init__(self, session: Session, project_id: str, look_up_each: bool) -> None:
        super().__init__()
        self.session, self.project_id, self.look_up_each = session, project_id, look_up_each

    def find(self, sha256: str) -> str | None:
        if sha256 not in self and self.look_up_each:
            query = select(Asset.id).where(Asset.project_id == self.project_id, Asset.sha256 == sha256)
            if (found := self.session.exec(query).first()) is not None:
                self[sha256] = found
        return self.get(sha256)


def _discard(incoming: IncomingFile) -> None:
    if incoming.move:
        incoming.source.unlink(missing_ok=True)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _find_class(session: Session, project_id: str, name: str) -> ImageClass | None:
    return session.exec(select(ImageClass).where(ImageClass.project_id == project_id, ImageClass.name == name)).first()


def ensure_class(session: Session, project_id: str, name: str) -> ImageClass:
    return add_class(session, project_id, name)[0]


def add_class(session: Session, project_id: str, name: str) -> tuple[ImageClass, bool]:
    """The project's class of that name and whether this call created it. Safe when requests that bring the same
    new class run at once (the browser uploads two batches together): the insert does nothing when another
    transaction got there first, and the class is read back — never a unique-constraint error."""
    found = _find_class(session, project_id, name)
    if found:
        return found, False
    existing = session.exec(select(ImageClass.hotkey).where(ImageClass.project_id == project_id)).all()
    preferred = [name] if name in DEFAULT_HOTKEYS else []  # class "3" gets key 3 when it is free
    free_key = next((key for key in [*preferred, *DEFAULT_HOTKEYS] if key not in existing), None)
    colour = CLASS_COLOURS[len(existing) % len(CLASS_COLOURS)]
    row = {"id": new_id(), "project_id": project_id, "name": name, "colour": colour, "hotkey": free_key}
    inserted = _insert_new(session, ImageClass, [row | {"created_at": now()}], ["project_id", "name"])
    found = _find_class(session, project_id, name)
    if found is None:  # cannot happen: the row is ours, or the one that won the race
        raise LookupError(f"class {name!r} of project {project_id!r} was neither inserted nor found")
    return found, bool(inserted)


def set_label(session: Session, asset_id: str, class_id: str | None) -> None:
    set_labels(session, {asset_id: class_id})


def set_labels(session: Session, labels: dict[str, str | None]) -> None:
    """Asset id → class id (None clears), in a few statements whatever the count: CSV imports are large."""
    ids = list(labels)
    for start in range(0, len(ids), SQL_IN_CHUNK):
        session.exec(delete(Annotation).where(Annotation.asset_id.in_(ids[start : start + SQL_IN_CHUNK])))
    rows = [{"asset_id": a, "class_id": c, "updated_at": now()} for a, c in labels.items() if c is not None]
    if rows:
        session.exec(insert(Annotation), params=rows)


def import_folder(session: Session, settings: Settings, project: Project, root: Path) -> ImportReport:
    """An ImageFolder tree (`class/image`, or `train|val/class/image`): folders become classes and labels."""
    files = [
        IncomingFile(source=path, display_path=path.relative_to(root).as_posix(), sha256=sha256_of(path), move=False)
        for path in sorted(root.rglob("*"))
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts)
    ]
    return import_files(session, settings, project.id, files, use_layout=True)


def labelled_counts(session: Session, project_id: str) -> dict[str, int]:
    """Class name → labelled images, every class of the project included."""
    rows = session.exec(
        select(ImageClass.name, func.count(Annotation.asset_id))
        .select_from(ImageClass)
        .join(Annotation, Annotation.class_id == ImageClass.id, isouter=True)
        .where(ImageClass.project_id == project_id)
        .group_by(ImageClass.id, ImageClass.name)
    ).all()
    return {name: count for name, count in rows}


def project_facts(session: Session, project: Project) -> ProjectFacts:
    return ProjectFacts(id=project.id, name=project.name, labelled_per_class=labelled_counts(session, project.id))


def _labelled_rows(session: Session, project_id: str) -> list[tuple[str, str, str, str | None, str]]:
    return list(
        session.exec(
            select(Asset.id, Asset.sha256, Asset.ext, Asset.split, ImageClass.name)
            .join(Annotation, Annotation.asset_id == Asset.id)
            .join(ImageClass, ImageClass.id == Annotation.class_id)
            .where(Asset.project_id == project_id)
        ).all()
    )


def stored_file_path(assets_root: str, sha256: str, ext: str) -> str:
    """Where the content file of an asset lies (`content_path` as a string, built without pathlib: 15,000 of them
    per validation); `assets_root` already resolved (content files are plain files in plain folders, so resolving
    the folder once resolves them all)."""
    return os.path.join(assets_root, sha256[:2], f"{sha256}.{ext}")


def _labelled(session: Session, project_id: str) -> tuple[list[str], LabelledImages]:
    """The labelled images (by content, no path), and the asset id of each, in the same order (one query)."""
    rows = _labelled_rows(session, project_id)
    items = [
        LabelledImage(content_hash=sha, suffix=f".{ext.lower()}", label=name, split=split)
        for _, sha, ext, split, name in rows
    ]
    images = LabelledImages(class_names=sorted(labelled_counts(session, project_id)), items=items)
    return [row[0] for row in rows], images


def labelled_images(session: Session, project_id: str) -> LabelledImages:
    return _labelled(session, project_id)[1]


def asset_splits(session: Session, project_id: str, params: DatasetParams | None) -> dict[str, str]:
    """Asset id → train/val for every labelled image, exactly as a dataset node with `params` (the parsed
    parameters of a validated workflow's dataset node) splits it for training; None: a new dataset node's."""
    asset_ids, images = _labelled(session, project_id)
    splits = assign_splits(images.items, params or ProjectDatasetParams())
    return dict(zip(asset_ids, splits, strict=True))
