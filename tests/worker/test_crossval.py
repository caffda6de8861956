"""The label check (k-fold cross-validation): every item predicted by a model that never trained on it, and a
deliberately wrong label found in the queue."""

import json
from pathlib import Path

import pytest

from backend.graph.spec import CrossValidationSpec, DatasetItem, DatasetSpec
from backend.storage import LocalStorage
from backend.worker.crossval import LABEL_ERRORS_FILE, fold_assignment, fold_spec, label_errors_report
from tests.worker.conftest import snapshot_hash, stored_items

PER_CLASS = 30
FLIPPED_PER_CLASS = 1  # the first image of each class gets the other class's label


def _two_digits(digits_dir: Path, store: LocalStorage) -> tuple[DatasetSpec, list[int]]:
    """Zeros and ones (both splits), with one image of each class deliberately labelled as the other."""
    files, flipped = [], []
    for label, name in enumerate(("0", "1")):
        for n, path in enumerate(sorted((digits_dir / name).glob("*.png"))[:PER_CLASS]):
            wrong = n < FLIPPED_PER_CLASS
            if wrong:
                flipped.append(len(files))
            files.append((path, 1 - label if wrong else label, "val" if n % 5 == 0 else "train"))
    items: list[DatasetItem] = stored_items(store, files)
    return DatasetSpec(class_names=["0", "1"], items=items, snapshot_hash=snapshot_hash(items)), flipped


def test_folds_are_stratified_seeded_and_cover_every_item():
    labels = [0] * 7 + [1] * 5 + [2] * 3
    folds = fold_assignment(labels, 3, seed=4)
    assert folds == fold_assignment(labels, 3, seed=4)
    assert sorted(set(folds)) == [0, 1, 2]
    sizes = [folds.count(f) for f in range(3)]
    assert max(sizes) - min(sizes) <= 1
    for label in (0, 1, 2):
        per_fold = [
            sum(1 for f, given in zip(folds, labels, strict=True) if f == fold and given == label) for fold in range(3)
        ]
        assert max(per_fold) - min(per_fold) <= 1


def test_fold_spec_holds_out_one_fold_whatever_the_split(make_spec, digits_dataset):
    spec = make_spec().model_copy(update={"cross_validation": CrossValidationSpec(folds=2)})
    folds = fold_assignment([i.label for i in digits_dataset.items], 2, seed=0)
    second = fold_spec(spec, folds, 1)
    assert second.cross_validation is None and second.run_id == spec.run_id  # it trains in folds/fold2 of the run
    assert [i.split == "val" for i in second.dataset.items] == [f == 1 for f in folds]
    assert [i.content_hash for i in second.dataset.items] == [i.content_hash for i in spec.dataset.items]
    # the held-out fold picks no checkpoint and stops nothing early: its probabilities stay out-of-sample
    assert second.evaluation.checkpoint == "latest"
    assert second.overrides["patience"] > second.overrides["epochs"]


def test_untrusted_when_no_better_than_the_majority_class():
    import numpy as np

    labels = np.array([0, 0, 0, 1])
    always_zero = np.array([[0.9, 0.1]] * 4)
    report = label_errors_report([0, 1, 2, 3], labels, always_zero, ["a", "b"], [0, 1, 0, 1], 2, 0)
    assert report["suggestions_trusted"] is False and "75.0%" in report["untrusted_reason"]


@pytest.fixture(scope="module")
def label_check(digits_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    from backend.worker.job import run_job
    from tests.worker.conftest import _digits_spec

    store = LocalStorage(tmp_path_factory.mktemp("crossval"))
    dataset, flipped = _two_digits(digits_dir, store)
    spec = _digits_spec(dataset, "check", overrides={"epochs": 2, "batch": 8, "nbs": 8, "lr0": 0.002}).model_copy(
        update={"cross_validation": CrossValidationSpec(folds=2)}
    )
    events = []
    status = run_job(spec, store, events.append, lambda: False)
    return spec, flipped, status, [e.validated() for e in events], store.run_folder(spec.run_id)


def test_every_item_is_predicted_out_of_sample(label_check):
    spec, _, status, events, folder = label_check
    assert status == "succeeded", [e.data for e in events if e.type in ("log", "finished")][-3:]
    report = json.loads((folder / LABEL_ERRORS_FILE).read_text())
    assert [row["item"] for row in report["items"]] == list(range(len(spec.dataset.items)))
    assert report["images"] == report["total_labelled"] == len(spec.dataset.items) and report["skipped"] == []
    folds = fold_assignment([i.label for i in spec.dataset.items], 2, seed=0)
    for fold in (0, 1):
        trained_on = {int(p.stem) for p in (folder / "folds" / f"fold{fold + 1}" / "data" / "train").rglob("*.png")}
        predicted_here = {row["item"] for row in report["items"] if row["fold"] == fold}
        assert predicted_here == {i for i, f in enumerate(folds) if f == fold}
        assert trained_on and not trained_on & predicted_here
        assert trained_on | predicted_here == set(range(len(spec.dataset.items)))
    for row in report["items"]:
        assert abs(sum(p for _, p in row["top"]) - 1) < 1e-3 and row["label"] == spec.dataset.items[row["item"]].label


def test_a_flipped_label_is_in_the_queue(label_check):
    _, flipped, _, _, folder = label_check
    report = json.loads((folder / LABEL_ERRORS_FILE).read_text())
    assert report["accuracy"] > report["majority_rate"] and report["suggestions_trusted"] is True
    queue = report["likely_mislabelled"]
    assert set(flipped) <= set(queue) and len(queue) <= 10, (flipped, queue)
    flagged = {row["item"] for row in report["items"] if row["flagged"]}
    assert flagged == set(report["likely_mislabelled"])


def test_the_run_reports_on_one_timeline(label_check):
    _, _, _, events, _ = label_check
    types = [e.type for e in events]
    assert types.count("started") == 1 and types[-1] == "finished" and types.count("finished") == 1
    started = next(e.data.model_dump() for e in events if e.type == "started")
    assert started["epochs"] == 4 and started["val_images"] == 2 * PER_CLASS
    evaluations = [e.data.model_dump() for e in events if e.type == "evaluation"]
    assert [e["final"] for e in evaluations] == [False, False, True]
    assert (
        evaluations[-1]["epoch"] == 4 and sum(sum(row) for row in evaluations[-1]["confusion_matrix"]) == 2 * PER_CLASS
    )
    assert max(e.data.epoch for e in events if e.type == "batch") == 4
    assert {e.data.name for e in events if e.type == "artifact"} == {LABEL_ERRORS_FILE}
    assert not any(e.type == "checkpoint" for e in events)
