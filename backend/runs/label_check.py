"""A label check (k-fold cross-validation of a finished run) from the run service's side: whether one is already
under way, and the specs of the runs the checked one descends from. The spec itself is made in
backend/graph/derive.py (`label_check_spec`), like every spec.
"""

from sqlmodel import Session, select

from backend.db.models import Run
from backend.graph.derive import DEFAULT_FOLDS, MAX_FOLDS, MIN_FOLDS, LabelCheckRefused
from backend.graph.spec import TrainingJobSpec, read_spec

__all__ = ["DEFAULT_FOLDS", "MAX_FOLDS", "MIN_FOLDS", "LabelCheckRefused", "ancestor_specs", "refuse_if_under_way"]

MAX_ANCESTORS = 1000
FOLDS_SETTING = "cross_validation_folds"  # in a label check's settings: how the run list tells checks apart


def refuse_if_under_way(session: Session, run: Run) -> None:
    """LabelCheckRefused (conflict) when a label check of `run` is queued or running."""
    busy = session.exec(select(Run).where(Run.parent_run_id == run.id, Run.status.in_(("queued", "running")))).all()
    ongoing = [child.id for child in busy if FOLDS_SETTING in (child.settings or {})]
    if ongoing:
        raise LabelCheckRefused(
            f"A label check of this run is already under way (run {ongoing[0]}): wait for it or cancel it.",
            conflict=True,
        )


def ancestor_specs(session: Session, run: Run) -> dict[str, TrainingJobSpec]:
    """Run id → spec of every run `run` descends from (resumed, extended or checked), following parent links."""
    found: dict[str, TrainingJobSpec] = {}
    parent_id = run.parent_run_id
    while parent_id is not None and parent_id not in found and len(found) < MAX_ANCESTORS:
        parent = session.get(Run, parent_id)
        if parent is None:
            break
        try:
            found[parent.id] = read_spec(parent.spec)
        except ValueError:  # a spec this server cannot read (pydantic's errors are ValueErrors too): the chain ends
            break
        parent_id = parent.parent_run_id
    return found
