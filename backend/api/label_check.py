"""Find label errors beyond the validation split: start a label check (k-fold cross-validation) of a finished run.

The check is a run like any other (queue, events, run page), linked to the run it checks by `parent_run_id`;
when it has succeeded, `GET /api/runs/{id}/mislabelled` serves its queue, which covers every labelled image.
"""

import asyncio

from litestar import Controller, post
from litestar.exceptions import ClientException
from litestar.params import Body
from pydantic import BaseModel, ConfigDict, Field

from backend.api.access import Access
from backend.api.documented import errors
from backend.api.runs import read_run
from backend.api.schemas import RunRead
from backend.runs.label_check import DEFAULT_FOLDS, MAX_FOLDS, MIN_FOLDS, LabelCheckRefused
from backend.runs.service import RunService


class LabelCheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    folds: int = Field(
        default=DEFAULT_FOLDS,
        ge=MIN_FOLDS,
        le=MAX_FOLDS,
        description="Models to train; each predicts the fold of images it did not train on.",
    )


class LabelCheckController(Controller):
    tags = ["runs"]

    @post("/api/runs/{run_id:str}/label-check", status_code=202, responses=errors(404, 409))
    async def start_label_check(
        self, access: Access, runs: RunService, run_id: str, data: LabelCheckRequest | None = Body(default=None)
    ) -> RunRead:
        """Queue a label check of this finished run: 202 with the new run. 409 when the run has not succeeded
        (or is itself a check); 400 naming the field when `folds` is out of range or a class has too few images."""
        run = await asyncio.to_thread(access.run, run_id)
        try:
            child = await runs.check_labels(run, (data or LabelCheckRequest()).folds)
            return await asyncio.to_thread(read_run, access.session, child)
        except LabelCheckRefused as refusal:
            if refusal.conflict:
                raise ClientException(status_code=409, detail=str(refusal)) from None
            raise ClientException(detail=str(refusal), extra={"field": refusal.field}) from None
