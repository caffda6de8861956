"""A project's webhook (owners only: its URL may itself hold a token, and its secret signs what the server sends):
set it, rotate its secret, send a test, read the last deliveries. And `/ws/notifications`, the feed of run ends an
open browser turns into notifications. How deliveries happen: backend/notifications/."""

import asyncio
import contextlib

from litestar import Controller, WebSocket, delete, get, post, put, websocket
from litestar.exceptions import ClientException, NotFoundException, PermissionDeniedException, WebSocketDisconnect
from litestar.params import Body
from litestar.status_codes import WS_1001_GOING_AWAY

from backend.api.access import Access
from backend.api.documented import errors
from backend.api.webhook_schemas import DeliveryRead, WebhookRead, WebhookWrite
from backend.db.models import Project, ProjectWebhook, WebhookDelivery, now
from backend.notifications import records
from backend.notifications.feed import Listener
from backend.notifications.notifier import Notifier
from backend.notifications.signing import new_secret
from backend.notifications.urls import Refused, check_url
from backend.settings import Settings

RECENT_DELIVERIES = 20
GONE = (WebSocketDisconnect, OSError)


def webhook_read(hook: ProjectWebhook, settings: Settings) -> WebhookRead:
    return WebhookRead(
        url=hook.url,
        enabled=hook.enabled,
        secret=hook.secret,
        private_addresses_allowed=settings.webhook_allow_private,
        created_at=hook.created_at,
        updated_at=hook.updated_at,
    )


def delivery_read(delivery: WebhookDelivery) -> DeliveryRead:
    return DeliveryRead(
        id=delivery.id,
        event=delivery.event,  # type: ignore[arg-type]
        run_id=delivery.run_id,
        status=delivery.status,  # type: ignore[arg-type]
        attempts=delivery.attempts,
        next_attempt_ts=delivery.next_attempt_ts if delivery.status == "pending" else None,
        last_http_status=delivery.last_http_status,
        last_error=delivery.last_error,
        response_excerpt=delivery.response_excerpt,
        created_at=delivery.created_at,
        delivered_at=delivery.delivered_at,
    )


def owned_project(access: Access, project_id: str) -> Project:
    """The project, for its owners only, reads included: the URL and the secret are theirs alone (404 for others who
    are no member, as everywhere; 403 for a viewer or an annotator)."""
    project = access.project(project_id)
    role = access.role_in(project.id)
    if role != "owner":
        raise PermissionDeniedException(
            detail=f"You are {'an' if role == 'annotator' else 'a'} {role} of this project: reading or changing its "
            "webhook needs an owner."
        )
    return project


class WebhookController(Controller):
    path = "/api/projects/{project_id:str}/webhook"
    tags = ["notifications"]

    @get("/", sync_to_thread=True, responses=errors(403, 404))
    def get_webhook(self, access: Access, settings: Settings, project_id: str) -> WebhookRead | None:
        """The project's webhook, or null when it has none."""
        hook = access.session.get(ProjectWebhook, owned_project(access, project_id).id)
        return webhook_read(hook, settings) if hook else None

    @put("/", sync_to_thread=True, responses=errors(400, 404))
    def set_webhook(
        self, access: Access, settings: Settings, notifier: Notifier, project_id: str, data: WebhookWrite = Body()
    ) -> WebhookRead:
        """Set where run ends are POSTed; a new webhook gets its secret here (kept when only the URL changes)."""
        project = access.project(project_id)
        url = data.url.strip()
        try:
            check_url(url, settings.webhook_allow_private)
        except Refused as refused:
            raise ClientException(detail=f"url: {refused}", extra={"field": "url"}) from None
        hook = access.session.get(ProjectWebhook, project.id)
        if hook is None:
            hook = ProjectWebhook(project_id=project.id, url=url, secret=new_secret(), enabled=data.enabled)
        else:
            hook.url, hook.enabled, hook.updated_at = url, data.enabled, now()
        access.session.add(hook)
        access.session.commit()
        notifier.wake()  # deliveries waiting on a URL that was refused or down may go now
        return webhook_read(hook, settings)

    @delete("/", status_code=204, sync_to_thread=True, responses=errors(404))
    def delete_webhook(self, access: Access, project_id: str) -> None:
        """Pending deliveries are given up at their next attempt (they have nowhere to go)."""
        hook = access.session.get(ProjectWebhook, access.project(project_id).id)
        if hook is None:
            raise NotFoundException(detail="This project has no webhook.")
        access.session.delete(hook)
        access.session.commit()

    @post("/secret", status_code=200, sync_to_thread=True, responses=errors(404))
    def rotate_webhook_secret(self, access: Access, settings: Settings, project_id: str) -> WebhookRead:
        """A new secret, at once: every POST from now on (retries of older deliveries too) is signed with it."""
        hook = access.session.get(ProjectWebhook, access.project(project_id).id)
        if hook is None:
            raise NotFoundException(detail="This project has no webhook.")
        hook.secret = new_secret()
        access.session.add(hook)
        access.session.commit()
        return webhook_read(hook, settings)

    @post("/test", status_code=202, sync_to_thread=True, responses=errors(404, 409))
    def send_test(self, access: Access, settings: Settings, notifier: Notifier, project_id: str) -> DeliveryRead:
        """A signed test POST, sent like a run's (retried, recorded): its result shows in the deliveries."""
        project = access.project(project_id)
        hook = access.session.get(ProjectWebhook, project.id)
        if hook is None:
            raise NotFoundException(detail="This project has no webhook: set its URL first.")
        if not hook.enabled:
            raise ClientException(status_code=409, detail="The webhook is turned off: turn it on to send a test.")
        delivery = records.owe_test(access.session.get_bind(), project.id, settings.public_url)  # type: ignore[arg-type]
        notifier.wake()
        return delivery_read(delivery)

    @get("/deliveries", sync_to_thread=True, responses=errors(403, 404))
    def list_deliveries(self, access: Access, project_id: str) -> list[DeliveryRead]:
        """The last deliveries, newest first."""
        project = owned_project(access, project_id)
        return [
            delivery_read(d)
            for d in records.recent(access.session.get_bind(), project.id, RECENT_DELIVERIES)  # type: ignore[arg-type]
        ]


@websocket("/ws/notifications")
async def run_end_socket(socket: WebSocket, access: Access, notifier: Notifier) -> None:
    """One JSON text per run that ends in a project the caller can see (the webhook's document); closes 1001 when the
    server stops. Nothing is replayed: a browser that was closed learns of ended runs from the runs list."""
    caller = access.caller
    await asyncio.to_thread(access.session.close)  # the socket holds no database connection while it waits
    await socket.accept()
    listener = notifier.feed.listen(caller)
    leaving = asyncio.ensure_future(_until_client_leaves(socket, listener))
    try:
        while (text := await listener.get()) is not None:
            await socket.send_text(text)
        if not leaving.done():
            with contextlib.suppress(*GONE):
                await socket.close(WS_1001_GOING_AWAY, "the server is shutting down")
    except GONE:
        pass
    finally:
        leaving.cancel()
        notifier.feed.leave(listener)


async def _until_client_leaves(socket: WebSocket, listener: Listener) -> None:
    with contextlib.suppress(*GONE):
        while (await socket.receive())["type"] != "websocket.disconnect":
            pass
    listener.end()
