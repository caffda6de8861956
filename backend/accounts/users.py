"""Creating and removing users and setting passwords: the rules in one place, for the API (backend/api/users.py,
backend/api/auth.py) and the command line (backend/accounts/cli_commands.py) alike. A refusal is an HTTP exception
whose `detail` says what and why (the CLI prints it)."""

import re

from litestar.exceptions import HTTPException
from sqlalchemy import delete, not_, or_
from sqlmodel import Session, func, select

from backend.accounts.first_admin import forget_initial_password
from backend.accounts.passwords import hash_password
from backend.db.models import User
from backend.settings import Settings

NAME = re.compile(r"[A-Za-z0-9._@-]{1,64}")
NAME_RULE = "1 to 64 letters, digits or . _ @ -"
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # Argon2 hashes any length; a bound keeps one request's work bounded


class Unusable(HTTPException):
    status_code = 422


class Conflict(HTTPException):
    status_code = 409


def check_name(name: str) -> None:
    if not NAME.fullmatch(name):
        raise Unusable(detail=f"name: a user name is {NAME_RULE}; got {name[:80]!r}.", extra={"field": "name"})


def check_password(password: str, field: str = "password") -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise Unusable(
            detail=f"{field}: a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters; this one has {len(password)}.",
            extra={"field": field},
        )


def find_user(db: Session, name: str) -> User | None:
    return db.exec(select(User).where(User.name == name)).first()


def create_user(db: Session, name: str, password: str, is_admin: bool = False) -> User:
    check_name(name)
    check_password(password)
    if find_user(db, name) is not None:
        raise Conflict(detail=f"There is already a user named {name!r}.")
    user = User(name=name, password_hash=hash_password(password), is_admin=is_admin)
    db.add(user)
    db.commit()
    db.refresh(user)
    return user


def admin_count(db: Session) -> int:
    return db.exec(select(func.count()).select_from(User).where(User.is_admin)).one()


def delete_user(db: Session, user: User, by_user_id: str | None) -> None:
    """Remove a user (their tokens and memberships go with them); never yourself, never the last administrator."""
    if user.id == by_user_id:
        raise Conflict(detail="You cannot delete yourself: ask another administrator.")
    last_admin = Conflict(detail=f"{user.name!r} is the last administrator: make someone else administrator first.")
    if user.is_admin and admin_count(db) <= 1:
        raise last_admin
    # Checked again in the delete itself: two administrators deleting each other at once both pass the count above.
    # PostgreSQL: lock the administrators' rows first; SQLite: one statement holds the write lock while it checks.
    db.exec(select(User.id).where(User.is_admin).with_for_update())
    other_admins = select(func.count()).select_from(User).where(User.is_admin, User.id != user.id).scalar_subquery()
    deleted = db.exec(delete(User).where(User.id == user.id, or_(not_(User.is_admin), other_admins > 0)))
    if deleted.rowcount == 0 and user.is_admin:
        db.rollback()
        raise last_admin
    db.commit()


def set_password(db: Session, settings: Settings, user: User, password: str, field: str = "password") -> None:
    """A new password; the first admin's generated one (admin-password.txt) is forgotten once they have their own."""
    check_password(password, field)
    user.password_hash = hash_password(password)
    db.add(user)
    db.commit()
    forget_initial_password(settings, user.name)
