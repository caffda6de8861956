"""The statistics page's numbers: images by longest side and by shape, and a few sample images per class."""

from tests.api.helpers import new_project, png_bytes, upload


async def test_stats_show_size_and_shape_distributions_and_samples_per_class(client):
    project = await new_project(client)
    sizes = {"wide.png": (90, 30), "square.png": (40, 40), "landscape.png": (70, 50), "tall.png": (10, 30)}
    uploaded = await upload(
        client, project["id"], [(name, png_bytes((i * 40, 9, 9), size)) for i, (name, size) in enumerate(sizes.items())]
    )
    assert uploaded.status_code == 201, uploaded.text
    cat = (await client.post(f"/api/projects/{project['id']}/classes", json={"name": "cat"})).json()
    await client.post(f"/api/projects/{project['id']}/classes", json={"name": "dog"})
    assets = {
        a["filename"]: a["id"] for a in (await client.get(f"/api/projects/{project['id']}/assets")).json()["items"]
    }
    for name in ("wide.png", "tall.png"):
        await client.put(f"/api/assets/{assets[name]}/annotation", json={"class_id": cat["id"]})

    stats = (await client.get(f"/api/projects/{project['id']}/stats")).json()
    assert {b["label"]: b["count"] for b in stats["longest_side"] if b["count"]} == {"< 64 px": 2, "64–127 px": 2}
    assert sum(b["count"] for b in stats["longest_side"]) == 4
    assert [(b["label"], b["count"]) for b in stats["aspect"]] == [
        ("tall (< 1:2)", 1),
        ("portrait", 0),
        ("about square", 1),
        ("landscape", 1),
        ("wide (> 2:1)", 1),
    ]
    samples = {c["name"]: c["samples"] for c in stats["classes"]}
    assert sorted(samples["cat"]) == sorted([assets["wide.png"], assets["tall.png"]]) and samples["dog"] == []
    thumbnail = await client.get(f"/api/assets/{samples['cat'][0]}/thumbnail")
    assert thumbnail.status_code == 200 and thumbnail.headers["content-type"] == "image/jpeg"
