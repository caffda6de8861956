"""Runs: create (validate → compile → store queued), a FIFO queue under a concurrency limit, the event
pump from runner to store to bus, cancel, and recovery after a restart."""

import asyncio
import logging
import time
from collections import deque
from collections.abc import Coroutine
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import select

from backend.catalogue import Catalogue
from backend.datasets.image_facts import project_image_facts
from backend.datasets.library import labelled_images, project_facts
from backend.db.models import Project, Run, Workflow
from backend.db.session import session_for
from backend.events.bus import EventBus
from backend.events.models import Event, Finished, Queued, WorkerEvent
from backend.events.store import EventStore
from backend.graph.compile import compile_job
from backend.graph.issues import Issue, has_errors
from backend.graph.schema import Graph
from backend.graph.spec import RunSettings, TrainingJobSpec
from backend.graph.validate import ValidationContext, validate_document
from backend.runners.base import JobHandle, JobRunner
from backend.runs.label_check import DEFAULT_FOLDS, LabelCheckRefused, label_check_spec
from backend.settings import Settings

log = logging.getLogger(__name__)


RESUMABLE = {"cancelled", "interrupted", "failed"}


class RunNotResumable(Exception):
    pass


class InvalidWorkflow(Exception):
    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("the workflow has errors")
        self.issues = issues


