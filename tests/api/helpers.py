"""Small real files and API calls the API tests share."""

import io

from PIL import Image


def png_bytes(colour=(200, 30, 30), size=(24, 24)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


async def new_project(client, name="Birds") -> dict:
    response = await client.post("/api/projects", json={"name": name})
    assert response.status_code == 201, response.text
    return response.json()


async def upload(client, project_id, files: list[tuple[str, bytes]]):
    return await client.post(
        f"/api/projects/{project_id}/assets",
        files=[("files", (name, content, "application/octet-stream")) for name, content in files],
    )


async def labelled_project(client, per_class=3) -> tuple[dict, dict[str, str]]:
    """A project with classes red and blue, `per_class` labelled images each; returns (project, class ids)."""
    project = await new_project(client)
    ids = {}
    for index, (name, colour) in enumerate({"red": (220, 20, 20), "blue": (20, 20, 220)}.items()):
        ids[name] = (await client.post(f"/api/projects/{project['id']}/classes", json={"name": name})).json()["id"]
        files = [
            (f"{name}{n}.png", png_bytes((colour[0], colour[1] + n + 10 * index, colour[2]))) for n in range(per_class)
        ]
        report = (await upload(client, project["id"], files)).json()
        for asset in report["imported"]:
            await client.put(f"/api/assets/{asset['id']}/annotation", json={"class_id": ids[name]})
    return project, ids


async def csv_import(client, project_id, text, **params):
    return await client.post(
        f"/api/projects/{project_id}/labels/csv",
        content=text.encode(),
        headers={"content-type": "text/csv"},
        params=params,
    )
