"""Runs with a stored event log, written straight into a data dir before a `visionflow serve` starts on it:
a finished run longer than any page, and a run that stays queued (the server starts no run)."""

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import websockets
from sqlalchemy import insert, update
from sqlalchemy.engine import Engine

from backend.app import create_app
from backend.db.models import Run, RunEvent
from backend.db.session import make_engine, session_for
from backend.events.models import Artifact, Checkpoint, Finished, Queued, Started, WorkerEvent
from backend.events.store import EventStore
from backend.settings import Settings

LONG_RUN, LONG_RUN_EVENTS = "long-run", 12_022
QUEUED_RUN = "queued-run"
# Stored by versions before 0.2: resumed in place (two `finished`), with a payload this version no longer reads.
OLD_RESUMED_RUN = "old-resumed-run"
BATCHES = LONG_RUN_EVENTS - 5  # queued, started, the batches, checkpoint, artifact, finished


def write_runs(data_dir: Path, long_run: bool = True) -> None:
    """The queued run and (unless not wanted) the long finished run of 12,022 events, in the data dir's database."""
    settings = Settings(data_dir=data_dir)
    create_app(settings)  # makes the schema
    engine = make_engine(settings.resolved_database_url)
    store = EventStore(engine)
    with session_for(engine) as session:
        for run_id in (LONG_RUN, QUEUED_RUN) if long_run else (QUEUED_RUN,):
            session.add(Run(id=run_id, workflow_name="w", settings={}, spec={}))
        session.commit()
    store.append(QUEUED_RUN, WorkerEvent.of(Queued(), time.time()))
    if long_run:
        _write_long_run(engine, store)
        _write_old_resumed_run(engine)
    engine.dispose()


def _write_old_resumed_run(engine: Engine) -> None:
    started = {"pid": 1, "device": "cpu", "epochs": 2, "train_images": 1, "val_images": 1, "class_names": ["a"]}
    log = {"level": "info", "message": "epoch 1", "source": "a field no payload has now"}
    log_of = [
        ("queued", {"position": 0}),
        ("started", started),
        ("log", log),
        ("finished", {"status": "interrupted", "reason": "The server stopped.", "metrics": {}}),
        ("queued", {"position": 0}),
        ("started", started),
        ("finished", {"status": "succeeded", "reason": "", "metrics": {"accuracy": 1.0}}),
    ]
    rows = [
        {"run_id": OLD_RESUMED_RUN, "seq": seq, "type": kind, "ts": float(seq), "data": data}
        for seq, (kind, data) in enumerate(log_of)
    ]
    with session_for(engine) as session:
        session.add(Run(id=OLD_RESUMED_RUN, workflow_name="w", settings={}, spec={}, status="succeeded", last_seq=6))
        session.commit()
    with engine.begin() as connection:
        connection.execute(insert(RunEvent), rows)


def _write_long_run(engine: Engine, store: EventStore) -> None:
    """Queued, started, 12,017 batches (inserted at once: appending them one by one takes long), checkpoint,
    artifact, finished."""
    store.append(LONG_RUN, WorkerEvent.of(Queued(), time.time()))
    store.append(
        LONG_RUN, WorkerEvent.of(Started(device="cpu", epochs=1, train_images=1, val_images=1, class_names=["a"]), 1.0)
    )
    batch = {"epoch": 1, "epochs": 1, "of": BATCHES, "loss": 0.5, "lr": 0.01, "images_per_s": 100.0}
    rows = [
        {"run_id": LONG_RUN, "seq": 2 + i, "type": "batch", "ts": 2.0, "data": {**batch, "batch": i + 1}}
        for i in range(BATCHES)
    ]
    with engine.begin() as connection:
        connection.execute(insert(RunEvent), rows)
        connection.execute(update(Run).where(Run.id == LONG_RUN).values(last_seq=1 + BATCHES, status="running"))
    store.append(LONG_RUN, WorkerEvent.of(Checkpoint(epoch=1, path="weights/last.pt", kind="last"), 3.0))
    store.append(
        LONG_RUN, WorkerEvent.of(Artifact(name="best.pt", path="weights/best.pt", kind="weights", bytes=3), 3.0)
    )
    store.append(LONG_RUN, WorkerEvent.of(Finished(status="succeeded", metrics={"accuracy": 0.9}), 4.0))


async def read_socket(
    url: str, stop_after: int | None = None, timeout: float = 30
) -> tuple[list[dict[str, Any]], int | None, str]:
    """Every message until the server closes the socket (or `stop_after` messages): (messages, close code, reason).

    Raises TimeoutError when the server keeps the socket open longer than `timeout`."""

    async def read() -> tuple[list[dict[str, Any]], int | None, str]:
        messages: list[dict[str, Any]] = []
        async with websockets.connect(url, max_queue=None) as socket:
            try:
                while len(messages) != stop_after:
                    messages.append(json.loads(await socket.recv()))
            except websockets.ConnectionClosed:
                pass
            return messages, socket.close_code, socket.close_reason or ""

    return await asyncio.wait_for(read(), timeout)
