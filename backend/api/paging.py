"""Bounds of the integer query parameters that page through lists. Declared on the parameter (litestar's
`Parameter(ge=…, le=…)`), they are checked before a handler runs and published in the OpenAPI schema: a value past
64 bits is a 400 that names the parameter, never an OverflowError from the database driver."""

from litestar.params import Parameter

MAX_OFFSET = 2**31 - 1  # far past any list we hold, and safe for every SQL OFFSET and JavaScript number
MAX_PAGE = 1000


def offset_parameter() -> int:
    return Parameter(default=0, ge=0, le=MAX_OFFSET, description="How many items to skip.")


def limit_parameter(default: int = 100) -> int:
    return Parameter(default=default, ge=1, le=MAX_PAGE, description=f"At most this many items (1 to {MAX_PAGE}).")
