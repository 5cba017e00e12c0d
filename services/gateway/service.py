"""Login, logout and staff accounts: creating them, changing roles, deactivating, resetting
passwords (each of which ends the person's sessions, see shared.auth), and clearing login
lockouts (shared.throttle)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway import repository
from services.gateway.models import StaffUser
from services.gateway.schemas import NewStaff
from services.gateway.settings import SCHEMA
from shared import audit
from shared.auth import (
    Role,
    SessionStore,
    Staff,
    hash_password,
    hashed_password,
    password_matches,
)
from shared.db import after_commit
from shared.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from shared.i18n import N_, _
from shared.throttle import ACCOUNT, ADDRESS, SCOPES, Guard, LoginThrottle

# Checked against when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = hash_password("not-a-real-password")
# Translated when raised, for the login page's language (issue 15).
WRONG = N_("Unknown user or wrong password.")


async def log_in(
    session: AsyncSession,
    sessions: SessionStore,
    throttle: LoginThrottle,
    *,
    username: str,
    password: str,
    address: str,
) -> str:
    """Check the password and open a server-side session; returns its token.

    Refused without looking at the password while the account or the address has used up
    its failures (shared.throttle); a deactivated account cannot log in."""
    name = username.strip().lower()
    guards = (Guard(ACCOUNT, name), Guard(ADDRESS, address))
    await throttle.check(*guards)
    user = await repository.find_user(session, name)
    if user is None or not user.active:
        await password_matches(_DUMMY_HASH, password)
        await throttle.failed(*guards)
        raise NotAuthenticated(_(WRONG))
    if not await password_matches(user.password_hash, password):
        await throttle.failed(*guards)
        raise NotAuthenticated(_(WRONG))
    await audit.record(
        session,
        schema=SCHEMA,
        actor=user.username,
        action="login",
        entity="staff_user",
        entity_id=user.user_id,
    )
    return await sessions.create(
        user_id=user.user_id,
        username=user.username,
        display_name=user.display_name,
        roles=list(user.roles),
        epoch=user.sessions_epoch,
    )


async def create_staff(session: AsyncSession, *, actor: Staff | str, new: NewStaff) -> StaffUser:
    if await repository.find_user(session, new.username):
        raise Conflict(
            _("The username %(name)s is taken.") % {"name": new.username}, field="username"
        )
    user = StaffUser(
        username=new.username,
        display_name=new.display_name,
        password_hash=await hashed_password(new.password),
        roles=[r.value for r in new.roles],
        active=True,
        sessions_epoch=0,
    )
    session.add(user)
    await session.flush()
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action="create",
        entity="staff_user",
        entity_id=user.user_id,
        after={"username": user.username, "roles": user.roles},
    )
    return user


def _snapshot(user: StaffUser) -> dict[str, Any]:
    return {"roles": list(user.roles), "active": user.active, "sessions_epoch": user.sessions_epoch}


async def _locked_user(session: AsyncSession, user_id: int) -> StaffUser:
    user = await repository.lock_user(session, user_id)
    if user is None:
        raise NotFound(f"没有这个员工账号 / No staff account {user_id}.")
    return user


async def _end_sessions(
    session: AsyncSession,
    sessions: SessionStore,
    *,
    actor: Staff,
    user: StaffUser,
    action: str,
    before: dict[str, Any],
) -> None:
    """Bump the epoch, audit the change, and end the sessions once it commits."""
    user.sessions_epoch += 1
    await session.flush()
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action=action,
        entity="staff_user",
        entity_id=user.user_id,
        before=before,
        after=_snapshot(user),
    )
    user_id, epoch = user.user_id, user.sessions_epoch

    async def end() -> None:
        await sessions.end_all(user_id, epoch)

    after_commit(session, end)


async def change_roles(
    session: AsyncSession,
    sessions: SessionStore,
    *,
    actor: Staff,
    user_id: int,
    roles: list[Role],
) -> StaffUser:
    """Give ``user_id`` exactly ``roles``; ends their sessions."""
    user = await _locked_user(session, user_id)
    if user.user_id == actor.user_id and Role.ADMIN not in roles:
        raise InvalidInput(
            "不能取消自己的管理员角色 / You cannot take the admin role from yourself.",
            field="roles",
        )
    before = _snapshot(user)
    user.roles = sorted({r.value for r in roles})
    await _end_sessions(
        session, sessions, actor=actor, user=user, action="change_roles", before=before
    )
    return user


async def set_active(
    session: AsyncSession,
    sessions: SessionStore,
    *,
    actor: Staff,
    user_id: int,
    active: bool,
) -> StaffUser:
    """Deactivate (or reactivate) ``user_id``; ends their sessions."""
    user = await _locked_user(session, user_id)
    if user.user_id == actor.user_id and not active:
        raise Conflict("不能停用自己的账号 / You cannot deactivate your own account.")
    before = _snapshot(user)
    user.active = active
    action = "activate" if active else "deactivate"
    await _end_sessions(session, sessions, actor=actor, user=user, action=action, before=before)
    return user


async def reset_password(
    session: AsyncSession,
    sessions: SessionStore,
    *,
    actor: Staff,
    user_id: int,
    password: str,
) -> StaffUser:
    """Set a new password for ``user_id`` (audited without it); ends their sessions."""
    user = await _locked_user(session, user_id)
    before = _snapshot(user)
    user.password_hash = await hashed_password(password)
    await _end_sessions(
        session, sessions, actor=actor, user=user, action="reset_password", before=before
    )
    return user


async def clear_lockout(
    session: AsyncSession, throttle: LoginThrottle, *, actor: Staff, scope: str, identity: str
) -> None:
    """Let an account, credential or address try again now; audited. Cleared within the
    request, so a Redis failure refuses it (503) and rolls the audit row back."""
    if scope not in SCOPES:
        raise InvalidInput(f"未知的范围 / Unknown scope {scope!r}.", field="scope")
    guard = Guard(scope, identity)
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action="clear_lockout",
        entity="login_lockout",
        entity_id=f"{scope}:{identity}"[:80],
        before={"scope": scope, "identity": identity, "locked": True},
        after={"scope": scope, "identity": identity, "locked": False},
    )
    await throttle.clear(guard)


async def saved_locale(session: AsyncSession, username: str) -> str | None:
    """The language the person chose last (None: the business's default)."""
    user = await repository.find_user(session, username.strip().lower())
    return user.locale if user else None


async def choose_locale(session: AsyncSession, staff: Staff, locale: str) -> None:
    """Remember the person's language (issue 15), audited like every change to a staff record."""
    user = await repository.find_user(session, staff.username)
    if user is None:
        raise NotAuthenticated(_(WRONG))
    before = {"locale": user.locale}
    user.locale = locale
    await audit.record(
        session,
        schema=SCHEMA,
        actor=staff.username,
        action="choose_locale",
        entity="staff_user",
        entity_id=user.user_id,
        before=before,
        after={"locale": locale},
    )
