"""Stays to points (CS-5: points come from actual stays only; NS-7: outcomes drive points).

The no-show desk reports each booking's outcome as versioned events (``noshow.stay_completed``,
``noshow.no_show_recorded``). ``points_stay`` keeps, per booking, the newest version applied,
as payments' ``hotels/outcomes.py`` does: an older or equal version does nothing (an event
delivered twice counts once; one delivered late never undoes a newer one). A newer version
first takes back the lot the current one earned (``ledger.reverse``), then:

- stayed: a new lot ``stay:<booking>:v<version>``, pending until ``check_out +
  points_final_after_days`` (NS-3 corrections come the next day, NS-5 second checks later),
  expiring ``points_expiry_months`` after that; the points come from ``rules.stay_points``;
- a no-show (provisional or final): nothing; a provisional one already takes back a stay's
  points, so a final no-show after it changes nothing and a correction to stayed earns anew.

The member is the holder of the booking's card (``member.card_no``, upper case); a booking
with no card, or a card no member holds, earns nothing (logged, card masked).

A cancellation of a booking is its refund (payments owes the money back): ``on_refund`` takes
the stay's points back, and no later outcome of that booking earns again. The profile package
registers ``intake.booking_cancelled`` and calls it.
"""

from __future__ import annotations

import calendar
import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.members.models import member
from services.members.points import ledger, rules
from services.members.points.stays_models import points_stay
from services.members.profile import bookings
from services.members.settings import MembersSettings
from shared.clock import clock
from shared.events.noshow import NoShowRecordedV1, StayCompletedV1
from shared.i18n import _
from shared.observability import get_logger

log = get_logger("members.points.stays")
EVENTS_ACTOR = "members-events"  # moves made from another service's event
Outcome = StayCompletedV1 | NoShowRecordedV1


def add_months(day: date, months: int) -> date:
    """``day`` so many months later, on the month's last day when it is shorter."""
    years, month = divmod(day.month - 1 + months, 12)
    year = day.year + years
    last = calendar.monthrange(year, month + 1)[1]
    return day.replace(year=year, month=month + 1, day=min(day.day, last))


def _masked(card: str) -> str:
    return "*" * max(len(card) - 4, 0) + card[-4:]


async def _locked_row(session: AsyncSession, booking_id: uuid.UUID, booking_ref: str) -> Any:
    """The booking's row under its lock: two outcomes (or an outcome and a refund) of one
    booking apply one after the other."""
    fresh = {
        "booking_id": booking_id,
        "booking_ref": booking_ref,
        "outcome_version": 0,
        "outcome": "none",
        "points": 0,
        "updated_at": clock.now(),
    }
    await session.execute(
        insert(points_stay).values(**fresh).on_conflict_do_nothing(index_elements=["booking_id"])
    )
    return (
        await session.execute(
            select(points_stay).where(points_stay.c.booking_id == booking_id).with_for_update()
        )
    ).one()


async def _holder(session: AsyncSession, card: str) -> Any:
    """The member holding ``card`` (id and level), or None."""
    if not card.strip():
        return None
    return (
        await session.execute(
            select(member.c.member_id, member.c.level).where(
                member.c.card_no == card.strip().upper()
            )
        )
    ).first()


async def _earn(session: AsyncSession, outcome: StayCompletedV1, holder: Any) -> tuple[str, int]:
    """The stay's lot; its source and points ("" and 0 when it earns nothing)."""
    earned = await rules.stay_points(
        session,
        level=holder.level,
        currency=outcome.currency,
        revenue_minor=outcome.room_revenue_minor,
        nights=len(outcome.nights),
    )
    if earned.points <= 0:
        return "", 0
    settings = MembersSettings()
    final_on = outcome.check_out + timedelta(days=settings.points_final_after_days)
    source = f"stay:{outcome.booking_id}:v{outcome.outcome_version}"
    stay = _("Stay %(ref)s, %(check_in)s to %(check_out)s.") % {
        "ref": outcome.booking_ref,
        "check_in": outcome.check_in.isoformat(),
        "check_out": outcome.check_out.isoformat(),
    }
    await ledger.earn(
        session,
        member_id=holder.member_id,
        source=source,
        points=earned.points,
        earned_at=clock.now(),
        final_on=final_on,
        expires_on=add_months(final_on, settings.points_expiry_months),
        actor=outcome.recorded_by,
        note=f"{stay} {earned.note}".strip(),
    )
    return source, earned.points


async def apply_outcome(session: AsyncSession, outcome: Outcome) -> None:
    """Apply a stay outcome if it is newer than the one applied (see the module's note)."""
    row = await _locked_row(session, outcome.booking_id, outcome.booking_ref)
    ref, version = outcome.booking_ref, outcome.outcome_version
    if version <= row.outcome_version or row.refunded_at is not None:
        log.info("points_stay_outcome_ignored", booking_ref=ref, version=version,
                 applied=row.outcome_version, refunded=row.refunded_at is not None)  # fmt: skip
        return
    if row.source:
        note = _("Stay %(ref)s was corrected.") % {"ref": ref}
        await ledger.reverse(session, source=row.source, actor=outcome.recorded_by, note=note)
    holder = await _holder(session, outcome.member_card)
    if holder is None:
        log.info("points_stay_no_member", booking_ref=ref, card=_masked(outcome.member_card))
    source, points = "", 0
    if isinstance(outcome, StayCompletedV1) and holder is not None:
        source, points = await _earn(session, outcome, holder)
    kind = "stayed" if isinstance(outcome, StayCompletedV1) else "no_show"
    await session.execute(
        update(points_stay)
        .where(points_stay.c.booking_id == outcome.booking_id)
        .values(
            booking_ref=ref,
            member_id=holder.member_id if holder else None,
            outcome_version=version,
            outcome=kind,
            source=source or None,
            points=points,
            updated_at=clock.now(),
        )
    )
    await bookings.set_stay_outcome(session, outcome.booking_id, kind)


async def on_refund(session: AsyncSession, booking_id: uuid.UUID) -> int:
    """CS-5: the booking was cancelled, so its money is refunded: take back what its stay
    earned (returns the points taken back now) and let no later outcome earn again. A second
    call takes nothing."""
    row = await _locked_row(session, booking_id, "")
    if row.refunded_at is not None:
        return 0
    taken = 0
    if row.source:
        note = _("Booking %(ref)s was cancelled and refunded.") % {"ref": row.booking_ref}
        taken = await ledger.reverse(session, source=row.source, actor=EVENTS_ACTOR, note=note)
    await session.execute(
        update(points_stay)
        .where(points_stay.c.booking_id == booking_id)
        .values(refunded_at=clock.now(), updated_at=clock.now())
    )
    log.info("points_stay_refunded", booking_ref=row.booking_ref, points=taken)
    return taken
