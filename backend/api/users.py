"""Users: anyone logged in lists them (by name, for the project members dialog); administrators add and delete
them and set their passwords. The rules (name, password, the last administrator): backend/accounts/users.py."""

from datetime import datetime

from litestar import Controller, delete, get, post, put
from litestar.exceptions import NotFoundException
from litestar.params import Body
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import select

from backend.accounts.users import NAME_RULE, create_user, delete_user, set_password
from backend.api.access import Access
from backend.api.documented import errors
from backend.db.models import User
from backend.settings import Settings


class UserRead(BaseModel):
    id: str
    name: str
    is_admin: bool
    created_at: datetime


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(description=f"The login name: {NAME_RULE}.")
    password: str = Field(description="8 to 1024 characters.")
    is_admin: bool = False


class PasswordSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str = Field(description="8 to 1024 characters.")


def read(user: User) -> UserRead:
    return UserRead(id=user.id, name=user.name, is_admin=user.is_admin, created_at=user.created_at)


def _user(access: Access, user_id: str) -> User:
    user = access.session.get(User, user_id)
    if user is None:
        raise NotFoundException(detail=f"There is no user {user_id!r}.")
    return user


class UserController(Controller):
    path = "/api/users"
    tags = ["users"]

    @get("/", sync_to_thread=True)
    def list_users(self, access: Access) -> list[UserRead]:
        return [read(user) for user in access.session.exec(select(User).order_by(User.name)).all()]

    @post("/", status_code=201, sync_to_thread=True, responses=errors(409, 422))
    def create_user(self, access: Access, data: UserCreate = Body()) -> UserRead:
        """Administrators only. 409: the name is taken; 422: the name or password breaks the rules (`extra.field`)."""
        access.administer("users")
        return read(create_user(access.session, data.name, data.password, data.is_admin))

    @delete("/{user_id:str}", status_code=204, sync_to_thread=True, responses=errors(404, 409))
    def delete_user(self, access: Access, user_id: str) -> None:
        """Administrators only; not yourself, not the last administrator (409). Their sessions and tokens end."""
        access.administer("users")
        delete_user(access.session, _user(access, user_id), access.caller.user_id)

    @put("/{user_id:str}/password", status_code=204, sync_to_thread=True, responses=errors(404, 422))
    def set_user_password(self, access: Access, settings: Settings, user_id: str, data: PasswordSet = Body()) -> None:
        """Administrators only: a new password for someone who forgot theirs (their login sessions end; tokens stay)."""
        access.administer("users")
        set_password(access.session, settings, _user(access, user_id), data.password)
