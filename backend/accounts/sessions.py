"""Login sessions: litestar's server-side sessions in files under `<data_dir>/sessions`, so a login survives a restart
and the cookie holds nothing but a random id (`visionflow_session`: HttpOnly, SameSite=Lax, Secure behind HTTPS).

Session data is `{"user_id": …, "csrf": …, "key": …}`, written at login only (`key`: a digest of the user's password
hash when they logged in, so a password change or reset ends every other session of that user): litestar's backend would store every request's
session (an empty one for each anonymous or token request: a file each), so `SessionBackend` writes a session only
when a handler changed it, and the session id is renewed at login (a session id planted before login is worthless).
"""

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware import DefineMiddleware
from litestar.middleware.session import SessionMiddleware
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.stores.file import FileStore
from litestar.types import Empty, Message, Receive, Scope, ScopeSession, Send
from litestar.utils.dataclass import extract_dataclass_items

from backend.settings import Settings

COOKIE = "visionflow_session"
STORE = "sessions"
# The paths that read a session and need a caller: the API, the WebSocket and the API docs. The rest (the browser
# app's pages and assets) need neither: the login page is the app.
ACCOUNT_PATHS = ("/api/", "/ws/", "/schema")
_LOADED = "visionflow_loaded_session"  # connection state: the session as read, to tell whether a handler changed it
_RENEWED = "visionflow_renewed_session_id"  # connection state: the new id a login asked for


class SessionBackend(ServerSideSessionBackend):
    """Writes a session only when it changed; a renewed one under a new id, the old one deleted."""

    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        data = await super().load_from_connection(connection)
        connection.state[_LOADED] = dict(data)
        return data

    def get_session_id(self, connection: ASGIConnection) -> str:
        renewed = connection.state.get(_RENEWED)
        return renewed if renewed else super().get_session_id(connection)

    async def store_in_message(self, scope_session: ScopeSession, message: Message, connection: ASGIConnection) -> None:
        renewed = connection.state.get(_RENEWED)
        old_id = connection.cookies.get(self.config.key)
        if renewed and old_id and old_id != renewed:
            await self.delete(old_id, store=self.config.get_store_from_app(connection.scope["app"]))
        if scope_session is Empty:
            if old_id:  # logout: forget it here and in the browser
                await self.delete(old_id, store=self.config.get_store_from_app(connection.scope["app"]))
                MutableScopeHeaders.from_message(message).add("Set-Cookie", self._expired_cookie())
            return
        if not scope_session or (not renewed and scope_session == connection.state.get(_LOADED)):
            return  # nothing to keep, or nothing changed
        await super().store_in_message(scope_session, message, connection)

    def _expired_cookie(self) -> str:
        """litestar's own expired cookie keeps `Max-Age` (which browsers obey over `Expires`): this one has 0."""
        params = dict(extract_dataclass_items(self.config, exclude_none=True, include=Cookie.__dict__.keys()))
        params.update(value="", max_age=0, expires=0)
        return Cookie(key=self.config.key, **params).to_header(header="")


@dataclass
class SessionConfig(ServerSideSessionConfig):
    _backend_class = SessionBackend


def session_config(settings: Settings) -> SessionConfig:
    return SessionConfig(
        key=COOKIE,
        store=STORE,
        max_age=settings.session_max_age_s,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


def needs_account(scope: Scope) -> bool:
    """Whether the request is one that reads the session and needs a caller (litestar's `exclude` patterns cannot
    say "every path but these" without a warning that the middleware is excluded everywhere)."""
    return scope["path"].startswith(ACCOUNT_PATHS)


class ApiSessionMiddleware(SessionMiddleware[SessionBackend]):
    """litestar's session middleware on the account paths only: the app's assets never read a session file."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if needs_account(scope):
            await super().__call__(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def session_middleware(settings: Settings) -> DefineMiddleware:
    config = session_config(settings)
    return DefineMiddleware(ApiSessionMiddleware, backend=SessionBackend(config=config))


def session_store(settings: Settings) -> FileStore:
    folder = settings.data_dir / "sessions"
    folder.mkdir(parents=True, exist_ok=True)  # the start-up sweep of expired sessions lists it
    return FileStore(folder, create_directories=True)


def password_key(password_hash: str) -> str:
    """What a session remembers of the password it was opened with: a new password makes every older session stale."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:32]


def start_session(connection: ASGIConnection, user_id: str, password_hash: str) -> str:
    """Log `user_id` in on this connection: a new session id and a new CSRF token (returned)."""
    csrf = secrets.token_urlsafe(32)
    connection.state[_RENEWED] = secrets.token_hex(32)
    connection.set_session({"user_id": user_id, "csrf": csrf, "key": password_key(password_hash)})
    return csrf


def keep_session(connection: ASGIConnection, password_hash: str) -> None:
    """After the caller changed their own password: this session stays (same id and CSRF token), the others end."""
    connection.set_session({**connection.session, "key": password_key(password_hash)})
