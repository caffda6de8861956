"""Degenerate-model checks (worker/quality.py), the `warning` event, its projection onto the run, and the column
that holds it on databases created before it existed."""

import sqlite3
from pathlib import Path

import numpy as np
import pytest
from sqlmodel import select

from backend.db.models import Run
from backend.db.session import current_revision, head_revision, make_engine, session_for, upgrade_database
from backend.events.models import QualityWarning, WorkerEvent
from backend.events.store import EventStore, apply_to_run
from backend.worker.quality import (
    LossPoint,
    assess,
    collapsed,
    majority_margin,
    no_better_than_majority,
    overfitting,
    untrusted_reason,
)
from backend.worker.review import predictions_report
from backend.worker.trainer import accuracy_fitness

NAMES = ["cat", "dog", "fox"]


def _one_hot(predictions: list[int], nc: int = 3) -> np.ndarray:
    return np.eye(nc)[predictions] * 0.9 + 0.1 / nc


def test_all_predictions_one_class_is_collapsed():
    labels = np.array([0] * 10 + [1] * 10)
    finding = collapsed(labels, np.zeros(20, dtype=int), NAMES)
    assert finding is not None and finding.code == "collapsed" and "'cat'" in finding.message
    assert collapsed(labels, np.array([0] * 19 + [1]), NAMES) is not None  # 95 % is enough


def test_a_good_model_on_imbalanced_data_is_not_collapsed():
    labels = np.array([0] * 96 + [1] * 4)
    assert collapsed(labels, labels.copy(), NAMES) is None  # 96 % one class, but the minority is recognised
    assert collapsed(np.zeros(10, dtype=int), np.zeros(10, dtype=int), NAMES) is None  # one class in val: no verdict


def test_accuracy_at_the_majority_rate_is_flagged_with_a_margin_for_small_splits():
    labels = np.array([0] * 5 + [1] * 5)
    chance = np.array([0, 1, 1, 0, 0, 1, 0, 1, 1, 0])  # 6 of 10 right: within one standard error of 50 %
    assert (chance == labels).mean() == 0.6
    finding = no_better_than_majority(labels, chance, NAMES)
    assert finding is not None and finding.code == "no_better_than_majority"
    assert no_better_than_majority(labels, labels.copy(), NAMES) is None
    assert majority_margin(0.5, 10) == pytest.approx(np.sqrt(0.025))
    assert majority_margin(0.5, 1_000_000) == 0.02


def test_rising_validation_loss_with_falling_training_loss_is_overfitting():
    rising = [LossPoint(e, 1.0 - 0.1 * e, 0.3 + 0.05 * e) for e in range(1, 6)]
    finding = overfitting(rising)
    assert finding is not None and finding.code == "overfitting" and "epochs 2–5" in finding.message
    assert overfitting(rising[:3]) is None  # too few evaluations to tell
    wobbling = [*rising[:-1], LossPoint(5, 0.5, 0.4)]  # the last evaluation went down again
    assert overfitting(wobbling) is None
    both_rising = [LossPoint(e, 0.1 * e, 0.3 + 0.05 * e) for e in range(1, 6)]
    assert overfitting(both_rising) is None


def test_assess_and_untrusted_reason():
    labels = np.array([0, 1, 2] * 4)
    degenerate = assess(labels, _one_hot([1] * 12), NAMES)
    assert [f.code for f in degenerate] == ["collapsed", "no_better_than_majority"]
    assert untrusted_reason(degenerate).startswith("The model predicts 'dog'")
    assert assess(labels, _one_hot(list(labels)), NAMES) == []
    assert untrusted_reason([]) == ""


def test_predictions_report_says_whether_its_suggestions_can_be_trusted():
    labels = np.array([0, 1, 0, 1])
    probabilities = _one_hot([0, 0, 0, 0], nc=2)
    trusted = predictions_report([0, 1, 2, 3], labels, probabilities, ["a", "b"], epoch=3)
    assert trusted["suggestions_trusted"] is True and trusted["untrusted_reason"] == ""
    report = predictions_report([0, 1, 2, 3], labels, probabilities, ["a", "b"], 3, untrusted_reason="collapsed")
    assert report["suggestions_trusted"] is False and report["untrusted_reason"] == "collapsed"


def test_equal_accuracy_goes_to_the_lower_validation_loss():
    assert accuracy_fitness(0.8, 0.3, 100) > accuracy_fitness(0.8, 0.5, 100)
    assert accuracy_fitness(0.81, 50.0, 100) > accuracy_fitness(0.8, 0.0, 100)  # one more right image always wins
    assert accuracy_fitness(0.8, None, 100) == 0.8


