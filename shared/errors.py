"""The ``DomainError`` family and the one handler that turns it into a response.

Service code raises these, never ``HTTPException``. The API answers
``{"error": code, "detail": text}``; a browser gets a readable page instead. A page endpoint
that shows its form again raises ``FormRejected`` (one commit rule, see shared.db).
"""

from __future__ import annotations

import socket
from collections.abc import Awaitable, Callable
from html import escape
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import InterfaceError as DbInterfaceError
from sqlalchemy.exc import OperationalError as DbOperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.field_errors import readable_errors
from shared.i18n import N_
from shared.i18n import gettext as _
from shared.observability import get_logger

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

log = get_logger("errors")

# Builds the page from a session of its own (the request's has been rolled back and closed).
PageBuilder = Callable[["AsyncSession"], Awaitable[Response]]


class DomainError(Exception):
    status_code = 400
    code = "domain_error"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field

    @property
    def sentence(self) -> str:
        """What a person reads on a page: the detail without any internal code."""
        return self.detail

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "detail": self.detail}
        if self.field:
            body["fields"] = [{"field": self.field, "message": self.detail}]
        return body


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class NotAuthenticated(DomainError):
    status_code = 401
    code = "not_authenticated"


class TooManyAttempts(DomainError):
    """Too many failed logins for an account, credential or client address (shared.throttle)."""

    status_code = 429
    code = "too_many_attempts"

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(1, retry_after)
        super().__init__(
            f"尝试次数过多，请 {self.retry_after} 秒后再试 / "
            f"Too many attempts; try again in {self.retry_after} s."
        )


class ServiceUnavailable(DomainError):
    """PostgreSQL or Redis cannot be reached: a readable 503, never a 500."""

    status_code = 503
    code = "service_unavailable"


class InvalidInput(DomainError):
    """Input that passed parsing but breaks a rule of form (past dates, reversed ranges)."""

    status_code = 422
    code = "invalid_input"


class RuleViolated(DomainError):
    """A business rule from DOMAIN.md refused the action; ``rule`` is its ID (e.g. IN-4)."""

    status_code = 409
    code = "rule_violated"

    def __init__(self, detail: str, *, rule: str, field: str | None = None) -> None:
        super().__init__(f"{detail} ({rule})", field=field)
        self.rule = rule

    @property
    def sentence(self) -> str:
        """The rule's sentence for staff; its ID stays in the API body and the log (issue 15).
        Read from ``detail``, which a caller may have prefixed (which rooms of a group)."""
        return self.detail.removesuffix(f" ({self.rule})")

    def body(self) -> dict[str, Any]:
        return {**super().body(), "rule": self.rule}


class RuleBrokenByInput(RuleViolated):
    """The submitted values themselves break a rule (e.g. a sell price below net, HR-4): the
    request is unprocessable as sent, so 422 like any other invalid field."""

    status_code = 422


class FormRejected(Exception):
    """A form shown again with its error, as a 4xx page.

    Raised, not returned, so it passes through the request's session dependency, which rolls
    back whatever the refused attempt wrote (one commit rule). ``page`` is the rendered form,
    or, when the form shows data from the database, a builder the handler calls with a fresh
    session after that rollback, so the page cannot show the refused attempt's writes. A
    builder takes plain values (not ``exc``: an ``except ... as exc`` name is unbound once the
    block ends, and it runs later) and no ORM object of the request's closed session.
    """

    def __init__(self, page: Response | PageBuilder) -> None:
        super().__init__("form rejected")
        self.page = page


class FieldProblem(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    """The JSON body of every error answer (``DomainError.body``, ``validation_body``, the
    413 of the body cap); ``rule`` names the rule a refusal cites."""

    error: str
    detail: str
    fields: list[FieldProblem] | None = None
    rule: str | None = None


# Documented on every operation of a service app (create_service_app): any of them can answer
# these, with the body above, instead of FastAPI's default 422 (``{"detail": [...]}``).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in {
        400: "Refused as asked, or a body that cannot be read",
        401: "Not logged in",
        403: "Role not held, or the CSRF token missing",
        404: "No such record",
        409: "Conflict, or a business rule refused it",
        413: "Request body too large",
        422: "Invalid input",
        429: "Too many failed logins: try again after Retry-After seconds",
        503: "PostgreSQL or Redis unreachable",
    }.items()
}


def wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form")]
    return ".".join(parts) or "body"


def _error_field(error: Any) -> str:
    # A JSON syntax error's location is a character offset, not a field: name the body.
    return "body" if error.get("type") == "json_invalid" else _field_name(tuple(error["loc"]))


def _message(error: Any) -> str:
    # Our validators' messages are whole sentences (Chinese / English): drop pydantic's prefix.
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def validation_body(exc: RequestValidationError) -> dict[str, Any]:
    fields = [{"field": _error_field(e), "message": _message(e)} for e in exc.errors()]
    detail = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
    return {"error": "invalid_input", "detail": detail, "fields": fields}


CORRECT_THE_FORM = N_("Please correct the form")


def error_page(status: int, title: str, detail: str) -> HTMLResponse:
    html = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><link rel='stylesheet' href='/static/roomline.css'></head>"
        f"<body><main class='error-page'><h1>{escape(title)}</h1>"
        f'<p class="error" role="alert">{escape(detail)}</p>'
        "<p><a href='javascript:history.back()'>Back</a> · <a href='/'>Home</a></p>"
        "</main></body></html>"
    )
    return HTMLResponse(html, status_code=status)


# PostgreSQL or Redis out of reach (refused, timed out, dropped): a 503 the caller can read.
# asyncpg's refused connection surfaces as ConnectionRefusedError, a timeout as TimeoutError,
# an unknown host as socket.gaierror; a dropped one as SQLAlchemy's Operational or Interface
# error; Redis's as its own ConnectionError/TimeoutError. Not every OSError: a file an
# endpoint cannot read is a fault of ours, not an outage.
UNREACHABLE: tuple[type[Exception], ...] = (
    ConnectionError,
    TimeoutError,
    socket.gaierror,
    DbOperationalError,
    DbInterfaceError,
    RedisConnectionError,
    RedisTimeoutError,
)
UNREACHABLE_DETAIL = (
    "数据库或缓存暂时不可用，请稍后再试 / "
    "The database or the session store is unavailable just now; try again shortly."
)


def install_error_handlers(app: FastAPI) -> None:
    async def on_domain_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DomainError)
        response: Response
        if wants_html(request) and isinstance(exc, NotAuthenticated):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        if wants_html(request):
            title = exc.code.replace("_", " ").title()
            response = error_page(exc.status_code, title, exc.sentence)
        else:
            response = JSONResponse(exc.body(), status_code=exc.status_code)
        if isinstance(exc, TooManyAttempts):
            response.headers["retry-after"] = str(exc.retry_after)
        return response

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        body = validation_body(exc)
        if wants_html(request):
            return error_page(422, _(CORRECT_THE_FORM), readable_errors(exc))
        return JSONResponse(body, status_code=422)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        detail = str(exc.detail)
        if wants_html(request):
            return error_page(exc.status_code, "Error", detail)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse({"error": code, "detail": detail}, status_code=exc.status_code)

    async def on_form_rejected(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, FormRejected)
        if isinstance(exc.page, Response):
            return exc.page
        try:
            async with request.app.state.sessionmaker() as session:
                return await exc.page(session)  # read only: never committed
        except DomainError as refused:  # the record vanished meanwhile, say
            return await on_domain_error(request, refused)

    async def on_unreachable(request: Request, exc: Exception) -> Response:
        log.warning("backend_unreachable", error=repr(exc)[:300])
        return await on_domain_error(request, ServiceUnavailable(UNREACHABLE_DETAIL))

    app.add_exception_handler(DomainError, on_domain_error)
    for unreachable in UNREACHABLE:
        app.add_exception_handler(unreachable, on_unreachable)
    app.add_exception_handler(FormRejected, on_form_rejected)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
