"""A run's name, so the runs list can tell runs of one workflow apart: "Birds · YOLO11n · 224 px · 30 ep".

Pure: made from what the run trains (its compiled spec), never from the database. A run made from another keeps its
parent's name and says how it differs: "… · +10 ep" (extended), "… (resumed)", "… · label check, 5 folds". A person
may rename a run (PATCH /api/runs/{run_id}); names are at most MAX_RUN_NAME characters.
"""

import re

from backend.graph.spec import TrainingJobSpec

MAX_RUN_NAME = 200
SEPARATOR = " · "
RESUMED = " (resumed)"
_YAML = re.compile(r"(-cls)?\.ya?ml$")


def model_label(architecture: str) -> str:
    """The model in words: "yolov8n-cls.yaml" → "YOLOv8n", "yolo11s-cls.yaml" → "YOLO11s"; another yaml's bare name."""
    bare = _YAML.sub("", architecture.rsplit("/", 1)[-1])
    return "YOLO" + bare[4:] if bare.lower().startswith("yolo") else bare


def _hours(hours: float) -> str:
    return f"{hours:g} h" if hours >= 1 else f"{round(hours * 60)} min"


def settings_summary(spec: TrainingJobSpec) -> str:
    """What the run trains, in words: "YOLO11n · 224 px · 30 ep" (" · 2 h max" when a time limit may stop it first)."""
    parts = [model_label(spec.model.architecture), f"{spec.model.imgsz} px", f"{spec.overrides.get('epochs', '?')} ep"]
    if isinstance(time_limit := spec.overrides.get("time"), int | float):
        parts.append(f"{_hours(float(time_limit))} max")
    return SEPARATOR.join(parts)


def fitted(head: str, tail: str = "") -> str:
    """`head + tail`, `head` shortened with "…" so that the whole is at most MAX_RUN_NAME characters."""
    head = " ".join(head.split()) or "Run"
    room = MAX_RUN_NAME - len(tail)
    return (head if len(head) <= room else head[: room - 1].rstrip() + "…") + tail


def new_run_name(workflow_name: str, spec: TrainingJobSpec) -> str:
    """A run started from its workflow: "<workflow> · <model> · <imgsz> px · <epochs> ep"."""
    return fitted(workflow_name, SEPARATOR + settings_summary(spec))


def extended_name(parent_name: str, epochs: int) -> str:
    return fitted(parent_name, f"{SEPARATOR}+{epochs} ep")


def resumed_name(parent_name: str) -> str:
    """The parent's name, said once to be resumed (resuming a resumed run adds nothing)."""
    return fitted(parent_name.removesuffix(RESUMED), RESUMED)


def label_check_name(parent_name: str, folds: int) -> str:
    return fitted(parent_name.removesuffix(RESUMED), f"{SEPARATOR}label check, {folds} folds")
