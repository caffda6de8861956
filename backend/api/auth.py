"""Logging in and out, who am I, my password, my API tokens (docs/security.md "Accounts and sessions"). Who the
caller is was decided before any of these run (backend/accounts/middleware.py); login and `config` need no caller."""

from datetime import datetime
from functools import cache

from litestar import Controller, Request, delete, get, post, put
from litestar.exceptions import HTTPException, NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.params import Body
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, select

from backend.accounts.caller import Caller, Via
from backend.accounts.passwords import hash_password, password_matches
from backend.accounts.sessions import keep_session, start_session
from backend.accounts.tokens import new_token, token_hash
from backend.accounts.users import Unusable, check_password, find_user, set_password
from backend.api.access import caller_of
from backend.api.documented import errors
from backend.db.models import ApiToken, User
from backend.plain_text import PlainText
from backend.rate_limits import LOGIN_RATE_LIMIT
from backend.settings import Settings

WRONG_LOGIN = "Wrong user name or password."
MAX_TOKEN_NAME = 100


class AuthConfig(BaseModel):
    auth: bool = Field(description="Whether accounts are on: false means every request is the local administrator.")


class LoginBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    password: str


class Me(BaseModel):
    id: str | None = Field(description="The user's id; null when accounts are off.")
    name: str
    is_admin: bool
    via: Via = Field(description="How the caller was recognised: login session, API token, or accounts off (local).")
    csrf_token: str | None = Field(description="Send as X-CSRF-Token on every write of a login session; else null.")


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: str
    new_password: str = Field(description="8 to 1024 characters.")


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: PlainText = Field(description="What the token is for (1 to 100 characters), e.g. the script that uses it.")


class TokenRead(BaseModel):
    id: str
    name: str
    created_at: datetime
    last_used_at: datetime | None = Field(description="Within a minute.")


class TokenCreated(BaseModel):
    id: str
    name: str
    created_at: datetime
    token: str = Field(description="The secret, shown only here: send it as `Authorization: Bearer <token>`.")


class AccountsOff(HTTPException):
    status_code = 409


def _accounts_off(what: str) -> AccountsOff:
    return AccountsOff(detail=f"Accounts are off (VISIONFLOW_AUTH=off): there is no {what}.")


@cache
def _stand_in_hash() -> str:
    """Checked against for an unknown name, so it costs what a known name costs: timing tells no names."""
    return hash_password("no such user: a stand-in password")


def me_of(caller: Caller, csrf: str | None) -> Me:
    return Me(id=caller.user_id, name=caller.name, is_admin=caller.is_admin, via=caller.via, csrf_token=csrf)


def _session_user(request: Request, db: Session, what: str) -> User:
    """The caller's own user row (a token's user too); 409 when accounts are off."""
    caller = caller_of(request)
    if caller.user_id is None:
        raise _accounts_off(what)
    user = db.get(User, caller.user_id)
    if user is None:  # deleted since the middleware looked
        raise NotAuthorizedException(detail="Log in first: this user no longer exists.")
    return user


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]

    @get("/config", sync_to_thread=False, opt={"exclude_from_auth": True})
    def auth_config(self, settings: Settings) -> AuthConfig:
        """Whether the browser needs to show the login page."""
        return AuthConfig(auth=settings.auth)

    @post(
        "/login",
        status_code=200,
        sync_to_thread=True,
        opt={"exclude_from_auth": True},
        middleware=[LOGIN_RATE_LIMIT],
        responses=errors(401, 409),
    )
    def login(self, request: Request, db: Session, settings: Settings, data: LoginBody = Body()) -> Me:
        """Start a login session: sets the `visionflow_session` cookie (HttpOnly, SameSite=Lax)."""
        if not settings.auth:
            raise _accounts_off("login")
        user = find_user(db, data.name)
        matches = password_matches(data.password, user.password_hash if user else _stand_in_hash())
        if user is None or not matches:
            raise NotAuthorizedException(detail=WRONG_LOGIN)
        csrf = start_session(request, user.id, user.password_hash)
        caller = Caller(user_id=user.id, name=user.name, is_admin=user.is_admin, via="session")
        return me_of(caller, csrf)

    @post("/logout", status_code=204, sync_to_thread=False)
    def logout(self, request: Request) -> None:
        """End the login session (its cookie is expired). A token stays valid: revoke it to end it."""
        request.clear_session()

    @get("/me", sync_to_thread=False)
    def me(self, request: Request) -> Me:
        caller = caller_of(request)
        csrf = request.session.get("csrf") if caller.via == "session" else None
        return me_of(caller, csrf)

    @put("/password", status_code=204, sync_to_thread=True, responses=errors(409, 422))
    def change_password(self, request: Request, db: Session, settings: Settings, data: PasswordChange = Body()) -> None:
        """403 when `current_password` is wrong; 422 (field `new_password`) when the new one is too short or long."""
        user = _session_user(request, db, "password to change")
        check_password(data.new_password, "new_password")
        if not password_matches(data.current_password, user.password_hash):
            raise PermissionDeniedException(detail="current_password is wrong: the password is unchanged.")
        set_password(db, settings, user, data.new_password, "new_password")
        if caller_of(request).via == "session":
            keep_session(request, user.password_hash)  # this login stays; the user's other sessions end

    @get("/tokens", sync_to_thread=True)
    def list_tokens(self, request: Request, db: Session) -> list[TokenRead]:
        """The caller's own API tokens (never their secrets), newest first."""
        caller = caller_of(request)
        if caller.user_id is None:
            return []
        rows = db.exec(
            select(ApiToken).where(ApiToken.user_id == caller.user_id).order_by(ApiToken.created_at.desc())
        ).all()
        return [TokenRead(id=t.id, name=t.name, created_at=t.created_at, last_used_at=t.last_used_at) for t in rows]

    @post("/tokens", status_code=201, sync_to_thread=True, responses=errors(409, 422))
    def create_token(self, request: Request, db: Session, data: TokenCreate = Body()) -> TokenCreated:
        """A new API token for the caller; its secret is in this answer only."""
        user = _session_user(request, db, "user to make a token for")
        name = data.name.strip()
        if not 1 <= len(name) <= MAX_TOKEN_NAME:
            raise Unusable(
                detail=f"name: a token's name has 1 to {MAX_TOKEN_NAME} characters.", extra={"field": "name"}
            )
        secret = new_token()
        token = ApiToken(user_id=user.id, name=name, token_hash=token_hash(secret))
        db.add(token)
        db.commit()
        db.refresh(token)
        return TokenCreated(id=token.id, name=token.name, created_at=token.created_at, token=secret)

    @delete("/tokens/{token_id:str}", status_code=204, sync_to_thread=True, responses=errors(404))
    def revoke_token(self, request: Request, db: Session, token_id: str) -> None:
        """Revoke one of the caller's tokens: requests with it get 401 from now on."""
        token = db.get(ApiToken, token_id)
        if token is None or token.user_id != caller_of(request).user_id:
            raise NotFoundException(detail=f"There is no API token {token_id!r}.")
        db.delete(token)
        db.commit()