class RunService:
    def __init__(
        self, engine: Engine, settings: Settings, catalogue: Catalogue, runner: JobRunner, bus: EventBus
    ) -> None:
        self.engine, self.settings, self.catalogue, self.runner, self.bus = engine, settings, catalogue, runner, bus
        self.store = EventStore(engine)
        self._pending: deque[str] = deque()
        self._slots: set[str] = set()  # runs holding one of the concurrency slots
        self._handles: dict[str, JobHandle] = {}  # runs whose worker has started
        self._cancel_on_start: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    # --- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """After a restart: runs that were running are interrupted; queued ones go back in the queue."""
        with session_for(self.engine) as session:
            running = session.exec(select(Run.id).where(Run.status == "running")).all()
            queued = session.exec(select(Run.id).where(Run.status == "queued").order_by(Run.created_at)).all()
        for run_id in running:
            self._record(
                run_id, Finished(status="interrupted", reason="The server stopped while this run was training.")
            )
        self._pending.extend(queued)
        self._start_what_fits()

    async def stop(self) -> None:
        await self.runner.shutdown()
        for task in list(self._tasks):
            task.cancel()

    # --- commands ---------------------------------------------------------------------------------

    def create(self, workflow: Workflow, settings: RunSettings) -> Run:
        """Validate and compile the workflow, store the run as queued; raises InvalidWorkflow with all issues."""
        with session_for(self.engine) as session:
            project = session.get(Project, workflow.project_id)
            context = ValidationContext(
                project=project_facts(session, project),
                images=project_image_facts(session, self.settings, project.id),  # for the dataset checks
            )
            issues = validate_document(workflow.graph, self.catalogue, context)
            if has_errors(issues):
                raise InvalidWorkflow(issues)
            images = labelled_images(session, self.settings, project.id)
            run = Run(
                project_id=project.id,
                workflow_id=workflow.id,
                workflow_name=workflow.name,
                settings=settings.model_dump(mode="json"),
                spec={},
            )
            spec = compile_job(
                Graph.model_validate(workflow.graph),
                self.catalogue,
                settings,
                images,
                output_dir=(self.settings.runs_dir / run.id).resolve(),
                model_store=self.settings.model_store.resolve(),
            )
            run.spec = spec.model_dump(mode="json")
            run.snapshot_hash = spec.dataset.snapshot_hash
            session.add(run)
            session.commit()
        self._enqueue(run.id)
        return run

    def resume(self, run: Run) -> Run:
        """Continue a stopped run from its last checkpoint: the same run, its events going on where they stopped."""
        if run.status not in RESUMABLE or run.id in self._slots or run.id in self._pending:
            raise RunNotResumable(
                f"Only a cancelled, interrupted or failed run can be resumed; this one is {run.status}."
            )
        last = self.settings.runs_dir.resolve() / run.id / "weights" / "last.pt"
        if not last.is_file():
            raise RunNotResumable("This run stopped before its first checkpoint: start it again instead.")
        spec = TrainingJobSpec.model_validate(run.spec).model_copy(update={"resume_from": str(last)})
        with session_for(self.engine) as session:
            stored = session.get(Run, run.id)
            stored.spec = spec.model_dump(mode="json")
            session.add(stored)
            session.commit()
        self._enqueue(run.id)
        return self._load(run.id)

    def extend(self, run: Run, epochs: int) -> Run:
        """A new run, linked to this one, that trains `epochs` more epochs starting from its best weights."""
        best = self.settings.runs_dir.resolve() / run.id / "weights" / "best.pt"
        if run.status != "succeeded" or not best.is_file():
            raise RunNotResumable("Only a run that finished training can be extended.")
        spec = TrainingJobSpec.model_validate(run.spec)
        child = Run(
            project_id=run.project_id,
            workflow_id=run.workflow_id,
            workflow_name=run.workflow_name,
            parent_run_id=run.id,
            settings={**run.settings, "epochs": epochs},
            spec={},
            snapshot_hash=run.snapshot_hash,
        )
        child_spec = spec.model_copy(
            update={
                "model": spec.model.model_copy(update={"pretrained": str(best)}),
                "overrides": {**spec.overrides, "epochs": epochs},
                "output_dir": str((self.settings.runs_dir / child.id).resolve()),
            }
        )
        child.spec = child_spec.model_dump(mode="json")
        with session_for(self.engine) as session:
            session.add(child)
            session.commit()
        self._enqueue(child.id)
        return self._load(child.id)

    def check_labels(self, run: Run, folds: int = DEFAULT_FOLDS) -> Run:
        """A new run, linked to this one, that finds label errors in its snapshot by k-fold cross-validation;
        raises LabelCheckRefused (see runs/label_check.py)."""
        with session_for(self.engine) as session:
            busy = session.exec(
                select(Run).where(Run.parent_run_id == run.id, Run.status.in_(("queued", "running")))
            ).all()
            ongoing = [child.id for child in busy if "cross_validation_folds" in (child.settings or {})]
            if ongoing:
                raise LabelCheckRefused(
                    f"A label check of this run is already under way (run {ongoing[0]}): wait for it or cancel it.",
                    conflict=True,
                )
            ancestors, parent_id = [], run.parent_run_id
            while parent_id is not None and len(ancestors) < 1000:
                parent = session.get(Run, parent_id)
                if parent is None:
                    break
                ancestors.append(parent.spec)
                parent_id = parent.parent_run_id
        spec = label_check_spec(run.id, run.status, run.spec, ancestors, folds, self.settings.runs_dir)
        child = Run(
            project_id=run.project_id,
            workflow_id=run.workflow_id,
            workflow_name=run.workflow_name,
            parent_run_id=run.id,
            settings={**run.settings, "epochs": spec.overrides.get("epochs"), "cross_validation_folds": folds},
            spec={},
            snapshot_hash=run.snapshot_hash,
        )
        child.spec = spec.model_copy(
            update={"output_dir": str((self.settings.runs_dir / child.id).resolve())}
        ).model_dump(mode="json")
        with session_for(self.engine) as session:
            session.add(child)
            session.commit()
        self._enqueue(child.id)
        return self._load(child.id)

    async def cancel(self, run_id: str) -> None:
        """Idempotent: cancelling a finished run does nothing."""
        if run_id in self._pending:
            self._pending.remove(run_id)
            self._record(run_id, Finished(status="cancelled", reason="Cancelled before it started."))
        elif (handle := self._handles.get(run_id)) is not None:
            if not handle.cancel_requested:
                await self.runner.cancel(handle, self.settings.cancel_grace_s)
        elif run_id in self._slots:
            self._cancel_on_start.add(run_id)

    # --- internals --------------------------------------------------------------------------------

    def _enqueue(self, run_id: str) -> None:
        self._record(run_id, Queued(position=len(self._pending) + len(self._slots)))
        self._pending.append(run_id)
        self._start_what_fits()

    def _load(self, run_id: str) -> Run:
        with session_for(self.engine) as session:
            return session.get(Run, run_id)

    def _record(self, run_id: str, payload: object) -> Event:
        stored = self.store.append(run_id, WorkerEvent.of(payload, time.time()))
        self.bus.publish(stored)
        return stored

    def _start_what_fits(self) -> None:
        while self._pending and len(self._slots) < self.settings.max_concurrent_runs:
            run_id = self._pending.popleft()
            self._slots.add(run_id)
            self._spawn(self._run(run_id))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, run_id: str) -> None:
        try:
            await self._train(run_id)
        finally:
            self._slots.discard(run_id)
            self._handles.pop(run_id, None)
            self._cancel_on_start.discard(run_id)
            self._start_what_fits()

    async def _train(self, run_id: str) -> None:
        with session_for(self.engine) as session:
            spec = TrainingJobSpec.model_validate(session.get(Run, run_id).spec)
        try:
            handle = await self.runner.submit(run_id, spec)
        except Exception as error:  # the process could not even start
            log.exception("run %s failed to start", run_id)
            self._record(run_id, Finished(status="failed", reason=f"The worker could not start: {error}"))
            return
        self._handles[run_id] = handle
        if run_id in self._cancel_on_start:
            self._spawn(self.runner.cancel(handle, self.settings.cancel_grace_s))
        try:
            async for event in self.runner.events(handle):
                stored = self.store.append(run_id, event.validated())
                self.bus.publish(stored)
        except Exception as error:
            log.exception("event pump of run %s broke", run_id)
            await self.runner.cancel(handle, 0)
            self._record(run_id, Finished(status="failed", reason=f"The server lost the worker: {error}"))
