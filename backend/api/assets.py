"""Images of a project: streamed upload, listing, the file itself, and the label of one image."""

import asyncio
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from typing import Literal

from litestar import Controller, Request, get, post, put
from litestar.exceptions import ClientException
from litestar.params import Body
from litestar.response import File, Response
from sqlmodel import func, select

from backend.api.access import Access
from backend.api.answers import AssetsDeleted, LayoutClass, LayoutPreview, RefusedFolder, SplitCounts
from backend.api.documented import errors, multipart_files
from backend.api.paging import limit_parameter, offset_parameter
from backend.api.schemas import AnnotationSet, AssetPage, AssetRead, AssetSelection, LayoutPreviewRequest, UploadReport
from backend.api.workflows import dataset_params_of
from backend.catalogue import Catalogue
from backend.datasets.archive import ArchiveRejected, is_zip, iter_zip
from backend.datasets.archive import Limits as ArchiveLimits
from backend.datasets.images import content_path, thumbnail_path
from backend.datasets.layout import place
from backend.datasets.library import ImportReport, IncomingFile, asset_splits, import_files, set_label, set_labels
from backend.datasets.upload_stream import ReceivedFile, UploadError, discard, receive_files
from backend.db.models import Annotation, Asset, ImageClass
from backend.rate_limits import UPLOAD_RATE_LIMIT
from backend.settings import Settings

MEDIA_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "bmp": "image/bmp", "tiff": "image/tiff"}


def asset_read(asset: Asset, class_id: str | None) -> AssetRead:
    return AssetRead(
        id=asset.id,
        filename=asset.filename,
        source_path=asset.source_path,
        sha256=asset.sha256,
        split=asset.split,
        thumbnail_url=f"/api/assets/{asset.id}/thumbnail",
        width=asset.width,
        height=asset.height,
        bytes=asset.bytes,
        class_id=class_id,
        url=f"/api/assets/{asset.id}/file",
    )


def _import_received(
    access: Access, settings: Settings, project_id: str, received: list[ReceivedFile], use_layout: bool
) -> ImportReport:
    """Import every image, a zip's entries one at a time (runs in a worker thread: decoding is CPU work)."""
    rejected: list[dict[str, str]] = []
    with closing(_incoming(settings, received, rejected)) as incoming:
        report = import_files(access.session, settings, project_id, incoming, use_layout)
    report.rejected = rejected + report.rejected
    return report


def _incoming(
    settings: Settings, received: list[ReceivedFile], rejected: list[dict[str, str]]
) -> Iterator[IncomingFile]:
    """The received files, a zip unpacked lazily: its next entry is unpacked only once the last one was imported
    (moved to the store) or refused (deleted), so an archive never costs more temporary disk than one entry."""
    limits = ArchiveLimits(max_file_bytes=settings.max_upload_file_bytes)
    for file in received:
        if file.too_large:
            rejected.append(
                {
                    "filename": file.filename,
                    "reason": f"The file is over the {settings.max_upload_file_bytes // 2**20} MiB limit.",
                }
            )
        elif is_zip(file.temp_path):
            bad_entries: list[dict[str, str]] = []
            try:
                entries = iter_zip(file.temp_path, file.temp_path.parent, limits, bad_entries)
            except ArchiveRejected as error:
                rejected.append({"filename": file.filename, "reason": str(error)})
                continue
            try:
                for e in entries:
                    yield IncomingFile(
                        source=e.temp_path, display_path=e.path, sha256=e.sha256, move=True, archive=file.filename
                    )
            finally:
                entries.close()
                rejected += [
                    {"filename": f"{file.filename}: {e['filename']}", "reason": e["reason"]} for e in bad_entries
                ]
        else:
            yield IncomingFile(source=file.temp_path, display_path=file.filename, sha256=file.sha256, move=True)


