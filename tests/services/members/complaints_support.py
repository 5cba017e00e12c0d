"""What the complaints tests share: a member, a hotel as contracts publishes it, a complaint
filed through the API, events delivered through the inbox, the outbox read back."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.members.handlers import HANDLERS
from shared.clock import clock
from shared.events import Payload, envelope_for
from shared.events.consumer import apply_once
from shared.events.contracts import HotelPublishedV1

Sessionmaker = async_sessionmaker[AsyncSession]
API = "/members/api/complaints"
PAGES = "/members/complaints"


def beijing(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=clock.business_tz)


async def deliver(
    sessionmaker: Sessionmaker, payload: Payload, *, source: str, version: int | None = None
) -> str:
    """One delivery through the members inbox, as the worker would."""
    envelope = envelope_for(
        payload, source=source, occurred_at=clock.now(), aggregate_version=version
    )
    return await apply_once(
        sessionmaker, service="members", schema="members", handlers=HANDLERS, envelope=envelope
    )


async def publish_hotel(
    sessionmaker: Sessionmaker, *, name: str = "和平饭店", version: int = 1,
    hotel_id: uuid.UUID | None = None,
) -> uuid.UUID:  # fmt: skip
    hotel_id = hotel_id or uuid.uuid4()
    published = HotelPublishedV1(
        hotel_id=hotel_id, name_zh=name, name_en="Peace Hotel", city="上海", star_grade=5,
        currency="CNY", confirm_channel="fax", room_types=[], rate_plans=[],
    )  # fmt: skip
    await deliver(sessionmaker, published, source="contracts", version=version)
    return hotel_id


async def new_member(desk: Any, card_no: str = "M200001") -> dict[str, Any]:
    body = {"card_no": card_no, "name": "王芳", "phones": ["13912345678"], "level": "gold"}
    response = await desk.post_json("/members/api/members", body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def complaint_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "complainant_name": "王芳",
        "contact_phone": "13912345678",
        "category": "room",
        "severity": "minor",
        "summary": "空调坏了，换房等了两个小时",
        "department": "hotel_resources",
    }
    return {**body, **overrides}


async def file(desk: Any, **overrides: Any) -> dict[str, Any]:
    response = await desk.post_json(API, complaint_body(**overrides))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def outbox(sessionmaker: Sessionmaker, name: str) -> list[dict[str, Any]]:
    async with sessionmaker() as session:
        rows = await session.execute(
            text("SELECT payload FROM members.outbox WHERE name = :n ORDER BY created_at"),
            {"n": name},
        )
        return [row.payload for row in rows]


async def count(sessionmaker: Sessionmaker, sql: str) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(text(sql)) or 0)
