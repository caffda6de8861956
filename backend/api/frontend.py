"""The built browser app (frontend/dist): static files, and index.html for every other page path."""

import mimetypes

from litestar import Router, get
from litestar.exceptions import NotFoundException
from litestar.response import File, Response

from backend.settings import Settings

NOT_BUILT = (
    "<!doctype html><title>Visionflow</title><p>The browser app is not built yet: run <code>make run</code>.</p>"
)


def frontend_router(settings: Settings) -> Router:
    root = settings.frontend_dir.resolve()

    @get(["/", "/{path:path}"], include_in_schema=False, sync_to_thread=False)
    def serve(path: str = "/") -> File | Response[str]:
        relative = path.lstrip("/")
        if relative.startswith(("api/", "ws/", "schema")):
            raise NotFoundException(detail=f"There is no {path!r}.")
        candidate = root / relative
        try:
            candidate = candidate.resolve()
            is_file = bool(relative) and candidate.is_file() and candidate.is_relative_to(root)
        except (ValueError, OSError):  # a NUL byte (`%00`), a name too long: no such file
            raise NotFoundException(detail="There is no such file.") from None
        if is_file:
            media_type = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
            return File(
                path=candidate, filename=candidate.name, media_type=media_type, content_disposition_type="inline"
            )
        index = root / "index.html"
        if index.is_file():
            return Response(index.read_text(), media_type="text/html")
        return Response(NOT_BUILT, media_type="text/html")

    return Router(path="/", route_handlers=[serve])
