"""Runs side by side: what differs in their settings and workflows, and their metric curves."""

from pathlib import Path
from typing import Any

from backend.db.models import Run
from backend.events.models import Event

CURVE_KEYS = ("accuracy", "precision", "recall", "f1", "avg_confidence", "val_loss", "top5")


def flatten(prefix: str, value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return {
            k: v for key, item in value.items() for k, v in flatten(f"{prefix}.{key}" if prefix else key, item).items()
        }
    return {prefix: value}


def _setup(run: Run) -> dict[str, Any]:
    spec = run.spec or {}
    steps = [
        f"{s['transform']}({', '.join(f'{k}={v}' for k, v in sorted(s['params'].items()))})"
        for s in spec.get("pipeline", [])
    ]
    return {
        **flatten("settings", run.settings),
        "model.architecture": spec.get("model", {}).get("architecture"),
        "model.imgsz": spec.get("model", {}).get("imgsz"),
        "model.pretrained": Path(spec.get("model", {}).get("pretrained") or "").parent.parent.name or None,
        "extended_from": run.parent_run_id,
        "dataset.snapshot": spec.get("dataset", {}).get("snapshot_hash", "")[:12],
        "pipeline": " → ".join(steps) or "(none)",
    }


def compare_runs(runs: list[Run], events: dict[str, list[Event]]) -> dict[str, Any]:
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
                "workflow_name": run.workflow_name,
                "status": run.status,
                "metrics": run.metrics,
                "curves": {
                    key: [
                        [e.data["epoch"], e.data.get(key)]
                        for e in events[run.id]
                        if e.type == "evaluation" and not e.data.get("final")
                    ]
                    for key in CURVE_KEYS
                },
                "loss": [
                    [e.data["epoch"] - 1 + e.data["batch"] / e.data["of"], e.data["loss"]]
                    for e in events[run.id]
                    if e.type == "batch"
                ],
            }
            for run in runs
        ],
        "differences": differences,
    }
