"""Users for API tests, written straight into the data dir's database with an API token each, so a test calls as
them with `Authorization: Bearer …` and never logs in (a login verifies an Argon2 hash: 0.2 s). Every user shares
one password hash, computed once per test session."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from backend.accounts.passwords import hash_password
from backend.accounts.tokens import new_token, token_hash
from backend.db.models import ApiToken, User
from backend.db.session import make_engine, session_for
from backend.settings import Settings
from tests.conftest import TEST_CLIENT_HOSTS

PASSWORD = "test-password-1"


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


@dataclass(frozen=True)
class TestUser:
    __test__ = False  # not a test class, whatever pytest thinks of the name
    id: str
    name: str
    headers: dict[str, str]  # {"Authorization": "Bearer vf_…"}


def add_user(settings: Settings, name: str, is_admin: bool = False) -> TestUser:
    """A user with an API token, in the database of `settings` (its app must have been created: the schema exists)."""
    token = new_token()
    engine = make_engine(settings.resolved_database_url)
    try:
        with session_for(engine) as session:
            user = User(name=name, password_hash=_password_hash(), is_admin=is_admin)
            session.add(user)
            session.flush()
            session.add(ApiToken(user_id=user.id, name="tests", token_hash=token_hash(token)))
            session.commit()
            return TestUser(id=user.id, name=name, headers={"Authorization": f"Bearer {token}"})
    finally:
        engine.dispose()


def auth_settings(data_dir: Path) -> Settings:
    """Accounts on, as a server exposed to several people runs (the shared `settings` fixture turns them off)."""
    return Settings(data_dir=data_dir, allowed_hosts=TEST_CLIENT_HOSTS, auth=True, admin_password="admin-password-1")
