"""Runs: start one from a workflow, list, read, rename, cancel, and the stored events."""

import asyncio
import re
from typing import Any

from litestar import Controller, get, patch, post
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import Body, Parameter
from litestar.response import File, Response
from sqlalchemy.orm import defer
from sqlmodel import Session, select

from backend.api.access import Access
from backend.api.answers import ArtifactRead, RunComparison, RunSnapshot, SnapshotItem, SplitCounts
from backend.api.documented import OptionalBody, errors
from backend.api.schemas import ExtendRequest, RunLineage, RunRead, RunRename, WorkflowIssues
from backend.catalogue import Catalogue
from backend.db.models import Run, WorkflowVersion
from backend.events.models import Event
from backend.events.store import MAX_SEQ, PAGE
from backend.graph.spec import DatasetSpec, RunSettings
from backend.runs.compare import compare_runs
from backend.runs.naming import MAX_RUN_NAME
from backend.runs.queue import waiting_reason
from backend.runs.service import InvalidWorkflow, NotWaiting, RunNotResumable, RunService
from backend.settings import Settings


def _artifacts(run: Run) -> dict[str, dict[str, Any]]:
    """The run's `artifact` events, one per name (a projection kept on the run row)."""
    return {artifact["name"]: artifact for artifact in run.artifacts}


# The top-level keys of a stored spec that say how a run came from its parent (see `lineage_of`).
LINEAGE_KEYS = ("parent_run_id", "resume_from", "cross_validation")


def run_read(
    run: Run,
    lineage_keys: tuple[object, ...] | None = None,
    version_number: int | None = None,
    queue: RunService | None = None,
) -> RunRead:
    """`lineage_keys`: the spec's LINEAGE_KEYS when the query read them (the spec itself deferred); else from it.
    `version_number`: of the workflow version it trained (`read_run` looks it up). `queue`: the run service, for a
    queued run's place and why it waits. A run stored without a name (outside the run service) is called by its
    workflow's."""
    keys = lineage_keys if lineage_keys is not None else tuple((run.spec or {}).get(k) for k in LINEAGE_KEYS)
    place = queue.place_of(run.id) if queue is not None else None
    return RunRead(
        **run.model_dump(exclude={"spec", "name"}),
        name=run.name or run.workflow_name,
        workflow_version_number=version_number,
        lineage=lineage_of(run.parent_run_id, *keys),
        queue_position=place.position if place is not None else None,
        waiting_reason=waiting_reason(place, run.status, run.reason) if queue is not None else None,
    )


def read_run(session: Session, run: Run, queue: RunService | None = None) -> RunRead:
    """`run_read` with the number of the version it trained, read without the version's graph."""
    number = None
    if run.workflow_version_id is not None:
        found = select(WorkflowVersion.number).where(WorkflowVersion.id == run.workflow_version_id)
        number = session.exec(found).first()
    return run_read(run, version_number=number, queue=queue)


def lineage_of(
    parent_run_id: str | None, spec_parent: object, resume_from: object, cross_validation: object
) -> RunLineage | None:
    """A checkpoint to resume → resumed; cross-validation → a label check; else a parent → extended."""
    if not (parent_run_id or spec_parent):
        return None  # also a version-1 spec resuming in its own folder: that record is the whole run's
    if resume_from:
        return "resumed"
    return "label_check" if cross_validation else "extended"


DOWNLOAD_NAME_WORDS = 100  # characters of the run's name a downloaded file's name keeps


def download_name(run_name: str, run_id: str, file_name: str) -> str:
    """`Birds-YOLO11n-224-px-30-ep-<run id>-best.pt`: letters, digits, `.`, `_` and `-` only, so the name needs no
    quoting in a shell (no spaces, commas, slashes or quotes); the run's name shortened to DOWNLOAD_NAME_WORDS."""
    words = re.sub(r"[^A-Za-z0-9._-]+", "-", run_name).strip("-._")[:DOWNLOAD_NAME_WORDS].strip("-._") or "run"
    return f"{words}-{run_id}-{re.sub(r'[^A-Za-z0-9._-]+', '-', file_name)}"


