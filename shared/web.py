"""The FastAPI app factory every service uses: lifespan, health, metrics, errors, templates."""

from __future__ import annotations

import gc
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from html import escape
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic_settings import BaseSettings, SettingsConfigDict
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth import Role, SessionStore, require
from shared.config import Settings
from shared.db import CommitGuardMiddleware, make_engine, make_sessionmaker
from shared.errors import ERROR_RESPONSES, install_error_handlers
from shared.events.admin import events_admin_router
from shared.events.operations import refresh_event_gauges
from shared.i18n import LocaleMiddleware
from shared.input_guard import BODY_CAPPED, InputGuardMiddleware, replay
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
    "BodyLimit",
    "BodyLimitMiddleware",
    "SecurityHeadersMiddleware",
    "WebGuardSettings",
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


# --- Security headers and request-size limits (issue 14) -------------------------------------
# Both are plain ASGI middleware added by create_service_app. The all-in-one app mounts service
# apps under the gateway app, so a request to /contracts/... passes the gateway's middleware and
# then the contracts app's: headers are only set when absent (the innermost app decides, once),
# and the body limit defers to a mounted service app, which knows its own upload routes.

MiB = 1024 * 1024
# Room for the multipart framing and the CSRF field around an upload of the largest allowed file,
# so the route's own readable "file too large" message still answers just over its limit.
UPLOAD_SLACK = 64 * 1024


class WebGuardSettings(BaseSettings):
    """Request-size caps (``ROOMLINE_BODY_MAX_BYTES``); per-route upload caps come from the
    services (``body_limits`` of create_service_app)."""

    model_config = SettingsConfigDict(env_prefix="ROOMLINE_", extra="ignore")

    body_max_bytes: int = 1 * MiB


# No inline script anywhere (page scripts live in shared/ui/static/js); inline styles remain.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI (/api/docs, staff only) is FastAPI's page: an inline script and its files from
# the jsDelivr CDN. It gets this relaxed policy; every other response the strict one.
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "img-src 'self' data: https://fastapi.tiangolo.com; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_PATHS = frozenset({"/api/docs"})
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
)


