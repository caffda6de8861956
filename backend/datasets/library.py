"""A project's images, classes and labels: the operations the API and the CLI share."""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, func, select

from backend.datasets.images import ImageRejected, content_path, inspect_image, store_content
from backend.db.models import Annotation, Asset, ImageClass, Project
from backend.graph.compile import LabelledImage, LabelledImages
from backend.graph.validate import ProjectFacts
from backend.settings import Settings

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
    imported: list[Asset] = field(default_factory=list)
    duplicates: list[dict[str, str]] = field(default_factory=list)  # {filename, asset_id}
    rejected: list[dict[str, str]] = field(default_factory=list)  # {filename, reason}


def add_image(
    session: Session,
    settings: Settings,
    project_id: str,
    source: Path,
    filename: str,
    sha256: str,
    move: bool,
    report: ImportReport,
) -> Asset | None:
    """Check one file and add it to the project; what happened goes into `report`."""
    existing = session.exec(select(Asset).where(Asset.project_id == project_id, Asset.sha256 == sha256)).first()
    if existing is not None:
        report.duplicates.append({"filename": filename, "asset_id": existing.id})
        if move:
            source.unlink(missing_ok=True)
        return existing
    try:
        info = inspect_image(source, settings.max_image_pixels)
    except ImageRejected as rejection:
        report.rejected.append({"filename": filename, "reason": str(rejection)})
        if move:
            source.unlink(missing_ok=True)
        return None
    store_content(source, settings.assets_dir, sha256, info.ext, move=move)
    asset = Asset(
        project_id=project_id,
        sha256=sha256,
        ext=info.ext,
        filename=filename[:255],
        width=info.width,
        height=info.height,
        bytes=content_path(settings.assets_dir, sha256, info.ext).stat().st_size,
    )
    session.add(asset)
    report.imported.append(asset)
    return asset


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def ensure_class(session: Session, project_id: str, name: str) -> ImageClass:
    found = session.exec(select(ImageClass).where(ImageClass.project_id == project_id, ImageClass.name == name)).first()
    if found:
        return found
    count = session.exec(select(func.count()).select_from(ImageClass).where(ImageClass.project_id == project_id)).one()
    image_class = ImageClass(project_id=project_id, name=name, colour=CLASS_COLOURS[count % len(CLASS_COLOURS)])
    session.add(image_class)
    session.flush()
    return image_class


def set_label(session: Session, asset_id: str, class_id: str | None) -> None:
    annotation = session.get(Annotation, asset_id)
    if class_id is None:
        if annotation:
            session.delete(annotation)
        return
    if annotation:
        annotation.class_id = class_id
    else:
        session.add(Annotation(asset_id=asset_id, class_id=class_id))


def import_folder(session: Session, settings: Settings, project: Project, root: Path) -> ImportReport:
    """An ImageFolder tree (`class/image`, or `train|val/class/image`): folders become classes and labels."""
    report = ImportReport()
    class_dirs = [d for split in ("train", "val") if (root / split).is_dir() for d in (root / split).iterdir()]
    class_dirs = class_dirs or list(root.iterdir())
    for class_dir in sorted(d for d in class_dirs if d.is_dir() and not d.name.startswith(".")):
        image_class = ensure_class(session, project.id, class_dir.name)
        for path in sorted(p for p in class_dir.iterdir() if p.is_file() and not p.name.startswith(".")):
            asset = add_image(
                session, settings, project.id, path, path.name, sha256_of(path), move=False, report=report
            )
            if asset is not None:
                session.flush()
                set_label(session, asset.id, image_class.id)
    session.commit()
    return report


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


def labelled_images(session: Session, settings: Settings, project_id: str) -> LabelledImages:
    rows = session.exec(
        select(Asset.sha256, Asset.ext, ImageClass.name)
        .join(Annotation, Annotation.asset_id == Asset.id)
        .join(ImageClass, ImageClass.id == Annotation.class_id)
        .where(Asset.project_id == project_id)
    ).all()
    class_names = sorted(labelled_counts(session, project_id))
    items = [
        LabelledImage(path=str(content_path(settings.assets_dir, sha, ext).resolve()), content_hash=sha, label=name)
        for sha, ext, name in rows
    ]
    return LabelledImages(class_names=class_names, items=items)
