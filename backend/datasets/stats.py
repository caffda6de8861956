"""Dataset statistics: images per class, labelled and unlabelled, image sizes, and what to worry about."""

from statistics import median

from sqlmodel import Session, func, select

from backend.db.models import Annotation, Asset, ImageClass

FEW_IMAGES = 10  # below this a class is hard to learn and to evaluate


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
    return {
        "images": len(sizes),
        "labelled": labelled,
        "unlabelled": len(sizes) - labelled,
        "classes": [{"id": class_id, "name": name, "count": count} for class_id, name, count in per_class],
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
        "warnings": warnings,
    }
