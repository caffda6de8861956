"""Bad input gets a 4xx that says what and where, never a 500: integers past 64 bits in query strings, CSV fields
over the csv module's limit, NUL bytes in static paths, and class names that break the class rule however they
arrive (class API, CSV label, folder of an upload or a zip)."""

import io
import zipfile

import pytest

from backend.datasets.class_names import MAX_CLASS_NAME_LENGTH
from tests.api.helpers import new_project, png_bytes, upload

PAST_64_BITS = str(2**64 + 1)
TOO_LONG = "n" * (MAX_CLASS_NAME_LENGTH + 1)


@pytest.mark.parametrize(
    "query", [f"offset={PAST_64_BITS}", f"limit={PAST_64_BITS}", "offset=-1", "limit=0", f"offset={2**63}"]
)
async def test_asset_paging_past_any_integer_is_a_400_naming_the_parameter(client, query):
    project = await new_project(client)
    response = await client.get(f"/api/projects/{project['id']}/assets?{query}")
    assert response.status_code == 400, response.text
    assert query.split("=")[0] in response.text


@pytest.mark.parametrize(
    "url",
    [
        f"/api/runs/nope/predictions?offset={PAST_64_BITS}",
        f"/api/runs/nope/predictions?limit={PAST_64_BITS}",
        f"/api/runs/nope/predict?top_k={PAST_64_BITS}",
    ],
)
async def test_run_integer_parameters_are_checked_before_anything_else(client, url):
    send = client.post if url.split("?")[0].endswith("/predict") else client.get
    response = await send(url)
    assert response.status_code == 400, response.text
    assert url.split("?")[1].split("=")[0] in response.text


async def test_a_csv_field_over_the_csv_limit_is_a_problem_on_its_line(client):
    project = await new_project(client)
    await upload(client, project["id"], [("a.png", png_bytes())])
    body = "filename,label\na.png,cat\n" + "b.png," + "x" * 140_000 + "\nc.png,dog\n"
    response = await client.post(f"/api/projects/{project['id']}/labels/csv?create_classes=true", content=body.encode())
    assert response.status_code == 422, response.text
    problems = response.json()["problems"]
    assert [(p["line"], p["code"]) for p in problems] == [(3, "unreadable")]
    assert "Line 3" in problems[0]["message"]


@pytest.mark.parametrize("path", ["/%00", "/assets/a%00.js", "/" + "d" * 5000])
async def test_static_paths_that_cannot_be_files_are_404(client, path):
    response = await client.get(path)
    assert response.status_code == 404, response.text


@pytest.mark.parametrize("label", [TOO_LONG, "bad\x00name", "tab\there"])
async def test_csv_labels_obey_the_class_name_rule(client, label):
    project = await new_project(client)
    await upload(client, project["id"], [("a.png", png_bytes()), ("b.png", png_bytes((1, 2, 3)))])
    body = f"filename,label\na.png,cat\nb.png,{label}\n"
    url = f"/api/projects/{project['id']}/labels/csv?dry_run=false&create_classes=true"
    response = await client.post(url, content=body.encode())
    assert response.status_code == 422, response.text
    assert [(p["line"], p["code"]) for p in response.json()["problems"]] == [(3, "bad_class_name")]
    assert (await client.get(f"/api/projects/{project['id']}/classes")).json() == []


def zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def raw_multipart(files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    """A multipart body with the file names as raw bytes (browsers and httpx percent-escape control characters;
    other clients need not)."""
    boundary = "vf-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
        for name, content in files
    ]
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


async def test_folders_that_cannot_name_a_class_refuse_their_files_not_the_batch(client):
    project = await new_project(client)
    archive = {"fine/4.png": png_bytes((40, 40, 40)), "bell\x07class/5.png": png_bytes((50, 50, 50))}
    body, content_type = raw_multipart(
        [
            ("good/1.png", png_bytes((10, 10, 10))),
            (f"{TOO_LONG}/2.png", png_bytes((20, 20, 20))),
            ("nul\x00folder/3.png", png_bytes((30, 30, 30))),
            ("pack.zip", zip_of(archive)),
        ]
    )
    response = await client.post(
        f"/api/projects/{project['id']}/assets", content=body, headers={"content-type": content_type}
    )
    assert response.status_code == 201, response.text
    report = response.json()
    assert sorted(a["filename"] for a in report["imported"]) == ["1.png", "4.png"]
    assert sorted(report["classes_created"]) == ["fine", "good"]
    rejected = {r["filename"]: r["reason"] for r in report["rejected"]}
    assert set(rejected) == {f"{TOO_LONG}/2.png", "nul\x00folder/3.png", "pack.zip: bell\x07class/5.png"}
    assert all("cannot name a class" in reason for reason in rejected.values())
    assert "at most 100 characters" in rejected[f"{TOO_LONG}/2.png"]
    assert "U+0000" in rejected["nul\x00folder/3.png"]
    assert "U+0007" in rejected["pack.zip: bell\x07class/5.png"]
    classes = (await client.get(f"/api/projects/{project['id']}/classes")).json()
    assert sorted(c["name"] for c in classes) == ["fine", "good"]


@pytest.mark.parametrize("name", ["bad\x00name", "line\nbreak", "  "])
async def test_the_class_api_refuses_the_same_names(client, name):
    project = await new_project(client)
    created = await client.post(f"/api/projects/{project['id']}/classes", json={"name": name})
    assert created.status_code == 400, created.text
    good = (await client.post(f"/api/projects/{project['id']}/classes", json={"name": "good"})).json()
    renamed = await client.patch(f"/api/classes/{good['id']}", json={"name": name})
    assert renamed.status_code == 400, renamed.text


async def test_creating_a_class_twice_is_a_conflict(client):
    project = await new_project(client)
    first = await client.post(f"/api/projects/{project['id']}/classes", json={"name": "cat"})
    again = await client.post(f"/api/projects/{project['id']}/classes", json={"name": " cat "})
    assert (first.status_code, again.status_code) == (201, 409)
