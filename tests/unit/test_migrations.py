"""Schema migrations (backend/db/migrations/, backend/db/session.py upgrade_database): a data dir from any earlier
schema opens on the current models with its rows intact, and the models never drift from the newest revision."""

import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import Engine, inspect, select, text
from sqlmodel import SQLModel

from backend.db.models import (
    Annotation,
    Asset,
    AssetFingerprint,
    ImageClass,
    Project,
    ProjectWebhook,
    Run,
    RunEvent,
    WebhookDelivery,
    Workflow,
    WorkflowVersion,
)
from backend.db.session import (
    BASELINE_REVISION,
    baseline_metadata,
    current_revision,
    head_revision,
    make_engine,
    migration_connection,
    session_for,
    upgrade_database,
)
from tests.api.test_postgres import postgres_url  # noqa: F401  (the fixture: a PostgreSQL server for the module)

PRE_ALEMBIC_DATABASE = Path(__file__).parents[1] / "data" / "visionflow-9abd43a.db"
CREATED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
GRAPH = {"schema_version": 1, "name": "old workflow", "nodes": [], "edges": []}
CHECKPOINT = {"epoch": 1, "path": "weights/last.pt", "kind": "last", "metrics": {"accuracy": 0.5}}
ARTIFACT = {"name": "best.pt", "path": "weights/best.pt", "kind": "weights", "bytes": 123}
R1_SPEC = {"spec_version": 1, "model": {"architecture": "yolov8n-cls.yaml", "imgsz": 32}, "overrides": {"epochs": 2}}


def sqlite_engine(folder: Path) -> Engine:
    return make_engine(f"sqlite:///{folder / 'visionflow.db'}")


def add_baseline_rows(engine: Engine) -> None:
    """One row in every table, written through the baseline's own table definitions (not today's models)."""
    tables = baseline_metadata().tables
    rows = {
        "project": [dict(id="p1", name="old project", task="classification", content="image", created_at=CREATED)],
        "image_class": [dict(id="c1", project_id="p1", name="cat", colour="#ff0000", hotkey="1", created_at=CREATED)],
        "asset": [
            dict(
                id="a1",
                project_id="p1",
                sha256="ab" * 32,
                ext=".png",
                filename="cat.png",
                source_path="train/cat/cat.png",
                split="train",
                width=32,
                height=24,
                bytes=999,
                created_at=CREATED,
            )
        ],
        "annotation": [dict(asset_id="a1", class_id="c1", updated_at=CREATED)],
        "asset_fingerprint": [dict(asset_id="a1", phash="0f" * 8, channels=3, readable=True)],
        "workflow": [
            dict(id="w1", project_id="p1", name="old workflow", graph=GRAPH, created_at=CREATED, updated_at=CREATED)
        ],
        "run": [
            dict(
                id=run_id,
                project_id="p1",
                workflow_id="w1",
                workflow_name="old workflow",
                parent_run_id=parent,
                status="succeeded",
                reason="",
                settings={"epochs": 2},
                spec=spec,
                snapshot_hash="h",
                metrics={"accuracy": 0.75},
                quality_warnings=[{"code": "collapsed", "message": "m", "epoch": 1}],
                last_seq=last_seq,
                created_at=CREATED,
                started_at=CREATED,
                finished_at=CREATED,
            )
            for run_id, parent, last_seq, spec in (("r1", None, 3, R1_SPEC), ("r2", "r1", -1, {"spec_version": 1}))
        ],
        "run_event": [
            dict(run_id="r1", seq=seq, type=kind, ts=float(seq), data=data)
            for seq, kind, data in (
                (0, "queued", {}),
                (1, "checkpoint", CHECKPOINT),
                (2, "artifact", ARTIFACT),
                (3, "finished", {"status": "succeeded"}),
            )
        ],
    }
    with engine.begin() as connection:
        for name, values in rows.items():
            connection.execute(tables[name].insert(), values)


