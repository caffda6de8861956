"""A run made from another says how: resumed from its checkpoint, extended from its weights, or a label check of it
(`RunRead.lineage`), read from a few top-level keys of the stored spec, so the runs list parses no snapshot."""

from typing import Any

from backend.db.models import Run
from backend.db.session import make_engine, session_for
from backend.settings import Settings
from tests.api.helpers import new_project

STORED: dict[str, tuple[str | None, dict[str, Any]]] = {
    "first": (None, {"spec_version": 2, "resume_from": None}),
    "resumed": ("first", {"spec_version": 2, "parent_run_id": "first", "resume_from": "runs/first/weights/last.pt"}),
    "extended": ("first", {"spec_version": 2, "parent_run_id": "first", "resume_from": None}),
    "checked": ("first", {"spec_version": 2, "parent_run_id": "first", "cross_validation": {"folds": 5}}),
    # the parent row was deleted (the column is set null); the spec still names it
    "orphan": (None, {"spec_version": 2, "parent_run_id": "gone", "resume_from": "runs/gone/weights/last.pt"}),
    # version 1 resumed a run in its own folder: one run, no parent
    "old_in_place": (None, {"output_dir": "/data/runs/old_in_place", "resume_from": "/data/runs/old_in_place/w.pt"}),
}


def _store(settings: Settings, project_id: str) -> None:
    with session_for(make_engine(settings.resolved_database_url)) as session:
        for run_id, (parent, spec) in STORED.items():
            session.add(
                Run(
                    id=run_id,
                    project_id=project_id,
                    parent_run_id=parent,
                    workflow_name="w",
                    status="succeeded",
                    settings={},
                    spec={**spec, "dataset": {"items": [{"content_hash": "0" * 64}] * 100}},
                )
            )
            session.commit()  # the parent row first: parent_run_id is a foreign key


async def test_each_run_says_how_it_came_from_its_parent(client, settings):
    project = await new_project(client)
    _store(settings, project["id"])
    one_by_one = {run_id: (await client.get(f"/api/runs/{run_id}")).json()["lineage"] for run_id in STORED}
    # the list reads the keys in the database, the spec itself left unread: the same answer
    listed = {r["id"]: r["lineage"] for r in (await client.get(f"/api/projects/{project['id']}/runs")).json()}
    assert listed == one_by_one
    assert one_by_one == {
        "first": None,
        "resumed": "resumed",
        "extended": "extended",
        "checked": "label_check",
        "orphan": "resumed",
        "old_in_place": None,
    }
