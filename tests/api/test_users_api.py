"""The users routes, accounts on: anyone lists users; only administrators add, delete and reset passwords, with the
name and password rules (422 naming the field), taken names (409), never deleting yourself (409); a deleted user's
session and token stop working at once. Callers use API tokens (tests/api/accounts.py): one login only."""

from dataclasses import dataclass

import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.settings import Settings
from tests.api.accounts import PASSWORD, TestUser, add_user, auth_settings


@dataclass
class World:
    client: AsyncTestClient
    settings: Settings
    root: TestUser  # an administrator
    dana: TestUser


@pytest.fixture(scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory):
    settings = auth_settings(tmp_path_factory.mktemp("users") / "data")
    async with AsyncTestClient(app=create_app(settings)) as client:
        yield World(client, settings, add_user(settings, "root", is_admin=True), add_user(settings, "dana"))


async def test_anyone_lists_the_users_but_only_an_administrator_changes_them(world: World) -> None:
    client, dana = world.client, world.dana
    listed = (await client.get("/api/users", headers=dana.headers)).json()
    assert [(u["name"], u["is_admin"]) for u in listed] == [("admin", True), ("dana", False), ("root", True)]
    assert set(listed[0]) == {"id", "name", "is_admin", "created_at"}
    new = {"name": "erin", "password": "erins-password"}
    for refused in (
        await client.post("/api/users", json=new, headers=dana.headers),
        await client.delete(f"/api/users/{world.root.id}", headers=dana.headers),
        await client.put(f"/api/users/{world.root.id}/password", json={"password": "x" * 9}, headers=dana.headers),
    ):
        assert refused.status_code == 403
        assert refused.json()["detail"] == "Only an administrator may change users."


async def test_an_administrator_adds_users_by_the_rules(world: World) -> None:
    client, root = world.client, world.root
    for name in ("", "has space", "x" * 65, "tab\tname", "<script>"):
        bad = await client.post("/api/users", json={"name": name, "password": "long-enough"}, headers=root.headers)
        assert bad.status_code == 422, name
        assert bad.json()["extra"] == {"field": "name"}
    short = await client.post("/api/users", json={"name": "erin", "password": "short"}, headers=root.headers)
    assert short.status_code == 422 and short.json()["extra"] == {"field": "password"}
    taken = await client.post("/api/users", json={"name": "dana", "password": "long-enough"}, headers=root.headers)
    assert taken.status_code == 409
    added = await client.post(
        "/api/users",
        json={"name": "erin.o-k@lab_1", "password": "erins-password", "is_admin": True},
        headers=root.headers,
    )
    assert added.status_code == 201, added.text
    assert added.json()["name"] == "erin.o-k@lab_1" and added.json()["is_admin"] is True


async def test_no_one_deletes_themselves_and_missing_users_are_404(world: World) -> None:
    client, root = world.client, world.root
    itself = await client.delete(f"/api/users/{root.id}", headers=root.headers)
    assert itself.status_code == 409 and "yourself" in itself.json()["detail"]
    assert (await client.delete("/api/users/000000000000", headers=root.headers)).status_code == 404
    missing = await client.put("/api/users/000000000000/password", json={"password": "x" * 9}, headers=root.headers)
    assert missing.status_code == 404


async def test_a_deleted_users_session_and_token_answer_401_at_once(world: World) -> None:
    client, root = world.client, world.root
    frank = add_user(world.settings, "frank")
    client.cookies.clear()
    logged_in = await client.post("/api/auth/login", json={"name": "frank", "password": PASSWORD})
    assert logged_in.status_code == 200
    assert (await client.get("/api/auth/me")).json()["via"] == "session"
    reset = await client.put(f"/api/users/{frank.id}/password", json={"password": "franks-new-1"}, headers=root.headers)
    assert reset.status_code == 204
    assert (await client.delete(f"/api/users/{frank.id}", headers=root.headers)).status_code == 204
    assert (await client.get("/api/auth/me")).status_code == 401  # the session cookie
    client.cookies.clear()
    assert (await client.get("/api/auth/me", headers=frank.headers)).status_code == 401  # the token
    names = [u["name"] for u in (await client.get("/api/users", headers=root.headers)).json()]
    assert "frank" not in names
