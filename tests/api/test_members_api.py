"""Project members over HTTP, accounts on: the creator owns a new project; an owner adds people, changes roles and
removes members, never the last owner (409); other members read the list; a stranger finds no project; an
administrator manages any project. The tests share one app and run in file order."""

from dataclasses import dataclass

import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from tests.api.accounts import TestUser, add_user, auth_settings


@dataclass
class World:
    client: AsyncTestClient
    olive: TestUser
    anna: TestUser
    bob: TestUser
    root: TestUser  # an administrator
    project: str  # olive's


@pytest.fixture(scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory):
    settings = auth_settings(tmp_path_factory.mktemp("members") / "data")
    async with AsyncTestClient(app=create_app(settings)) as client:
        olive, anna, bob = (add_user(settings, name) for name in ("olive", "anna", "bob"))
        root = add_user(settings, "root", is_admin=True)
        created = await client.post("/api/projects", json={"name": "Birds"}, headers=olive.headers)
        assert created.status_code == 201, created.text
        assert created.json()["my_role"] == "owner"
        yield World(client, olive, anna, bob, root, created.json()["id"])


async def members(world: World, user: TestUser) -> list[tuple[str, str]]:
    answer = await world.client.get(f"/api/projects/{world.project}/members", headers=user.headers)
    assert answer.status_code == 200, answer.text
    return [(m["name"], m["role"]) for m in answer.json()]


async def put(world: World, by: TestUser, user_id: str, role: str):
    url = f"/api/projects/{world.project}/members/{user_id}"
    return await world.client.put(url, json={"role": role}, headers=by.headers)


async def remove(world: World, by: TestUser, user_id: str):
    return await world.client.delete(f"/api/projects/{world.project}/members/{user_id}", headers=by.headers)


async def test_the_creator_is_the_owner_and_adds_people_with_a_role(world: World):
    assert await members(world, world.olive) == [("olive", "owner")]
    added = await put(world, world.olive, world.anna.id, "annotator")
    assert added.status_code == 200 and added.json() == {"user_id": world.anna.id, "name": "anna", "role": "annotator"}
    assert (await put(world, world.olive, world.anna.id, "viewer")).json()["role"] == "viewer"
    assert await members(world, world.anna) == [("anna", "viewer"), ("olive", "owner")]
    project = await world.client.get(f"/api/projects/{world.project}", headers=world.anna.headers)
    assert project.json()["my_role"] == "viewer"


async def test_bad_requests_name_what_is_wrong(world: World):
    unknown = await put(world, world.olive, "nobody", "viewer")
    assert unknown.status_code == 404 and unknown.json()["detail"] == "There is no user 'nobody'."
    assert (await put(world, world.olive, world.bob.id, "admin")).status_code == 400
    assert (await remove(world, world.olive, world.bob.id)).status_code == 404  # not a member


async def test_only_an_owner_manages_members_and_a_stranger_finds_no_project(world: World):
    refused = await put(world, world.anna, world.bob.id, "owner")
    assert refused.status_code == 403 and refused.json()["detail"].startswith("You are a viewer of this project:")
    assert (await remove(world, world.anna, world.olive.id)).status_code == 403
    stranger = await world.client.get(f"/api/projects/{world.project}/members", headers=world.bob.headers)
    assert stranger.status_code == 404
    assert stranger.json()["detail"] == f"There is no project {world.project!r}."
    assert (await put(world, world.bob, world.bob.id, "owner")).status_code == 404


async def test_the_last_owner_can_neither_leave_nor_step_down(world: World):
    for answer in (
        await remove(world, world.olive, world.olive.id),
        await put(world, world.olive, world.olive.id, "viewer"),
    ):
        assert answer.status_code == 409 and "last owner" in answer.json()["detail"]
    assert (await put(world, world.olive, world.anna.id, "owner")).status_code == 200
    assert (await put(world, world.olive, world.olive.id, "annotator")).status_code == 200  # anna still owns it
    assert (await put(world, world.olive, world.bob.id, "viewer")).status_code == 403  # olive is an annotator now
    assert (await remove(world, world.anna, world.anna.id)).status_code == 409


async def test_an_administrator_manages_any_project_and_removed_members_lose_it(world: World):
    assert (await put(world, world.root, world.olive.id, "owner")).status_code == 200
    assert (await remove(world, world.root, world.anna.id)).status_code == 204
    assert await members(world, world.root) == [("olive", "owner")]
    gone = await world.client.get(f"/api/projects/{world.project}", headers=world.anna.headers)
    assert gone.status_code == 404
    assert (await world.client.get("/api/projects", headers=world.anna.headers)).json() == []
