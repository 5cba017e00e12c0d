"""The desk's work on a case: calls to the booker (NS-2, NS-4), a provisional no-show, the
second check with the hotel that makes it final or stayed (NS-5), and the correction of a
final no-show to stayed (NS-3). Every change locks the case's row, is audited, and publishes
its outcome in the same transaction (``outcomes``); nothing here commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.noshow import outcomes
from services.noshow.models import BookerCall, HotelCheck, NoShowCase
from services.noshow.settings import SCHEMA
from shared import audit
from shared.auth import Staff
from shared.clock import clock
from shared.errors import Conflict
from shared.i18n import N_, _

# NS-2: why the guest did not come, as the booker tells it.
REASONS: dict[str, str] = {
    "changed_plans": N_("Changed plans"),
    "stayed_elsewhere": N_("Stayed elsewhere"),
    "hotel_error": N_("Hotel error"),
    "name_mismatch": N_("Name mismatch"),
    "cancelled_without_telling": N_("Cancelled without telling us"),
    "other": N_("Other"),
}
STATES: dict[str, str] = {
    outcomes.OPEN: N_("Open"),
    outcomes.PROVISIONAL: N_("Provisional no-show"),
    outcomes.FINAL: N_("Final no-show"),
    outcomes.STAYED: N_("Stayed"),
}

# What the case page's history calls each audited action.
HISTORY: dict[str, str] = {
    "call_recorded": N_("Call recorded"),
    "marked_provisional": N_("Marked provisional no-show"),
    "second_check": N_("Second check with the hotel"),
    "corrected_to_stayed": N_("Corrected to stayed"),
}


@dataclass(frozen=True)
class CallInput:
    reached: bool
    reason_category: str
    reminder_given: bool
    suggestion: str
    note: str


@dataclass(frozen=True)
class HotelCheckInput:
    hotel_contact: str
    hotel_said: str
    guest_stayed: bool


async def record_call(
    session: AsyncSession, case_id: uuid.UUID, call: CallInput, staff: Staff
) -> BookerCall:
    """NS-2 / NS-4: one contact with the booker; its reason becomes the case's."""
    case, _booking = await outcomes.lock_case(session, case_id)
    row = BookerCall(
        case_id=case.case_id,
        reached=call.reached,
        reason_category=call.reason_category,
        reminder_given=call.reminder_given,
        suggestion=call.suggestion,
        note=call.note,
        called_by=staff.username,
        called_at=clock.now(),
    )
    session.add(row)
    if call.reason_category:
        case.reason_category = call.reason_category
    await session.flush()
    await _audit(session, staff, "call_recorded", case, after=_call_record(call))
    return row


async def mark_provisional(
    session: AsyncSession, case_id: uuid.UUID, staff: Staff, note: str = ""
) -> NoShowCase:
    """NS-1 / NS-5: the guest did not come, as far as we know: a provisional no-show."""
    case, booking = await outcomes.lock_case(session, case_id)
    if case.state != outcomes.OPEN:
        raise Conflict(_("Only an open case can be marked a provisional no-show."))
    await outcomes.record_no_show(
        session, case, booking, stage="provisional", actor=staff.username, at=clock.now(), note=note
    )
    await _audit(session, staff, "marked_provisional", case, after={"note": note})
    return case


async def second_check(
    session: AsyncSession, case_id: uuid.UUID, check: HotelCheckInput, staff: Staff
) -> NoShowCase:
    """NS-5: the hotel confirms (final no-show, with the contract's fee) or says the guest
    stayed after all (stayed). Only a provisional case takes a second check."""
    case, booking = await outcomes.lock_case(session, case_id)
    if case.state != outcomes.PROVISIONAL:
        raise Conflict(_("A second check needs a provisional no-show."))
    now = clock.now()
    session.add(
        HotelCheck(
            case_id=case.case_id,
            hotel_contact=check.hotel_contact,
            hotel_said=check.hotel_said,
            guest_stayed=check.guest_stayed,
            checked_by=staff.username,
            checked_at=now,
        )
    )
    note = check.hotel_said
    if check.guest_stayed:
        await outcomes.finish_stayed(
            session, case, booking, actor=staff.username, at=now, note=note
        )
    else:
        await outcomes.record_no_show(
            session, case, booking, stage="final", actor=staff.username, at=now, note=note
        )
    await session.flush()
    after = {"hotel_contact": check.hotel_contact, "guest_stayed": check.guest_stayed}
    await _audit(session, staff, "second_check", case, after=after)
    return case


async def correct_to_stayed(
    session: AsyncSession, case_id: uuid.UUID, staff: Staff, note: str
) -> NoShowCase:
    """NS-3: the audit missed the guest: a final no-show becomes stayed, once. The row lock
    makes a second try (a double click, a retried request) see the case already stayed."""
    case, booking = await outcomes.lock_case(session, case_id)
    if case.state != outcomes.FINAL:
        raise Conflict(_("Only a final no-show can be corrected to stayed."))
    await outcomes.finish_stayed(
        session, case, booking, actor=staff.username, at=clock.now(), note=note
    )
    await session.flush()
    await _audit(session, staff, "corrected_to_stayed", case, after={"note": note})
    return case


def _call_record(call: CallInput) -> dict[str, object]:
    return {
        "reached": call.reached,
        "reason_category": call.reason_category,
        "reminder_given": call.reminder_given,
        "suggestion": call.suggestion,
        "note": call.note,
    }


async def _audit(
    session: AsyncSession,
    staff: Staff,
    action: str,
    case: NoShowCase,
    *,
    after: dict[str, object],
) -> None:
    await audit.record(
        session,
        schema=SCHEMA,
        actor=staff,
        action=action,
        entity="no_show_case",
        entity_id=case.case_id,
        after={"state": case.state, "outcome_version": case.outcome_version, **after},
    )