def test_highest_accuracy_keeps_the_lower_loss_of_equal_accuracies():
    """The trainer's own choice over a run's evaluations: best.pt is replaced when fitness strictly improves."""
    from types import SimpleNamespace

    from backend.worker.trainer import VisionflowTrainer

    trainer = SimpleNamespace(
        plan=SimpleNamespace(checkpoint="highest_accuracy"), test_loader=SimpleNamespace(dataset=[0] * 20)
    )
    trainer._val_count = lambda: VisionflowTrainer._val_count(trainer)
    evaluations = [(0.8, 0.5), (0.8, 0.3), (0.8, 0.4), (0.75, 0.1), (0.8, 0.3)]
    best_fitness, best_epoch = None, 0
    for epoch, (accuracy, loss) in enumerate(evaluations, start=1):
        fitness = VisionflowTrainer._fitness(trainer, {"metrics/accuracy_top1": accuracy, "val/loss": loss})
        if best_fitness is None or best_fitness < fitness:
            best_fitness, best_epoch = fitness, epoch
    assert best_epoch == 2


def _run(**fields) -> Run:
    return Run(workflow_name="w", settings={}, spec={}, **fields)


def _warning(code: str, epoch: int, final: bool = False) -> WorkerEvent:
    return WorkerEvent.of(QualityWarning(code=code, message=f"{code} at {epoch}", epoch=epoch, final=final), 1.0)


def test_warnings_project_onto_the_run_and_each_evaluation_drops_those_that_no_longer_hold():
    run = _run()
    apply_to_run(run, _warning("collapsed", 1))
    apply_to_run(run, _warning("collapsed", 2))
    apply_to_run(run, _warning("overfitting", 2))
    assert run.quality_warnings == [
        {"code": "collapsed", "message": "collapsed at 2", "epoch": 2},
        {"code": "overfitting", "message": "overfitting at 2", "epoch": 2},
    ]
    metrics = dict.fromkeys(("accuracy", "top5", "precision", "recall", "f1", "avg_confidence", "val_loss"), 0.5)
    metrics |= {"step": 1, "per_class": [], "confusion_matrix": [], "class_names": []}  # a valid payload
    evaluation = {**metrics, "epoch": 3, "final": False, "quality": ["collapsed", "overfitting"]}
    apply_to_run(run, WorkerEvent(type="evaluation", ts=1.0, data=evaluation))
    assert len(run.quality_warnings) == 2  # still holding: kept, though not sent again
    apply_to_run(
        run, WorkerEvent(type="evaluation", ts=1.0, data={**evaluation, "epoch": 4, "quality": ["overfitting"]})
    )
    assert [w["code"] for w in run.quality_warnings] == ["overfitting"]  # the collapse cleared
    apply_to_run(run, WorkerEvent(type="evaluation", ts=1.0, data={**metrics, "epoch": 2, "final": True}))
    assert run.quality_warnings == []  # the final model was fine after all
    apply_to_run(run, _warning("no_better_than_majority", 2, final=True))
    apply_to_run(run, WorkerEvent(type="finished", ts=1.0, data={"status": "succeeded"}))
    assert run.status == "succeeded" and [w["code"] for w in run.quality_warnings] == ["no_better_than_majority"]


def test_the_event_store_keeps_warnings_on_the_stored_run():
    engine = make_engine("sqlite://")
    upgrade_database(engine)
    with session_for(engine) as session:
        run = _run()
        session.add(run)
        session.commit()
    store = EventStore(engine)
    store.append(run.id, _warning("collapsed", 1).validated())
    with session_for(engine) as session:
        stored = session.exec(select(Run).where(Run.id == run.id)).one()
    assert stored.quality_warnings == [{"code": "collapsed", "message": "collapsed at 1", "epoch": 1}]


def test_a_database_created_before_the_column_gets_it(tmp_path: Path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:  # the run table as it was before quality_warnings existed
        old.execute(
            "CREATE TABLE run (id VARCHAR NOT NULL PRIMARY KEY, project_id VARCHAR, workflow_id VARCHAR, "
            "workflow_name VARCHAR NOT NULL, parent_run_id VARCHAR, status VARCHAR NOT NULL, reason VARCHAR NOT NULL, "
            "settings JSON NOT NULL, spec JSON NOT NULL, snapshot_hash VARCHAR NOT NULL, metrics JSON NOT NULL, "
            "last_seq INTEGER NOT NULL, created_at DATETIME NOT NULL, started_at DATETIME, finished_at DATETIME)"
        )
        old.execute(
            "INSERT INTO run VALUES ('r1', NULL, NULL, 'old run', NULL, 'succeeded', '', '{}', '{}', '', '{}', 3, "
            "'2026-01-01 00:00:00', NULL, NULL)"
        )
    engine = make_engine(f"sqlite:///{path}")
    upgrade_database(engine)  # a database made before Alembic: given the column, stamped, upgraded
    upgrade_database(engine)  # and a second time there is nothing left to do
    assert current_revision(engine) == head_revision()
    with session_for(engine) as session:
        old_run = session.exec(select(Run).where(Run.id == "r1")).one()
        assert old_run.quality_warnings == []
        old_run.quality_warnings = [{"code": "collapsed", "message": "m", "epoch": 1}]
        session.add(old_run)
        session.commit()
    with session_for(engine) as session:
        assert session.exec(select(Run).where(Run.id == "r1")).one().quality_warnings[0]["code"] == "collapsed"
    engine.dispose()
