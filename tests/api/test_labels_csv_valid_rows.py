"""CSV label import: one bad row need not block the rest when the person asks to apply the valid rows."""

from tests.api.helpers import csv_import, new_project, png_bytes, upload


async def test_apply_valid_rows_applies_the_good_rows_and_reports_the_skipped_ones(client):
    project = await new_project(client)
    await upload(client, project["id"], [("a.png", png_bytes((1, 0, 0))), ("b.png", png_bytes((2, 0, 0)))])
    text = "filename,label\na.png,cat\nghost.png,dog\nb.png,\n"
    blocked = await csv_import(client, project["id"], text, create_classes=True, dry_run=False)
    assert blocked.status_code == 422 and blocked.json()["applied"] is False  # all-or-nothing stays the default

    preview = await csv_import(client, project["id"], text, create_classes=True, apply_valid_rows=True)
    assert preview.status_code == 200 and preview.json()["applied"] is False
    assert [c["filename"] for c in preview.json()["changes"]] == ["a.png"]
    assert preview.json()["new_classes"] == ["cat"]  # "dog" is only on the skipped row: not created
    assert [(p["line"], p["code"]) for p in preview.json()["problems"]] == [(3, "unknown_filename"), (4, "empty_label")]
    assert (await client.get(f"/api/projects/{project['id']}/classes")).json() == []

    applied = await csv_import(client, project["id"], text, create_classes=True, apply_valid_rows=True, dry_run=False)
    assert applied.status_code == 200 and applied.json()["applied"] is True
    assert len(applied.json()["problems"]) == 2
    exported = await client.get(f"/api/projects/{project['id']}/labels.csv")
    assert exported.text == "filename,label\r\na.png,cat\r\n"
    assert [c["name"] for c in (await client.get(f"/api/projects/{project['id']}/classes")).json()] == ["cat"]


async def test_a_file_the_reader_cannot_finish_applies_nothing_even_with_apply_valid_rows(client):
    """The reader stops at a line it cannot read: the rows after it were never seen, so "the valid rows" is unknown."""
    project = await new_project(client)
    await upload(client, project["id"], [("a.png", png_bytes((1, 0, 0))), ("b.png", png_bytes((2, 0, 0)))])
    text = f"filename,label\na.png,cat\n{'x' * 140_000},dog\nb.png,dog\n"  # a field past the csv module's limit
    answer = await csv_import(client, project["id"], text, create_classes=True, apply_valid_rows=True, dry_run=False)
    assert answer.status_code == 422 and answer.json()["applied"] is False
    assert [p["code"] for p in answer.json()["problems"]] == ["unreadable"]
    assert (await client.get(f"/api/projects/{project['id']}/classes")).json() == []
    latin1 = await client.post(
        f"/api/projects/{project['id']}/labels/csv",
        content="filename,label\na.png,café\n".encode("latin-1"),
        headers={"content-type": "text/csv"},
        params={"apply_valid_rows": True, "dry_run": False},
    )
    assert latin1.status_code == 422 and latin1.json()["problems"][0]["code"] == "not_utf8"
