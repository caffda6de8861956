"""What a finished run learned: checkpoints, the images it evaluated on, its worst predictions and likely
mislabelled images (each linked back to the project's asset for relabelling), and Eigen-CAM heatmaps."""

import json
from pathlib import Path
from typing import Any

from litestar import Controller, get
from litestar.exceptions import ClientException, HTTPException, NotFoundException
from litestar.response import File
from sqlmodel import select

from backend.api.access import Access
from backend.api.answers import CheckpointRead, MislabelledQueue, Prediction, PredictionPage, QueueCoverage
from backend.api.documented import errors
from backend.api.paging import limit_parameter, offset_parameter
from backend.db.models import Asset, Run
from backend.graph.spec import LABEL_ERRORS_FILE, DatasetItem, read_item
from backend.runs.service import RunService
from backend.settings import Settings
from backend.storage import LocalStorage


def run_dir(settings: Settings, run: Run) -> Path:
    return (settings.runs_dir / run.id).resolve()


def spec_items(run: Run) -> list[DatasetItem]:
    spec = run.job_spec()
    return list(spec.dataset.items) if spec is not None else []


def item_image(settings: Settings, run: Run, index: int) -> Path:
    """Where the data dir keeps the run's item `index` (by its content hash; it may since have been deleted)."""
    item = read_item(run.spec, index)
    if item is None:
        raise NotFoundException(detail=f"Run {run.id!r} has no image #{index}.")
    return LocalStorage(settings.data_dir).image_path(item.content_hash, item.suffix)


def load_predictions(settings: Settings, run: Run) -> dict[str, Any]:
    path = run_dir(settings, run) / "predictions.json"
    if not path.is_file():
        raise NotFoundException(detail="This run has no prediction list yet: it is written after the final evaluation.")
    return read_run_file(path)


def read_run_file(path: Path) -> dict[str, Any]:
    """A JSON file a worker wrote into a run folder; a damaged one is a clear 409, not a server error."""
    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise HTTPException(
            status_code=409, detail=f"This run's {path.name} cannot be read ({type(error).__name__}): run it again."
        ) from None
    if not isinstance(found, dict):
        raise HTTPException(
            status_code=409, detail=f"This run's {path.name} is not what a worker writes: run it again."
        )
    return found


def assets_by_hash(access: Access, run: Run) -> dict[str, str]:
    """Content hash → the project's asset id, so each evaluated image links back to where it can be relabelled."""
    if run.project_id is None:
        return {}
    return dict(access.session.exec(select(Asset.sha256, Asset.id).where(Asset.project_id == run.project_id)).all())


def _described(
    entry: dict[str, Any], run: Run, items: list[DatasetItem], names: list[str], assets: dict[str, str]
) -> Prediction:
    content_hash = items[entry["item"]].content_hash
    return Prediction.model_validate(
        {
            **entry,
            "label_name": names[entry["label"]],
            "predicted_name": names[entry["predicted"]],
            "image_url": f"/api/runs/{run.id}/items/{entry['item']}/image",
            "cam_url": f"/api/runs/{run.id}/items/{entry['item']}/cam",
            "asset_id": assets.get(content_hash),
        }
    )


