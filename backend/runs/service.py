"""Runs: create (validate → compile → store queued), a queue under the global and per-project concurrency limits
(its rules: backend/runs/queue.py; its order kept on each run row, so a restart starts queued runs in order), the
event pump from runner to store to bus, cancel, move to the front, and recovery after a restart.

Never blocks the event loop: reading the database, validating and compiling run in `asyncio.to_thread`; every
event write runs on one writer thread (so a run's seqs are handed out in order); publishing happens on the loop.
Specs come only from backend/graph/ (`compile_job` and derive.py); a finished run is never rewritten: resume,
extend and label check each make a new run linked by `parent_run_id`.
"""

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import aclosing
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select, update

from backend.catalogue import Catalogue
from backend.datasets.image_facts import labelled_images_of, project_image_facts
from backend.datasets.library import project_facts
from backend.db.models import Project, Run, Workflow
from backend.db.session import session_for
from backend.events.bus import EventBus
from backend.events.models import Event, Finished, Queued, WorkerEvent
from backend.events.store import EventStore
from backend.graph.compile import compile_job
from backend.graph.derive import DEFAULT_FOLDS, extend_spec, label_check_spec, resume_spec
from backend.graph.issues import Issue
from backend.graph.spec import RunSettings, TrainingJobSpec, read_spec, run_weights_key
from backend.graph.validate import ValidationContext, validate_document
from backend.recommend import summarise
from backend.runners.base import JobHandle, JobRunner
from backend.runs.label_check import FOLDS_SETTING, ancestor_specs, refuse_if_under_way
from backend.runs.naming import extended_name, label_check_name, new_run_name, resumed_name
from backend.runs.queue import Place, QueuedRun, front_order, plan
from backend.runs.restart import lost_reason, unfinished_runs
from backend.settings import Settings
from backend.templates import run_defaults_for
from backend.workflows.versions import version_of

log = logging.getLogger(__name__)


RESUMABLE = {"cancelled", "interrupted", "failed"}
UNDER_WAY = ("queued", "running")
CANCEL_WAIT_S = 2.0  # how long a cancel request waits for the worker to stop before it answers


class RunNotResumable(Exception):
    pass


