"""CS-1's inquiry screen: everything an agent needs to answer a member's call in one place —
the profile and level, the card number's history, the points balance by bucket with the
points history, the member's bookings (from intake's events), and the open major complaint
(IN-8, on the member record). The page (``GET /members/{member_id}``) and the JSON
(``GET /api/members/{member_id}/inquiry``) both read this one view."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.members import service as members
from services.members.points import ledger
from services.members.profile.bookings import BookingsPage, member_bookings
from services.members.profile.models import card_change
from services.members.settings import SCHEMA
from shared.audit import audit_table


class CardChange(BaseModel):
    old_card: str
    new_card: str
    reason: str
    changed_by: str
    changed_at: datetime


class LevelChange(BaseModel):
    old_level: str
    new_level: str
    changed_by: str
    changed_at: datetime


class Inquiry(BaseModel):
    member: members.MemberView
    card_changes: list[CardChange]
    level_changes: list[LevelChange]
    balance: ledger.PointsBalance
    points: ledger.PointsHistory
    bookings: BookingsPage


async def card_changes(session: AsyncSession, member_id: uuid.UUID) -> list[CardChange]:
    """The member's card numbers, newest change first."""
    rows = await session.execute(
        select(card_change)
        .where(card_change.c.member_id == member_id)
        .order_by(card_change.c.changed_at.desc(), card_change.c.change_id.desc())
    )
    return [CardChange.model_validate(r._mapping, from_attributes=False) for r in rows]


async def level_changes(session: AsyncSession, member_id: uuid.UUID) -> list[LevelChange]:
    """The member's level changes, from the audit (``members.service.update_member``)."""
    audit = audit_table(SCHEMA)
    rows = await session.execute(
        select(audit.c.before, audit.c.after, audit.c.actor, audit.c.at)
        .where(
            audit.c.entity == "member",
            audit.c.entity_id == str(member_id),
            audit.c.action == "change_level",
        )
        .order_by(audit.c.audit_id.desc())
    )
    return [
        LevelChange(
            old_level=str((before or {}).get("level", "")),
            new_level=str((after or {}).get("level", "")),
            changed_by=actor,
            changed_at=at,
        )
        for before, after, actor, at in rows.all()
    ]


async def inquiry(
    session: AsyncSession,
    *,
    member_id: uuid.UUID,
    points_page: int = 1,
    bookings_page: int = 1,
) -> Inquiry:
    """The whole inquiry screen for one member (404 when there is no such member)."""
    found = await members.get_member(session, member_id=member_id)
    changes = await card_changes(session, member_id)
    cards = [found.card_no, *(change.old_card for change in changes)]
    return Inquiry(
        member=found,
        card_changes=changes,
        level_changes=await level_changes(session, member_id),
        balance=await ledger.balance(session, member_id=member_id),
        points=await ledger.history(session, member_id=member_id, page=points_page),
        bookings=await member_bookings(session, cards=cards, page=bookings_page),
    )
