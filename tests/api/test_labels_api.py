from tests.api.helpers import csv_import, labelled_project, new_project, png_bytes, upload
from tests.conftest import MODEL, chain


async def test_csv_dry_run_previews_then_applies_all_or_nothing(client):
    project = await new_project(client)
    await upload(client, project["id"], [("a.png", png_bytes((1, 0, 0))), ("b.png", png_bytes((2, 0, 0)))])
    text = "filename,label\r\na.png,cat\r\nb.png,dog\r\n"
    preview = await csv_import(client, project["id"], text, create_classes=True)
    assert preview.status_code == 200
    assert (
        preview.json()["applied"] is False
        and len(preview.json()["changes"]) == 2
        and preview.json()["new_classes"] == ["cat", "dog"]
    )
    assert (await client.get(f"/api/projects/{project['id']}/classes")).json() == []
    bad = await csv_import(client, project["id"], text + "ghost.png,cat\r\n", create_classes=True, dry_run=False)
    assert bad.status_code == 422 and bad.json()["applied"] is False
    assert bad.json()["problems"] == [
        {"line": 4, "code": "unknown_filename", "message": "Line 4: no image named 'ghost.png' in this project."}
    ]
    assert (await client.get(f"/api/projects/{project['id']}/classes")).json() == []
    applied = await csv_import(client, project["id"], text, create_classes=True, dry_run=False)
    assert applied.json()["applied"] is True
    exported = await client.get(f"/api/projects/{project['id']}/labels.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.text == "filename,label\r\na.png,cat\r\nb.png,dog\r\n"


async def test_unknown_classes_are_reported_unless_creation_is_asked(client):
    project, _ = await labelled_project(client)
    response = await csv_import(client, project["id"], "filename,label\nred0.png,green\n")
    assert response.status_code == 422 and response.json()["problems"][0]["code"] == "unknown_class"


async def test_bulk_label_and_delete_a_selection(client, settings):
    project, ids = await labelled_project(client)
    page = (await client.get(f"/api/projects/{project['id']}/assets")).json()
    chosen = [a["id"] for a in page["items"][:2]]
    relabelled = await client.post(
        f"/api/projects/{project['id']}/labels/bulk", json={"asset_ids": chosen, "class_id": ids["blue"]}
    )
    assert relabelled.json() == {"updated": 2}
    unlabel = await client.post(
        f"/api/projects/{project['id']}/labels/bulk", json={"asset_ids": chosen[:1], "class_id": None}
    )
    assert unlabel.json() == {"updated": 1}
    stats = (await client.get(f"/api/projects/{project['id']}/stats")).json()
    assert (stats["images"], stats["labelled"], stats["unlabelled"]) == (6, 5, 1)
    by_ids = (await client.get(f"/api/projects/{project['id']}/assets", params={"ids": ",".join(chosen)})).json()
    assert sorted(a["id"] for a in by_ids["items"]) == sorted(chosen) and by_ids["total"] == 2
    deleted = await client.post(f"/api/projects/{project['id']}/assets/delete", json={"asset_ids": chosen})
    assert deleted.json() == {"deleted": 2}
    assert (await client.get(f"/api/projects/{project['id']}/assets")).json()["total"] == 4
    other = await new_project(client, "Other")
    foreign = await client.post(
        f"/api/projects/{other['id']}/assets/delete", json={"asset_ids": [page["items"][3]["id"]]}
    )
    assert foreign.status_code == 400


async def test_class_rename_hotkey_merge_and_delete_say_what_they_do_first(client):
    project, ids = await labelled_project(client)
    renamed = (await client.patch(f"/api/classes/{ids['red']}", json={"name": "crimson", "hotkey": "c"})).json()
    assert (renamed["name"], renamed["hotkey"]) == ("crimson", "c")
    clash = await client.patch(f"/api/classes/{ids['blue']}", json={"hotkey": "c"})
    assert clash.status_code == 409 and "crimson" in clash.json()["detail"]
    preview = (await client.post(f"/api/classes/{ids['red']}/merge", json={"into_class_id": ids["blue"]})).json()
    assert preview == {
        "merged": False,
        "moved": 3,
        "message": "3 image(s) move from 'crimson' to 'blue', and 'crimson' is deleted.",
    }
    await client.post(f"/api/classes/{ids['red']}/merge", json={"into_class_id": ids["blue"], "dry_run": False})
    classes = (await client.get(f"/api/projects/{project['id']}/classes")).json()
    assert [(c["name"], c["image_count"]) for c in classes] == [("blue", 6)]
    preview = (await client.delete(f"/api/classes/{ids['blue']}")).json()
    assert preview["deleted"] is False and preview["labels_cleared"] == 6
    done = (await client.delete(f"/api/classes/{ids['blue']}", params={"dry_run": False})).json()
    assert done["deleted"] is True
    assert (await client.get(f"/api/projects/{project['id']}/stats")).json()["unlabelled"] == 6


async def test_stats_warn_about_small_classes(client):
    project, _ = await labelled_project(client, per_class=2)
    stats = (await client.get(f"/api/projects/{project['id']}/stats")).json()
    assert {c["name"]: c["count"] for c in stats["classes"]} == {"red": 2, "blue": 2}
    assert stats["sizes"]["median_width"] == 24
    assert {w["code"] for w in stats["warnings"]} == {"few_images"}


async def test_split_filter_matches_the_split_a_run_trains_on(client):
    project, _ = await labelled_project(client, per_class=5)
    graph = chain(("data", "dataset.project", {"val_fraction": 0.4, "seed": 3}), MODEL)
    workflow = (await client.post(f"/api/projects/{project['id']}/workflows", json={"graph": graph})).json()
    val = (
        await client.get(
            f"/api/projects/{project['id']}/assets", params={"split": "val", "workflow_id": workflow["id"]}
        )
    ).json()
    assert val["total"] == 4  # 2 of 5 per class
    run = (await client.post(f"/api/workflows/{workflow['id']}/runs", json={"epochs": 1})).json()
    await client.post(f"/api/runs/{run['id']}/cancel")
    snapshot = (await client.get(f"/api/runs/{run['id']}/snapshot")).json()
    assert (snapshot["train"], snapshot["val"]) == (6, 4) and snapshot["snapshot_hash"] == run["snapshot_hash"]
    assert {i["content_hash"] for i in snapshot["items"] if i["split"] == "val"} == {a["sha256"] for a in val["items"]}
    default_val = (await client.get(f"/api/projects/{project['id']}/assets", params={"split": "val"})).json()
    assert default_val["total"] == 2
