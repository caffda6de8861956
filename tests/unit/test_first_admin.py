"""The first administrator (generated password in a private file, or from the environment, made once), the login
line `visionflow serve` prints, the last-administrator rule, and the accounts commands of the CLI, including the
refusal to serve beyond loopback with accounts off."""

import io
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from litestar.exceptions import HTTPException
from sqlmodel import select

from backend.accounts.cli_commands import print_login, serve_refusal
from backend.accounts.first_admin import ensure_first_admin, login_line, password_file
from backend.accounts.passwords import password_matches
from backend.accounts.tokens import token_hash
from backend.accounts.users import delete_user, set_password
from backend.cli import main
from backend.db.models import ApiToken, User
from backend.db.session import make_engine, session_for, upgrade_database
from backend.settings import Settings


def _engine(settings: Settings):
    settings.ensure_dirs()
    engine = make_engine(settings.resolved_database_url)
    upgrade_database(engine)
    return engine


def test_a_generated_first_password_is_private_printed_at_each_start_and_forgotten_once_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(data_dir=tmp_path / "data", auth=True)
    engine = _engine(settings)
    admin = ensure_first_admin(settings, engine)
    assert admin is not None and admin.name == "admin" and admin.is_admin
    path = password_file(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    password = path.read_text().strip()
    assert password_matches(password, admin.password_hash)
    assert ensure_first_admin(settings, engine) is None  # once: a user exists now
    print_login(settings, "0.0.0.0", 8000)
    assert capsys.readouterr().out == (
        f"Log in at http://127.0.0.1:8000 as admin with the password in {path.resolve()}: {password}\n"
    )
    with session_for(engine) as db:
        set_password(db, settings, db.get(User, admin.id), "the-admins-own")
        assert len(db.exec(select(User)).all()) == 1
        with pytest.raises(HTTPException) as last:
            delete_user(db, db.get(User, admin.id), by_user_id=None)
        assert last.value.status_code == 409 and "last administrator" in last.value.detail
    assert not path.exists() and login_line(settings, "127.0.0.1", 8000) is None


def test_the_last_administrator_stays_when_the_count_before_the_delete_is_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: two administrators deleting each other at once both counted two administrators, both deletes
    went through, and the server had none. A stale count stands for the other delete here: the delete still refuses."""
    import backend.accounts.users as users

    settings = Settings(data_dir=tmp_path / "data", auth=True, admin_password="first-admin-1")
    engine = _engine(settings)
    first = ensure_first_admin(settings, engine)
    assert first is not None
    with session_for(engine) as db:
        other = User(name="other", password_hash="x", is_admin=False)
        db.add(other)
        db.commit()
        monkeypatch.setattr(users, "admin_count", lambda _db: 2)  # another administrator was there when counted
        with pytest.raises(HTTPException) as last:
            delete_user(db, db.get(User, first.id), by_user_id="someone-else")
        assert last.value.status_code == 409 and "last administrator" in last.value.detail
        delete_user(db, db.get(User, other.id), by_user_id=first.id)  # not an administrator: goes
        assert [u.name for u in db.exec(select(User)).all()] == ["admin"]


def test_the_first_password_from_the_environment_writes_no_file_and_accounts_off_make_no_user(tmp_path: Path) -> None:
    from_env = Settings(data_dir=tmp_path / "env", auth=True, admin_password="from-the-env-1", admin_name="boss")
    admin = ensure_first_admin(from_env, _engine(from_env))
    assert admin is not None and admin.name == "boss"
    assert not password_file(from_env).exists()
    off = Settings(data_dir=tmp_path / "off", auth=False)
    engine = _engine(off)
    assert ensure_first_admin(off, engine) is None
    with session_for(engine) as db:
        assert db.exec(select(User)).first() is None


def test_serve_beyond_loopback_with_accounts_off_exits_2_before_listening(tmp_path: Path) -> None:
    env = {**os.environ, "VISIONFLOW_AUTH": "off", "VISIONFLOW_DATA_DIR": str(tmp_path / "data")}
    served = subprocess.run(
        [sys.executable, "-m", "backend.cli", "serve", "--host", "0.0.0.0", "--port", "9"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert served.returncode == 2
    assert "accounts are off (VISIONFLOW_AUTH=off)" in served.stderr and "127.0.0.1" in served.stderr
    assert not (tmp_path / "data").exists()  # refused before the app (and its data dir) was made
    on = Settings(data_dir=tmp_path, auth=True)
    off = Settings(data_dir=tmp_path, auth=False)
    assert serve_refusal(on, "0.0.0.0") is None
    assert all(serve_refusal(off, host) is None for host in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"))
    assert all(serve_refusal(off, host) for host in ("0.0.0.0", "::", "192.168.1.20", "box.lan"))
    # on loopback, but answering other names: a proxy or a DNS-rebinding page would reach it as the local admin
    for names in (["*"], ["localhost", "vf.example.org"]):
        refusal = serve_refusal(off.model_copy(update={"allowed_hosts": names}), "127.0.0.1")
        assert refusal is not None and "VISIONFLOW_ALLOWED_HOSTS" in refusal and names[-1] in refusal
    assert serve_refusal(off.model_copy(update={"allowed_hosts": ["localhost", "[::1]"]}), "127.0.0.1") is None


def test_serve_never_takes_the_client_address_from_x_forwarded_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: uvicorn trusts X-Forwarded-For from 127.0.0.1 unless told not to, so behind a local proxy that
    passes the header on, every login attempt could name a new address and escape the per-address rate limit."""
    import asyncio

    import uvicorn

    served: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.update(options))
    monkeypatch.setenv("VISIONFLOW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VISIONFLOW_AUTH", "off")
    assert main(["serve", "--port", "9"]) == 0
    seen = []

    async def app(scope, receive, send) -> None:  # what the app is told about its client, with serve's options
        seen.append(scope["client"])

    config = uvicorn.Config(app, **served)
    config.load()
    scope = {"type": "http", "client": ("127.0.0.1", 5000), "headers": [(b"x-forwarded-for", b"10.9.9.9")]}
    asyncio.run(config.loaded_app({**scope, "scheme": "http"}, None, None))
    assert seen == [("127.0.0.1", 5000)]


def test_users_and_tokens_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VISIONFLOW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VISIONFLOW_AUTH", "on")
    monkeypatch.setattr(sys, "stdin", io.StringIO("anns-password\n"))
    assert main(["users", "add", "ann", "--admin"]) == 0
    assert capsys.readouterr().out == "Added administrator 'ann'.\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["users", "reset-password", "ann"]) == 0
    generated = capsys.readouterr().out.splitlines()[-1].removeprefix("Password: ")
    assert main(["tokens", "create", "ann", "--name", "backup script"]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("vf_")
    monkeypatch.setattr(sys, "stdin", io.StringIO("long-enough-1\n"))
    assert main(["users", "add", "ann"]) == 1
    assert "already a user named 'ann'" in capsys.readouterr().err
    assert main(["tokens", "create", "nobody"]) == 1
    with session_for(make_engine(Settings().resolved_database_url)) as db:
        ann = db.exec(select(User).where(User.name == "ann")).one()
        assert ann.is_admin and password_matches(generated, ann.password_hash)
        stored = db.exec(select(ApiToken).where(ApiToken.token_hash == token_hash(token))).one()
        assert stored.user_id == ann.id and stored.name == "backup script"
