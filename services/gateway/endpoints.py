"""Login, the shell page with each desk's menu, and staff accounts."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from services.gateway import service
from services.gateway.auth import ADMIN_ROLES
from services.gateway.schemas import (
    MAX_ROLES,
    PASSWORD_MAX_LENGTH,
    CsrfField,
    DisplayNameField,
    NewStaff,
    NextPath,
    PasswordField,
    RoleField,
    UsernameField,
)
from services.gateway.staff_admin import staff_page
from shared import i18n
from shared.auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE, Role, Staff, landing_path, require
from shared.db import DbSession
from shared.errors import FormRejected, NotAuthenticated, TooManyAttempts
from shared.field_errors import FieldErrors, field_errors
from shared.i18n import _
from shared.throttle import client_address, throttle_for
from shared.web import render, see_other

router = APIRouter()
AnyStaff = Annotated[Staff, require(*Role)]
Admin = Annotated[Staff, require(*ADMIN_ROLES)]


# Where to go after login: a path on this site (issue 14: bounded, no control characters).
NextQuery = Annotated[NextPath, Query(description="a path on this site, e.g. /intake/")]


def _safe_next(next_path: str) -> str:
    # Only same-site paths: an open redirect after login is a phishing aid. Browsers read a
    # backslash as a slash, so "/\\evil.example" is as foreign as "//evil.example".
    same_site = next_path.startswith("/") and not next_path.startswith("//")
    return next_path if same_site and "\\" not in next_path else "/"


def _login_page(
    request: Request, *, next_path: str, error: str | FieldErrors = "", status: int = 200
) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(
        request.app.state.templates,
        request,
        "login.html",
        None,
        status_code=status,
        login_csrf=token,
        next_path=next_path,
        error=error,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.cookie_secure,
    )
    return response


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, next: NextQuery = "/") -> Response:
    """The login page."""
    return _login_page(request, next_path=_safe_next(next))


@router.post("/login")
async def login(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form(max_length=80)],
    password: Annotated[str, Form(max_length=PASSWORD_MAX_LENGTH)],
    csrf_token: Annotated[CsrfField, Form()] = "",
    next: Annotated[NextPath, Form()] = "/",
) -> Response:
    """Check the password and start a session."""
    cookie_token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie_token or not hmac.compare_digest(cookie_token, csrf_token):
        expired = _("The login form expired; please try again.")
        raise FormRejected(
            _login_page(request, next_path=_safe_next(next), error=expired, status=403)
        )
    try:
        token = await service.log_in(
            session,
            request.app.state.sessions,
            throttle_for(request.app),
            username=username,
            password=password,
            address=client_address(request),
        )
    except (NotAuthenticated, TooManyAttempts) as exc:
        status = exc.status_code
        form = _login_page(
            request, next_path=_safe_next(next), error=field_errors(exc), status=status
        )
        if isinstance(exc, TooManyAttempts):
            form.headers["retry-after"] = str(exc.retry_after)
        raise FormRejected(form) from exc
    target = _safe_next(next)
    if target == "/":  # no page asked for: the person's own desk (issue 15)
        staff = await request.app.state.sessions.get(token)
        target = landing_path(staff) if staff else "/"
    response = RedirectResponse(target, status_code=303)
    saved = await service.saved_locale(session, username)
    if saved:
        response.set_cookie(**i18n.cookie_settings(saved))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.cookie_secure,
        max_age=request.app.state.settings.session_ttl_seconds,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
async def logout(request: Request, staff: AnyStaff) -> Response:
    """End the session."""
    await request.app.state.sessions.delete(request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/language")
async def choose_language(
    request: Request,
    session: DbSession,
    staff: AnyStaff,
    locale: Annotated[i18n.LocaleName, Form()],
    next: Annotated[NextPath, Form()] = "/",
) -> Response:
    """Switch the person's language; remembered on their staff record for the next login."""
    await service.choose_locale(session, staff, locale)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        **i18n.cookie_settings(locale), secure=request.app.state.settings.cookie_secure
    )
    return response


@router.get("/", response_class=HTMLResponse)
async def shell(request: Request, staff: AnyStaff) -> Response:
    """The shell: each desk the user may open."""
    return render(request.app.state.templates, request, "shell.html", staff)


@router.get("/admin/staff", response_class=HTMLResponse)
async def staff_list(request: Request, session: DbSession, staff: Admin) -> Response:
    """Staff accounts and their roles, and the logins locked out now."""
    return await staff_page(request, session, staff, "", status=200)


@router.post("/admin/staff")
async def staff_create(
    request: Request,
    session: DbSession,
    staff: Admin,
    # Blank by default: a blank field is refused by NewStaff below, on the staff page next to
    # the field, rather than by FastAPI on a page without the form.
    username: Annotated[UsernameField, Form()] = "",
    display_name: Annotated[DisplayNameField, Form()] = "",
    password: Annotated[PasswordField, Form()] = "",
    roles: Annotated[list[RoleField] | None, Form(max_length=MAX_ROLES)] = None,
) -> Response:
    """Create a staff account (what is too long is a 422 naming the field; the rest of the
    rules, with the staff page again)."""
    roles = roles or []
    try:
        new = NewStaff(username=username, display_name=display_name, password=password, roles=roles)  # type: ignore[arg-type]
    except ValidationError as exc:
        message = field_errors(exc)
        raise FormRejected(lambda session: staff_page(request, session, staff, message)) from exc
    await service.create_staff(session, actor=staff, new=new)
    return see_other(request, "/admin/staff")
