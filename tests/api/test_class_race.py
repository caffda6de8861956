"""Uploads in flight together that bring the same new class: the browser's uploader sends two batches at once, and
a class that both introduce must be created once, with every image of both batches imported and labelled.

Through a real `visionflow serve` process: each upload imports in its own worker thread and database connection,
as in production."""

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlmodel import SQLModel, select

from backend.datasets.library import add_class
from backend.db.models import ImageClass, Project
from backend.db.session import make_engine, session_for
from tests.api import test_postgres
from tests.api.helpers import png_bytes
from tests.conftest import LiveServer

postgres_url = test_postgres.postgres_url  # the fixture: a PostgreSQL server for this module
BATCHES = 12
PER_BATCH = 3


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("race") / "data", seed_demo=False)
    yield live
    live.stop()


def test_parallel_uploads_of_one_new_class_all_succeed(server):
    project = httpx.post(f"{server.url}/api/projects", json={"name": "race"}).json()

    def send(batch: int) -> httpx.Response:
        files = [
            ("files", (f"newclass/{batch}-{n}.png", png_bytes((batch * 20, n * 40, 7)), "image/png"))
            for n in range(PER_BATCH)
        ]
        return httpx.post(f"{server.url}/api/projects/{project['id']}/assets", files=files, timeout=60)

    with ThreadPoolExecutor(BATCHES) as pool:
        responses = list(pool.map(send, range(BATCHES)))
    failed = [(r.status_code, r.text[:300]) for r in responses if r.status_code != 201]
    assert not failed
    reports = [r.json() for r in responses]
    assert sum(len(r["imported"]) for r in reports) == BATCHES * PER_BATCH
    assert sum(r["labelled"] for r in reports) == BATCHES * PER_BATCH
    assert sum(r["classes_created"] == ["newclass"] for r in reports) == 1
    classes = httpx.get(f"{server.url}/api/projects/{project['id']}/classes").json()
    assert [(c["name"], c["image_count"]) for c in classes] == [("newclass", BATCHES * PER_BATCH)]


def test_parallel_uploads_of_one_image_store_it_once_and_call_the_rest_duplicates(server):
    project = httpx.post(f"{server.url}/api/projects", json={"name": "same image"}).json()
    shared = png_bytes((1, 2, 3))

    def send(batch: int) -> httpx.Response:
        files = [
            ("files", (f"cat/{batch}-own.png", png_bytes((batch * 20, 9, 9)), "image/png")),
            ("files", (f"cat/{batch}-shared.png", shared, "image/png")),
        ]
        return httpx.post(f"{server.url}/api/projects/{project['id']}/assets", files=files, timeout=60)

    with ThreadPoolExecutor(BATCHES) as pool:
        responses = list(pool.map(send, range(BATCHES)))
    assert [(r.status_code, r.text[:300]) for r in responses if r.status_code != 201] == []
    reports = [r.json() for r in responses]
    imported = [a for r in reports for a in r["imported"]]
    duplicates = [d for r in reports for d in r["duplicates"]]
    assert len(imported) == BATCHES + 1
    shared_id = next(a["id"] for a in imported if a["filename"].endswith("-shared.png"))
    assert len(duplicates) == BATCHES - 1
    assert {d["asset_id"] for d in duplicates} == {shared_id}
    assert sum(r["labelled"] for r in reports) == BATCHES + 1
    classes = httpx.get(f"{server.url}/api/projects/{project['id']}/classes").json()
    assert [(c["name"], c["image_count"]) for c in classes] == [("cat", BATCHES + 1)]


def _second_session_meets_an_uncommitted_class(engine) -> tuple[bool, bool, int]:
    """Session A creates class `cat` and holds its transaction open; session B, in a thread, asks for `cat` too
    (it cannot see A's row yet, so it tries to insert), then A commits. Returns (A created, B created, classes)."""
    with session_for(engine) as setup:
        project = Project(name="race")
        setup.add(project)
        setup.commit()
    first, second = session_for(engine), session_for(engine)
    try:
        _, first_created = add_class(first, project.id, "cat")
        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(add_class, second, project.id, "cat")
            time.sleep(0.5)  # B is now blocked on A's uncommitted row
            first.commit()
            found, second_created = pending.result(timeout=30)
        second.commit()
        assert found.name == "cat"
    finally:
        first.close()
        second.close()
    with session_for(engine) as check:
        count = len(check.exec(select(ImageClass).where(ImageClass.project_id == project.id)).all())
    return first_created, second_created, count


def test_a_class_created_by_another_open_transaction_is_found_on_sqlite(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'race.db'}")
    SQLModel.metadata.create_all(engine)
    assert _second_session_meets_an_uncommitted_class(engine) == (True, False, 1)


@pytest.mark.postgres
def test_a_class_created_by_another_open_transaction_is_found_on_postgres(postgres_url):
    engine = make_engine(postgres_url)
    SQLModel.metadata.create_all(engine)
    try:
        assert _second_session_meets_an_uncommitted_class(engine) == (True, False, 1)
    finally:
        engine.dispose()
