"""What the OpenAPI schema cannot learn from a handler's signature: its error answers, and the bodies of routes that
read the request stream themselves (uploads, CSV). The browser's API types are generated from this schema, so every
status a route can answer with, and every body it takes, is written down here and attached on its decorator."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from litestar import Litestar
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.routes import HTTPRoute

from backend.api.schemas import ErrorBody
from backend.rate_limits import is_rate_limit

WHY = {
    400: "Bad request: a parameter or the body is not what the route takes (`detail` says what and where).",
    401: "Unauthorized: no one is logged in (no session cookie, no valid `Authorization: Bearer` token).",
    403: "Forbidden: the caller may not do this (role, admin only, CSRF token or Origin; `detail` says which).",
    404: "Not found: the path names something that does not exist (`detail` says what).",
    409: "Conflict: the request cannot apply to the thing in its present state (`detail` says why).",
    413: "Payload too large: the body or a file in it is over the limit (`detail` says which limit).",
    422: "Unprocessable: the request is well formed but its content cannot be used (`detail` says why).",
    429: "Too many requests from this address: wait the `Retry-After` header's seconds (`detail` says which limit).",
    503: "Unavailable: a service the route needs cannot be reached now (`detail` says what to do).",
}


def errors(*codes: int, bodies: Mapping[int, Any] | None = None) -> dict[int, ResponseSpec]:
    """Error answers of a route: each an `ErrorBody`, unless `bodies` names the model a code answers with."""
    return {
        code: ResponseSpec(
            data_container=(bodies or {}).get(code, ErrorBody), description=WHY[code], generate_examples=False
        )
        for code in codes
    }


WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def document_common_errors(app: Litestar) -> None:
    """Add the answers that come from around a route rather than from it, to every `/api` route where they can
    happen: 401 (authentication; not on routes with `opt={"exclude_from_auth": True}`), 403 on writes (the Origin
    check, the CSRF token, roles) and 429 on rate-limited routes. Written once here, not on every decorator; a
    route's own `responses` take precedence. Call before the schema is first built (it is built on demand)."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api/"):
            continue
        for handler in route.route_handlers:
            codes = [] if handler.opt.get("exclude_from_auth") else [401]
            if WRITES & set(handler.http_methods):
                codes.append(403)
            if any(is_rate_limit(layer) for layer in handler.resolve_middleware()):
                codes.append(429)
            # the handler is the app's own copy (litestar copies each at registration): a new dict changes no other
            handler.responses = {**errors(*codes), **(handler.responses or {})}


def _binary(description: str) -> Schema:
    return Schema(type=OpenAPIType.STRING, format="binary", description=description)  # type: ignore[arg-type]


def _with_body(body: RequestBody) -> type[Operation]:
    @dataclass
    class WithRequestBody(Operation):
        def __post_init__(self) -> None:
            self.request_body = body

    return WithRequestBody


def multipart_files(
    field: str, description: str, many: bool, text_fields: dict[str, str] | None = None
) -> type[Operation]:
    """An operation whose body is `multipart/form-data` with file field `field` (one file, or any number)."""
    file = _binary(description)
    properties: dict[str, Schema] = {field: Schema(type=OpenAPIType.ARRAY, items=file) if many else file}
    for name, about in (text_fields or {}).items():
        properties[name] = Schema(type=OpenAPIType.STRING, description=about)
    schema = Schema(type=OpenAPIType.OBJECT, properties=properties, required=[field])  # type: ignore[arg-type]
    return _with_body(RequestBody(content={"multipart/form-data": OpenAPIMediaType(schema=schema)}, required=True))


def raw_body(media_type: str, description: str) -> type[Operation]:
    """An operation whose body is one document of `media_type` (e.g. a CSV file), sent as it is."""
    schema = Schema(type=OpenAPIType.STRING, description=description)
    return _with_body(RequestBody(content={media_type: OpenAPIMediaType(schema=schema)}, required=True))


@dataclass
class OptionalBody(Operation):
    """An operation whose JSON body may be left out (the handler's `data` defaults to None): litestar marks every
    body required."""

    def __post_init__(self) -> None:
        if self.request_body is not None:
            self.request_body.required = False