class NotWaiting(Exception):
    """Only a run waiting for a slot can move in the queue."""


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
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="run-events")
        self._derive_lock = asyncio.Lock()  # one check-then-insert of a child run at a time
        self._pending: list[QueuedRun] = []  # runs waiting for a slot (queue.plan walks them in their order)
        self._slots: set[str] = set()  # runs holding one of the concurrency slots
        self._projects: dict[str, str | None] = {}  # run id → project id, of the runs waiting or holding a slot
        self._places: dict[str, Place] = {}  # each waiting run's place; replaced whole, so a thread may read it
        self._handles: dict[str, JobHandle] = {}  # runs whose worker has started
        self._cancel_on_start: set[str] = set()
        self._fresh_specs: dict[str, TrainingJobSpec] = {}  # compiled by create(), not yet handed to the runner
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = False

    # --- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """After a restart (backend/runs/restart.py): each run under way is offered to the runner again. One it still
        has holds a slot (a queued one too: a Ray actor may exist before `started`), its events pumped on from the
        last stored seq; a running one it lost is interrupted with the reason; other queued ones go back in the queue."""
        for left in await asyncio.to_thread(unfinished_runs, self.engine):
            run_id, handle = left.run.run_id, JobHandle(run_id=left.run.run_id)
            self._projects[run_id] = left.run.project_id  # a run holding a slot counts for its project
            if (lost := await lost_reason(self.runner, handle)) is None:
                self._slots.add(run_id)
                self._handles[run_id] = handle
                self._spawn(self._run(run_id, handle, left.last_seq))
            elif left.running:
                self._projects.pop(run_id, None)
                await self._record(run_id, Finished(status="interrupted", reason=lost))
            else:
                self._pending.append(left.run)
        self._start_what_fits()

    async def stop(self) -> None:
        """Stop pumping and let the runner go; runs still training stay `running` for the next start to re-attach or
        interrupt. Nothing new starts once stopping (a freed slot would otherwise submit the next queued run)."""
        self._stopping = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.runner.shutdown()
        self._writer.shutdown(wait=True)

    # --- commands ---------------------------------------------------------------------------------

    async def create(self, workflow: Workflow, settings: RunSettings | None = None) -> Run:
        """Validate and compile the workflow, store the run as queued; raises InvalidWorkflow with all issues.
        Without `settings`, the data-aware defaults the Run Training dialog pre-fills (from the same images)."""
        run = await asyncio.to_thread(self._create, workflow, settings)
        await self._enqueue(run)
        return run

    async def resume(self, run: Run) -> Run:
        """A new run that continues this stopped one from its last checkpoint; the stopped run stays as it was."""
        return await self._derive(run, self._resume_child)

    async def extend(self, run: Run, epochs: int) -> Run:
        """A new run, linked to this one, that trains `epochs` more epochs starting from its best weights."""
        return await self._derive(run, lambda session, parent: self._extend_child(session, parent, epochs))

    async def check_labels(self, run: Run, folds: int = DEFAULT_FOLDS) -> Run:
        """A new run, linked to this one, that finds label errors in its snapshot by k-fold cross-validation;
        raises LabelCheckRefused (backend/graph/derive.py)."""
        return await self._derive(run, lambda session, parent: self._label_check_child(session, parent, folds))

    async def cancel(self, run_id: str) -> None:
        """Idempotent: cancelling a finished run does nothing. A running worker is asked to stop (and killed after
        the grace period) in the background; this waits for that at most CANCEL_WAIT_S, so a request never holds
        on a slow worker exit."""
        if (waiting := self._waiting(run_id)) is not None:
            self._pending.remove(waiting)
            self._fresh_specs.pop(run_id, None)
            self._projects.pop(run_id, None)
            self._start_what_fits()  # the places behind it move up
            self._spawn(self.runner.forget(run_id))  # an earlier server may have left a job of it (a Ray actor)
            await self._record(run_id, Finished(status="cancelled", reason="Cancelled before it started."))
        elif (handle := self._handles.get(run_id)) is not None:
            if not handle.cancel_requested:
                stopping = self._spawn(self.runner.cancel(handle, self.settings.cancel_grace_s))
                await asyncio.wait({stopping}, timeout=CANCEL_WAIT_S)
        elif run_id in self._slots:
            self._cancel_on_start.add(run_id)

    async def move_to_front(self, run_id: str) -> None:
        """The waiting run starts next (unless its project is at its limit); raises NotWaiting for any other run.
        Its new order is stored, so a restart keeps it."""
        waiting = self._waiting(run_id)
        if waiting is None:
            raise NotWaiting(run_id)
        order = front_order(self._pending, run_id)
        if order is None:
            return
        self._pending.remove(waiting)
        self._pending.append(QueuedRun(order, run_id, waiting.project_id))
        self._start_what_fits()
        await asyncio.to_thread(self._save_order, run_id, order)

    def place_of(self, run_id: str) -> Place | None:
        """A waiting run's place (read from request threads too); None for a run that is not waiting for a slot."""
        return self._places.get(run_id)

    # --- making runs (worker threads) -------------------------------------------------------------

    def _create(self, workflow: Workflow, settings: RunSettings | None) -> Run:
        with session_for(self.engine) as session:
            project = session.get(Project, workflow.project_id)
            context = ValidationContext(
                project=project_facts(session, project),
                images=project_image_facts(session, self.settings, project.id),  # for the dataset checks
            )
            validation = validate_document(workflow.graph, self.catalogue, context)
            if validation.valid is None:
                raise InvalidWorkflow(validation.issues)
            if settings is None:
                summary = summarise(context.images or ())
                settings = run_defaults_for(validation.valid, self.catalogue, summary).settings
            version, _ = version_of(session, workflow.id, workflow.graph)  # its last save; a new one if none holds it
            run = Run(
                project_id=project.id,
                workflow_id=workflow.id,
                workflow_name=workflow.name,
                workflow_version_id=version.id,
                settings=settings.model_dump(mode="json"),
                spec={},
            )
            # the snapshot from the facts validation read (not a second 15,000-row query)
            images = labelled_images_of(context.images or (), context.project.labelled_per_class)
            spec = compile_job(validation.valid, self.catalogue, settings, images, run.id)
            run.spec = spec.model_dump(mode="json")
            run.name = new_run_name(workflow.name, spec)
            run.snapshot_hash = spec.dataset.snapshot_hash
            session.add(run)
            session.commit()
        self._fresh_specs[run.id] = spec
        return run

    async def _derive(self, run: Run, child_of: Callable[[Session, Run], Run]) -> Run:
        """Check the run as stored now and insert its child run (one at a time), then queue the child."""
        async with self._derive_lock:
            child = await asyncio.to_thread(self._insert_child, run.id, child_of)
        await self._enqueue(child)
        return child

    def _insert_child(self, run_id: str, child_of: Callable[[Session, Run], Run]) -> Run:
        with session_for(self.engine) as session:
            parent = session.get(Run, run_id)
            child = child_of(session, parent)
            session.add(child)
            session.commit()
        return child

    def _child(self, parent: Run, settings: dict[str, Any], name: str) -> Run:
        """`name`: made by backend/runs/naming.py from the parent's name (its workflow's when it has none)."""
        return Run(
            project_id=parent.project_id,
            workflow_id=parent.workflow_id,
            workflow_name=parent.workflow_name,
            name=name,
            workflow_version_id=parent.workflow_version_id,  # trains the parent's spec: the parent's graph
            parent_run_id=parent.id,
            settings=settings,
            spec={},
            snapshot_hash=parent.snapshot_hash,
        )

    def _resume_child(self, session: Session, parent: Run) -> Run:
        if parent.status not in RESUMABLE:
            raise RunNotResumable(
                f"Only a cancelled, interrupted or failed run can be resumed; this one is {parent.status}."
            )
        checkpoint = run_weights_key(parent.id, "last")
        if not (self.settings.runs_dir / parent.id / "weights" / "last.pt").is_file():
            raise RunNotResumable("This run stopped before its first checkpoint: start it again instead.")
        children = session.exec(select(Run).where(Run.parent_run_id == parent.id, Run.status.in_(UNDER_WAY))).all()
        resuming = [child.id for child in children if (child.spec or {}).get("resume_from") == checkpoint]
        if resuming:
            raise RunNotResumable(f"This run is already being resumed (run {resuming[0]}): wait for it or cancel it.")
        child = self._child(parent, dict(parent.settings), resumed_name(parent.name or parent.workflow_name))
        child.spec = resume_spec(read_spec(parent.spec), parent.id, child.id).model_dump(mode="json")
        return child

    def _extend_child(self, session: Session, parent: Run, epochs: int) -> Run:
        best = self.settings.runs_dir / parent.id / "weights" / "best.pt"
        if parent.status != "succeeded" or not best.is_file():
            raise RunNotResumable("Only a run that finished training can be extended.")
        name = extended_name(parent.name or parent.workflow_name, epochs)
        child = self._child(parent, {**parent.settings, "epochs": epochs}, name)
        child.spec = extend_spec(read_spec(parent.spec), parent.id, child.id, epochs).model_dump(mode="json")
        return child

    def _label_check_child(self, session: Session, parent: Run, folds: int) -> Run:
        refuse_if_under_way(session, parent)
        spec = read_spec(parent.spec)
        child = self._child(parent, {}, label_check_name(parent.name or parent.workflow_name, folds))
        checked = label_check_spec(spec, parent.id, parent.status, ancestor_specs(session, parent), folds, child.id)
        child.settings = {**parent.settings, "epochs": checked.overrides.get("epochs"), FOLDS_SETTING: folds}
        child.spec = checked.model_dump(mode="json")
        return child

    def _save_order(self, run_id: str, order: int) -> None:
        with session_for(self.engine) as session:  # this column alone: the event writer updates the rest of the row
            session.exec(update(Run).where(Run.id == run_id).values(queue_order=order))
            session.commit()

    def _spec_of(self, run_id: str) -> TrainingJobSpec:
        if (fresh := self._fresh_specs.pop(run_id, None)) is not None:  # compiled just now: not read back
            return fresh
        with session_for(self.engine) as session:
            return read_spec(session.get(Run, run_id).spec)

    # --- queue and event pump (on the loop) -------------------------------------------------------

    async def _enqueue(self, run: Run) -> None:
        """The run joins the queue before its `queued` event is written (the write is submitted first, so it keeps
        the lower seq): a cancel that comes while the write is under way finds the run and cancels it."""
        run_id = run.id
        written = self._write(
            run_id, WorkerEvent.of(Queued(position=len(self._pending) + len(self._slots)), time.time())
        )
        self._projects[run_id] = run.project_id
        self._pending.append(QueuedRun(run.queue_order, run_id, run.project_id))
        self.bus.publish(await written)
        self._start_what_fits()

    def _write(self, run_id: str, event: WorkerEvent) -> asyncio.Future[Event]:
        """Submit one event to the writer thread now (events are stored in the order they are submitted)."""
        return asyncio.get_running_loop().run_in_executor(self._writer, self.store.append, run_id, event)

    async def _store(self, run_id: str, event: WorkerEvent) -> Event:
        """Write one event on the writer thread, then publish it on the loop."""
        stored = await self._write(run_id, event)
        self.bus.publish(stored)
        return stored

    async def _record(self, run_id: str, payload: object) -> Event:
        return await self._store(run_id, WorkerEvent.of(payload, time.time()))

    def _waiting(self, run_id: str) -> QueuedRun | None:
        return next((waiting for waiting in self._pending if waiting.run_id == run_id), None)

    def _start_what_fits(self) -> None:
        """Start the waiting runs the limits allow (queue.plan), then note where the others stand."""
        holding = {run_id: self._projects.get(run_id) for run_id in self._slots}
        settings = self.settings
        decided = plan(
            self._pending,
            holding,
            settings.max_concurrent_runs,
            settings.max_concurrent_runs_per_project,
            may_start=not self._stopping,
        )
        started = {run.run_id for run in decided.starts}
        self._pending = [run for run in sorted(self._pending) if run.run_id not in started]
        self._places = decided.places
        for run in decided.starts:
            self._slots.add(run.run_id)
            self._spawn(self._run(run.run_id))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _run(self, run_id: str, reattached: JobHandle | None = None, after: int = -1) -> None:
        try:
            handle = reattached or await self._submit(run_id)
            if handle is not None:
                await self._pump(run_id, handle, after)
        finally:
            self._slots.discard(run_id)
            self._projects.pop(run_id, None)
            self._handles.pop(run_id, None)
            self._cancel_on_start.discard(run_id)
            self._fresh_specs.pop(run_id, None)
            self._start_what_fits()

    async def _submit(self, run_id: str) -> JobHandle | None:
        try:
            spec = await asyncio.to_thread(self._spec_of, run_id)
            handle = await self.runner.submit(run_id, spec)
        except Exception as error:  # an unreadable spec, or the process could not even start
            log.exception("run %s failed to start", run_id)
            await self._record(run_id, Finished(status="failed", reason=f"The worker could not start: {error}"))
            return None
        self._handles[run_id] = handle
        if run_id in self._cancel_on_start:
            self._spawn(self.runner.cancel(handle, self.settings.cancel_grace_s))
        return handle

    async def _pump(self, run_id: str, handle: JobHandle, after: int) -> None:
        events = self.runner.events(handle, after) if after >= 0 else self.runner.events(handle)
        try:
            async with aclosing(events):  # closed at `finished` too: a runner may release the job then (Ray's actor)
                async for event in events:
                    finished = (await self._store(run_id, event.validated())).type == "finished"
                    if finished:  # final: nothing after it is stored
                        return
            reason = "The worker stopped without saying how the run ended."
        except Exception as error:
            log.exception("event pump of run %s broke", run_id)
            reason = f"The server lost the worker: {error}"
            try:
                await self.runner.cancel(handle, 0)
            except Exception:
                log.exception("stopping the worker of run %s failed", run_id)
        await self._record(run_id, Finished(status="failed", reason=reason))