def assert_rows_read_back(engine: Engine) -> None:
    with session_for(engine) as session:
        project = session.get(Project, "p1")
        assert project is not None and project.name == "old project" and project.created_at == CREATED
        cat = session.get(ImageClass, "c1")
        assert cat is not None and (cat.name, cat.hotkey, cat.project_id) == ("cat", "1", "p1")
        asset = session.get(Asset, "a1")
        assert asset is not None and (asset.filename, asset.split, asset.bytes) == ("cat.png", "train", 999)
        annotation = session.get(Annotation, "a1")
        assert annotation is not None and annotation.class_id == "c1"
        fingerprint = session.get(AssetFingerprint, "a1")
        assert fingerprint is not None and (fingerprint.channels, fingerprint.readable) == (3, True)
        workflow = session.get(Workflow, "w1")
        assert workflow is not None and workflow.graph == GRAPH
        # 0004: every workflow's graph became its version 1, dated by its last save; older runs name no version
        versions = session.exec(select(WorkflowVersion).where(WorkflowVersion.workflow_id == "w1")).scalars().all()
        assert [(v.number, v.graph, v.created_at, v.created_by) for v in versions] == [(1, GRAPH, CREATED, None)]
        old, child = session.get(Run, "r1"), session.get(Run, "r2")
        assert old is not None and child is not None
        assert (old.status, old.metrics, old.last_seq, old.finished_at) == ("succeeded", {"accuracy": 0.75}, 3, CREATED)
        assert old.quality_warnings == [{"code": "collapsed", "message": "m", "epoch": 1}]
        assert child.parent_run_id == "r1"
        assert (old.workflow_version_id, child.workflow_version_id) == (None, None)
        # 0005: named from what their specs say they trained (the database reads the spec's values); else the workflow's
        assert (old.name, child.name) == ("old workflow · YOLOv8n · 32 px · 2 ep", "old workflow")
        # the columns added since the baseline: filled from the stored events, or their defaults
        assert old.checkpoints == [{**CHECKPOINT, "seq": 1}] and old.artifacts == [ARTIFACT]
        assert (child.checkpoints, child.artifacts) == ([], [])
        events = session.exec(select(RunEvent).where(RunEvent.run_id == "r1").order_by(RunEvent.seq)).scalars().all()
        assert [(e.seq, e.type) for e in events] == [(0, "queued"), (1, "checkpoint"), (2, "artifact"), (3, "finished")]
        assert events[1].data == CHECKPOINT
        # 0007: no project has a webhook yet, nothing is owed
        assert session.get(ProjectWebhook, "p1") is None and session.exec(select(WebhookDelivery)).all() == []


def add_queued_runs(engine: Engine) -> None:
    """Two runs still queued when the data dir was closed: q-late was created after q-early."""
    run = baseline_metadata().tables["run"]
    values = [
        dict(
            id=run_id,
            project_id="p1",
            workflow_name="w",
            status="queued",
            reason="",
            settings={},
            spec={},
            snapshot_hash="",
            metrics={},
            quality_warnings=[],
            last_seq=0,
            created_at=created,
        )
        for run_id, created in (("q-late", datetime(2026, 1, 3, tzinfo=UTC)), ("q-early", CREATED))
    ]
    with engine.begin() as connection:
        connection.execute(run.insert(), values)


def assert_queue_kept_its_order(engine: Engine) -> None:
    """0006: queued runs are numbered in the order they were made, ahead of any run queued later; others keep 0."""
    with session_for(engine) as session:
        orders = {run_id: session.get(Run, run_id).queue_order for run_id in ("q-early", "q-late", "r1")}
    assert orders == {"q-early": 1, "q-late": 2, "r1": 0}
    assert Run(workflow_name="new", settings={}, spec={}).queue_order > 2


def schema_drift(engine: Engine) -> list:
    with engine.connect() as connection:
        # server defaults compare as text on SQLite; PostgreSQL would compare them in SQL, which json cannot do
        defaults = connection.dialect.name == "sqlite"
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": defaults}
        )
        return compare_metadata(context, SQLModel.metadata)


def test_a_baseline_data_dir_keeps_every_row_through_the_upgrade(tmp_path: Path):
    engine = sqlite_engine(tmp_path)
    upgrade_database(engine, BASELINE_REVISION)
    assert current_revision(engine) == BASELINE_REVISION
    add_baseline_rows(engine)
    add_queued_runs(engine)
    upgrade_database(engine)
    assert current_revision(engine) == head_revision()
    assert_rows_read_back(engine)
    assert_queue_kept_its_order(engine)
    engine.dispose()


def test_a_database_made_before_alembic_is_stamped_as_the_baseline_and_upgraded(tmp_path: Path):
    # Made by 9abd43a's own `create_tables` (the last version before Alembic), not by the baseline revision: a
    # baseline that differed from what that version really made would fail here.
    shutil.copyfile(PRE_ALEMBIC_DATABASE, tmp_path / "visionflow.db")
    engine = sqlite_engine(tmp_path)
    add_baseline_rows(engine)
    assert "alembic_version" not in inspect(engine).get_table_names() and current_revision(engine) is None
    upgrade_database(engine)
    upgrade_database(engine)  # idempotent: a second start finds nothing to do
    assert current_revision(engine) == head_revision()
    assert_rows_read_back(engine)
    assert schema_drift(engine) == []
    engine.dispose()


