"""Run names: each run has a name a person can change, so the runs list tells runs of one workflow apart.

Existing runs are named in the words a new run gets (backend/runs/naming.py): "<workflow> · <model> · <imgsz> px ·
<epochs> ep", "(resumed)" or "label check, N folds" after it, "+N ep" for an extended run (a new extension names
its parent instead, and a time limit is not said: the stored spec does not tell it apart from Ultralytics' own); a
run whose stored spec says none of that keeps its workflow's name. The few spec values are read by the database (JSON paths), not the specs:
a spec holds its whole snapshot. The wording is copied here, not imported, so this revision means the same later.

Revision ID: 0005_run_names
Revises: 0004_workflow_versions
Create Date: 2026-11-30
"""

import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005_run_names"
down_revision: str | None = "0004_workflow_versions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MAX_NAME = 200
BATCH = 500


def upgrade() -> None:
    with op.batch_alter_table("run") as batch:
        batch.add_column(sa.Column("name", sa.String(), nullable=False, server_default=sa.text("''")))
    _name_existing_runs(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("run") as batch:
        batch.drop_column("name")


def _model_label(architecture: str) -> str:
    bare = re.sub(r"(-cls)?\.ya?ml$", "", architecture.rsplit("/", 1)[-1])
    return "YOLO" + bare[4:] if bare.lower().startswith("yolo") else bare


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def name_of(
    workflow_name: str,
    architecture: str | None,
    imgsz: Any,
    epochs: Any,
    resumed: bool,
    extended: bool,
    folds: Any,
) -> str:
    """The name a run stored before names gets (pure: tested in tests/api/test_run_names.py)."""
    head = " ".join((workflow_name or "").split()) or "Run"
    imgsz, epochs, folds = _int(imgsz), _int(epochs), _int(folds)
    if not architecture or imgsz is None or epochs is None:
        return head[:MAX_NAME]
    # a resumed run and a label check have a parent too, but train their own epochs: only an extension adds "+"
    plus = "+" if extended and not resumed and not folds else ""
    tail = f" · {_model_label(architecture)} · {imgsz} px · {plus}{epochs} ep"
    if folds:
        tail += f" · label check, {folds} folds"
    elif resumed:
        tail += " (resumed)"
    room = MAX_NAME - len(tail)
    return (head if len(head) <= room else head[: room - 1].rstrip() + "…") + tail


def _name_existing_runs(connection: sa.Connection) -> None:
    run = sa.table(
        "run",
        sa.column("id", sa.String),
        sa.column("name", sa.String),
        sa.column("workflow_name", sa.String),
        sa.column("parent_run_id", sa.String),
        sa.column("spec", sa.JSON),
    )
    spec = run.c.spec
    rows = connection.execute(
        sa.select(
            run.c.id,
            run.c.workflow_name,
            run.c.parent_run_id,
            spec[("model", "architecture")].as_string(),
            spec[("model", "imgsz")].as_string(),
            spec[("overrides", "epochs")].as_string(),
            spec["resume_from"].as_string(),
            spec["parent_run_id"].as_string(),
            spec[("cross_validation", "folds")].as_string(),
        )
    ).all()
    values = [
        {
            "run_id": run_id,
            "new_name": name_of(
                workflow_name, architecture, imgsz, epochs, bool(resume_from), bool(parent or spec_parent), folds
            ),
        }
        for run_id, workflow_name, parent, architecture, imgsz, epochs, resume_from, spec_parent, folds in rows
    ]
    update = run.update().where(run.c.id == sa.bindparam("run_id")).values(name=sa.bindparam("new_name"))
    for start in range(0, len(values), BATCH):
        connection.execute(update, values[start : start + BATCH])
