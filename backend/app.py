"""create_app(settings) → Litestar: routes, dependencies, the run service's lifecycle."""

import gc
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

from litestar import Litestar, Request, Response
from litestar._signature.types import ExtendedMsgSpecValidationError
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException, InternalServerException
from litestar.openapi import OpenAPIConfig
from sqlalchemy.exc import DataError
from sqlmodel import Session

from backend.accounts.first_admin import ensure_first_admin
from backend.accounts.middleware import accounts_middleware
from backend.accounts.sessions import STORE as SESSION_STORE
from backend.accounts.sessions import session_store
from backend.api.access import Access, access_for
from backend.api.assets import AssetController
from backend.api.auth import AuthController
from backend.api.catalogue import list_nodes, run_settings_schema
from backend.api.classes import ClassController
from backend.api.documented import document_common_errors
from backend.api.frontend import frontend_router
from backend.api.insights import InsightController
from backend.api.label_check import LabelCheckController
from backend.api.labels import LabelController
from backend.api.members import MemberController
from backend.api.model_store import ModelStoreController, WeightsChecker
from backend.api.predict import PredictController
from backend.api.preview import PreviewController
from backend.api.projects import ProjectController
from backend.api.queue import QueueController
from backend.api.recommendations import list_templates, run_defaults
from backend.api.runs import RunController
from backend.api.users import UserController
from backend.api.webhooks import WebhookController, run_end_socket
from backend.api.workflow_versions import WorkflowVersionController
from backend.api.workflows import WorkflowController
from backend.api.ws import run_events_socket
from backend.catalogue import build_catalogue
from backend.datasets.image_facts import FingerprintBackfill
from backend.datasets.sweep import sweep_stale_files
from backend.db.session import make_engine, session_for, upgrade_database
from backend.events.bus import EventBus
from backend.graph.spec import UnreadableSpec
from backend.models_store import ModelStore
from backend.notifications.notifier import Notifier
from backend.runners.base import JobRunner
from backend.runners.local import LocalRunner
from backend.runners.predictor import PredictorPool
from backend.runs.service import RunService
from backend.security import guard
from backend.settings import Settings
from backend.storage import LocalStorage


