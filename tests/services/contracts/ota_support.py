"""Sending OTA messages and reading what they changed, for the OTA and channel-manager tests."""

from __future__ import annotations

import base64
import uuid
import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

import httpx
from sqlalchemy import text

from tests.services.contracts.helpers import Sessionmaker

OTA = "{http://www.opentravel.org/OTA/2003/05}"
AVAIL, RATE_PLANS = "/contracts/api/ota/HotelAvailNotif", "/contracts/api/ota/HotelRatePlanNotif"
# Every contracts table an OTA message could write, and the credentials.
GRID_TABLES = (
    "hotel",
    "room_type",
    "rate_plan",
    "night_allotment",
    "night_rate",
    "night_restriction",
    "channel_manager",
    "outbox",
    "audit_log",
)


async def send(desk: Any, path: str, body: bytes, content_type: str = "application/xml"):
    """POST a message as a logged-in staff member (session + CSRF token)."""
    return await desk.http.post(
        path, content=body, headers={"content-type": content_type, "x-csrf-token": desk.csrf}
    )


def basic(name: str, secret: str) -> dict[str, str]:
    token = base64.b64encode(f"{name}:{secret}".encode()).decode()
    return {"authorization": f"Basic {token}"}


async def send_as_channel(
    client: httpx.AsyncClient,
    path: str,
    body: bytes,
    credential: tuple[str, str],
    content_type: str = "application/xml",
) -> httpx.Response:
    """POST a message as a channel manager's machine: HTTP Basic, no cookie, no CSRF token."""
    headers = {"content-type": content_type, **basic(*credential)}
    return await client.post(path, content=body, headers=headers)


def answer(response: httpx.Response) -> ET.Element:
    assert response.headers["content-type"].startswith("application/xml")
    return ET.fromstring(response.content)


def error_texts(root: ET.Element) -> list[str]:
    return [e.text or "" for e in root.iter(f"{OTA}Error")]


def succeeded(response: httpx.Response) -> bool:
    root = answer(response)
    return root.find(f"{OTA}Success") is not None and root.find(f"{OTA}Errors") is None


async def grid_counts(sessionmaker: Sessionmaker) -> dict[str, int]:
    """Rows in every table a message could write (the outbox included)."""
    async with sessionmaker() as session:
        return {
            table: int(await session.scalar(text(f"SELECT count(*) FROM contracts.{table}")) or 0)
            for table in GRID_TABLES
        }


async def restrictions_by_night(
    sessionmaker: Sessionmaker, room_type_id: str
) -> dict[date, dict[str, Any]]:
    async with sessionmaker() as session:
        rows = await session.execute(
            text(
                "SELECT * FROM contracts.night_restriction WHERE room_type_id = :id ORDER BY night"
            ),
            {"id": uuid.UUID(room_type_id)},
        )
        return {r.night: dict(r._mapping) for r in rows}


async def audit_actors(sessionmaker: Sessionmaker, *actions: str) -> list[str]:
    """The actors of the audit entries with these actions, oldest first."""
    async with sessionmaker() as session:
        rows = await session.execute(
            text(
                "SELECT actor FROM contracts.audit_log WHERE action = ANY(:actions) "
                "ORDER BY audit_id"
            ),
            {"actions": list(actions)},
        )
        return [r.actor for r in rows]
