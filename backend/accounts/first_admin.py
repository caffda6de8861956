"""The first administrator, so a fresh server with accounts on can be logged into at once: created when the server
starts and no user exists, with `VISIONFLOW_ADMIN_PASSWORD`, or else a random password written to
`<data_dir>/admin-password.txt` (readable by the server's user only). `visionflow serve` prints the login line at
every start while that file exists (so `make run` shows it); the file is deleted when that admin sets their own."""

import os
import secrets
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import select

from backend.accounts.passwords import hash_password
from backend.db.models import User
from backend.db.session import session_for
from backend.settings import Settings

PASSWORD_FILE = "admin-password.txt"


def password_file(settings: Settings) -> Path:
    return settings.data_dir / PASSWORD_FILE


def ensure_first_admin(settings: Settings, engine: Engine) -> User | None:
    """Create the first administrator when accounts are on and there is no user yet (returns them, else None)."""
    if not settings.auth:
        return None
    with session_for(engine) as db:
        if db.exec(select(User.id).limit(1)).first() is not None:
            return None
        password = settings.admin_password or secrets.token_urlsafe(12)
        admin = User(name=settings.admin_name, password_hash=hash_password(password), is_admin=True)
        db.add(admin)
        db.commit()
        db.refresh(admin)
    if settings.admin_password is None:
        _write_private(password_file(settings), password + "\n")
    return admin


def _write_private(path: Path, text: str) -> None:
    """Write `text` to a file only its owner may read (0600 from the start: never readable by others in between)."""
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)


def login_line(settings: Settings, host: str, port: int) -> str | None:
    """What `visionflow serve` prints while the generated password has not been changed; None once it has."""
    path = password_file(settings)
    try:
        password = path.read_text().strip()
    except FileNotFoundError:
        return None
    shown_host = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return (
        f"Log in at http://{shown_host}:{port} as {settings.admin_name} with the password in {path.resolve()}: "
        f"{password}"
    )


def forget_initial_password(settings: Settings, user_name: str) -> None:
    """The first admin has a password of their own now: the generated one is void, its file goes."""
    if user_name == settings.admin_name:
        password_file(settings).unlink(missing_ok=True)
