"""Runs side by side: what differs in their settings and workflows, and their metric curves."""

from collections.abc import Iterable, Mapping
from typing import Any

from backend.db.models import Run
from backend.events.models import Batch, Evaluation, Event
from backend.graph.spec import run_of_weights_key

CURVE_KEYS = ("accuracy", "precision", "recall", "f1", "avg_confidence", "val_loss", "top5")


def flatten(prefix: str, value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return {
            k: v for key, item in value.items() for k, v in flatten(f"{prefix}.{key}" if prefix else key, item).items()
        }
    return {prefix: value}


def _setup(run: Run) -> dict[str, Any]:
    spec = run.job_spec()
    if spec is None:  # a run that never compiled: only its settings to compare
        return {**flatten("settings", run.settings), "extended_from": run.parent_run_id}
    steps = [f"{s.transform}({', '.join(f'{k}={v}' for k, v in sorted(s.params.items()))})" for s in spec.pipeline]
    pretrained = spec.model.pretrained
    return {
        **flatten("settings", run.settings),
        "model.architecture": spec.model.architecture,
        "model.imgsz": spec.model.imgsz,
        # the run whose weights it started from, or the model store file
        "model.pretrained": run_of_weights_key(pretrained) or (pretrained and pretrained.removeprefix("models/")),
        "extended_from": run.parent_run_id,
        "dataset.snapshot": spec.dataset.snapshot_hash[:12],
        "pipeline": " → ".join(steps) or "(none)",
    }


def curves(events: Iterable[Event]) -> dict[str, Any]:
    """One pass over a run's events: each metric per evaluated epoch, and the training loss per (fractional) epoch."""
    per_key: dict[str, list[list[Any]]] = {key: [] for key in CURVE_KEYS}
    loss: list[list[float]] = []
    for event in events:
        match event.data:
            case Evaluation(final=False) as evaluation:
                for key in CURVE_KEYS:
                    per_key[key].append([evaluation.epoch, getattr(evaluation, key)])
            case Batch() as batch:
                loss.append([batch.epoch - 1 + batch.batch / batch.of, batch.loss])
    return {"curves": per_key, "loss": loss}


def compare_runs(runs: list[Run], events: Mapping[str, Iterable[Event]]) -> dict[str, Any]:
    """`events`: each run's events in seq order, read once (EventStore.iter_after pages through them)."""
    setups = {run.id: _setup(run) for run in runs}
    keys = sorted({key for setup in setups.values() for key in setup})
    differences = [
        {"key": key, "values": {run_id: setup.get(key) for run_id, setup in setups.items()}}
        for key in keys
        if len({repr(setup.get(key)) for setup in setups.values()}) > 1
    ]
    return {
        "runs": [
            {
                "id": run.id,
                "name": run.name or run.workflow_name,
                "workflow_name": run.workflow_name,
                "status": run.status,
                "metrics": run.metrics,
                **curves(events[run.id]),
            }
            for run in runs
        ],
        "differences": differences,
    }
