"""SQL of the agents page: agents the queue_log names, and the mapping (issue 15)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.metrics.models import agent_name

# Agents of the recent log only: the index on ``at`` keeps this a range scan on a busy log.
_SEEN = text(
    "SELECT agent, max(at) AS last_seen_at FROM metrics.call_line"
    " WHERE at >= :since AND agent NOT IN ('', 'NONE') GROUP BY agent ORDER BY agent"
    " LIMIT 2000"
)
# Staff usernames metrics has heard of (SL-2 bookings), to pick from.
_USERNAMES = text(
    "SELECT DISTINCT agent_username FROM metrics.booking_handle ORDER BY agent_username LIMIT 500"
)


async def seen_interfaces(session: AsyncSession, *, since: datetime) -> list[tuple[str, datetime]]:
    rows = await session.execute(_SEEN, {"since": since})
    return [(row.agent, row.last_seen_at) for row in rows]


async def known_usernames(session: AsyncSession) -> list[str]:
    return list((await session.execute(_USERNAMES)).scalars())


async def mappings(session: AsyncSession) -> dict[str, dict[str, Any]]:
    rows = await session.execute(select(agent_name))
    return {row.extension: dict(row._mapping) for row in rows}


async def mapping(session: AsyncSession, extension: str) -> dict[str, Any] | None:
    row = (
        await session.execute(select(agent_name).where(agent_name.c.extension == extension))
    ).first()
    return None if row is None else dict(row._mapping)


async def upsert(
    session: AsyncSession, *, extension: str, username: str, display_name: str, actor: str
) -> None:
    values = {"staff_username": username, "display_name": display_name, "updated_by": actor}
    statement = insert(agent_name).values(extension=extension, **values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[agent_name.c.extension],
            set_={**values, "updated_at": text("now()")},
        )
    )


async def remove(session: AsyncSession, extension: str) -> None:
    await session.execute(delete(agent_name).where(agent_name.c.extension == extension))
