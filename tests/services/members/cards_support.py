"""Factories for the cards tests (CS-4): members and their stays written straight into the
members schema (how a member joined and their bookings come from other packages)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert, text

from services.members.models import member
from services.members.profile.models import member_booking
from shared.clock import clock
from shared.db import unit_of_work

ADDRESS = {"address": "朝阳区建国路 88 号 3 单元 1203", "postcode": "100022", "city": "北京"}


def member_row(card_no: str, **overrides: Any) -> dict[str, Any]:
    now = clock.now()
    row = {
        "member_id": uuid.uuid4(),
        "card_no": card_no,
        "name": f"Member {card_no}",
        "phones": ["13912345678"],
        "phone_keys": ["13912345678"],
        "level": "standard",
        "complaint_open": False,
        "complaint_note": "",
        "joined_via": "online",
        "joined_on": clock.today(),
        "version_no": 1,
        "created_at": now,
        "updated_at": now,
        **ADDRESS,
    }
    return {**row, **overrides}


async def add_members(sessionmaker: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    async with unit_of_work(sessionmaker) as session:
        await session.execute(insert(member), rows)
    return rows


async def add_stay(
    sessionmaker: Any, card_no: str, check_out: date, *, outcome: str | None = "stayed"
) -> None:
    async with unit_of_work(sessionmaker) as session:
        await session.execute(
            insert(member_booking).values(
                booking_id=uuid.uuid4(),
                member_card=card_no,
                booking_ref=f"RL{uuid.uuid4().hex[:8].upper()}",
                hotel_id=uuid.uuid4(),
                hotel_name="Peace Hotel",
                check_in=check_out - timedelta(days=2),
                check_out=check_out,
                rooms=1,
                currency="CNY",
                total_sell_minor=80_000,
                status="placed",
                stay_outcome=outcome,
                booking_version=1,
                updated_at=clock.now(),
            )
        )


async def scalar(sessionmaker: Any, sql: str, **params: Any) -> Any:
    async with sessionmaker() as session:
        return await session.scalar(text(sql), params)


async def open_followup(sessionmaker: Any) -> uuid.UUID:
    """A member who joined long ago and never stayed, listed on the worklist (CS-4)."""
    from services.members.cards.inactive import refresh

    joined = clock.today() - timedelta(days=400)
    await add_members(sessionmaker, [member_row("M990001", joined_on=joined)])
    async with unit_of_work(sessionmaker) as session:
        await refresh(session, actor="test")
    followup: uuid.UUID = await scalar(
        sessionmaker,
        "SELECT f.followup_id FROM members.inactive_followup f JOIN members.member m"
        " USING (member_id) WHERE m.card_no = 'M990001' AND f.status = 'open'",
    )
    return followup