class RunController(Controller):
    tags = ["runs"]

    @post(
        "/api/workflows/{workflow_id:str}/runs",
        status_code=202,
        responses=errors(404, 422, bodies={422: WorkflowIssues}),
        operation_class=OptionalBody,
    )
    async def start_run(
        self,
        access: Access,
        runs: RunService,
        catalogue: Catalogue,
        settings: Settings,
        workflow_id: str,
        data: RunSettings | None = Body(default=None, description="Optional: without it, the data-aware defaults."),
    ) -> Response[RunRead]:
        """Without a body the run takes the data-aware defaults the Run Training dialog pre-fills."""
        workflow = await asyncio.to_thread(access.workflow, workflow_id)
        try:
            run = await runs.create(workflow, data)  # None: the defaults, from the images it validates against
        except InvalidWorkflow as invalid:
            return Response(WorkflowIssues(issues=invalid.issues), status_code=422)
        return Response(await asyncio.to_thread(read_run, access.session, run, runs), status_code=202)

    @get("/api/projects/{project_id:str}/runs", sync_to_thread=True, responses=errors(404))
    def list_runs(self, access: Access, runs: RunService, project_id: str) -> list[RunRead]:
        project = access.project(project_id)
        # The spec (megabytes for a large snapshot) stays in the database: the database reads the three keys.
        keys = [Run.spec[key].as_string() for key in LINEAGE_KEYS]
        rows = access.session.exec(
            select(Run, WorkflowVersion.number, *keys)
            .outerjoin(WorkflowVersion, WorkflowVersion.id == Run.workflow_version_id)
            .options(defer(Run.spec))
            .where(Run.project_id == project.id)
            .order_by(Run.created_at.desc())
        ).all()
        return [run_read(run, tuple(found), number, runs) for run, number, *found in rows]

    @get("/api/projects/{project_id:str}/runs/compare", sync_to_thread=True, responses=errors(404))
    def compare(self, access: Access, runs: RunService, project_id: str, ids: str) -> RunComparison:
        """`ids`: two or more run ids, comma-separated, all of this project."""
        project = access.project(project_id)
        wanted = list(dict.fromkeys(i for i in ids.split(",") if i))
        if len(wanted) < 2:
            raise ClientException(detail="Compare needs at least two run ids.", extra={"field": "ids"})
        chosen = [access.run(run_id) for run_id in wanted]
        if any(run.project_id != project.id for run in chosen):
            raise ClientException(detail="Every compared run must belong to this project.", extra={"field": "ids"})
        return RunComparison.model_validate(
            compare_runs(chosen, {run.id: runs.store.iter_after(run.id) for run in chosen})
        )

    @get("/api/runs/{run_id:str}", sync_to_thread=True, responses=errors(404))
    def get_run(self, access: Access, runs: RunService, run_id: str) -> RunRead:
        return read_run(access.session, access.run(run_id), runs)

    @patch("/api/runs/{run_id:str}", sync_to_thread=True, responses=errors(404, 422))
    def rename_run(self, access: Access, run_id: str, data: RunRename = Body()) -> RunRead:
        """An owner renames a run, as they start and cancel runs. Runs of whitespace become one space; the name must
        then be 1 to 200 characters (422 on the field `name` otherwise). Names need not be unique."""
        run = access.run(run_id)
        name = " ".join(data.name.split())
        if not 1 <= len(name) <= MAX_RUN_NAME:
            raise ClientException(
                status_code=422,
                detail=f"A run's name must be 1 to {MAX_RUN_NAME} characters once trimmed; this one has {len(name)}.",
                extra={"field": "name"},
            )
        run.name = name
        access.session.add(run)
        access.session.commit()
        access.session.refresh(run)
        return read_run(access.session, run)

    @post("/api/runs/{run_id:str}/cancel", status_code=202, responses=errors(404))
    async def cancel_run(self, access: Access, runs: RunService, run_id: str) -> RunRead:
        """Idempotent: a finished run stays as it is. A queued run leaves the queue at once."""
        run = await asyncio.to_thread(access.run, run_id)
        access.session.close()
        await runs.cancel(run.id)
        return await asyncio.to_thread(lambda: read_run(access.session, access.run(run_id), runs))

    @post("/api/runs/{run_id:str}/move-to-front", status_code=200, responses=errors(404, 409))
    async def move_to_front(self, access: Access, runs: RunService, run_id: str) -> RunRead:
        """A run waiting for a slot starts next (unless its project is at its own limit); the order is stored, so it
        holds after a restart. 409 for a run that is not waiting (training, handed to the runner, or finished)."""
        run = await asyncio.to_thread(access.run, run_id)
        access.session.close()
        try:
            await runs.move_to_front(run.id)
        except NotWaiting:
            raise ClientException(
                status_code=409, detail=f"Run {run.id!r} is not waiting in the queue ({run.status}): it cannot move."
            ) from None
        return await asyncio.to_thread(lambda: read_run(access.session, access.run(run_id), runs))

    @post("/api/runs/{run_id:str}/resume", status_code=202, responses=errors(404, 409))
    async def resume_run(self, access: Access, runs: RunService, run_id: str) -> RunRead:
        """Continue a cancelled, interrupted or failed run from its last checkpoint."""
        run = await asyncio.to_thread(access.run, run_id)
        try:
            child = await runs.resume(run)
        except RunNotResumable as refusal:
            raise ClientException(status_code=409, detail=str(refusal)) from None
        return await asyncio.to_thread(read_run, access.session, child)

    @post("/api/runs/{run_id:str}/extend", status_code=202, responses=errors(404, 409))
    async def extend_run(self, access: Access, runs: RunService, run_id: str, data: ExtendRequest = Body()) -> RunRead:
        """Train N more epochs from this run's best weights, as a new run linked to it."""
        run = await asyncio.to_thread(access.run, run_id)
        try:
            child = await runs.extend(run, data.epochs)
        except RunNotResumable as refusal:
            raise ClientException(status_code=409, detail=str(refusal)) from None
        return await asyncio.to_thread(read_run, access.session, child)

    @get("/api/runs/{run_id:str}/artifacts", sync_to_thread=True, responses=errors(404))
    def list_artifacts(self, access: Access, runs: RunService, run_id: str) -> list[ArtifactRead]:
        run = access.run(run_id)
        return [
            ArtifactRead.model_validate({**a, "url": f"/api/runs/{run.id}/artifacts/{a['name']}"})
            for a in _artifacts(run).values()
        ]

    @get(
        "/api/runs/{run_id:str}/artifacts/{name:str}",
        sync_to_thread=True,
        media_type="application/octet-stream",
        responses=errors(404),
    )
    def download_artifact(self, access: Access, runs: RunService, settings: Settings, run_id: str, name: str) -> File:
        """Only files the run's worker announced, inside the run's own folder."""
        run = access.run(run_id)
        artifact = _artifacts(run).get(name)
        run_dir = (settings.runs_dir / run.id).resolve()
        path = (run_dir / artifact["path"]).resolve() if artifact else None
        if path is None or not path.is_relative_to(run_dir) or not path.is_file():
            raise NotFoundException(detail=f"Run {run.id!r} has no artifact {name!r}.")
        return File(path=path, filename=download_name(run.name or run.workflow_name, run.id, name))

    @get("/api/runs/{run_id:str}/snapshot", sync_to_thread=True, responses=errors(404))
    def run_snapshot(self, access: Access, run_id: str) -> RunSnapshot:
        """Exactly which images and labels the run trained on, fixed when it was queued."""
        spec = access.run(run_id).job_spec()
        dataset = spec.dataset if spec is not None else DatasetSpec(class_names=[], items=[], snapshot_hash="")
        names = dataset.class_names
        per_class = {name: SplitCounts(train=0, val=0) for name in names}
        for item in dataset.items:
            counts = per_class[names[item.label]]
            setattr(counts, item.split, getattr(counts, item.split) + 1)
        return RunSnapshot(
            snapshot_hash=dataset.snapshot_hash,
            class_names=names,
            train=sum(c.train for c in per_class.values()),
            val=sum(c.val for c in per_class.values()),
            per_class=per_class,
            items=[
                SnapshotItem(content_hash=i.content_hash, label=names[i.label], split=i.split) for i in dataset.items
            ],
        )

    @get("/api/runs/{run_id:str}/events", sync_to_thread=True, responses=errors(404))
    def run_events(
        self,
        access: Access,
        runs: RunService,
        run_id: str,
        after: int = Parameter(default=-1, ge=-1, le=MAX_SEQ, description="Events with a seq greater than this."),
        limit: int = Parameter(default=PAGE, ge=1, le=PAGE, description=f"At most this many (1 to {PAGE})."),
    ) -> list[Event]:
        """One page of the run's stored events, in seq order: to read them all, ask again with `after` = the last
        seq received until a page comes back shorter than `limit` (the live ones stream on /ws/runs/{run_id})."""
        run = access.run(run_id)
        return runs.store.after(run.id, after, limit)
