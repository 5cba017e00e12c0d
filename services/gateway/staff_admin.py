"""Staff administration on /admin/staff and its API twins under /api/staff: change roles,
deactivate or reactivate, reset a password (each ends the person's sessions at once, see
shared.auth), and clear login lockouts (shared.throttle). Admin only; all audited."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway import repository, service
from services.gateway.auth import ADMIN_ROLES
from services.gateway.models import StaffUser
from services.gateway.schemas import (
    MAX_ROLES,
    LockoutClear,
    LockoutIdentity,
    LockoutOut,
    LockoutScope,
    PasswordField,
    PasswordReset,
    RoleField,
    RolesChange,
    StaffOut,
)
from shared.auth import ROLE_NAMES, Role, Staff, require
from shared.db import DbSession
from shared.errors import FormRejected
from shared.field_errors import FieldErrors, field_errors
from shared.i18n import N_
from shared.limits import RowId
from shared.pages import render, see_other
from shared.throttle import (
    ACCOUNT,
    ADDRESS,
    CHANNEL,
    CHANNEL_ADDRESS,
    TELEPHONY,
    TELEPHONY_ADDRESS,
    throttle_for,
)

router = APIRouter()
Admin = Annotated[Staff, require(*ADMIN_ROLES)]
M = TypeVar("M", bound=BaseModel)

# What the staff page calls each lockout scope (translated where shown, issue 15); the forms
# post the codes. Roles are named in shared.auth.ROLE_NAMES.
SCOPE_NAMES: dict[str, str] = {
    ACCOUNT: N_("Account"),
    ADDRESS: N_("Address"),
    CHANNEL: N_("Channel-manager account"),
    CHANNEL_ADDRESS: N_("Channel-manager address"),
    TELEPHONY: N_("Telephony token"),
    TELEPHONY_ADDRESS: N_("Telephony address"),
}


async def staff_page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    error: str | FieldErrors,
    *,
    status: int = 422,
) -> Response:
    """The staff list, the lockouts, and a form's error if any."""
    users = await repository.list_users(session)
    lockouts = await throttle_for(request.app).locked()
    return render(
        request.app.state.templates,
        request,
        "staff.html",
        staff,
        status_code=status,
        users=users,
        roles=list(Role),
        role_names=ROLE_NAMES,
        scope_names=SCOPE_NAMES,
        lockouts=lockouts,
        error=error,
    )


def _parsed(request: Request, staff: Staff, model: type[M], **fields: Any) -> M:
    """The form's fields as ``model``, or the staff page again with what is wrong."""
    try:
        return model(**fields)
    except ValidationError as exc:
        message = field_errors(exc)
        raise FormRejected(lambda session: staff_page(request, session, staff, message)) from exc


def _out(user: StaffUser) -> StaffOut:
    return StaffOut(
        user_id=user.user_id,
        username=user.username,
        display_name=user.display_name,
        roles=list(user.roles),
        active=user.active,
    )


# Pages: each form posts here and comes back to /admin/staff.


@router.post("/admin/staff/{user_id}/roles")
async def roles_form(
    request: Request,
    session: DbSession,
    staff: Admin,
    user_id: RowId,
    roles: Annotated[list[RoleField] | None, Form(max_length=MAX_ROLES)] = None,
) -> Response:
    """Change a person's roles; ends their sessions."""
    change = _parsed(request, staff, RolesChange, roles=roles or [])
    await service.change_roles(
        session, request.app.state.sessions, actor=staff, user_id=user_id, roles=change.roles
    )
    return see_other(request, "/admin/staff")


@router.post("/admin/staff/{user_id}/deactivate")
async def deactivate_form(
    request: Request, session: DbSession, staff: Admin, user_id: RowId
) -> Response:
    """Deactivate a person: they cannot log in, and their sessions end."""
    sessions = request.app.state.sessions
    await service.set_active(session, sessions, actor=staff, user_id=user_id, active=False)
    return see_other(request, "/admin/staff")


