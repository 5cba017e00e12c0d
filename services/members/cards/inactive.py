"""CS-4: members with no actual stays are followed up (lost card? no use? a booking problem?)
to turn them active.

A member is **inactive** when they have no actual stay in the last ``inactive_after_days``
(``ROOMLINE_INACTIVE_AFTER_DAYS``, 180 by default): their last stay is the latest check-out of
their bookings with ``stay_outcome = 'stayed'`` (profile's ``member_booking``, matched by the
card the booking carried: the member's card now or any card they had before, ``card_change``),
and a member who never stayed counts from the day they joined. Precisely: inactive when
``greatest(last check-out, joined_on) < today − period``.

``refresh`` (the 08:00 job and the desk's button) lists every inactive member who has no open
item and was not followed up (item done) within the last period; one open item per member is
also held by a partial unique index, so a click racing the job lists nobody twice.
``record_outcome`` closes an item with what the call found; a booking problem needs a note.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Date, and_, func, literal, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.members.cards.models import inactive_followup
from services.members.models import member
from services.members.profile.models import card_change, member_booking
from services.members.settings import SCHEMA, MembersSettings
from shared import audit
from shared.auth import Staff
from shared.clock import clock
from shared.db import unit_of_work
from shared.errors import Conflict, InvalidInput, NotFound
from shared.i18n import N_
from shared.limits import Text

PER_PAGE = 50
Outcome = Literal["lost_card", "no_need", "booking_problem", "moved", "unreachable", "other"]
# How the page names each outcome (translated where shown).
OUTCOME_NAMES: dict[str, str] = {
    "lost_card": N_("Lost card"),
    "no_need": N_("No need at the moment"),
    "booking_problem": N_("A booking problem"),
    "moved": N_("Moved away"),
    "unreachable": N_("Could not be reached"),
    "other": N_("Other"),
}


class OutcomeIn(BaseModel):
    """What the follow-up call found; a booking problem is described in the note."""

    model_config = ConfigDict(extra="ignore")
    outcome: Outcome
    note: Text(500) = ""  # type: ignore[valid-type]


def period_days() -> int:
    return MembersSettings().inactive_after_days


def _last_stay() -> Any:
    """The member's latest actual stay (check-out), under any card they have held."""
    old_cards = select(card_change.c.old_card).where(card_change.c.member_id == member.c.member_id)
    return (
        select(func.max(member_booking.c.check_out))
        .where(
            member_booking.c.stay_outcome == "stayed",
            or_(
                member_booking.c.member_card == member.c.card_no,
                member_booking.c.member_card.in_(old_cards),
            ),
        )
        .scalar_subquery()
    )


async def refresh(session: AsyncSession, *, actor: Staff | str) -> int:
    """List the inactive members not already open nor followed up within the period."""
    days = period_days()
    today = clock.today()
    cutoff = today - timedelta(days=days)
    recently = clock.start_of_local_day(cutoff)
    last_stay = _last_stay()
    followed = select(inactive_followup.c.member_id).where(
        or_(inactive_followup.c.status == "open", inactive_followup.c.done_at >= recently)
    )
    candidates = (
        select(member.c.member_id, last_stay.label("last_stay_on"))
        .where(member.c.joined_on < cutoff, member.c.member_id.not_in(followed))
        .subquery()
    )
    inactive = select(
        func.gen_random_uuid(),
        candidates.c.member_id,
        literal(today, Date),
        candidates.c.last_stay_on,
    ).where(or_(candidates.c.last_stay_on.is_(None), candidates.c.last_stay_on < cutoff))
    added = await session.execute(
        insert(inactive_followup)
        .from_select(["followup_id", "member_id", "listed_on", "last_stay_on"], inactive)
        .on_conflict_do_nothing(index_elements=["member_id"], index_where=text("status = 'open'"))
        .returning(inactive_followup.c.followup_id)
    )
    count = len(added.all())
    if count:
        await audit.record(
            session,
            schema=SCHEMA,
            actor=actor,
            action="inactive_listed",
            entity="inactive_followup",
            entity_id=today,
            after={"added": count, "period_days": days},
        )
    return count


@dataclass(frozen=True)
class Item:
    followup_id: uuid.UUID
    member_id: uuid.UUID
    card_no: str
    name: str
    phones: list[str]
    joined_on: date
    listed_on: date
    last_stay_on: date | None


async def open_items(session: AsyncSession, *, page: int) -> tuple[list[Item], int, int]:
    """Open items, oldest first (listed first, then longest without a stay); the last stay
    is read now, so a member who stayed since listing shows it. Items, total, pages."""
    f = inactive_followup
    total = await session.scalar(select(func.count()).where(f.c.status == "open")) or 0
    rows = await session.execute(
        select(
            f.c.followup_id,
            f.c.member_id,
            member.c.card_no,
            member.c.name,
            member.c.phones,
            member.c.joined_on,
            f.c.listed_on,
            _last_stay().label("last_stay_on"),
        )
        .join(member, member.c.member_id == f.c.member_id)
        .where(f.c.status == "open")
        .order_by(
            f.c.listed_on, func.coalesce(f.c.last_stay_on, member.c.joined_on), member.c.card_no
        )
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    return [Item(**row._mapping) for row in rows], total, max(1, -(-total // PER_PAGE))


async def load(session: AsyncSession, followup_id: uuid.UUID) -> dict[str, Any]:
    row = (
        await session.execute(
            select(inactive_followup)
            .where(inactive_followup.c.followup_id == followup_id)
            .with_for_update()
        )
    ).one_or_none()
    if row is None:
        raise NotFound(N_("No such follow-up."))
    return dict(row._mapping)


async def record_outcome(
    session: AsyncSession, *, followup_id: uuid.UUID, actor: Staff, data: OutcomeIn
) -> datetime:
    """Close an open item with the call's outcome; a booking problem needs a note."""
    item = await load(session, followup_id)
    if item["status"] != "open":
        raise Conflict(N_("This follow-up is already done."))
    note = data.note.strip()
    if data.outcome == "booking_problem" and not note:
        raise InvalidInput(N_("Describe the booking problem in the note."), field="note")
    now = clock.now()
    await session.execute(
        update(inactive_followup)
        .where(and_(inactive_followup.c.followup_id == followup_id))
        .values(status="done", outcome=data.outcome, note=note, done_by=actor.username, done_at=now)
    )
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action="inactive_followed_up",
        entity="inactive_followup",
        entity_id=followup_id,
        before={"status": "open"},
        after={"status": "done", "outcome": data.outcome, "note": note},
    )
    return now


async def refresh_job(ctx: dict[str, Any]) -> int:
    """Cron, 08:00: the day's new inactive members onto the worklist (CS-4)."""
    async with unit_of_work(ctx["sessionmaker"]) as session:
        return await refresh(session, actor="cron")
