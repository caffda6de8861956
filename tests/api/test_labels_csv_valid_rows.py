"""CSV label import: one bad row need not block the rest when the person asks to apply the valid rows."""

from tests.api.helpers import new_project, png_bytes, upload


async def csv_import(client, project_id, text, **params):
    return await client.post(
        f"/api/projects/{project_id}/labels/csv",
        content=text.encode(),
        headers={"content-type": "text/csv"},
        params=params,
    )


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
