"""Dataset statistics: images per class (with a few samples each), labelled and unlabelled, image sizes and shapes
(as distributions: what a model will see after resizing), and what to worry about."""

from bisect import bisect_right
from statistics import median

from sqlmodel import Session, func, select

from backend.db.models import Annotation, Asset, ImageClass

FEW_IMAGES = 10  # below this a class is hard to learn and to evaluate
SAMPLES_PER_CLASS = 4
# Longest side, in pixels: tiny icons, thumbnails, typical photos resized for the web, phone photos, scans
SIZE_EDGES = (64, 128, 256, 512, 1024, 2048, 4096)
# Width / height: tall portrait, portrait, about square, landscape, wide panorama
ASPECT_EDGES = (0.5, 0.8, 1.25, 2.0)
ASPECT_LABELS = ("tall (< 1:2)", "portrait", "about square", "landscape", "wide (> 2:1)")


def histogram(values: list[float], edges: tuple[float, ...], labels: tuple[str, ...]) -> list[dict[str, object]]:
    """Counts of `values` in the bins the `edges` split the line into (a value on an edge goes to the bin above)."""
    counts = [0] * (len(edges) + 1)
    for value in values:
        counts[bisect_right(edges, value)] += 1
    return [{"label": label, "count": count} for label, count in zip(labels, counts, strict=True)]


def size_labels(edges: tuple[int, ...]) -> tuple[str, ...]:
    return (
        f"< {edges[0]} px",
        *(f"{a}–{b - 1} px" for a, b in zip(edges, edges[1:], strict=False)),
        f"≥ {edges[-1]} px",
    )


def dataset_stats(session: Session, project_id: str) -> dict[str, object]:
    sizes = session.exec(select(Asset.width, Asset.height).where(Asset.project_id == project_id)).all()
    per_class = session.exec(
        select(ImageClass.id, ImageClass.name, func.count(Annotation.asset_id))
        .join(Annotation, Annotation.class_id == ImageClass.id, isouter=True)
        .where(ImageClass.project_id == project_id)
        .group_by(ImageClass.id, ImageClass.name)
        .order_by(ImageClass.name)
    ).all()
    labelled = sum(count for _, _, count in per_class)
    warnings = [
        {
            "code": "class_without_images" if count == 0 else "few_images",
            "class": name,
            "count": count,
            "message": f"Class {name!r} has no labelled images."
            if count == 0
            else f"Class {name!r} has only {count} labelled image(s); aim for at least {FEW_IMAGES}.",
        }
        for _, name, count in per_class
        if count < FEW_IMAGES
    ]
    if per_class and labelled:
        counts = [count for _, _, count in per_class if count]
        if max(counts) >= 5 * min(counts):
            warnings.append(
                {
                    "code": "imbalanced",
                    "class": None,
                    "count": max(counts),
                    "message": f"Classes are imbalanced: {max(counts)} vs {min(counts)} images.",
                }
            )
    widths, heights = [w for w, _ in sizes], [h for _, h in sizes]
    samples = _samples(session, [class_id for class_id, _, count in per_class if count])
    return {
        "images": len(sizes),
        "labelled": labelled,
        "unlabelled": len(sizes) - labelled,
        "classes": [
            {"id": class_id, "name": name, "count": count, "samples": samples.get(class_id, [])}
            for class_id, name, count in per_class
        ],
        "sizes": {
            "min_width": min(widths),
            "max_width": max(widths),
            "median_width": median(widths),
            "min_height": min(heights),
            "max_height": max(heights),
            "median_height": median(heights),
        }
        if sizes
        else None,
        "longest_side": histogram([max(w, h) for w, h in sizes], SIZE_EDGES, size_labels(SIZE_EDGES)),
        "aspect": histogram([w / h for w, h in sizes if h], ASPECT_EDGES, ASPECT_LABELS),
        "warnings": warnings,
    }


def _samples(session: Session, class_ids: list[str]) -> dict[str, list[str]]:
    """The first few images (by import order) of each class: asset ids, for thumbnails."""
    found: dict[str, list[str]] = {}
    for class_id in class_ids:
        rows = session.exec(
            select(Asset.id)
            .join(Annotation, Annotation.asset_id == Asset.id)
            .where(Annotation.class_id == class_id)
            .order_by(Asset.created_at, Asset.id)
            .limit(SAMPLES_PER_CLASS)
        ).all()
        found[class_id] = list(rows)
    return found