def route_path(scope: Scope) -> str:
    """The path inside this app (without the mount prefix in ``root_path``)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        return path[len(root) :] or "/"
    return path


class SecurityHeadersMiddleware:
    """CSP, nosniff, frame and referrer headers on every HTTP response, and ``Secure`` on every
    cookie when ``cookie_secure`` is on. A header already set (by a mounted app or a route)
    is left alone, so nested apps never send it twice."""

    def __init__(self, app: ASGIApp, *, cookie_secure: bool = False) -> None:
        self.app = app
        self.cookie_secure = cookie_secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = (
            DOCS_CONTENT_SECURITY_POLICY
            if route_path(scope) in DOCS_PATHS
            else CONTENT_SECURITY_POLICY
        ).encode()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[tuple[bytes, bytes]] = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                wanted = ((b"content-security-policy", csp), *SECURITY_HEADERS)
                headers.extend((name, value) for name, value in wanted if name not in present)
                if self.cookie_secure:
                    headers = [_secure_cookie(name, value) for name, value in headers]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _secure_cookie(name: bytes, value: bytes) -> tuple[bytes, bytes]:
    if name.lower() != b"set-cookie":
        return name, value
    attributes = {part.strip().lower() for part in value.split(b";")[1:]}
    return name, value if b"secure" in attributes else value + b"; Secure"


@dataclass(frozen=True)
class BodyLimit:
    """A cap for the routes whose path (inside the service app) matches ``pattern``: a prefix
    ending at a segment boundary, ``*`` standing for one segment (``/hotels/*/photos``)."""

    pattern: str
    max_bytes: int

    def regex(self) -> re.Pattern[str]:
        parts = (re.escape(part) for part in self.pattern.rstrip("/").split("*"))
        return re.compile("[^/]+".join(parts) + "(?:/|$)")


class BodyLimitMiddleware:
    """Refuses a request body over its cap before the app reads a byte of it: 413 at once when
    Content-Length says so; without one (chunked) the body is read up to the cap and no further.
    A mounted service app is left to its own BodyLimitMiddleware (it knows its upload routes)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        default_max_bytes: int,
        limits: Sequence[BodyLimit] = (),
        owner: FastAPI | None = None,
    ) -> None:
        self.app = app
        self.default_max_bytes = default_max_bytes
        # The longest pattern first: /api/imports/x matches its own rule before /api's.
        ordered = sorted(limits, key=lambda limit: len(limit.pattern), reverse=True)
        self.limits = [(limit.regex(), limit.max_bytes) for limit in ordered]
        self.owner = owner

    def cap_for(self, path: str) -> int:
        for pattern, max_bytes in self.limits:
            if pattern.match(path):
                return max_bytes
        return self.default_max_bytes

    def _mounted_service(self, path: str) -> bool:
        if self.owner is None:
            return False
        for route in self.owner.routes:
            if not isinstance(route, Mount):
                continue
            sub_app = route.app
            guarded = getattr(getattr(sub_app, "state", None), "body_limited", False)
            if guarded and (path == route.path or path.startswith(route.path + "/")):
                return True
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = route_path(scope)
        if self._mounted_service(path):
            await self.app(scope, receive, send)
            return
        cap = self.cap_for(path)
        scope[BODY_CAPPED] = True  # the input guard inside reads only a capped body
        declared = _content_length(scope)
        if declared is not None and declared > cap:
            await _too_large(scope, send, cap)
            return
        if declared is None and _has_body(scope):
            # Chunked (or no length at all): take the body now, stopping one byte over the cap.
            messages: list[Message] = []
            size = 0
            while True:
                message = await receive()
                messages.append(message)
                if message["type"] != "http.request":
                    break
                size += len(message.get("body", b""))
                if size > cap:
                    await _too_large(scope, send, cap)
                    return
                if not message.get("more_body", False):
                    break
            await self.app(scope, replay(messages, receive), send)
            return
        await self.app(scope, _counting(receive, cap), send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _has_body(scope: Scope) -> bool:
    return any(
        name == b"transfer-encoding" and b"chunked" in value.lower()
        for name, value in scope.get("headers", [])
    )


def _counting(receive: Receive, cap: int) -> Receive:
    """A body longer than its Content-Length said: stop reading it, as if the client left."""
    size = 0

    async def counted() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > cap:
                return {"type": "http.disconnect"}
        return message

    return counted


async def _too_large(scope: Scope, send: Send, cap: int) -> None:
    accept = ""
    for name, value in scope.get("headers", []):
        if name == b"accept":
            accept = value.decode("latin-1")
    detail = f"请求过大（上限 {cap} 字节）/ Request body over {cap} bytes"
    if "text/html" in accept and "application/json" not in accept:
        body = (
            "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
            "<title>请求过大 · Request too large</title></head><body><main>"
            "<h1>请求过大 · Request too large</h1>"
            f"<p>{escape(detail)}</p><p>请返回上一页，换一个较小的文件。"
            " Go back and send a smaller file.</p></main></body></html>"
        ).encode()
        content_type = b"text/html; charset=utf-8"
    else:
        body = json.dumps({"error": "too_large", "detail": detail}, ensure_ascii=False).encode()
        content_type = b"application/json"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                # The unread body stays on the connection: the server must not reuse it.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _freeze_start_up() -> None:
    """Once a process: what start-up built (routes, templates, catalogs, models) lives as long
    as the process, so the collector stops walking it on every full collection (pauses up to
    180 ms under search load before, issue 19). Once, so a process starting many apps (the
    tests) freezes only what its first start-up left."""
    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()


def create_service_app(
    *,
    service: str,
    title: str,
    settings: Settings,
    routers: Sequence[APIRouter],
    templates_dir: Path | None = None,
    metrics_refresh: MetricsRefresh | None = None,
    body_limits: Sequence[BodyLimit] = (),
    guard_settings: WebGuardSettings | None = None,
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
        _freeze_start_up()
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
        responses=ERROR_RESPONSES,  # every operation documents the kit's error answers
    )
    app.state.settings = settings
    app.state.service = service
    app.state.metrics_refresh = _with_event_gauges(service, metrics_refresh)
    app.state.templates = make_templates(templates_dir)
    install_error_handlers(app)
    app.add_middleware(CommitGuardMiddleware)
    app.add_middleware(RequestContextMiddleware, service=service)
    # Inside the body cap: it reads only bodies already bounded.
    app.add_middleware(InputGuardMiddleware)
    guards = guard_settings or WebGuardSettings()
    app.state.body_limited = True
    app.add_middleware(
        BodyLimitMiddleware,
        default_max_bytes=guards.body_max_bytes,
        limits=body_limits,
        owner=app,
    )
    app.add_middleware(LocaleMiddleware, service=service)
    # Outermost, so a 413 and an error page carry the headers too.
    app.add_middleware(SecurityHeadersMiddleware, cookie_secure=settings.cookie_secure)
    app.include_router(_health_router(service))
    app.include_router(_docs_router(app))
    for router in routers:
        app.include_router(router)
    app.include_router(events_admin_router(service))
    app.mount("/static", StaticFiles(directory=str(SHARED_UI / "static")), name="static")
    return app
