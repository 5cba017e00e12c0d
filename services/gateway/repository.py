"""SQL of the gateway schema."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import StaffUser


async def find_user(session: AsyncSession, username: str) -> StaffUser | None:
    found: StaffUser | None = await session.scalar(
        select(StaffUser).where(StaffUser.username == username)
    )
    return found


async def list_users(session: AsyncSession) -> list[StaffUser]:
    return list(await session.scalars(select(StaffUser).order_by(StaffUser.username)))


async def lock_user(session: AsyncSession, user_id: int) -> StaffUser | None:
    """The user's row, locked until the transaction ends (two admins change it in turn)."""
    found: StaffUser | None = await session.scalar(
        select(StaffUser).where(StaffUser.user_id == user_id).with_for_update()
    )
    return found
