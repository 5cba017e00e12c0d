"""The FastAPI app factory every service uses: lifespan, health, metrics, errors, templates."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Role, SessionStore, require
from shared.config import Settings
from shared.db import CommitGuardMiddleware, make_engine, make_sessionmaker
from shared.errors import install_error_handlers
from shared.events.admin import events_admin_router
from shared.events.operations import refresh_event_gauges
from shared.observability import RequestContextMiddleware, configure_logging, get_logger
from shared.pages import (
    SHARED_UI,
    form_data,
    form_lists,
    make_templates,
    readable_errors,
    render,
    see_other,
)

# Page helpers live in shared.pages; re-exported because every service imports them from here.
__all__ = [
    "create_service_app",
    "form_data",
    "form_lists",
    "readable_errors",
    "render",
    "see_other",
]
log = get_logger("web")
# Brings a service's database-backed gauges up to date before /metrics answers.
MetricsRefresh = Callable[[AsyncSession], Awaitable[None]]
PUBLIC_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/login"})


def _health_router(service: str) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok", "service": service}

    @router.get("/readyz")
    async def readyz(request: Request) -> Response:
        """Readiness: PostgreSQL and Redis both answer."""
        checks: dict[str, str] = {}
        try:
            async with request.app.state.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            checks["postgresql"] = "ok"
        except Exception as exc:
            checks["postgresql"] = f"down: {exc.__class__.__name__}"
        try:
            await request.app.state.redis.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"down: {exc.__class__.__name__}"
        ready = all(v == "ok" for v in checks.values())
        body = {"status": "ready" if ready else "not ready", "service": service, **checks}
        return JSONResponse(body, status_code=200 if ready else 503)

    @router.get("/metrics")
    async def metrics(request: Request) -> Response:
        """Prometheus metrics of this process."""
        refresh: MetricsRefresh | None = request.app.state.metrics_refresh
        if refresh is not None:
            # Gauges read from the database (the unsent count, say) are brought up to date
            # at scrape time; a failure leaves their last value and is logged, not a 500.
            try:
                async with request.app.state.sessionmaker() as session:
                    await refresh(session)
            except Exception as exc:
                log.warning("metrics_refresh_failed", service=service, error=repr(exc))
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def _docs_router(app: FastAPI) -> APIRouter:
    router = APIRouter(tags=["docs"])
    any_staff = require(*Role)

    @router.get("/api/openapi.json", include_in_schema=False, dependencies=[any_staff])
    async def openapi() -> JSONResponse:
        """The OpenAPI schema of this service (staff only)."""
        return JSONResponse(app.openapi())

    @router.get("/api/docs", include_in_schema=False, dependencies=[any_staff])
    async def docs(request: Request) -> HTMLResponse:
        """Interactive API docs (staff only)."""
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(openapi_url=f"{root}/api/openapi.json", title=app.title)

    return router


def _with_event_gauges(service: str, own: MetricsRefresh | None) -> MetricsRefresh:
    """The service's own gauges (first: they were there before), then its event gauges
    (dead letters, outbox age), which every service has."""

    async def refresh(session: AsyncSession) -> None:
        if own is not None:
            await own(session)
        await refresh_event_gauges(session, schema=service)

    return refresh


def create_service_app(
    *,
    service: str,
    title: str,
    settings: Settings,
    routers: Sequence[APIRouter],
    templates_dir: Path | None = None,
    metrics_refresh: MetricsRefresh | None = None,
) -> FastAPI:
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
        app.state.sessionmaker = make_sessionmaker(app.state.engine)
        app.state.redis = Redis.from_url(settings.redis_url)
        app.state.sessions = SessionStore(
            app.state.redis, settings.session_ttl_seconds, settings.queue_prefix
        )
        try:
            yield
        finally:
            await app.state.redis.aclose()
            await app.state.engine.dispose()

    # The stock docs routes are public; ours sit behind login (only health, readiness,
    # metrics and login are public).
    app = FastAPI(
        title=f"roomline {title}",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.service = service
    app.state.metrics_refresh = _with_event_gauges(service, metrics_refresh)
    app.state.templates = make_templates(templates_dir)
    install_error_handlers(app)
    app.add_middleware(CommitGuardMiddleware)
    app.add_middleware(RequestContextMiddleware, service=service)
    app.include_router(_health_router(service))
    app.include_router(_docs_router(app))
    for router in routers:
        app.include_router(router)
    app.include_router(events_admin_router(service))
    app.mount("/static", StaticFiles(directory=str(SHARED_UI / "static")), name="static")
    return app
