"""Augmentation preview: a strip of the project's own images passed through the workflow's pipeline up to one node,
with the model's input beside them, so a person sees what an augmentation does before training.

The graph is the one being edited (the body's; the saved one when left out). It is validated and cut here with pure
code (backend/graph/preview.py); the predictor process renders the pictures with the transforms training builds
(backend/worker/preview.py): this process imports no albumentations, cv2 or torch. The images are drawn from all
of the project's images, labelled or not, by the seed: the same seed gives the same pictures, byte for byte.
"""

import asyncio
import random
from dataclasses import dataclass
from typing import Any, Literal

from litestar import Controller, post
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import Body
from litestar.response import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import select

from backend.api.access import Access
from backend.api.documented import errors
from backend.api.schemas import WorkflowIssues
from backend.catalogue import Catalogue
from backend.datasets.images import content_path
from backend.db.models import Asset
from backend.graph.issues import Issue
from backend.graph.preview import NodeNotInGraph, NodeNotOnChain, PreviewPlan, preview_plan, too_large_for_preview
from backend.graph.validate import validate_document
from backend.runners.predictor import PredictorError, PredictorPool
from backend.settings import Settings

MAX_PREVIEW_IMAGES = 8
DISPLAY_PIXELS = 192  # the original and "after this node" pictures are scaled down to fit this; the model input never


class AugmentationPreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    node_id: str = Field(
        min_length=1,
        max_length=200,
        description="The node whose output to show: the dataset node shows the images as they are, an augmentation "
        "or preprocessing node the pipeline up to it, the model node the whole chain.",
    )
    graph: Any = Field(default=None, description="The graph being edited; left out, the saved workflow's.")
    seed: int = Field(
        default=0, ge=0, le=2**31 - 1, description="Picks the images and their random draws: same seed, same pictures."
    )
    count: int = Field(default=4, ge=1, le=MAX_PREVIEW_IMAGES, description="How many images.")


class AugmentationPicture(BaseModel):
    data_url: str = Field(description="The picture as a data: URL: PNG up to 64 × 64 pixels, JPEG over.")
    width: int = Field(description="The picture's real width; the data may be scaled down to fit the strip.")
    height: int


class AugmentationSample(BaseModel):
    asset_id: str
    filename: str
    original: AugmentationPicture | None = None
    augmented: AugmentationPicture | None = Field(default=None, description="After the previewed node.")
    model_input: AugmentationPicture | None = Field(default=None, description="What the model gets: imgsz × imgsz.")
    error: str | None = Field(default=None, description="Why this image has no pictures (e.g. a crop too large).")


class AugmentationStep(BaseModel):
    node_id: str
    transform: str = Field(description="The albumentations transform, e.g. HorizontalFlip.")
    splits: list[Literal["train", "val"]]


class AugmentationPreview(BaseModel):
    node_id: str
    seed: int
    imgsz: int = Field(description="The model's input size: the model input is imgsz × imgsz.")
    steps: list[AugmentationStep] = Field(description="The pipeline up to and including the node, in order.")
    later_steps: list[AugmentationStep] = Field(description="The rest of the pipeline: it also shapes the model input.")
    image_count: int = Field(description="How many images the project has: the strip is drawn from them.")
    samples: list[AugmentationSample]
    ms: float = Field(description="Rendering time in the worker, milliseconds.")


class _Invalid(Exception):
    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("the graph has errors")
        self.issues = issues


@dataclass(frozen=True)
class _Prepared:
    plan: PreviewPlan
    chosen: list[Any]  # (id, sha256, ext, filename) rows of the images drawn
    image_count: int


def _prepare(
    access: Access, catalogue: Catalogue, settings: Settings, workflow_id: str, data: AugmentationPreviewRequest
) -> _Prepared:
    workflow = access.workflow(workflow_id)
    validation = validate_document(workflow.graph if data.graph is None else data.graph, catalogue)
    if validation.valid is None:  # errors first: the browser shows the first issue's message
        raise _Invalid(sorted(validation.issues, key=lambda issue: issue.severity != "error"))
    try:
        plan = preview_plan(validation.valid, catalogue, data.node_id)
    except NodeNotInGraph as missing:
        raise NotFoundException(detail=str(missing), extra={"field": "node_id"}) from None
    except NodeNotOnChain as off:
        raise ClientException(status_code=409, detail=str(off), extra={"field": "node_id"}) from None
    if (too_large := too_large_for_preview(plan)) is not None:
        raise _Invalid([too_large])
    assets = access.session.exec(
        select(Asset.id, Asset.sha256, Asset.ext, Asset.filename)
        .where(Asset.project_id == workflow.project_id)
        .order_by(Asset.sha256)  # type: ignore[arg-type]
    ).all()
    order = list(range(len(assets)))
    random.Random(data.seed).shuffle(order)  # a shuffle, not a sample: more images extend the strip, never change it
    chosen = [assets[i] for i in order[: data.count]]
    return _Prepared(plan=plan, chosen=chosen, image_count=len(assets))


def _steps(plan: PreviewPlan, start: int, stop: int) -> list[AugmentationStep]:
    return [
        AugmentationStep(node_id=step.node_id, transform=step.transform, splits=step.splits)
        for step in plan.steps[start:stop]
    ]


class PreviewController(Controller):
    tags = ["workflows"]

    @post(
        "/api/workflows/{workflow_id:str}/preview",
        status_code=200,
        opt={"least_role": "viewer"},  # renders pictures, changes nothing
        responses=errors(404, 409, 422, 503, bodies={422: WorkflowIssues}),
    )
    async def preview_augmentations(
        self,
        access: Access,
        catalogue: Catalogue,
        settings: Settings,
        predictor: PredictorPool,
        workflow_id: str,
        data: AugmentationPreviewRequest = Body(),
    ) -> Response[AugmentationPreview]:
        """The project's images (seeded) after the pipeline up to `node_id`, and as the model gets them. 422 with
        every issue when the graph has errors; 404 when the node is not in it; 409 when it is not on the chain."""
        try:
            prepared = await asyncio.to_thread(_prepare, access, catalogue, settings, workflow_id, data)
        except _Invalid as invalid:
            return Response(WorkflowIssues(issues=invalid.issues), status_code=422)  # type: ignore[arg-type]
        plan = prepared.plan
        rendered: dict[str, Any] = {"images": [], "ms": 0.0}
        if prepared.chosen:
            request = {
                "steps": [step.model_dump(mode="json") for step in plan.steps],
                "upto": plan.upto,
                "imgsz": plan.imgsz,
                "seed": data.seed,
                "display": DISPLAY_PIXELS,
                "images": [str(content_path(settings.assets_dir, a.sha256, a.ext)) for a in prepared.chosen],
            }
            try:
                rendered = await predictor.preview(request)
            except PredictorError as error:
                raise ClientException(status_code=503, detail=f"The preview worker is unavailable: {error}") from None
            if rendered.get("error"):
                raise ClientException(status_code=409, detail=f"The pipeline cannot be previewed: {rendered['error']}")
        samples = [
            AugmentationSample(asset_id=asset.id, filename=asset.filename, **pictures)
            for asset, pictures in zip(prepared.chosen, rendered["images"], strict=True)
        ]
        return Response(
            AugmentationPreview(
                node_id=plan.node_id,
                seed=data.seed,
                imgsz=plan.imgsz,
                steps=_steps(plan, 0, plan.upto),
                later_steps=_steps(plan, plan.upto, len(plan.steps)),
                image_count=prepared.image_count,
                samples=samples,
                ms=float(rendered["ms"]),
            )
        )
