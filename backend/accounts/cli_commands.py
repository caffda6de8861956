"""Accounts from the command line, for whoever runs the server (and for scripts: a token without a browser):
`visionflow users add NAME [--admin]`, `visionflow users reset-password NAME`, `visionflow tokens create USER
[--name N]`, and what `visionflow serve` checks and prints about accounts before it listens.

A password is read from stdin when stdin is not a terminal (`echo secret | visionflow users add ann`), asked for
when it is, and generated and printed when the answer is empty."""

import argparse
import getpass
import ipaddress
import secrets
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from backend.settings import Settings

if TYPE_CHECKING:
    from sqlmodel import Session

# The database and litestar are imported by the commands that use them: `serve` refuses a bad host before loading them
OpenSession = Callable[[Settings], Any]


def add_parsers(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    users = commands.add_parser("users", help="Add users or reset a password (accounts on).")
    user_commands = users.add_subparsers(dest="users_command", required=True)
    add = user_commands.add_parser("add", help="Add a user; the password comes from stdin, or is generated.")
    add.add_argument("name")
    add.add_argument("--admin", action="store_true", help="An administrator: users, the model store, every project.")
    reset = user_commands.add_parser("reset-password", help="Set a new password (from stdin, or generated).")
    reset.add_argument("name")
    tokens = commands.add_parser("tokens", help="API tokens for scripts.")
    token_commands = tokens.add_subparsers(dest="tokens_command", required=True)
    create = token_commands.add_parser("create", help="Print a new API token of USER (send as Authorization: Bearer).")
    create.add_argument("user")
    create.add_argument("--name", default="command line", help="What the token is for.")


def run(args: argparse.Namespace, settings: Settings, open_session: OpenSession) -> int:
    """`visionflow users …` and `visionflow tokens …`: 0 done, 1 refused (the reason on stderr)."""
    from litestar.exceptions import HTTPException

    from backend.accounts.users import create_user, find_user, set_password

    try:
        with open_session(settings) as db:
            if args.command == "tokens":
                return _create_token(db, args.user, args.name)
            if args.users_command == "add":
                password, generated = _password(sys.stdin)
                user = create_user(db, args.name, password, is_admin=args.admin)
                print(f"Added {'administrator' if user.is_admin else 'user'} {user.name!r}.")
            else:
                user = find_user(db, args.name)
                if user is None:
                    print(f"error: there is no user {args.name!r}.", file=sys.stderr)
                    return 1
                password, generated = _password(sys.stdin)
                set_password(db, settings, user, password)
                print(f"New password set for {user.name!r}.")
            if generated:
                print(f"Password: {password}")
            return 0
    except HTTPException as refused:
        print(f"error: {refused.detail}", file=sys.stderr)
        return 1


def _password(stdin: TextIO) -> tuple[str, bool]:
    """(password, generated?): stdin's first line, or a prompt on a terminal; empty → a random one."""
    typed = getpass.getpass("Password (empty: generate one): ") if stdin.isatty() else stdin.readline()
    typed = typed.rstrip("\r\n")
    return (typed, False) if typed else (secrets.token_urlsafe(12), True)


def _create_token(db: "Session", user_name: str, token_name: str) -> int:
    from backend.accounts.tokens import new_token, token_hash
    from backend.accounts.users import find_user
    from backend.db.models import ApiToken

    user = find_user(db, user_name)
    if user is None:
        print(f"error: there is no user {user_name!r}.", file=sys.stderr)
        return 1
    secret = new_token()
    db.add(ApiToken(user_id=user.id, name=token_name, token_hash=token_hash(secret)))
    db.commit()
    print(secret)  # alone on stdout: TOKEN=$(visionflow tokens create ann)
    return 0


def is_loopback(host: str) -> bool:
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a name: it may resolve to anything
        return False


def serve_refusal(settings: Settings, host: str) -> str | None:
    """Why `visionflow serve` must not listen on `host` (None: it may): with accounts off, only on loopback."""
    if settings.auth:
        return None
    turn_on = (
        "turn accounts on (unset VISIONFLOW_AUTH) and log in as the first administrator, or add users with "
        "`visionflow users add NAME`."
    )
    if not is_loopback(host):
        return (
            f"error: accounts are off (VISIONFLOW_AUTH=off), so anyone who can reach {host} would control this "
            f"server. Serve on 127.0.0.1 (the default), or {turn_on}"
        )
    # A name beyond loopback (or `*`) lets a proxy, or a web page through DNS rebinding, reach the loopback server
    foreign = [name for name in settings.allowed_hosts if not is_loopback(name)]
    if foreign:
        return (
            f"error: accounts are off (VISIONFLOW_AUTH=off), yet VISIONFLOW_ALLOWED_HOSTS lets requests for "
            f"{', '.join(foreign)} in: through a proxy or DNS rebinding they would control this server. Keep the "
            f"loopback names only, or {turn_on}"
        )
    return None


def print_login(settings: Settings, host: str, port: int) -> None:
    """The first admin's login (create_app made them), at every start while their generated password is unchanged
    (so `make run` shows it)."""
    from backend.accounts.first_admin import login_line

    line = login_line(settings, "127.0.0.1" if host in ("0.0.0.0", "::") else host, port)
    if line is not None:
        print(line, flush=True)
