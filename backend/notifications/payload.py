"""What a notification says (the JSON a webhook receives, and the browser's notice): built once when the run ends,
from the run row as the `finished` event left it, and stored with the delivery, so every attempt sends the same
bytes whatever happens to the run afterwards."""

import json
import math
import time
from datetime import UTC, datetime
from typing import Any

from backend.db.models import Project, Run

KEY_METRICS = ("accuracy", "precision", "recall", "f1", "top5", "avg_confidence", "val_loss", "epoch")
FINAL_STATUSES = ("succeeded", "failed", "cancelled", "interrupted")


def run_path(project_id: str | None, run_id: str) -> str:
    """The run page in the app (frontend/src/App.tsx's route)."""
    return f"/projects/{project_id}/runs/{run_id}" if project_id else f"/runs/{run_id}"


def run_link(public_url: str | None, project_id: str | None, run_id: str) -> str:
    path = run_path(project_id, run_id)
    return public_url.rstrip("/") + path if public_url else path


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def key_metrics(metrics: dict[str, Any]) -> dict[str, float]:
    return {
        name: metrics[name]
        for name in KEY_METRICS
        if isinstance(metrics.get(name), int | float) and math.isfinite(metrics[name])
    }


def run_finished(run: Run, project: Project | None, public_url: str | None) -> dict[str, Any]:
    return {
        "event": "run.finished",
        "run_id": run.id,
        "run_name": run.name or run.workflow_name,
        "project": {"id": project.id, "name": project.name} if project else None,
        "status": run.status,
        "reason": run.reason,
        "metrics": key_metrics(run.metrics or {}),
        "finished_at": _iso(run.finished_at),
        "link": run_link(public_url, run.project_id, run.id),
    }


def test_message(project: Project, public_url: str | None) -> dict[str, Any]:
    return {
        "event": "test",
        "project": {"id": project.id, "name": project.name},
        "message": "A test from Visionflow: this webhook is set up and its signature checks out.",
        "sent_at": datetime.fromtimestamp(time.time(), UTC).isoformat(),
        "link": (public_url.rstrip("/") if public_url else "") + f"/projects/{project.id}",
    }


def encode(document: dict[str, Any]) -> str:
    """Compact, key order kept: the receiver verifies the signature on these exact bytes, never on a re-encoding."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)
