"""Who is calling: set on every request by the authentication middleware (backend/accounts/middleware.py) as
`request.user`, read by the one access dependency (backend/api/access.py)."""

from dataclasses import dataclass
from typing import Literal

Via = Literal["session", "token", "local"]  # local: accounts are off (VISIONFLOW_AUTH=off), one person on loopback


@dataclass(frozen=True)
class Caller:
    user_id: str | None  # None only when accounts are off
    name: str
    is_admin: bool
    via: Via


LOCAL = Caller(user_id=None, name="local", is_admin=True, via="local")
