"""Revision 0002_run_projections: runs stored before it keep their artifacts and checkpoints, now on the run row."""

import json

import sqlalchemy as sa

from backend.db.session import current_revision, make_engine, upgrade_database

RUN = (
    "insert into run (id, workflow_name, status, reason, settings, spec, snapshot_hash, metrics, quality_warnings,"
    " last_seq, created_at) values (:id, 'w', 'succeeded', '', '{}', '{}', '', '{}', '[]', 3, '2026-01-01')"
)
EVENT = "insert into run_event (run_id, seq, type, ts, data) values (:run_id, :seq, :type, 1.0, :data)"


def test_older_runs_get_their_artifacts_and_checkpoints_from_their_stored_events(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade_database(engine, "0001_baseline")
    best = {"name": "best.pt", "path": "weights/best.pt", "kind": "weights"}
    events = [
        ("with-files", 0, "checkpoint", {"epoch": 1, "path": "weights/last.pt", "kind": "last", "metrics": {}}),
        ("with-files", 1, "artifact", {**best, "bytes": 1}),
        ("with-files", 2, "artifact", {"name": "last.pt", "path": "weights/last.pt", "kind": "weights", "bytes": 2}),
        ("with-files", 3, "artifact", {**best, "bytes": 5}),  # written again: the latest counts, in its first place
        ("batches-only", 0, "batch", {"epoch": 1}),
    ]
    with engine.begin() as connection:
        for run_id in ("with-files", "batches-only"):
            connection.execute(sa.text(RUN), {"id": run_id})
        for run_id, seq, kind, data in events:
            connection.execute(sa.text(EVENT), {"run_id": run_id, "seq": seq, "type": kind, "data": json.dumps(data)})
    upgrade_database(engine, "0002_run_projections")
    assert current_revision(engine) == "0002_run_projections"
    with engine.connect() as connection:
        rows = {
            run_id: (json.loads(artifacts), json.loads(checkpoints))
            for run_id, artifacts, checkpoints in connection.execute(
                sa.text("select id, artifacts, checkpoints from run")
            )
        }
    assert rows["with-files"] == (
        [{**best, "bytes": 5}, {"name": "last.pt", "path": "weights/last.pt", "kind": "weights", "bytes": 2}],
        [{"epoch": 1, "path": "weights/last.pt", "kind": "last", "metrics": {}, "seq": 0}],
    )
    assert rows["batches-only"] == ([], [])
