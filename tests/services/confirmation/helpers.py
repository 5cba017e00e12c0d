"""Reading the confirmation queue in tests: its JSON, its HTML rows, its table."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.auth import Role

DESK = Role.CONFIRMATION_DESK
_ROW_RE = re.compile(r'<tr data-booking-ref="([^"]+)"(?: class="([^"]*)")?>')


async def queue_json(client: Any, **params: Any) -> dict[str, Any]:
    response = await client.get("/confirmation/api/tasks", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def refs(body: dict[str, Any]) -> list[str]:
    return [item["booking_ref"] for item in body["items"]]


def deadline_of(body: dict[str, Any], ref: str) -> datetime:
    item = next(i for i in body["items"] if i["booking_ref"] == ref)
    return datetime.fromisoformat(item["deadline_at"])


def statuses(body: dict[str, Any]) -> dict[str, str]:
    return {item["booking_ref"]: item["status"] for item in body["items"]}


async def queue_page(client: Any, **params: Any) -> str:
    response = await client.page("/confirmation/", params=params)
    assert response.status_code == 200, response.text
    return str(response.text)


def page_rows(html: str) -> list[tuple[str, str]]:
    """(booking_ref, row CSS class) of each queue row, top to bottom."""
    return [(ref, css or "") for ref, css in _ROW_RE.findall(html)]


async def task_count(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        return int(
            await session.scalar(text("SELECT count(*) FROM confirmation.confirmation_task")) or 0
        )


async def mark_sent(sessionmaker: async_sessionmaker[AsyncSession], booking_ref: str) -> None:
    """The booking's unsent tasks as the sender leaves them once the hotel's channel took the
    order (sending.py), so a later cancellation has something to undo at the hotel."""
    async with sessionmaker() as session, session.begin():
        await session.execute(
            text(
                "UPDATE confirmation.confirmation_task SET state = 'sent', sent_at = now(),"
                " sent_channel = 'email' WHERE booking_ref = :ref AND state = 'unsent'"
            ),
            {"ref": booking_ref},
        )
