"""Try a trained model: predictions (and Eigen-CAM) for an uploaded image or any image the run evaluated.

The server hands images to a predictor process (backend/worker/predictor.py) that runs the run's own
exported model: the server process never unpickles weights.
"""

import asyncio
import base64
from pathlib import Path
from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import Parameter
from litestar.response import File

from backend.api.access import Access
from backend.api.answers import PredictResult
from backend.api.documented import errors, multipart_files
from backend.api.insights import item_image, run_dir
from backend.datasets.images import ImageRejected, inspect_image
from backend.datasets.upload_stream import UploadError, discard, receive_files
from backend.runners.predictor import PredictorError, PredictorPool
from backend.settings import Settings

MAX_TOP_K = 20


def _weights_ready(settings: Settings, run_id: str) -> Path:
    folder = (settings.runs_dir / run_id).resolve()
    if not ((folder / "weights" / "best.onnx").is_file() or (folder / "weights" / "best.pt").is_file()):
        raise ClientException(status_code=409, detail="This run has no trained weights yet.")
    return folder


async def _ask(predictor: PredictorPool, folder: Path, image: Path, top_k: int, cam: bool) -> dict[str, Any]:
    try:
        result = await predictor.predict(folder, image, top_k=top_k, cam=cam)
    except PredictorError as error:
        raise ClientException(status_code=503, detail=f"The predictor is unavailable: {error}") from None
    if result.get("error"):
        raise ClientException(status_code=422, detail=result["error"])
    return result


class PredictController(Controller):
    tags = ["predict"]

    @post(
        "/api/runs/{run_id:str}/predict",
        status_code=200,
        opt={"least_role": "viewer"},  # tries the model, changes nothing
        responses=errors(404, 409, 422, 503),
        request_max_body_size=None,  # streamed to disk with its own per-file cap, not the JSON body cap
        operation_class=multipart_files("file", "One image", many=False),
    )
    async def predict(
        self,
        access: Access,
        settings: Settings,
        predictor: PredictorPool,
        request: Request,
        run_id: str,
        top_k: int = Parameter(default=5, ge=1, le=MAX_TOP_K, description=f"How many classes (1 to {MAX_TOP_K})."),
        cam: bool = False,
    ) -> PredictResult:
        """Multipart field `file`: one image → top-k classes with confidences (and a heatmap with cam=true)."""
        run = await asyncio.to_thread(access.run, run_id)
        folder = await asyncio.to_thread(_weights_ready, settings, run.id)
        try:
            received = await receive_files(
                request.stream(),
                request.headers.get("content-type", ""),
                settings.data_dir / "tmp",
                settings.max_upload_file_bytes,
                field_name="file",
            )
        except UploadError as error:
            raise ClientException(detail=str(error)) from None
        try:
            if len(received) != 1 or received[0].too_large:
                raise ClientException(
                    detail="Send exactly one image (under the size limit) in the multipart field 'file'."
                )
            try:  # a full decode of up to the pixel cap: in a thread, never on the loop
                await asyncio.to_thread(inspect_image, received[0].temp_path, settings.max_image_pixels)
            except ImageRejected as rejection:
                raise ClientException(detail=f"{received[0].filename}: {rejection}") from None
            return PredictResult.model_validate(
                await _ask(predictor, folder, received[0].temp_path, top_k=top_k, cam=cam)
            )
        finally:
            discard(received)

    @get("/api/runs/{run_id:str}/items/{index:int}/cam", media_type="image/png", responses=errors(404, 409, 422, 503))
    async def item_cam(
        self, access: Access, settings: Settings, predictor: PredictorPool, run_id: str, index: int
    ) -> File:
        """The Eigen-CAM overlay of an image the run evaluated: saved at the final evaluation, or made now."""
        run = await asyncio.to_thread(access.run, run_id)
        image = await asyncio.to_thread(item_image, settings, run, index)
        target = run_dir(settings, run) / "cam" / f"{index}.png"
        if not await asyncio.to_thread(target.is_file):
            folder = await asyncio.to_thread(_weights_ready, settings, run.id)
            if not await asyncio.to_thread(image.is_file):
                raise NotFoundException(detail="That image is no longer stored.")
            result = await _ask(predictor, folder, image, top_k=1, cam=True)
            await asyncio.to_thread(_save_cam, target, base64.b64decode(result["cam_png"]))
        return File(path=target, media_type="image/png", content_disposition_type="inline", filename=target.name)


def _save_cam(target: Path, png: bytes) -> None:
    """Write the heatmap whole or not at all (a reader never sees half a file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_bytes(png)
    partial.replace(target)
