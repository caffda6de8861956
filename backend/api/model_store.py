"""The model store over HTTP: list, upload or download official weights (either checked by the worker's
`weights_check` in a subprocess), delete.

The server streams an upload or a download to disk under a cap and never opens it: a separate Python process loads
it with `weights_only=True` and compares it with the architecture's yaml. A refused file leaves nothing in the store.
A download is by official name only, and is verified against the sha256 the release publishes before that check.
"""

import asyncio
import json
import os
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from litestar import Controller, Request, delete, get, post
from litestar.exceptions import ClientException, HTTPException, NotFoundException
from litestar.params import Body
from pydantic import BaseModel, Field

from backend.api.access import Access
from backend.api.documented import errors, multipart_files
from backend.datasets.upload_stream import UploadError, discard, receive_files
from backend.models_download import (
    AlreadyStored,
    DownloadError,
    NotReleased,
    TooLarge,
    Unreachable,
    Unverifiable,
    architecture_of,
    download_official,
    official_names,
)
from backend.models_store import ModelStore, StoredClasses, StoredWeights, StoreError
from backend.rate_limits import UPLOAD_RATE_LIMIT
from backend.settings import Settings
from backend.worker.offline import offline_environment
from backend.worker.weights_check import NOT_A_CHECKPOINT
from nodes.models import ARCHITECTURES

CHECK_TIMEOUT_S = 300.0


class Unprocessable(HTTPException):
    status_code = 422


class PayloadTooLarge(HTTPException):
    status_code = 413


_DOWNLOAD_STATUS: dict[type[DownloadError], int] = {
    Unreachable: 503,
    NotReleased: 404,
    Unverifiable: 422,
    TooLarge: 413,
    AlreadyStored: 409,
}


class DownloadRequest(BaseModel):
    name: str = Field(description='An official file name from `GET /api/models/official`, e.g. "yolo11n-cls.pt".')


@dataclass
class WeightsChecker:
    """Runs `python -m backend.worker.weights_check` on one file; one check at a time (each loads torch)."""

    config_dir: Path
    timeout_s: float = CHECK_TIMEOUT_S
    _one_at_a_time: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(1))

    async def check(self, path: Path, architecture: str | None) -> dict[str, Any]:
        # The worker's first test, made here too: junk is refused at once instead of after a 10 s torch import,
        # while real uploads wait their turn behind it.
        if not await asyncio.to_thread(zipfile.is_zipfile, path):
            return {"ok": False, "reason": NOT_A_CHECKPOINT}
        async with self._one_at_a_time:
            with tempfile.TemporaryDirectory(prefix="weights-check-") as folder:
                result = Path(folder) / "result.json"
                command = [sys.executable, "-m", "backend.worker.weights_check", str(path), "--result", str(result)]
                command += ["--config-dir", str(self.config_dir.resolve())]
                command += ["--architecture", architecture] if architecture else []
                process = await asyncio.create_subprocess_exec(
                    *command,
                    env={**os.environ, **offline_environment(self.config_dir.resolve())},
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.PIPE,
                )
                try:
                    _, stderr = await asyncio.wait_for(process.communicate(), self.timeout_s)
                except TimeoutError:
                    process.kill()
                    await process.wait()
                    return {"ok": False, "reason": f"The check did not finish within {self.timeout_s:.0f} s."}
                if not result.is_file():
                    last = (stderr or b"").decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
                    return {"ok": False, "reason": f"The check failed (exit {process.returncode}): {last[0][:300]}"}
                try:
                    return json.loads(result.read_text())
                except ValueError:
                    return {"ok": False, "reason": "The check wrote a result that cannot be read."}


