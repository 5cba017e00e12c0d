"""Login, logout and staff accounts."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway import repository
from services.gateway.models import StaffUser
from services.gateway.schemas import NewStaff
from services.gateway.settings import SCHEMA
from shared import audit
from shared.auth import SessionStore, Staff, hash_password, verify_password
from shared.errors import Conflict, NotAuthenticated

# Checked against when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = hash_password("not-a-real-password")


async def log_in(
    session: AsyncSession, sessions: SessionStore, *, username: str, password: str
) -> str:
    """Check the password and open a server-side session; returns its token."""
    user = await repository.find_user(session, username.strip().lower())
    if user is None or not user.active:
        verify_password(_DUMMY_HASH, password)
        raise NotAuthenticated("Unknown user or wrong password.")
    if not verify_password(user.password_hash, password):
        raise NotAuthenticated("Unknown user or wrong password.")
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
    )


async def create_staff(session: AsyncSession, *, actor: Staff | str, new: NewStaff) -> StaffUser:
    if await repository.find_user(session, new.username):
        raise Conflict(f"The username {new.username} is taken.", field="username")
    user = StaffUser(
        username=new.username,
        display_name=new.display_name,
        password_hash=hash_password(new.password),
        roles=[r.value for r in new.roles],
        active=True,
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
