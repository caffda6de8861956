"""Rate limits on the routes that cost the server most when hammered: login (each attempt is an Argon2 hash, and
repeated attempts are password guessing) and uploads (disk, hashing, image checks). litestar's `RateLimitMiddleware`
counts the requests of each client address in a store of its own per limit; the limit itself is read from the
app's `Settings` (`login_attempts_per_minute`, `upload_requests_per_minute`) when a request comes, so one handler
serves apps with different limits (tests set them small). Over the limit: 429, a `Retry-After` header (seconds) and
an `ErrorBody` saying what was limited and when to try again.

A route opts in with `middleware=[LOGIN_RATE_LIMIT]` or `middleware=[UPLOAD_RATE_LIMIT]` on its decorator; every
upload route shares one count per client. The client is the connection's address: behind a reverse proxy every
request comes from the proxy, so there the proxy should rate-limit (or pass the address on with uvicorn's
`--proxy-headers`).
"""

from dataclasses import dataclass
from time import time
from typing import Any

from litestar.exceptions import TooManyRequestsException
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig, RateLimitMiddleware
from litestar.types import Receive, Scope, Send


@dataclass
class SettingsRateLimit(RateLimitConfig):
    """A `RateLimitConfig` whose requests per minute is the `Settings` field `setting` of the app that serves."""

    setting: str = ""
    what: str = ""  # what is counted, for the 429's detail: "Login attempts"


class SettingsRateLimitMiddleware(RateLimitMiddleware):
    config: SettingsRateLimit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = scope["litestar_app"]
        limit: int = getattr(app.state.settings, self.config.setting)
        request: Any = app.request_class(scope)
        store = self.config.get_store_from_app(app)
        key = self.cache_key_from_request(request)
        async with self._lock:
            counted = await self.retrieve_cached_history(key, store)
            if len(counted.history) >= limit:
                retry_after = max(1, counted.reset - int(time()))
                env_name = f"VISIONFLOW_{self.config.setting.upper()}"
                raise TooManyRequestsException(
                    detail=f"{self.config.what} from this address are limited to {limit} a minute ({env_name}): "
                    f"try again in {retry_after} s.",
                    headers={"Retry-After": str(retry_after)},
                )
            await self.set_cached_history(key=key, cache_object=counted, store=store)
        await self.app(scope, receive, send)


def _limit(setting: str, what: str, store: str) -> DefineMiddleware:
    config = SettingsRateLimit(
        rate_limit=("minute", 0),  # the number comes from the app's settings, per request
        setting=setting,
        what=what,
        store=store,
        middleware_class=SettingsRateLimitMiddleware,
        set_rate_limit_headers=False,  # Retry-After on a 429 is what clients (and the browser's uploader) act on
    )
    return config.middleware


LOGIN_RATE_LIMIT = _limit("login_attempts_per_minute", "Login attempts", "login_rate_limit")
UPLOAD_RATE_LIMIT = _limit("upload_requests_per_minute", "Upload requests", "upload_rate_limit")


def is_rate_limit(middleware: object) -> bool:
    """Whether a route's middleware entry is one of these limits (litestar deep-copies a controller's handlers, and
    their middleware with them: compared by class, not identity)."""
    return isinstance(middleware, DefineMiddleware) and middleware.middleware is SettingsRateLimitMiddleware