class ModelStoreController(Controller):
    path = "/api/models"
    tags = ["models"]

    @get("/", sync_to_thread=True)
    def list_models(self, model_store: ModelStore) -> list[StoredWeights]:
        return list(model_store.entries())

    @get("/official")
    async def official_models(self) -> list[str]:
        """Names of the official Ultralytics weights `POST /api/models/download` accepts: one per architecture."""
        return list(official_names())

    @post("/download", status_code=201, responses=errors(404, 409, 413, 422, 503))
    async def download_model(
        self,
        access: Access,
        settings: Settings,
        model_store: ModelStore,
        weights_checker: WeightsChecker,
        data: DownloadRequest = Body(),
    ) -> StoredWeights:
        """Download official weights by name from the release (`VISIONFLOW_WEIGHTS_RELEASE_URL`), verify the
        release's sha256, check them like an upload, store them. 503 when the server has no way to reach it."""
        access.administer("the model store")
        if architecture_of(data.name) is None:
            raise ClientException(
                detail=f"name: {data.name[:100]!r} is not an official file a model node trains from; "
                f"choose one of {', '.join(official_names())}."
            )
        try:
            downloaded = await download_official(
                data.name,
                release_url=settings.weights_release_url,
                folder=model_store.incoming_dir(),
                max_bytes=settings.max_model_upload_bytes,
                stored_as=lambda sha256: next((e.name for e in model_store.entries() if e.sha256 == sha256), None),
            )
        except DownloadError as error:
            raise HTTPException(status_code=_DOWNLOAD_STATUS[type(error)], detail=str(error)) from None
        try:
            return await _check_and_store(
                model_store,
                weights_checker,
                downloaded.path,
                downloaded.name,
                downloaded.architecture,
                downloaded.sha256,
            )
        finally:
            downloaded.path.unlink(missing_ok=True)

    @post(
        "/",
        status_code=201,
        responses=errors(400, 409, 413, 422),
        request_max_body_size=None,  # streamed to disk with its own per-file cap, not the JSON body cap
        middleware=[UPLOAD_RATE_LIMIT],
        operation_class=multipart_files(
            "file",
            "One .pt checkpoint",
            many=False,
            text_fields={"architecture": "Ultralytics model yaml, when the checkpoint does not say"},
        ),
    )
    async def upload_model(
        self,
        request: Request,
        access: Access,
        settings: Settings,
        model_store: ModelStore,
        weights_checker: WeightsChecker,
    ) -> StoredWeights:
        """Multipart field `file`: one `.pt`; optional field `architecture` (e.g. "yolo11n-cls.yaml"), needed
        when the checkpoint does not say. 422 with the reason when the file is not weights of that architecture."""
        access.administer("the model store")
        fields = {"architecture": ""}
        try:
            received = await receive_files(
                request.stream(),
                request.headers.get("content-type", ""),
                model_store.incoming_dir(),
                settings.max_model_upload_bytes,
                field_name="file",
                text_fields=fields,
                max_files=1,
            )
        except UploadError as error:
            raise ClientException(detail=str(error)) from None
        try:
            if len(received) != 1:
                raise ClientException(detail="Send exactly one .pt file in the multipart field 'file'.")
            upload = received[0]
            if upload.too_large:
                raise PayloadTooLarge(
                    detail=f"The file is over the {settings.max_model_upload_bytes // 2**20} MiB limit for weights."
                )
            architecture = fields["architecture"].strip() or None
            if architecture is not None and architecture not in ARCHITECTURES:
                raise Unprocessable(
                    detail=f"architecture: {architecture!r} is not one a model node trains; "
                    f"choose one of {', '.join(ARCHITECTURES)}."
                )
            upload.temp_path = upload.temp_path.replace(upload.temp_path.with_suffix(".pt"))  # Ultralytics wants .pt
            return await _check_and_store(
                model_store, weights_checker, upload.temp_path, upload.filename, architecture, upload.sha256
            )
        finally:
            discard(received)

    @delete("/{name:str}", status_code=204, sync_to_thread=True, responses=errors(404))
    def delete_model(self, name: str, access: Access, model_store: ModelStore) -> None:
        """Remove weights from the store. Workflows that name them then report `unknown_weights`."""
        access.administer("the model store")
        try:
            model_store.remove(name)
        except StoreError as error:
            raise NotFoundException(detail=str(error)) from None


async def _check_and_store(
    model_store: ModelStore,
    weights_checker: WeightsChecker,
    path: Path,
    filename: str,
    architecture: str | None,
    sha256: str,
) -> StoredWeights:
    """The one way a file enters the store: the worker's check in a subprocess, then a move under a generated name."""
    result = await weights_checker.check(path, architecture)
    if not result.get("ok"):
        raise Unprocessable(detail=f"{filename}: refused. {result.get('reason', '')}".strip())
    try:
        return model_store.add(
            path,
            filename=filename,
            architecture=result["architecture"],
            classes=StoredClasses(nc=result["nc"], names=result.get("names")),
            sha256=sha256,
        )
    except StoreError as error:
        raise HTTPException(status_code=409, detail=str(error)) from None
