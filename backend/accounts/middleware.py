"""Who is calling: sets `request.user` (scope["user"]) to a `Caller` on every API request and WebSocket handshake,
before any route runs, so the access dependency (backend/api/access.py) only has to read it.

- `Authorization: Bearer vf_…`: the token's user (scripts, the CLI); else the login session's user (the browser);
  accounts off (VISIONFLOW_AUTH=off): `LOCAL`. Nobody: 401 (a WebSocket handshake: closed with 4401 before accept).
- The user is read from the database on every request, so a deleted user loses access at once, and a session opened
  before the user's password changed is refused (backend/accounts/sessions.py `password_key`).
- CSRF: a write authenticated by the session cookie (which a browser adds by itself, even to a request another site
  makes it send) must carry `X-CSRF-Token` equal to the session's token, which only this site's pages can read
  (`GET /api/auth/me`). Token and local requests need none: a cross-site page cannot set an Authorization header.
- Not authenticated: the browser app's pages and assets (the login page is the app), and routes with
  `opt={"exclude_from_auth": True}` (login, `GET /api/auth/config`).
The database work runs in a thread: the event loop is never blocked.
"""

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio.to_thread
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException, WebSocketException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult, DefineMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy import Engine
from sqlmodel import select

from backend.accounts.caller import LOCAL, Caller
from backend.accounts.sessions import needs_account, password_key, session_middleware
from backend.accounts.tokens import token_hash
from backend.db.models import ApiToken, User
from backend.db.session import session_for
from backend.settings import Settings

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_HEADER = "x-csrf-token"
LAST_USED_EVERY = timedelta(minutes=1)  # a token's `last_used_at` is written at most this often
WEBSOCKET_UNAUTHORIZED = 4401  # the close code of a WebSocket handshake without a caller (4000 + HTTP 401)


class CallerMiddleware(AbstractAuthenticationMiddleware):
    def __init__(self, app: ASGIApp, engine: Engine, auth: bool) -> None:
        super().__init__(app)
        self.engine = engine
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if needs_account(scope):
            await super().__call__(scope, receive, send)  # routes with opt exclude_from_auth pass there
        else:
            await self.app(scope, receive, send)

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        if not self.auth:
            return AuthenticationResult(user=LOCAL, auth=None)
        bearer = _bearer(connection.headers.get("authorization"))
        if bearer is not None:
            caller = await anyio.to_thread.run_sync(self._token_caller, bearer)
            if caller is None:
                _refuse(
                    connection, "Log in first: the API token is not valid (mistyped, revoked, or its user deleted)."
                )
            return AuthenticationResult(user=caller, auth=None)
        session: dict[str, Any] = connection.scope.get("session") or {}
        user_id, key = session.get("user_id"), session.get("key")
        caller = (
            await anyio.to_thread.run_sync(self._session_caller, user_id, key)
            if isinstance(user_id, str) and isinstance(key, str)
            else None
        )
        if caller is None:
            _refuse(connection, "Log in first: this needs a logged-in user (a session, or an API token as Bearer).")
        if connection.scope["type"] == "http" and connection.scope["method"] in WRITES:
            sent = connection.headers.get(CSRF_HEADER, "").encode()  # bytes: compare_digest refuses non-ASCII str
            if not sent or not secrets.compare_digest(sent, str(session.get("csrf", "")).encode()):
                raise PermissionDeniedException(
                    detail="Missing or wrong X-CSRF-Token header: a write in a login session must send the session's "
                    "csrf_token (from GET /api/auth/me) as X-CSRF-Token."
                )
        return AuthenticationResult(user=caller, auth=session.get("csrf"))

    def _token_caller(self, token: str) -> Caller | None:
        with session_for(self.engine) as db:
            found = db.exec(
                select(ApiToken, User)
                .join(User, User.id == ApiToken.user_id)
                .where(ApiToken.token_hash == token_hash(token))
            ).first()
            if found is None:
                return None
            api_token, user = found
            now = datetime.now(UTC)
            last = api_token.last_used_at
            if last is None or now - (last if last.tzinfo else last.replace(tzinfo=UTC)) >= LAST_USED_EVERY:
                api_token.last_used_at = now
                db.add(api_token)
                db.commit()
            return Caller(user_id=user.id, name=user.name, is_admin=user.is_admin, via="token")

    def _session_caller(self, user_id: str, key: str) -> Caller | None:
        """The session's user, unless deleted or their password changed since this session was opened."""
        with session_for(self.engine) as db:
            user = db.get(User, user_id)
            if user is None or not secrets.compare_digest(key, password_key(user.password_hash)):
                return None
            return Caller(user_id=user.id, name=user.name, is_admin=user.is_admin, via="session")


def _bearer(header: str | None) -> str | None:
    if header is None:
        return None
    scheme, _, value = header.strip().partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def _refuse(connection: ASGIConnection, detail: str) -> None:
    if connection.scope["type"] == "websocket":
        raise WebSocketException(code=WEBSOCKET_UNAUTHORIZED, detail=detail)
    raise NotAuthorizedException(detail=detail)


def accounts_middleware(settings: Settings, engine: Engine) -> list[DefineMiddleware]:
    """The session middleware, then the caller's: in this order in the app's `middleware` (the first is outermost)."""
    return [session_middleware(settings), DefineMiddleware(CallerMiddleware, engine=engine, auth=settings.auth)]
