"""Resume into a new run: a run stopped after epoch 1 continues at epoch 2 from its last.pt, optimiser state and
all, in a run folder of its own; the parent's folder is left as it was."""

import hashlib
from pathlib import Path

import pytest

from backend.events.models import WorkerEvent
from backend.graph.spec import run_weights_key
from backend.worker.job import run_job
from tests.worker.conftest import new_run_id


def _data(events: list[WorkerEvent], kind: str) -> list[dict]:
    return [event.data.model_dump() for event in events if event.type == kind]


def _fingerprint(folder: Path) -> dict[str, str]:
    """Every file of a folder (links as their targets) and its content hash."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.mark.train
def test_a_cancelled_run_resumes_as_a_new_run_at_the_next_epoch_and_finishes(make_spec, store):
    spec = make_spec(overrides={"epochs": 3})
    first: list[WorkerEvent] = []

    def after_epoch_one() -> bool:
        return any(e.type == "checkpoint" and e.data.kind == "last" for e in first)

    assert run_job(spec, store, first.append, after_epoch_one) == "cancelled"
    assert [c["epoch"] for c in _data(first, "checkpoint") if c["kind"] == "last"] == [1]
    parent_folder = store.run_folder(spec.run_id)
    parent_files = _fingerprint(parent_folder)

    resumed = spec.model_copy(
        update={
            "run_id": new_run_id(),
            "parent_run_id": spec.run_id,
            "resume_from": run_weights_key(spec.run_id, "last"),
        }
    )
    second: list[WorkerEvent] = []
    assert run_job(resumed, store, second.append, lambda: False) == "succeeded"

    assert {b["epoch"] for b in _data(second, "batch")} == {2, 3}
    assert all(b["epochs"] == 3 for b in _data(second, "batch"))
    evaluations = _data(second, "evaluation")
    assert [(e["epoch"], e["final"]) for e in evaluations[:-1]] == [(2, False), (3, False)]
    assert evaluations[0]["step"] == 14  # 7 optimiser steps an epoch, counted from the first run's
    assert evaluations[-1]["final"] and evaluations[-1]["epoch"] in {1, 2, 3}
    assert [c["epoch"] for c in _data(second, "checkpoint") if c["kind"] == "last"] == [2, 3]
    assert any("resuming after epoch 1 of 3" in log["message"] for log in _data(second, "log"))
    [finished] = _data(second, "finished")
    assert finished["metrics"]["epochs"] == 3 and finished["metrics"]["train_images"] == 800
    assert evaluations[-1]["val_loss"] is not None
    assert _data(second, "evaluation")[0]["preview"][0]["item"] == _data(first, "evaluation")[0]["preview"][0]["item"]

    folder = store.run_folder(resumed.run_id)
    assert folder != parent_folder
    assert {"weights/best.pt", "weights/last.pt", "weights/best.onnx", "model_card.json"} <= set(_fingerprint(folder))
    assert _fingerprint(parent_folder) == parent_files  # the parent is untouched: nothing added, nothing changed


def test_a_run_cannot_resume_its_own_checkpoint(make_spec):
    spec = make_spec()
    with pytest.raises(ValueError, match="a parent run's checkpoint"):
        spec.model_validate({**spec.model_dump(), "resume_from": run_weights_key(spec.run_id, "last")})


def test_a_missing_parent_checkpoint_fails_the_run(make_spec, store):
    events: list[WorkerEvent] = []
    spec = make_spec().model_copy(update={"resume_from": "runs/never-ran/weights/last.pt"})

    assert run_job(spec, store, events.append, lambda: False) == "failed"
    assert events[-1].data.reason == (
        "FileNotFoundError: checkpoint to resume from not found: runs/never-ran/weights/last.pt"
    )


@pytest.mark.train
def test_a_finished_run_cannot_be_resumed(trained_run, make_spec, store):
    events: list[WorkerEvent] = []
    spec = make_spec().model_copy(update={"resume_from": run_weights_key(trained_run.spec.run_id, "last")})

    status = run_job(spec, store, events.append, lambda: False)

    assert status == "failed"
    assert events[-1].data.reason == (
        "ValueError: last.pt is from a run that finished training: nothing to resume (extend it instead)"
    )
