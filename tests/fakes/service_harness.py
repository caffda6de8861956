"""A RunService on a real SQLite database, EventStore and EventBus, driven by a FakeRunner: what the run service's
branch tests share (tests/unit/test_run_service*.py)."""

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import SQLModel

from backend.catalogue import build_catalogue
from backend.datasets.library import import_folder
from backend.db.models import Project, Run, Workflow
from backend.db.session import make_engine, session_for
from backend.events.bus import EventBus
from backend.events.models import Batch, Queued, WorkerEvent
from backend.events.store import EventStore
from backend.graph.spec import DatasetSpec, EvaluationSpec, ModelSpec, RunSettings, TrainingJobSpec
from backend.runs.service import RunService
from backend.settings import Settings
from tests.conftest import DATA, MODEL, chain
from tests.fakes.runner import FakeRunner, event

FINAL = {"succeeded", "failed", "cancelled", "interrupted"}


class Harness:
    """One data dir: its engine, bus and store, and the services built on them (all stopped at the end)."""

    def __init__(self, settings: Settings) -> None:
        settings.ensure_dirs()
        self.settings = settings
        self.engine = make_engine(settings.resolved_database_url)
        SQLModel.metadata.create_all(self.engine)
        self.bus = EventBus()
        self.store = EventStore(self.engine)
        self.catalogue = build_catalogue(settings.model_store)
        self.services: list[RunService] = []

    def service(self, runner: FakeRunner, slots: int = 1) -> RunService:
        settings = self.settings.model_copy(update={"max_concurrent_runs": slots})
        service = RunService(self.engine, settings, self.catalogue, runner, self.bus)
        self.services.append(service)
        return service

    async def stop(self, service: RunService) -> None:
        self.services.remove(service)
        await asyncio.wait_for(service.stop(), 5)  # a test that failed half-way must not hang in teardown

    def run(self, run_id: str) -> Run:
        with session_for(self.engine) as session:
            return session.get(Run, run_id)

    def stored_run(self, status: str = "queued", events: tuple[WorkerEvent, ...] = ()) -> str:
        """A run row as a service before a restart left it: a queued event first, then `events`."""
        run = Run(workflow_name="fake", settings=RunSettings().model_dump(mode="json"), spec={})
        run.spec = tiny_spec(run.id)
        with session_for(self.engine) as session:
            session.add(run)
            session.commit()
        for stored in (event(Queued(position=0)), *events):
            self.store.append(run.id, stored)
        assert self.run(run.id).status == status
        return run.id

    def types(self, run_id: str) -> list[str]:
        """The run's event types, after checking their seqs are 0, 1, 2, … and the row's last_seq the last."""
        events = self.store.after(run_id)
        assert [e.seq for e in events] == list(range(len(events)))
        assert self.run(run_id).last_seq == len(events) - 1
        return [e.type for e in events]

    async def settled(self, run_id: str, timeout: float = 5.0) -> Run:
        await until(lambda: self.run(run_id).status in FINAL, f"run {run_id} finishes", timeout)
        return self.run(run_id)

    def labelled_workflow(self, tmp_path: Path, graph: dict | None = None) -> Workflow:
        """A project with classes blue and red, four tiny labelled PNGs each, and a workflow on it."""
        for name, colour in {"blue": (20, 20, 220), "red": (220, 20, 20)}.items():
            (tmp_path / "images" / name).mkdir(parents=True)
            for n in range(4):
                Image.new("RGB", (16, 16), (colour[0], colour[1] + 10 * n, colour[2])).save(
                    tmp_path / "images" / name / f"{n}.png"
                )
        with session_for(self.engine) as session:
            project = Project(name="Colours")
            session.add(project)
            session.commit()
            import_folder(session, self.settings, project, tmp_path / "images")
            workflow = Workflow(project_id=project.id, name="tiny", graph=graph or chain(DATA, MODEL))
            session.add(workflow)
            session.commit()
            return workflow


def tiny_spec(run_id: str) -> dict:
    """A valid spec for a run the fake runner plays (it never reads the dataset)."""
    return TrainingJobSpec(
        workflow_name="fake",
        dataset=DatasetSpec(class_names=["blue", "red"], items=[], snapshot_hash="0" * 64),
        pipeline=[],
        model=ModelSpec(architecture="yolov8n-cls.yaml", imgsz=32),
        overrides={"epochs": 1},
        evaluation=EvaluationSpec(every=1, checkpoint="latest"),
        run_id=run_id,
    ).model_dump(mode="json")


def batch(n: int) -> WorkerEvent:
    return event(Batch(epoch=1, epochs=1, batch=n, of=3, loss=1.0 / n, lr=0.001, images_per_s=100.0))


async def until(condition: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        await asyncio.sleep(0.01)


@pytest.fixture
async def harness(settings: Settings) -> AsyncIterator[Harness]:
    harness = Harness(settings)
    yield harness
    for service in list(harness.services):
        await harness.stop(service)
    harness.engine.dispose()
