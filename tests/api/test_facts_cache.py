"""A project's image facts are kept between validations (issue 12) and never stale: every change of labels,
classes or images made through the API, in another transaction, or by another process shows in the next one."""

import sqlite3

from sqlmodel import Session, SQLModel

from backend.datasets import facts_cache
from backend.datasets.facts_cache import project_data
from backend.datasets.image_facts import project_image_facts
from backend.datasets.library import labelled_counts, stored_file_path
from backend.db.models import Annotation, Asset, ImageClass, Project
from backend.db.session import make_engine
from tests.api.helpers import labelled_project
from tests.conftest import DATA, FLIP, MODEL, chain


async def test_validating_again_sees_each_label_class_and_image_change(client, settings):
    project, class_ids = await labelled_project(client, per_class=3)
    assets = (await client.get(f"/api/projects/{project['id']}/assets")).json()
    assets = assets["items"] if isinstance(assets, dict) else assets
    body = {"graph": chain(DATA, FLIP, MODEL), "project_id": project["id"]}

    async def issues() -> list[str]:
        response = await client.post("/api/workflows/validate", json=body)
        assert response.status_code == 200, response.text
        return sorted(issue["message"] for issue in response.json()["issues"])

    async def fresh_issues() -> list[str]:
        facts_cache.forget_all()
        return await issues()

    seen = [await issues()]
    assert await issues() == seen[0]
    red = next(a for a in assets if a["filename"].startswith("red"))
    changes = [
        ("put", f"/api/assets/{red['id']}/annotation", {"class_id": class_ids["blue"]}),  # relabelled
        ("patch", f"/api/classes/{class_ids['blue']}", {"name": "navy"}),  # renamed
        ("post", f"/api/projects/{project['id']}/assets/delete", {"asset_ids": [red["id"]]}),  # deleted
    ]
    for method, url, payload in changes:
        response = await getattr(client, method)(url, json=payload)
        assert response.status_code in (200, 201), response.text
        now = await issues()
        assert now != seen[-1] and now == await fresh_issues(), (url, now)
        seen.append(now)


def test_kept_facts_follow_a_count_keeping_swap_and_another_process(settings, tmp_path):
    """A swap of two labels keeps every class's count (only this process's write version tells); a label changed by
    another process (no version bump here) changes the counts the key holds."""
    database = tmp_path / "kept.db"
    engine = make_engine(f"sqlite:///{database}")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        project = Project(name="p")
        classes = [ImageClass(project_id=project.id, name=name) for name in ("a", "b")]
        assets = [
            Asset(project_id=project.id, sha256=f"{n:064x}", ext="jpg", filename=f"{n}.jpg", width=8, height=8, bytes=9)
            for n in range(4)
        ]
        for rows in ([project], [*classes, *assets]):  # no relationships: the parent rows go first
            session.add_all(rows)
            session.flush()
        session.add_all(Annotation(asset_id=asset.id, class_id=classes[n % 2].id) for n, asset in enumerate(assets))
        session.commit()
        project_id, class_of = project.id, {c.name: c.id for c in classes}
        asset_ids = [a.id for a in assets]

    def labels(facts) -> dict[str, str]:
        return {fact.name: fact.label for fact in facts}

    with Session(engine) as session:
        counts, first = project_data(session, settings, project_id)
        assert counts == labelled_counts(session, project_id)
        assert project_data(session, settings, project_id)[1] is first  # kept
        assert labels(first) == {"0.jpg": "a", "1.jpg": "b", "2.jpg": "a", "3.jpg": "b"}
        for asset_id, name in zip(asset_ids[:2], ("b", "a"), strict=True):
            session.get(Annotation, asset_id).class_id = class_of[name]
        session.commit()
    with Session(engine) as session:
        _, swapped = project_data(session, settings, project_id)
        assert labels(swapped) == labels(project_image_facts(session, settings, project_id))
        root = str(settings.assets_dir.resolve())
        assert [fact.path for fact in swapped] == [stored_file_path(root, fact.content_hash, "jpg") for fact in swapped]
        assert labels(swapped)["0.jpg"] == "b" and swapped is not first
        session.get(Annotation, asset_ids[2]).class_id = class_of["b"]
        session.rollback()  # a write undone: still the same facts
        assert labels(project_data(session, settings, project_id)[1]) == labels(swapped)

    other = sqlite3.connect(database)  # another process's write: no event of this one sees it
    other.execute("UPDATE annotation SET class_id = ? WHERE asset_id = ?", (class_of["b"], asset_ids[2]))
    other.commit()
    other.close()
    with Session(engine) as session:
        counts, facts = project_data(session, settings, project_id)
        assert counts == {"a": 1, "b": 3} and labels(facts)["2.jpg"] == "b"
    engine.dispose()
