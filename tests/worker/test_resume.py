"""Resume: a run stopped after epoch 1 continues at epoch 2 from its last.pt, optimiser state and all."""

import pytest

from backend.events.models import WorkerEvent
from backend.worker.job import run_job


def _data(events: list[WorkerEvent], kind: str) -> list[dict]:
    return [event.validated().data for event in events if event.type == kind]


@pytest.mark.train
def test_a_cancelled_run_resumes_at_the_next_epoch_and_finishes(make_spec):
    spec = make_spec(overrides={"epochs": 3})
    first: list[WorkerEvent] = []

    def after_epoch_one() -> bool:
        return any(e.type == "checkpoint" and e.data["kind"] == "last" for e in first)

    assert run_job(spec, first.append, after_epoch_one) == "cancelled"
    assert [c["epoch"] for c in _data(first, "checkpoint") if c["kind"] == "last"] == [1]
    last = f"{spec.output_dir}/weights/last.pt"

    second: list[WorkerEvent] = []
    assert run_job(spec.model_copy(update={"resume_from": last}), second.append, lambda: False) == "succeeded"

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


def test_resume_only_from_a_checkpoint_inside_the_run_folder(make_spec, tmp_path):
    outside = tmp_path / "elsewhere.pt"
    outside.write_bytes(b"")
    events: list[WorkerEvent] = []

    status = run_job(make_spec().model_copy(update={"resume_from": str(outside)}), events.append, lambda: False)

    assert status == "failed"
    assert "must be a .pt checkpoint inside the run folder" in events[-1].data["reason"]


@pytest.mark.train
def test_a_finished_run_cannot_be_resumed(trained_run):
    last = trained_run.dir / "weights" / "last.pt"
    events: list[WorkerEvent] = []

    status = run_job(trained_run.spec.model_copy(update={"resume_from": str(last)}), events.append, lambda: False)

    assert status == "failed"
    assert events[-1].data["reason"] == (
        "ValueError: last.pt is from a run that finished training: nothing to resume (extend it instead)"
    )