class InsightController(Controller):
    tags = ["runs"]

    @get("/api/runs/{run_id:str}/checkpoints", sync_to_thread=True, responses=errors(404))
    def checkpoints(self, access: Access, runs: RunService, run_id: str) -> list[CheckpointRead]:
        run = access.run(run_id)
        # the run's `checkpoint` events with their seq (a projection kept on the run row)
        return [CheckpointRead.model_validate(c) for c in run.checkpoints]

    @get(
        "/api/runs/{run_id:str}/items/{index:int}/image",
        sync_to_thread=True,
        media_type="image/*",
        responses=errors(404),
    )
    def image(self, access: Access, settings: Settings, run_id: str, index: int) -> File:
        """An image the run trained or evaluated on, as it was (content-addressed: relabelling never changes it)."""
        path = item_image(settings, access.run(run_id), index)
        if not path.is_file():
            raise NotFoundException(detail="That image is no longer stored.")
        return File(path=path, content_disposition_type="inline", filename=path.name)

    @get("/api/runs/{run_id:str}/predictions", sync_to_thread=True, responses=errors(404, 409))
    def predictions(
        self,
        access: Access,
        settings: Settings,
        run_id: str,
        true_class: str | None = None,
        predicted_class: str | None = None,
        wrong_only: bool = False,
        offset: int = offset_parameter(),
        limit: int = limit_parameter(),
    ) -> PredictionPage:
        """Every validation image, highest loss (confidently wrong) first; filter by true / predicted class name."""
        run = access.run(run_id)
        found = load_predictions(settings, run)
        names = found["class_names"]
        for given in (true_class, predicted_class):
            if given is not None and given not in names:
                raise ClientException(detail=f"There is no class {given!r} in this run.", extra={"classes": names})
        rows = [
            e
            for e in found["items"]
            if (true_class is None or names[e["label"]] == true_class)
            and (predicted_class is None or names[e["predicted"]] == predicted_class)
            and (not wrong_only or e["label"] != e["predicted"])
        ]
        assets, items = assets_by_hash(access, run), spec_items(run)
        return PredictionPage(
            total=len(rows),
            class_names=names,
            items=[_described(e, run, items, names, assets) for e in rows[offset : offset + limit]],
        )

    @get("/api/runs/{run_id:str}/mislabelled", sync_to_thread=True, responses=errors(404, 409))
    def mislabelled(self, access: Access, settings: Settings, run_id: str) -> MislabelledQueue:
        """Images whose given label the model strongly disputes, most suspicious first: a queue to walk in the annotator.

        The queue of the latest succeeded label check of this run (every labelled image predicted out of sample)
        when there is one, else the run's own validation split; `coverage` says which, in numbers and in words.
        `suggestions_trusted` is false when the model behind the queue was no better than chance
        (`untrusted_reason` says why): its predicted classes should not be offered as one-key accepts.
        """
        run = access.run(run_id)
        check = latest_label_check(access, settings, run)
        if check is not None:
            source, found = check
            coverage = _cross_validation_coverage(source, found)
        else:
            source, found = run, load_predictions(settings, run)
            coverage = _validation_coverage(run, found)
        by_item = {e["item"]: e for e in found["items"]}
        assets, items = assets_by_hash(access, source), spec_items(source)
        queue = [
            _described(by_item[i], source, items, found["class_names"], assets)
            for i in found.get("likely_mislabelled", [])
            if i in by_item
        ]
        return MislabelledQueue(
            total=len(queue),
            items=queue,
            coverage=coverage,
            suggestions_trusted=bool(found.get("suggestions_trusted", True)),
            untrusted_reason=str(found.get("untrusted_reason") or ""),
        )


def latest_label_check(access: Access, settings: Settings, run: Run) -> tuple[Run, dict[str, Any]] | None:
    """The newest succeeded label check of `run` (or `run` itself, when it is one) with its label_errors.json."""
    if _is_label_check(run):
        path = run_dir(settings, run) / LABEL_ERRORS_FILE
        if not path.is_file():
            raise NotFoundException(detail="This label check has no queue yet: it is written when every fold is done.")
        return run, read_run_file(path)
    children = access.session.exec(
        select(Run).where(Run.parent_run_id == run.id, Run.status == "succeeded").order_by(Run.finished_at.desc())
    ).all()
    for child in children:
        path = run_dir(settings, child) / LABEL_ERRORS_FILE
        if _is_label_check(child) and path.is_file():
            return child, read_run_file(path)
    return None


def _is_label_check(run: Run) -> bool:
    spec = run.job_spec()
    return spec is not None and spec.cross_validation is not None


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _validation_coverage(run: Run, found: dict[str, Any]) -> QueueCoverage:
    images, total = len(found["items"]), len(spec_items(run))
    return QueueCoverage(
        source="validation",
        images=images,
        total_labelled=total,
        run_id=run.id,
        text=f"Covers the {_plural(images, 'validation image')} of this run, of {total:,} labelled; "
        "a label check covers them all.",
    )


def _cross_validation_coverage(check: Run, found: dict[str, Any]) -> QueueCoverage:
    images = len(found["items"])
    total = int(found.get("total_labelled", len(spec_items(check))))
    how = f"{found.get('folds', '?')}-fold cross-validation, run {check.id}"
    if images == total:
        text = f"Covers all {_plural(total, 'labelled image')} ({how})"
    else:
        text = f"Covers {images:,} of the {_plural(total, 'labelled image')} ({how}); the others could not be read"
    return QueueCoverage(source="cross_validation", images=images, total_labelled=total, run_id=check.id, text=text)