def _labels_of(access: Access, asset_ids: list[str]) -> dict[str, str]:
    query = select(Annotation.asset_id, Annotation.class_id).where(Annotation.asset_id.in_(asset_ids))
    return dict(access.session.exec(query).all())


class AssetController(Controller):
    tags = ["assets"]

    @post(
        "/api/projects/{project_id:str}/assets",
        status_code=201,
        opt={"least_role": "annotator"},
        responses=errors(404, 422, bodies={422: UploadReport}),
        request_max_body_size=None,  # streamed to disk with its own per-file cap, not the JSON body cap
        middleware=[UPLOAD_RATE_LIMIT],
        operation_class=multipart_files("files", "An image or a zip archive; a name with folders labels it", many=True),
    )
    async def upload(
        self, access: Access, settings: Settings, request: Request, project_id: str, folders_are_classes: bool = True
    ) -> Response[UploadReport]:
        """Multipart field `files`: images and zip archives, any number. A name with folders
        (`cat/1.jpg`, `train/cat/1.jpg`) labels the image and fixes its split unless `folders_are_classes`
        is false. Every file gets a line in the report; 422 when none could be imported."""
        project = await asyncio.to_thread(access.project, project_id)
        temp_dir = settings.data_dir / "tmp"
        try:
            received = await receive_files(
                request.stream(), request.headers.get("content-type", ""), temp_dir, settings.max_upload_file_bytes
            )
        except UploadError as error:
            raise ClientException(detail=str(error)) from None
        if not received:
            raise ClientException(detail="The upload has no files: send them in the multipart field 'files'.")
        try:
            report = await asyncio.to_thread(
                _import_received, access, settings, project.id, received, folders_are_classes
            )
        finally:
            discard(received)
        labels = await asyncio.to_thread(_labels_of, access, [a["id"] for a in report.imported])
        body = UploadReport(
            imported=[asset_read(Asset.model_construct(**a), labels.get(a["id"])) for a in report.imported],
            duplicates=report.duplicates,
            rejected=report.rejected,
            classes_created=report.classes_created,
            labelled=report.labelled,
        )
        return Response(body, status_code=201 if report.imported or report.duplicates else 422)

    @post(
        "/api/projects/{project_id:str}/assets/layout-preview",
        status_code=200,
        opt={"least_role": "viewer"},  # says what an upload would do, changes nothing
        sync_to_thread=True,
        responses=errors(404),
    )
    def layout_preview(self, access: Access, project_id: str, data: LayoutPreviewRequest = Body()) -> LayoutPreview:
        """What uploading files under these paths would do to classes and splits, before any byte is sent; files in a
        folder whose name cannot name a class are `refused` (the upload rejects each) and counted nowhere else."""
        project = access.project(project_id)
        placements = [place(path, data.folders_are_classes) for path in data.paths]
        existing = set(access.session.exec(select(ImageClass.name).where(ImageClass.project_id == project.id)).all())
        refused = Counter((p.class_name or "", p.class_problem) for p in placements if p.class_problem)
        kept = [p for p in placements if not p.class_problem]
        counts, splits = Counter(p.class_name for p in kept if p.class_name), Counter(p.split for p in kept)
        return LayoutPreview(
            classes=[LayoutClass(name=name, count=counts[name], new=name not in existing) for name in sorted(counts)],
            splits=SplitCounts(train=splits["train"], val=splits["val"]),
            unlabelled=sum(1 for p in kept if p.class_name is None),
            refused=[
                RefusedFolder(name=name, count=count, reason=reason)
                for (name, reason), count in sorted(refused.items(), key=lambda entry: entry[0][0])
            ],
        )

    @get("/api/projects/{project_id:str}/assets", sync_to_thread=True, responses=errors(404))
    def list_assets(
        self,
        access: Access,
        catalogue: Catalogue,
        project_id: str,
        offset: int = offset_parameter(),
        limit: int = limit_parameter(),
        class_id: str | None = None,
        unlabelled: bool = False,
        split: Literal["train", "val"] | None = None,
        workflow_id: str | None = None,
        ids: str | None = None,
    ) -> AssetPage:
        """Filter by class, unlabelled, split (as the workflow's dataset node — or the default one — splits), or ids."""
        project = access.project(project_id)
        query = (
            select(Asset, Annotation.class_id)
            .join(Annotation, Annotation.asset_id == Asset.id, isouter=True)
            .where(Asset.project_id == project.id)
        )
        if class_id is not None:
            query = query.where(Annotation.class_id == class_id)
        if unlabelled:
            query = query.where(Annotation.class_id.is_(None))
        if ids is not None:  # comma-separated asset ids, e.g. a run's mislabelled queue
            query = query.where(Asset.id.in_([i for i in ids.split(",") if i][:1000]))
        if split is not None:
            workflow = access.workflow(workflow_id) if workflow_id else None
            splits = asset_splits(access.session, project.id, dataset_params_of(catalogue, workflow))
            query = query.where(Asset.id.in_([asset_id for asset_id, s in splits.items() if s == split]))
        total = access.session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = access.session.exec(query.order_by(Asset.created_at, Asset.id).offset(offset).limit(limit)).all()
        return AssetPage(items=[asset_read(a, c) for a, c in rows], total=total)

    @get("/api/assets/{asset_id:str}/file", sync_to_thread=True, media_type="image/*", responses=errors(404))
    def asset_file(self, access: Access, settings: Settings, asset_id: str) -> File:
        asset = access.asset(asset_id)
        return File(
            path=content_path(settings.assets_dir, asset.sha256, asset.ext),
            media_type=MEDIA_TYPES[asset.ext],
            content_disposition_type="inline",
            filename=f"{asset.id}.{asset.ext}",
        )

    @get("/api/assets/{asset_id:str}/thumbnail", sync_to_thread=True, media_type="image/jpeg", responses=errors(404))
    def asset_thumbnail(self, access: Access, settings: Settings, asset_id: str) -> File:
        asset = access.asset(asset_id)
        return File(
            path=thumbnail_path(settings.thumbs_dir, asset.sha256),
            media_type="image/jpeg",
            content_disposition_type="inline",
            filename=f"{asset.id}.jpg",
        )

    @post(
        "/api/projects/{project_id:str}/assets/delete",
        status_code=200,
        sync_to_thread=True,
        responses=errors(404),
        opt={"least_role": "annotator"},
    )
    def delete_assets(self, access: Access, project_id: str, data: AssetSelection = Body()) -> AssetsDeleted:
        """Delete the selected images and their labels (files stay while another project holds the same content)."""
        project = access.project(project_id)
        assets = access.session.exec(
            select(Asset).where(Asset.project_id == project.id, Asset.id.in_(data.asset_ids))
        ).all()
        missing = set(data.asset_ids) - {a.id for a in assets}
        if missing:
            raise ClientException(
                detail=f"{len(missing)} of the images are not in this project.",
                extra={"asset_ids": sorted(missing)[:20]},
            )
        set_labels(access.session, dict.fromkeys((a.id for a in assets), None))
        for asset in assets:
            access.session.delete(asset)
        access.session.commit()
        return AssetsDeleted(deleted=len(assets))

    @put(
        "/api/assets/{asset_id:str}/annotation",
        sync_to_thread=True,
        responses=errors(404),
        opt={"least_role": "annotator"},
    )
    def set_annotation(self, access: Access, asset_id: str, data: AnnotationSet = Body()) -> AssetRead:
        asset = access.asset(asset_id)
        if data.class_id is not None and access.image_class(data.class_id).project_id != asset.project_id:
            raise ClientException(detail="That class belongs to another project.", extra={"field": "class_id"})
        set_label(access.session, asset.id, data.class_id)
        access.session.commit()
        return asset_read(asset, data.class_id)
