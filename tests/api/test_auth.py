"""Authentication through real requests, accounts on: who gets in (session, API token, nobody), the session cookie,
CSRF on session writes, API tokens, and accounts off. Logins cost an Argon2 hash (0.2 s): only the tests about
logging in log in; the rest call with the API tokens of tests/api/accounts.py."""

import time
from dataclasses import dataclass

import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import AsyncTestClient

from backend.accounts.sessions import session_config
from backend.app import create_app
from backend.settings import Settings
from tests.api.accounts import PASSWORD, TestUser, add_user, auth_settings

SESSION_COOKIE = "visionflow_session"


@dataclass
class World:
    client: AsyncTestClient
    settings: Settings
    alice: TestUser
    bob: TestUser


@pytest.fixture(scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory):
    settings = auth_settings(tmp_path_factory.mktemp("auth") / "data")
    async with AsyncTestClient(app=create_app(settings)) as client:
        yield World(client, settings, add_user(settings, "alice"), add_user(settings, "bob"))


@pytest.fixture
async def client(world: World):
    """The shared client with no cookie: each test starts logged out."""
    world.client.cookies.clear()
    yield world.client
    world.client.cookies.clear()


async def login(client: AsyncTestClient, name: str, password: str = PASSWORD):
    return await client.post("/api/auth/login", json={"name": name, "password": password})


async def test_nobody_gets_401_on_the_api_and_the_docs_but_the_app_and_its_auth_config_load(client) -> None:
    assert (await client.get("/api/auth/config")).json() == {"auth": True}
    for path in ("/api/projects", "/api/auth/me", "/schema/openapi.json"):
        refused = await client.get(path)
        assert refused.status_code == 401, path
        assert refused.json()["detail"].startswith("Log in first:"), path
    assert (await client.post("/api/projects", json={"name": "x"})).status_code == 401
    assert (await client.get("/")).status_code == 200  # the browser app: its login page needs no login
    bad = await client.get("/api/projects", headers={"Authorization": "Bearer vf_not-a-token"})
    assert bad.status_code == 401 and "API token" in bad.json()["detail"]


async def test_a_websocket_handshake_without_a_caller_is_closed_with_4401(client, world: World) -> None:
    with pytest.raises(WebSocketDisconnect) as refused, await client.websocket_connect("/ws/runs/000000000000"):
        pass
    assert refused.value.code == 4401
    missing_run = client.websocket_connect("/ws/runs/000000000000", headers=world.alice.headers)
    with pytest.raises(WebSocketDisconnect) as missing, await missing_run:  # a caller: on to the missing run
        pass
    assert missing.value.code != 4401


async def test_an_unknown_name_and_a_wrong_password_get_the_same_401(client) -> None:
    unknown = await login(client, "nobody-here")
    wrong = await login(client, "alice", "not-her-password")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json() == {"status_code": 401, "detail": "Wrong user name or password."}
    assert SESSION_COOKIE not in client.cookies


async def test_a_login_session_has_a_safe_cookie_a_new_id_and_csrf_on_writes_and_ends_at_logout(
    client, world: World
) -> None:
    client.cookies.set(SESSION_COOKIE, "planted-by-someone-else", domain="testserver.local")
    logged_in = await login(client, "alice")
    assert logged_in.status_code == 200, logged_in.text
    me = logged_in.json()
    assert me["name"] == "alice" and me["via"] == "session" and not me["is_admin"] and me["csrf_token"]
    cookie = logged_in.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Max-Age=1209600" in cookie and "Secure" not in cookie
    assert session_config(world.settings.model_copy(update={"secure_cookies": True})).secure  # behind HTTPS
    assert client.cookies[SESSION_COOKIE] != "planted-by-someone-else"  # renewed at login

    again = (await client.get("/api/auth/me")).json()
    assert again == me
    csrf = me["csrf_token"]
    missing = await client.post("/api/projects", json={"name": "no header"})
    wrong = await client.post("/api/projects", json={"name": "wrong"}, headers={"X-CSRF-Token": "guess"})
    latin = await client.post("/api/projects", json={"name": "latin-1"}, headers={"X-CSRF-Token": b"\xe9t\xe9"})
    assert missing.status_code == wrong.status_code == latin.status_code == 403  # latin: 500 before (compare_digest)
    assert missing.json()["detail"].startswith("Missing or wrong X-CSRF-Token header")
    made = await client.post("/api/projects", json={"name": "with header"}, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201, made.text

    logged_out = await client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})
    assert logged_out.status_code == 204
    assert "Max-Age=0" in logged_out.headers["set-cookie"]
    assert (await client.get("/api/auth/me")).status_code == 401


async def test_a_token_write_needs_no_csrf_header_and_a_session_file_is_never_written_for_it(
    client, world: World
) -> None:
    sessions = world.settings.data_dir / "sessions"
    before = set(sessions.rglob("*")) if sessions.exists() else set()
    made = await client.post("/api/projects", json={"name": "by script"}, headers=world.bob.headers)
    assert made.status_code == 201, made.text
    assert "set-cookie" not in made.headers
    assert (set(sessions.rglob("*")) if sessions.exists() else set()) == before
    me = (await client.get("/api/auth/me", headers=world.bob.headers)).json()
    assert me == {"id": world.bob.id, "name": "bob", "is_admin": False, "via": "token", "csrf_token": None}


