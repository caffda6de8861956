"""Runs: create (validate → compile → store queued), a FIFO queue under a concurrency limit, the event
pump from runner to store to bus, cancel, and recovery after a restart."""

import asyncio
import logging
import time
from collections import deque

from sqlalchemy.engine import Engine
from sqlmodel import select

from backend.catalogue import Catalogue
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
from backend.settings import Settings

log = logging.getLogger(__name__)


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
        self._active: dict[str, JobHandle] = {}
        self._pumps: set[asyncio.Task[None]] = set()

    # --- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """After a restart: runs that were running are interrupted; queued ones go back in the queue."""
        with session_for(self.engine) as session:
            running = session.exec(select(Run.id).where(Run.status == "running")).all()
            queued = session.exec(select(Run.id).where(Run.status == "queued").order_by(Run.created_at)).all()
        for run_id in running:
            self._record(run_id, Finished(status="interrupted", reason="The server stopped while this run was training."))
        self._pending.extend(queued)
        self._start_what_fits()

    async def stop(self) -> None:
        await self.runner.shutdown()
        for task in list(self._pumps):
            task.cancel()

    # --- commands ---------------------------------------------------------------------------------

    def create(self, workflow: Workflow, settings: RunSettings) -> Run:
        """Validate and compile the workflow, store the run as queued; raises InvalidWorkflow with all issues."""
        with session_for(self.engine) as session:
            project = session.get(Project, workflow.project_id)
            context = ValidationContext(project=project_facts(session, project))
            issues = validate_document(workflow.graph, self.catalogue, context)
            if has_errors(issues):
                raise InvalidWorkflow(issues)
            images = labelled_images(session, self.settings, project.id)
            run = Run(project_id=project.id, workflow_id=workflow.id, workflow_name=workflow.name, settings=settings.model_dump(mode="json"), spec={})
            spec = compile_job(
                Graph.model_validate(workflow.graph), self.catalogue, settings, images,
                output_dir=(self.settings.runs_dir / run.id).resolve(), model_store=self.settings.model_store.resolve(),
            )
            run.spec = spec.model_dump(mode="json")
            run.snapshot_hash = spec.dataset.snapshot_hash
            session.add(run)
            session.commit()
        self._record(run.id, Queued(position=len(self._pending) + len(self._active)))
        self._pending.append(run.id)
        self._start_what_fits()
        return run

    async def cancel(self, run_id: str) -> None:
        """Idempotent: cancelling a finished run does nothing."""
        if run_id in self._pending:
            self._pending.remove(run_id)
            self._record(run_id, Finished(status="cancelled", reason="Cancelled before it started."))
        elif (handle := self._active.get(run_id)) is not None and not handle.cancel_requested:
            await self.runner.cancel(handle, self.settings.cancel_grace_s)

    # --- internals --------------------------------------------------------------------------------

    def _record(self, run_id: str, payload: object) -> Event:
        stored = self.store.append(run_id, WorkerEvent.of(payload, time.time()))
        self.bus.publish(stored)
        return stored

    def _start_what_fits(self) -> None:
        while self._pending and len(self._active) < self.settings.max_concurrent_runs:
            run_id = self._pending.popleft()
            task = asyncio.get_running_loop().create_task(self._run(run_id))
            self._pumps.add(task)
            task.add_done_callback(self._pumps.discard)

    async def _run(self, run_id: str) -> None:
        with session_for(self.engine) as session:
            spec = TrainingJobSpec.model_validate(session.get(Run, run_id).spec)
        try:
            handle = await self.runner.submit(run_id, spec)
        except Exception as error:  # the process could not even start
            log.exception("run %s failed to start", run_id)
            self._record(run_id, Finished(status="failed", reason=f"The worker could not start: {error}"))
            self._start_what_fits()
            return
        self._active[run_id] = handle
        try:
            async for event in self.runner.events(handle):
                stored = self.store.append(run_id, event.validated())
                self.bus.publish(stored)
        except Exception as error:
            log.exception("event pump of run %s broke", run_id)
            await self.runner.cancel(handle, 0)
            self._record(run_id, Finished(status="failed", reason=f"The server lost the worker: {error}"))
        finally:
            del self._active[run_id]
            self._start_what_fits()