def create_app(settings: Settings | None = None, runner: JobRunner | None = None) -> Litestar:
    """`runner`: how jobs run (default: a local worker process per run; tests pass a fake)."""
    settings = settings or Settings()
    settings.ensure_dirs()
    engine = make_engine(settings.resolved_database_url)
    upgrade_database(engine)
    ensure_first_admin(settings, engine)  # accounts on and no user yet: the first administrator
    model_store = ModelStore(settings.model_store)
    catalogue = build_catalogue(model_store)  # reads the store on demand: uploads show up in the catalogue
    weights_checker = WeightsChecker(settings.worker_config_dir)
    bus = EventBus(settings.ws_max_behind_events, settings.ws_max_behind_bytes)
    local_runner = LocalRunner(
        settings.worker_config_dir,
        LocalStorage(settings.data_dir),
        warm_workers=settings.resolved_warm_workers,
        heartbeat_interval_s=settings.heartbeat_interval_s,
        heartbeat_timeout_s=settings.heartbeat_timeout_s,
    )
    if runner is None and settings.runner == "ray":  # a Ray cluster (docs/cluster.md); only then is Ray imported
        from backend.runners.ray import RayRunner

        runner = RayRunner.from_settings(settings, LocalStorage(settings.data_dir), engine)
    runs = RunService(engine, settings, catalogue, runner or local_runner, bus)
    notifier = Notifier(engine, settings, bus)  # webhooks and browsers hear of run ends from the bus
    predictor = PredictorPool(settings.worker_config_dir)
    login_sessions = session_store(settings)

    def provide_session() -> Iterator[Session]:
        with session_for(engine) as session:
            yield session

    def provide_access(request: Request, db: Session) -> Access:  # also a WebSocket's: litestar passes the connection
        return access_for(request, db)  # the caller, and the role the route needs (backend/api/access.py)

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        sweep_stale_files(settings.data_dir)  # before serving: a crash's temp and .partial files, none in use
        await login_sessions.delete_expired()  # a login session's file outlives it unless the person logs out
        await notifier.start()  # first: the run service's restart recovery publishes `finished` events
        await runs.start()
        if runner is None and settings.resolved_warm_workers > 0:  # after start(): a recovered run trains first
            local_runner.warm_up()
            # the first "Try it" then skips the predictor's imports; after the warm worker's, not competing with them
            predictor.prestart(after=local_runner.settled)
        backfill = FingerprintBackfill(engine, settings)
        backfill.start()
        # What start-up built lives as long as the server: take it out of the garbage collector's full passes, which
        # otherwise walk it all, GIL held, for 100 ms and more while a big run is compiled (tests/api/test_event_loop.py).
        gc.freeze()
        try:
            yield
        finally:
            bus.close()  # first: every WebSocket parked on a live run ends, so the server can stop
            notifier.feed.close()  # and every notifications socket
            backfill.stop()
            await runs.stop()
            await notifier.stop()
            await predictor.shutdown()

    app = Litestar(
        route_handlers=[
            ProjectController,
            MemberController,
            AuthController,
            UserController,
            ClassController,
            LabelController,
            ModelStoreController,
            AssetController,
            WorkflowController,
            WorkflowVersionController,
            RunController,
            QueueController,
            InsightController,
            LabelCheckController,
            PredictController,
            PreviewController,
            list_nodes,
            list_templates,
            run_defaults,
            run_settings_schema,
            run_events_socket,
            WebhookController,
            run_end_socket,
            frontend_router(settings),
        ],
        dependencies={
            "db": Provide(provide_session),
            "access": Provide(provide_access, sync_to_thread=False),
            "settings": Provide(lambda: settings, sync_to_thread=False, use_cache=True),
            "catalogue": Provide(lambda: catalogue, sync_to_thread=False, use_cache=True),
            "model_store": Provide(lambda: model_store, sync_to_thread=False, use_cache=True),
            "weights_checker": Provide(lambda: weights_checker, sync_to_thread=False, use_cache=True),
            "runs": Provide(lambda: runs, sync_to_thread=False, use_cache=True),
            "bus": Provide(lambda: bus, sync_to_thread=False, use_cache=True),
            "notifier": Provide(lambda: notifier, sync_to_thread=False, use_cache=True),
            "predictor": Provide(lambda: predictor, sync_to_thread=False, use_cache=True),
        },
        lifespan=[lifespan],
        exception_handlers={Exception: _unexpected},
        openapi_config=OpenAPIConfig(title="Visionflow", version="0.1.0", path="/schema"),
        request_max_body_size=settings.max_json_body_bytes,  # upload routes stream to disk and set None
        state=State({"settings": settings}),  # read by middleware, which gets no dependencies (rate limits)
        middleware=accounts_middleware(settings, engine),  # login sessions, then `request.user` (backend/accounts/)
        stores={SESSION_STORE: login_sessions},
    )
    document_common_errors(app)  # 401/403/429 in the OpenAPI schema of every route where they can happen
    return guard(app, settings.allowed_hosts)  # Host allow-list, Origin check, security headers


def _unexpected(request: Request, error: Exception) -> Response:
    if isinstance(error, InternalServerException) and isinstance(error.__cause__, ExtendedMsgSpecValidationError):
        # litestar takes a body field named like a dependency (`{"settings": …}`) for a failing dependency: 500. Only
        # request values are decoded from raw JSON into models (dependencies are our objects): the caller's error.
        problems = [{"key": ".".join(map(str, e["loc"])), "message": e["msg"]} for e in error.__cause__.errors]
        detail = f"Validation failed for {request.method} {request.url.path}: the body is not what the route takes."
        return Response({"status_code": 400, "detail": detail, "extra": problems}, status_code=400)
    if isinstance(error, HTTPException):
        body = {"status_code": error.status_code, "detail": error.detail}
        if error.extra:
            body["extra"] = error.extra
        return Response(body, status_code=error.status_code, headers=error.headers)  # e.g. 429's Retry-After
    if isinstance(error, UnreadableSpec):  # a run stored by another version: say so, it is not the caller's fault
        return Response({"status_code": 409, "detail": str(error)}, status_code=409)
    if isinstance(error, DataError):  # a value the database cannot hold: PostgreSQL refuses NUL in text, SQLite never
        detail = "The request holds a value the database cannot store (such as a NUL character in a name or id)."
        return Response({"status_code": 400, "detail": detail}, status_code=400)
    request.logger.exception("unhandled error on %s", request.url.path)
    return Response({"status_code": 500, "detail": f"Internal error: {type(error).__name__}"}, status_code=500)