async def test_tokens_are_created_listed_used_and_revoked_and_another_users_token_is_not_found(
    client, world: World
) -> None:
    created = await client.post("/api/auth/tokens", json={"name": "nightly script"}, headers=world.alice.headers)
    assert created.status_code == 201, created.text
    token = created.json()
    assert token["token"].startswith("vf_") and token["name"] == "nightly script"
    as_script = {"Authorization": f"Bearer {token['token']}"}
    assert (await client.get("/api/auth/me", headers=as_script)).json()["via"] == "token"

    listed = (await client.get("/api/auth/tokens", headers=world.alice.headers)).json()
    assert {t["name"] for t in listed} == {"tests", "nightly script"}
    assert all("token" not in t for t in listed)
    assert next(t for t in listed if t["id"] == token["id"])["last_used_at"] is not None
    assert (await client.get("/api/auth/tokens", headers=world.bob.headers)).json()[0]["name"] == "tests"

    not_hers = await client.delete(f"/api/auth/tokens/{token['id']}", headers=world.bob.headers)
    assert not_hers.status_code == 404
    empty = await client.post("/api/auth/tokens", json={"name": "  "}, headers=world.alice.headers)
    assert empty.status_code == 422 and empty.json()["extra"] == {"field": "name"}

    assert (await client.delete(f"/api/auth/tokens/{token['id']}", headers=world.alice.headers)).status_code == 204
    revoked = await client.get("/api/auth/me", headers=as_script)
    assert revoked.status_code == 401


async def test_a_password_change_checks_both_passwords_and_the_new_one_logs_in(client, world: World) -> None:
    carol = add_user(world.settings, "carol")
    change = "/api/auth/password"
    short = await client.put(
        change, json={"current_password": PASSWORD, "new_password": "short"}, headers=carol.headers
    )
    assert short.status_code == 422 and short.json()["extra"] == {"field": "new_password"}
    wrong = {"current_password": "not-it-at-all", "new_password": "carols-own-1"}
    assert (await client.put(change, json=wrong, headers=carol.headers)).status_code == 403
    right = {"current_password": PASSWORD, "new_password": "carols-own-1"}
    assert (await client.put(change, json=right, headers=carol.headers)).status_code == 204
    assert (await login(client, "carol", "carols-own-1")).status_code == 200


async def test_a_new_password_ends_the_users_other_sessions_but_keeps_the_one_that_changed_it(
    client, world: World
) -> None:
    dave, root = add_user(world.settings, "dave"), add_user(world.settings, "root", is_admin=True)
    sessions = []
    for _ in range(2):  # two browsers: two sessions of dave's
        client.cookies.clear()
        csrf = (await login(client, "dave")).json()["csrf_token"]
        sessions.append((client.cookies.get("visionflow_session"), csrf))
    (stale, _), (current, csrf) = sessions

    def use(cookie: str) -> None:
        client.cookies.clear()
        client.cookies.set("visionflow_session", cookie)

    use(current)
    change = {"current_password": PASSWORD, "new_password": "daves-own-1"}
    assert (await client.put("/api/auth/password", json=change, headers={"X-CSRF-Token": csrf})).status_code == 204
    assert (await client.get("/api/auth/me")).json()["csrf_token"] == csrf  # this session goes on as it was
    created = await client.post("/api/projects", json={"name": "after"}, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201
    use(stale)
    assert (await client.get("/api/auth/me")).status_code == 401  # the other browser is logged out
    reset = await client.put(f"/api/users/{dave.id}/password", json={"password": "set-by-root"}, headers=root.headers)
    assert reset.status_code == 204
    use(current)
    assert (await client.get("/api/auth/me")).status_code == 401  # an administrator's reset ends them all
    assert (await client.get("/api/auth/me", headers=dave.headers)).status_code == 200  # tokens stay: revoke them


async def test_accounts_off_every_request_is_the_local_administrator_and_login_is_a_conflict(
    tmp_path, settings: Settings
) -> None:
    assert settings.auth is False
    async with AsyncTestClient(app=create_app(settings)) as client:
        assert (await client.get("/api/auth/config")).json() == {"auth": False}
        me = (await client.get("/api/auth/me")).json()
        assert me == {"id": None, "name": "local", "is_admin": True, "via": "local", "csrf_token": None}
        assert (await client.post("/api/projects", json={"name": "local"})).status_code == 201  # no CSRF header
        assert (await login(client, "admin", "anything-at-all")).status_code == 409
        assert (await client.post("/api/auth/tokens", json={"name": "x"})).status_code == 409
        assert (await client.get("/api/auth/tokens")).json() == []
    assert not (settings.data_dir / "admin-password.txt").exists()


async def test_expired_login_sessions_are_swept_at_start(tmp_path) -> None:
    from backend.accounts.sessions import session_store

    settings = auth_settings(tmp_path / "data")
    settings.ensure_dirs()
    store = session_store(settings)
    await store.set("expired", b"{}", expires_in=1)
    await store.set("current", b"{}", expires_in=3600)
    time.sleep(1.1)
    async with AsyncTestClient(app=create_app(settings)):
        pass
    assert [await store.exists(key) for key in ("expired", "current")] == [False, True]
    assert len(list((settings.data_dir / "sessions").iterdir())) == 1
