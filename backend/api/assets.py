"""Images of a project: streamed upload, listing, the file itself, and the label of one image."""

from litestar import Controller, Request, get, post, put
from litestar.exceptions import ClientException
from litestar.params import Body
from litestar.response import File, Response
from sqlmodel import func, select

from backend.api.access import Access
from backend.api.schemas import AnnotationSet, AssetPage, AssetRead, UploadReport
from backend.datasets.images import content_path
from backend.datasets.library import ImportReport, add_image, set_label
from backend.datasets.upload_stream import UploadError, discard, receive_files
from backend.db.models import Annotation, Asset
from backend.settings import Settings

MEDIA_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "bmp": "image/bmp", "tiff": "image/tiff"}


def asset_read(asset: Asset, class_id: str | None) -> AssetRead:
    return AssetRead(
        id=asset.id,
        filename=asset.filename,
        width=asset.width,
        height=asset.height,
        bytes=asset.bytes,
        class_id=class_id,
        url=f"/api/assets/{asset.id}/file",
    )


class AssetController(Controller):
    tags = ["assets"]

    @post("/api/projects/{project_id:str}/assets", status_code=201)
    async def upload(
        self, access: Access, settings: Settings, request: Request, project_id: str
    ) -> Response[UploadReport]:
        """Multipart field `files`, any number of files. Each is checked; the report names every file."""
        project = access.project(project_id)
        try:
            received = await receive_files(
                request.stream(),
                request.headers.get("content-type", ""),
                settings.data_dir / "tmp",
                settings.max_upload_file_bytes,
            )
        except UploadError as error:
            raise ClientException(detail=str(error)) from None
        report = ImportReport()
        try:
            for file in received:
                if file.too_large:
                    report.rejected.append(
                        {
                            "filename": file.filename,
                            "reason": f"The file is over the {settings.max_upload_file_bytes // 2**20} MiB limit.",
                        }
                    )
                    file.temp_path.unlink(missing_ok=True)
                    continue
                add_image(
                    access.session,
                    settings,
                    project.id,
                    file.temp_path,
                    file.filename,
                    file.sha256,
                    move=True,
                    report=report,
                )
                access.session.flush()
            access.session.commit()
        finally:
            discard(received)
        if not received:
            raise ClientException(detail="The upload has no files: send them in the multipart field 'files'.")
        body = UploadReport(
            imported=[asset_read(a, None) for a in report.imported],
            duplicates=report.duplicates,
            rejected=report.rejected,
        )
        status = 201 if report.imported or report.duplicates else 422
        return Response(body, status_code=status)

    @get("/api/projects/{project_id:str}/assets")
    async def list_assets(
        self,
        access: Access,
        project_id: str,
        offset: int = 0,
        limit: int = 100,
        class_id: str | None = None,
        unlabelled: bool = False,
    ) -> AssetPage:
        project = access.project(project_id)
        if not offset >= 0 or not 1 <= limit <= 1000:
            raise ClientException(detail="offset must be ≥ 0 and limit between 1 and 1000.")
        query = (
            select(Asset, Annotation.class_id)
            .join(Annotation, Annotation.asset_id == Asset.id, isouter=True)
            .where(Asset.project_id == project.id)
        )
        if class_id is not None:
            query = query.where(Annotation.class_id == class_id)
        if unlabelled:
            query = query.where(Annotation.class_id.is_(None))
        total = access.session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = access.session.exec(query.order_by(Asset.created_at, Asset.id).offset(offset).limit(limit)).all()
        return AssetPage(items=[asset_read(a, c) for a, c in rows], total=total)

    @get("/api/assets/{asset_id:str}/file")
    async def asset_file(self, access: Access, settings: Settings, asset_id: str) -> File:
        asset = access.asset(asset_id)
        return File(
            path=content_path(settings.assets_dir, asset.sha256, asset.ext),
            media_type=MEDIA_TYPES[asset.ext],
            content_disposition_type="inline",
            filename=f"{asset.id}.{asset.ext}",
        )

    @put("/api/assets/{asset_id:str}/annotation")
    async def set_annotation(self, access: Access, asset_id: str, data: AnnotationSet = Body()) -> AssetRead:
        asset = access.asset(asset_id)
        if data.class_id is not None and access.image_class(data.class_id).project_id != asset.project_id:
            raise ClientException(detail="That class belongs to another project.", extra={"field": "class_id"})
        set_label(access.session, asset.id, data.class_id)
        access.session.commit()
        return asset_read(asset, data.class_id)
