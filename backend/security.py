"""Who may talk to this server from a browser: the Host allow-list, the Origin check, and security headers.

A server bound to 127.0.0.1 is still within reach of any web page its user opens: through DNS rebinding (a name the
page's author controls starts resolving to 127.0.0.1, so the browser sends `Host: evil.example`) and through
cross-site requests (a form or a `fetch` with a `text/plain` body needs no CORS preflight; a WebSocket handshake none
at all). Both are refused here, around the whole app and before any routing, for HTTP and WebSocket alike. A request
without an `Origin` header is no browser's cross-site request (curl, the CLI, scripts) and passes the Origin check.
Every HTTP answer carries headers that keep the built frontend from being framed, sniffed or fed foreign scripts.
"""

import json
from collections.abc import Iterable
from urllib.parse import urlsplit

from litestar import Litestar
from litestar.types import ASGIApp, Message, Receive, Scope, Send

STATE_CHANGING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",  # the Vite build has no inline script
        "style-src 'self' 'unsafe-inline'",  # Mantine injects <style> tags and style attributes at run time
        "img-src 'self' blob: data:",  # thumbnails, try-it previews (object URLs) and inline icons
        "font-src 'self' data:",
        "connect-src 'self' ws: wss:",  # the API and the run-events WebSocket
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# litestar's OpenAPI page (/schema: Redoc) is its own HTML (no user content) with an inline script and a CDN bundle
DOCS_CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' https://cdn.redoc.ly https://cdn.jsdelivr.net https://unpkg.com",
        "style-src 'self' 'unsafe-inline' https://fonts.googleapis.com https://cdn.jsdelivr.net https://unpkg.com",
        "font-src 'self' data: https://fonts.gstatic.com",
        "img-src 'self' data: blob: https:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
OTHER_SECURITY_HEADERS = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)
SECURITY_HEADERS = ((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()), *OTHER_SECURITY_HEADERS)
DOCS_SECURITY_HEADERS = ((b"content-security-policy", DOCS_CONTENT_SECURITY_POLICY.encode()), *OTHER_SECURITY_HEADERS)


def host_name(authority: str) -> str:
    """The name in a Host header or an origin's authority, without its port: `[::1]:8000` → `[::1]`."""
    authority = authority.strip().lower()
    if authority.startswith("["):
        end = authority.find("]")
        return authority[: end + 1] if end != -1 else authority
    return authority.rsplit(":", 1)[0] if authority.count(":") == 1 else authority


class OriginGuard:
    """ASGI middleware around the app: refuses a foreign Host (400) or a foreign Origin (403, WebSocket: closed)."""

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str]) -> None:
        names = {name.strip().lower() for name in allowed_hosts if name.strip()}
        self.app = app
        self.any_host = "*" in names  # behind a proxy that checks names itself; the Origin check still holds
        self.allowed = frozenset(names - {"*"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        refusal = self.refusal(scope, headers)
        if refusal is not None and scope["type"] == "websocket":
            await receive()  # the client's `websocket.connect`; closing before accepting answers the handshake 403
            await send({"type": "websocket.close", "code": 1008, "reason": refusal[1][:120]})
            return
        if refusal is not None:
            await _send_json(send, *refusal)
            return
        if scope["type"] == "http":
            docs_page = scope["path"].startswith("/schema") and not scope["path"].endswith((".json", ".yaml", ".yml"))
            send = _with_headers(send, DOCS_SECURITY_HEADERS if docs_page else SECURITY_HEADERS)
        await self.app(scope, receive, send)

    def refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str] | None:
        """(status, detail) when the request must not reach the app, else None."""
        host = headers.get("host", "")
        if not host:
            return 400, "The request has no Host header: this server answers only requests that name it."
        if not self.any_host and host_name(host) not in self.allowed:
            allowed = ", ".join(sorted(self.allowed))
            return 400, (
                f"Host {host!r} is not a name this server answers to (allowed: {allowed}, any port). "
                "To serve it under that name, add it to VISIONFLOW_ALLOWED_HOSTS (a comma-separated list)."
            )
        origin = headers.get("origin")
        checked = scope["type"] == "websocket" or scope.get("method", "GET").upper() in STATE_CHANGING_METHODS
        if origin is None or not checked or self.origin_allowed(origin, host):
            return None
        return 403, (
            f"Cross-site request refused: Origin {origin!r} is neither this server (Host {host!r}) nor one of its "
            "allowed hosts (VISIONFLOW_ALLOWED_HOSTS)."
        )

    def origin_allowed(self, origin: str, host: str) -> bool:
        parts = urlsplit(origin.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:  # includes `null` (sandboxed frames, file://)
            return False
        return parts.netloc.lower() == host.strip().lower() or host_name(parts.netloc) in self.allowed


def _with_headers(send: Send, headers: tuple[tuple[bytes, bytes], ...]) -> Send:
    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {name.lower() for name, _ in message.get("headers", ())}
            extra = [(name, value) for name, value in headers if name not in present]
            message = {**message, "headers": [*message.get("headers", ()), *extra]}
        await send(message)

    return send_with_headers


async def _send_json(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"status_code": status, "detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": [*headers, *SECURITY_HEADERS]})
    await send({"type": "http.response.body", "body": body})


def guard(app: Litestar, allowed_hosts: Iterable[str]) -> Litestar:
    """The app with the guard around everything it answers (routes, 404s, errors), lifespan excepted."""
    app.asgi_handler = OriginGuard(app.asgi_handler, allowed_hosts)
    return app
