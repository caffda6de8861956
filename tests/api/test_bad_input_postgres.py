"""Bad input on PostgreSQL: text with a NUL character, which PostgreSQL refuses (SQLite stores it), is a 400 wherever
it arrives — ids in paths, names in bodies, query filters — and an upload whose file name holds one still imports it.
"""

import pytest

from tests.api import test_postgres
from tests.api.helpers import png_bytes
from tests.api.test_bad_input import raw_multipart

pytestmark = pytest.mark.postgres
postgres_url = test_postgres.postgres_url  # the fixtures: a PostgreSQL server for this module, an app on it
pg_client = test_postgres.pg_client


async def test_nul_in_ids_names_and_filters_is_a_400(pg_client):
    project = (await pg_client.post("/api/projects", json={"name": "ok"})).json()
    answers = [
        await pg_client.get("/api/projects/a%00b"),
        await pg_client.get("/api/runs/a%00b"),
        await pg_client.get("/api/workflows/w%00"),
        await pg_client.post("/api/projects", json={"name": "a\x00b"}),
        await pg_client.get(f"/api/projects/{project['id']}/assets?class_id=a%00&ids=b%00"),
    ]
    assert [a.status_code for a in answers] == [400] * len(answers), [a.text for a in answers]
    assert "NUL" in answers[0].json()["detail"]


async def test_an_upload_whose_file_name_holds_nul_is_imported_under_a_storable_name(pg_client):
    project = (await pg_client.post("/api/projects", json={"name": "ok"})).json()
    body, content_type = raw_multipart([("cat/nul\x00name.png", png_bytes())])
    response = await pg_client.post(
        f"/api/projects/{project['id']}/assets", content=body, headers={"content-type": content_type}
    )
    assert response.status_code == 201, response.text
    [asset] = response.json()["imported"]
    assert (asset["filename"], asset["source_path"]) == ("nul\ufffdname.png", "cat/nul\ufffdname.png")
