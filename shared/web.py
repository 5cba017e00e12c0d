"""The FastAPI app factory every service uses: lifespan, health, metrics, errors, templates."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import ValidationError
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Role, SessionStore, Staff, desks_for, require
from shared.clock import clock
from shared.config import Settings
from shared.db import make_engine, make_sessionmaker
from shared.errors import install_error_handlers
from shared.money import Money
from shared.observability import RequestContextMiddleware, configure_logging, get_logger

log = get_logger("web")
# Brings a service's database-backed gauges up to date before /metrics answers.
MetricsRefresh = Callable[[AsyncSession], Awaitable[None]]
SHARED_UI = Path(__file__).parent / "ui"
PUBLIC_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/login"})


def make_templates(service_templates: Path | None) -> Jinja2Templates:
    loaders = [FileSystemLoader(str(service_templates))] if service_templates else []
    loaders.append(FileSystemLoader(str(SHARED_UI / "templates")))
    templates = Jinja2Templates(directory=str(SHARED_UI / "templates"))
    templates.env.loader = ChoiceLoader(loaders)
    templates.env.globals["local_time"] = lambda at, fmt="%Y-%m-%d %H:%M": clock.local(at).strftime(
        fmt
    )
    templates.env.globals["money"] = lambda minor, currency: Money(int(minor), currency).format()
    templates.env.globals["desks_for"] = desks_for
    return templates


def render(
    templates: Jinja2Templates,
    request: Request,
    name: str,
    staff: Staff | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a page with what every page needs: the user, their desks, the CSRF token."""
    base_context = {
        "staff": staff,
        "csrf_token": staff.csrf_token if staff else "",
        "root": request.scope.get("root_path", ""),
    }
    return templates.TemplateResponse(
        request, name, {**base_context, **context}, status_code=status_code
    )


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
    app.state.metrics_refresh = metrics_refresh
    app.state.templates = make_templates(templates_dir)
    install_error_handlers(app)
    app.add_middleware(RequestContextMiddleware, service=service)
    app.include_router(_health_router(service))
    app.include_router(_docs_router(app))
    for router in routers:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(SHARED_UI / "static")), name="static")
    return app


def readable_errors(exc: ValidationError) -> str:
    """A pydantic error as a sentence a desk user can act on, naming each field."""
    parts = []
    for error in exc.errors():
        field = ".".join(str(p) for p in error["loc"]) or "form"
        message = str(error["msg"]).removeprefix("Value error, ")
        parts.append(f"{field.replace('_', ' ')}: {message}")
    return "; ".join(parts)


async def form_data(request: Request) -> dict[str, str]:
    """The posted form as plain strings, blank fields dropped so model defaults apply."""
    form = await request.form()
    return {
        key: value
        for key, value in form.items()
        if isinstance(value, str) and value.strip() != "" and key != "csrf_token"
    }


async def form_lists(request: Request, *names: str) -> dict[str, list[str]]:
    """The posted values of repeated fields (ticked checkboxes), by name."""
    form = await request.form()
    return {name: [v for v in form.getlist(name) if isinstance(v, str)] for name in names}


def see_other(request: Request, path: str) -> RedirectResponse:
    """Redirect after a form post (303) to ``path`` inside this service, mounted or alone."""
    return RedirectResponse(f"{request.scope.get('root_path', '')}{path}", status_code=303)
