"""Labels in bulk: CSV import (dry run first; all-or-nothing unless the valid rows are applied on their own) and
export, and one class for many images."""

import asyncio

from litestar import Controller, Request, get, post
from litestar.exceptions import ClientException
from litestar.params import Body
from litestar.response import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import select

from backend.api.access import Access
from backend.api.answers import CsvChange, CsvImportReport, CsvProblem, LabelsUpdated
from backend.api.documented import errors, raw_body
from backend.datasets.labels_csv import MAX_CSV_BYTES, export_labels_csv, parse_labels_csv, plan_label_import
from backend.datasets.library import ensure_class, set_labels
from backend.db.models import Annotation, Asset, ImageClass, Project
from backend.rate_limits import UPLOAD_RATE_LIMIT


class BulkLabel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    asset_ids: list[str] = Field(min_length=1, max_length=10_000)
    class_id: str | None


def _labels_by_filename(access: Access, project_id: str) -> dict[str, list[tuple[str, str | None]]]:
    rows = access.session.exec(
        select(Asset.id, Asset.filename, ImageClass.name)
        .join(Annotation, Annotation.asset_id == Asset.id, isouter=True)
        .join(ImageClass, ImageClass.id == Annotation.class_id, isouter=True)
        .where(Asset.project_id == project_id)
    ).all()
    found: dict[str, list[tuple[str, str | None]]] = {}
    for asset_id, filename, label in rows:
        found.setdefault(filename, []).append((asset_id, label))
    return found


FILE_PROBLEMS = frozenset({"not_utf8", "bad_header", "unreadable"})  # the file, not one of its rows


class LabelController(Controller):
    tags = ["labels"]

    @post(
        "/api/projects/{project_id:str}/labels/csv",
        status_code=200,
        opt={"least_role": "annotator"},
        responses=errors(404, 422, bodies={422: CsvImportReport}),
        request_max_body_size=None,  # read in chunks up to MAX_CSV_BYTES below, not the JSON body cap
        middleware=[UPLOAD_RATE_LIMIT],
        operation_class=raw_body("text/csv", "The CSV file itself: a header `filename,label`, then one row per image"),
    )
    async def import_csv(
        self,
        access: Access,
        request: Request,
        project_id: str,
        dry_run: bool = True,
        create_classes: bool = False,
        apply_valid_rows: bool = False,
    ) -> Response[CsvImportReport]:
        """Body: the CSV file itself. Dry run (the default) reports what would change; problems → 422, nothing applied.
        With `apply_valid_rows` the rows without a problem are applied (or, in a dry run, would be) and the problem
        rows are reported and skipped: 200."""
        project = await asyncio.to_thread(access.project, project_id)
        data = bytearray()
        async for chunk in request.stream():
            data.extend(chunk)
            if len(data) > MAX_CSV_BYTES:
                raise ClientException(detail=f"The CSV is over {MAX_CSV_BYTES // 2**20} MiB.")
        return await asyncio.to_thread(
            self._import_csv, access, project, bytes(data), dry_run, create_classes, apply_valid_rows
        )

    def _import_csv(
        self,
        access: Access,
        project: Project,
        data: bytes,
        dry_run: bool,
        create_classes: bool,
        apply_valid_rows: bool = False,
    ) -> Response[CsvImportReport]:
        """Parse, plan and (unless a dry run) apply the CSV: database and CPU work, run in a worker thread."""
        rows, problems = parse_labels_csv(data)
        classes = {
            c.name: c for c in access.session.exec(select(ImageClass).where(ImageClass.project_id == project.id))
        }
        plan = plan_label_import(rows, _labels_by_filename(access, project.id), set(classes), create_classes, problems)
        # Applying "the valid rows" needs every row read: when the file itself cannot be read (not UTF-8, no header,
        # a line the CSV reader stops at), the rows after the problem were never seen, so nothing is applied.
        unread = any(problem.code in FILE_PROBLEMS for problem in problems)
        acceptable = plan.ok or (apply_valid_rows and not unread)
        applied = acceptable and not dry_run
        if applied:
            for name in plan.new_classes:
                classes[name] = ensure_class(access.session, project.id, name)
            set_labels(access.session, {change.asset_id: classes[change.after].id for change in plan.changes})
            access.session.commit()
        body = CsvImportReport(
            applied=applied,
            dry_run=dry_run,
            rows=len(rows),
            changes=[CsvChange.model_validate(c.__dict__) for c in plan.changes],
            unchanged=plan.unchanged,
            new_classes=plan.new_classes,
            problems=[
                CsvProblem.model_validate(p.__dict__)
                for p in sorted(plan.problems, key=lambda p: (p.line or 0, p.code))
            ],
        )
        return Response(body, status_code=200 if acceptable else 422)

    @get("/api/projects/{project_id:str}/labels.csv", media_type="text/csv", sync_to_thread=True, responses=errors(404))
    def export_csv(self, access: Access, project_id: str) -> Response[str]:
        project = access.project(project_id)
        rows = access.session.exec(
            select(Asset.filename, ImageClass.name)
            .join(Annotation, Annotation.asset_id == Asset.id)
            .join(ImageClass, ImageClass.id == Annotation.class_id)
            .where(Asset.project_id == project.id)
            .order_by(Asset.filename, Asset.id)
        ).all()
        return Response(
            export_labels_csv(list(rows)),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{project.id}-labels.csv"'},
        )

    @post(
        "/api/projects/{project_id:str}/labels/bulk",
        status_code=200,
        sync_to_thread=True,
        responses=errors(404),
        opt={"least_role": "annotator"},
    )
    def bulk_label(self, access: Access, project_id: str, data: BulkLabel = Body()) -> LabelsUpdated:
        project = access.project(project_id)
        if data.class_id is not None and access.image_class(data.class_id).project_id != project.id:
            raise ClientException(detail="That class belongs to another project.", extra={"field": "class_id"})
        assets = access.session.exec(
            select(Asset.id).where(Asset.project_id == project.id, Asset.id.in_(data.asset_ids))
        ).all()
        missing = set(data.asset_ids) - set(assets)
        if missing:
            raise ClientException(
                detail=f"{len(missing)} of the images are not in this project.",
                extra={"asset_ids": sorted(missing)[:20]},
            )
        set_labels(access.session, dict.fromkeys(assets, data.class_id))
        access.session.commit()
        return LabelsUpdated(updated=len(assets))