@router.post("/admin/staff/{user_id}/activate")
async def activate_form(
    request: Request, session: DbSession, staff: Admin, user_id: RowId
) -> Response:
    """Let a deactivated person log in again."""
    sessions = request.app.state.sessions
    await service.set_active(session, sessions, actor=staff, user_id=user_id, active=True)
    return see_other(request, "/admin/staff")


@router.post("/admin/staff/{user_id}/password")
async def password_form(
    request: Request,
    session: DbSession,
    staff: Admin,
    user_id: RowId,
    password: Annotated[PasswordField, Form()],
) -> Response:
    """Set a new password for a person; ends their sessions."""
    reset = _parsed(request, staff, PasswordReset, password=password)
    await service.reset_password(
        session, request.app.state.sessions, actor=staff, user_id=user_id, password=reset.password
    )
    return see_other(request, "/admin/staff")


@router.post("/admin/staff/lockouts/clear")
async def clear_lockout_form(
    request: Request,
    session: DbSession,
    staff: Admin,
    scope: Annotated[LockoutScope, Form()],
    identity: Annotated[LockoutIdentity, Form()],
) -> Response:
    """Let a locked-out account, credential or address try again now."""
    clear = _parsed(request, staff, LockoutClear, scope=scope, identity=identity)
    await service.clear_lockout(
        session, throttle_for(request.app), actor=staff, scope=clear.scope, identity=clear.identity
    )
    return see_other(request, "/admin/staff")


# The API twins.


@router.get("/api/staff", response_model=list[StaffOut])
async def api_staff(session: DbSession, staff: Admin) -> Any:
    """Staff accounts and their roles."""
    return [_out(user) for user in await repository.list_users(session)]


@router.put("/api/staff/{user_id}/roles", response_model=StaffOut)
async def api_roles(
    request: Request, session: DbSession, staff: Admin, user_id: RowId, body: RolesChange
) -> Any:
    """Change a person's roles; ends their sessions."""
    sessions = request.app.state.sessions
    user = await service.change_roles(
        session, sessions, actor=staff, user_id=user_id, roles=body.roles
    )
    return _out(user)


@router.post("/api/staff/{user_id}/deactivate", response_model=StaffOut)
async def api_deactivate(request: Request, session: DbSession, staff: Admin, user_id: RowId) -> Any:
    """Deactivate a person: they cannot log in, and their sessions end."""
    sessions = request.app.state.sessions
    return _out(
        await service.set_active(session, sessions, actor=staff, user_id=user_id, active=False)
    )


@router.post("/api/staff/{user_id}/activate", response_model=StaffOut)
async def api_activate(request: Request, session: DbSession, staff: Admin, user_id: RowId) -> Any:
    """Let a deactivated person log in again."""
    sessions = request.app.state.sessions
    return _out(
        await service.set_active(session, sessions, actor=staff, user_id=user_id, active=True)
    )


@router.post("/api/staff/{user_id}/password", response_model=StaffOut)
async def api_password(
    request: Request, session: DbSession, staff: Admin, user_id: RowId, body: PasswordReset
) -> Any:
    """Set a new password for a person; ends their sessions."""
    user = await service.reset_password(
        session, request.app.state.sessions, actor=staff, user_id=user_id, password=body.password
    )
    return _out(user)


@router.get("/api/staff/lockouts", response_model=list[LockoutOut])
async def api_lockouts(request: Request, staff: Admin) -> Any:
    """Accounts, credentials and addresses locked out of logging in now."""
    lockouts = await throttle_for(request.app).locked()
    return [
        LockoutOut(scope=x.scope, identity=x.identity, retry_after=x.retry_after) for x in lockouts
    ]


@router.post("/api/staff/lockouts/clear", status_code=204)
async def api_clear_lockout(
    request: Request, session: DbSession, staff: Admin, body: LockoutClear
) -> Response:
    """Let a locked-out account, credential or address try again now."""
    await service.clear_lockout(
        session, throttle_for(request.app), actor=staff, scope=body.scope, identity=body.identity
    )
    return Response(status_code=204)
