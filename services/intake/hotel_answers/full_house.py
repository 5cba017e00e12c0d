"""What the booking desk sees of the hotels' answers (CF-3, CF-4): the full-house banner on an
agent's search page, his acknowledgement that he called the customer, and the answers on the
booking page. The answers themselves arrive as events (``confirmation_outcomes.py``).

CF-3 says the booking is set to full; the customer still expects a room, so the agent who took
the booking is told on his own search page until he records that he called the customer with
alternatives. The acknowledgement is audited (who, when). Service functions never commit.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.booking.repository import AnyRow
from services.intake.booking.schemas import BookingView
from services.intake.hotel_answers import repository as outcomes_repository
from services.intake.settings import SCHEMA
from shared import audit
from shared.auth import Role, Staff
from shared.clock import clock
from shared.errors import Forbidden, NotFound
from shared.i18n import N_, _

RULE = "CF-3"
# What a hotel's confirmation was for (translated where shown, ``{{ _(answer_kinds[…]) }}``).
ANSWER_KINDS: dict[str, str] = {"new": N_("new"), "modify": N_("modify"), "cancel": N_("cancel")}


class FullHouseNotice(BaseModel):
    """A booking the hotel refused as full house, for its agent to call the customer about."""

    booking_id: uuid.UUID
    booking_ref: str
    agent_username: str
    reason: str
    marked_by: str
    marked_at: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None


class HotelAnswerView(BaseModel):
    """One answer of the hotel as the confirmation desk recorded it (CF-3, CF-4)."""

    outcome: str  # confirmed or full
    kind: str | None  # new, modify or cancel
    booking_version: int | None
    confirmation_no: str | None
    reason: str | None
    answered_by: str
    answered_at: datetime
    applied: bool  # False: a late answer for an older version, kept for the record


def _notice(row: AnyRow) -> FullHouseNotice:
    return FullHouseNotice.model_validate(row._asdict())


async def open_notices(session: AsyncSession, *, staff: Staff) -> list[FullHouseNotice]:
    """The caller's own bookings gone full house that he has not yet called about."""
    return [_notice(row) for row in await outcomes_repository.open_notices(session, staff.username)]


async def acknowledge(session: AsyncSession, *, staff: Staff, booking_ref: str) -> FullHouseNotice:
    """Record that the customer was called with alternatives; repeating it changes nothing.

    The booking's own agent acknowledges; a team lead may do it for an agent who has gone."""
    ref = booking_ref.strip().upper()
    row = await outcomes_repository.notice_for(session, booking_ref=ref, for_update=True)
    if row is None:
        raise NotFound(_("Booking %(ref)s has not gone full house.") % {"ref": ref})
    if row.agent_username != staff.username and Role.TEAM_LEAD.value not in staff.roles:
        raise Forbidden(
            _("Booking %(ref)s is %(agent)s's; they call the customer.")
            % {"ref": ref, "agent": row.agent_username}
        )
    if row.acknowledged_at is not None:
        return _notice(row)
    now = clock.now()
    done = await outcomes_repository.acknowledge_notice(
        session, row.booking_id, by=staff.username, at=now
    )
    await audit.record(
        session,
        schema=SCHEMA,
        actor=staff,
        action="full_house_called",
        entity="booking",
        entity_id=ref,
        after={"acknowledged_at": now.isoformat(), "rule": RULE},
    )
    return _notice(done)


async def booking_page_context(session: AsyncSession, booking: BookingView) -> dict[str, Any]:
    """What booking.html shows of the hotel's answers: every answer, the full-house notice
    and, for a full booking, the hotel's city to search alternatives in."""
    answers = await outcomes_repository.answers_for(session, booking.booking_id)
    notice = await outcomes_repository.notice_for(session, booking_ref=booking.booking_ref)
    city = None
    if notice is not None:
        city = await outcomes_repository.hotel_city(session, booking.hotel_id)
    return {
        "hotel_answers": [HotelAnswerView.model_validate(a._asdict()) for a in answers],
        "full_house": _notice(notice) if notice is not None else None,
        "alternatives_city": city,
        "answer_kinds": ANSWER_KINDS,
    }