def test_the_models_and_the_newest_revision_agree(tmp_path: Path):
    """A column added to backend/db/models.py without a revision shows up here (docs/migrations.md says how)."""
    engine = sqlite_engine(tmp_path)
    upgrade_database(engine)
    assert schema_drift(engine) == []
    engine.dispose()


def test_every_revision_downgrades_and_upgrades_again(tmp_path: Path):
    engine = sqlite_engine(tmp_path)
    upgrade_database(engine)
    from alembic import command

    from backend.db.session import alembic_config

    with migration_connection(engine) as connection:
        command.downgrade(alembic_config(connection), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade_database(engine)
    assert schema_drift(engine) == []
    engine.dispose()


def test_a_project_s_webhook_and_its_deliveries_go_with_it(tmp_path: Path):
    engine = sqlite_engine(tmp_path)
    upgrade_database(engine, BASELINE_REVISION)
    add_baseline_rows(engine)
    upgrade_database(engine)
    with session_for(engine) as session:
        session.add(ProjectWebhook(project_id="p1", url="https://hooks.example.com/x", secret="whsec_s"))
        session.add(WebhookDelivery(project_id="p1", run_id="r1", event="run.finished", body="{}"))
        session.commit()
        session.delete(session.get(Project, "p1"))
        session.commit()
        assert session.exec(select(WebhookDelivery)).all() == [] and session.get(ProjectWebhook, "p1") is None
    engine.dispose()


def test_a_batch_alter_that_copies_a_table_keeps_the_rows_that_point_at_it(tmp_path: Path):
    """SQLite batch mode drops the old `run` table: with foreign keys on, that would cascade-delete its events."""
    engine = sqlite_engine(tmp_path)
    upgrade_database(engine, BASELINE_REVISION)
    add_baseline_rows(engine)
    with migration_connection(engine) as connection:
        operations = Operations(MigrationContext.configure(connection))
        with operations.batch_alter_table("run", recreate="always") as batch:
            batch.alter_column("reason", server_default="")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM run_event")).scalar_one() == 4
        assert connection.execute(text("SELECT parent_run_id FROM run WHERE id = 'r2'")).scalar_one() == "r1"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1  # back on for everyone else
    engine.dispose()


def test_processes_starting_at_once_on_a_new_data_dir_all_open_it(tmp_path: Path):
    # each process imports, says so, and waits for the word: then they all upgrade the same new database at once
    script = (
        "import sys; from backend.db.session import make_engine, upgrade_database; "
        "engine = make_engine(f'sqlite:///{sys.argv[1]}'); print('ready', flush=True); sys.stdin.readline(); "
        "upgrade_database(engine)"
    )
    database = tmp_path / "visionflow.db"
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(database)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    assert [process.stdout.readline().strip() for process in starts if process.stdout] == ["ready", "ready"]
    for process in starts:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    failures = [process.communicate(timeout=120)[1] for process in starts if process.wait(timeout=120) != 0]
    assert failures == []
    engine = sqlite_engine(tmp_path)
    assert current_revision(engine) == head_revision() and schema_drift(engine) == []
    engine.dispose()


def test_the_server_upgrades_its_data_dir_when_it_starts(tmp_path: Path):
    from backend.app import create_app
    from backend.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", max_concurrent_runs=0)
    settings.ensure_dirs()
    engine = make_engine(settings.resolved_database_url)
    upgrade_database(engine, BASELINE_REVISION)
    add_baseline_rows(engine)
    create_app(settings)
    assert current_revision(engine) == head_revision()
    assert_rows_read_back(engine)
    engine.dispose()


@pytest.mark.postgres
def test_the_same_upgrades_on_postgres(postgres_url: str):  # noqa: F811  (the fixture imported above)
    admin = make_engine(postgres_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in ("migrate_baseline", "migrate_legacy"):
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    server = postgres_url.rsplit("/", 1)[0]
    baseline, legacy = make_engine(f"{server}/migrate_baseline"), make_engine(f"{server}/migrate_legacy")
    upgrade_database(baseline, BASELINE_REVISION)
    baseline_metadata().create_all(legacy)
    for engine in (baseline, legacy):
        add_baseline_rows(engine)
        add_queued_runs(engine)
        upgrade_database(engine)
        upgrade_database(engine)
        assert current_revision(engine) == head_revision()
        assert_rows_read_back(engine)
        assert_queue_kept_its_order(engine)
        assert schema_drift(engine) == []
        engine.dispose()
