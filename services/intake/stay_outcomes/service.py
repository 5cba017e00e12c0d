"""The stay's outcome reaches the booking desk (issue 16): ``noshow.stay_completed`` and
``noshow.no_show_recorded`` become the booking's outcome and entries in its history.

Each runs inside ``apply_once`` (the inbox drops a redelivered event id) and is idempotent by
itself too: every outcome version is kept once (``stay_outcome_entry``), and the booking's
current outcome is replaced only by a higher ``outcome_version`` (``shared.events.ordering``),
so events delivered twice or out of order leave the newest (NS-3: a correction is a new,
higher version, never an edit). Intake's own ``status`` stays as it was: the outcome is the
no-show desk's word on the stay, shown beside it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.booking.schemas import BookingView
from services.intake.settings import SCHEMA
from services.intake.stay_outcomes import repository
from shared import audit
from shared.events import Envelope
from shared.events.noshow import NoShowRecordedV1, StayCompletedV1, StayOutcome
from shared.i18n import N_
from shared.observability import get_logger

log = get_logger("intake.stay_outcomes")

# How the booking page names an outcome; the key is ``state_key`` of a row.
OUTCOME_TITLES = {
    "stayed": N_("Stayed"),
    "no_show_provisional": N_("No-show, provisional"),
    "no_show_final": N_("No-show"),
}
# NS-5: a provisional no-show is not yet the hotel's last word.
PROVISIONAL_HINT = N_("Awaiting the second check with the hotel.")


def state_key(row: Any) -> str:
    return "stayed" if row.outcome == "stayed" else f"no_show_{row.stage}"


async def on_stay_completed(session: AsyncSession, envelope: Envelope) -> None:
    """NS-7: the guest stayed (or, with ``corrects_version``, was corrected to stayed, NS-3)."""
    event = envelope.parse()
    assert isinstance(event, StayCompletedV1)
    stayed = {
        "outcome": "stayed",
        "stage": None,
        "nights_stayed": len(event.nights),
        "room_revenue_minor": event.room_revenue_minor,
        "fee_minor": None,
    }
    await _record(session, envelope, event, stayed)


async def on_no_show_recorded(session: AsyncSession, envelope: Envelope) -> None:
    """NS-1 / NS-5: a no-show, provisional until the second check, then final."""
    event = envelope.parse()
    assert isinstance(event, NoShowRecordedV1)
    no_show = {
        "outcome": "no_show",
        "stage": event.stage,
        "nights_stayed": None,
        "room_revenue_minor": None,
        "fee_minor": event.fee_minor,
        "reason_category": event.reason_category,
    }
    await _record(session, envelope, event, no_show)


async def _record(
    session: AsyncSession, envelope: Envelope, event: StayOutcome, outcome: dict[str, Any]
) -> None:
    if not await repository.booking_exists(session, event.booking_id):
        log.warning("stay_outcome_for_unknown_booking", booking_ref=event.booking_ref)
        return
    entry = {
        "booking_id": event.booking_id, "outcome_version": event.outcome_version,
        "event_id": envelope.event_id, "corrects_version": event.corrects_version,
        "currency": event.currency, "reason_category": "", "note": event.note,
        "recorded_by": event.recorded_by, "recorded_at": event.recorded_at, **outcome,
    }  # fmt: skip
    if not await repository.insert_entry(session, entry):
        return  # this outcome version is kept already
    if not await repository.apply_current(session, entry):
        log.info("stay_outcome_stale", booking_ref=event.booking_ref, version=event.outcome_version)
        return
    await audit.record(
        session,
        schema=SCHEMA,
        actor=f"noshow:{event.recorded_by}",  # the desk user who established it
        action="stay_outcome",
        entity="booking",
        entity_id=event.booking_ref,
        after={
            "outcome": outcome["outcome"], "stage": outcome["stage"],
            "outcome_version": event.outcome_version, "corrects_version": event.corrects_version,
        },
    )  # fmt: skip


async def booking_page_context(session: AsyncSession, booking: BookingView) -> dict[str, Any]:
    """What ``_stay_outcome.html`` and the history's ``_stay_timeline.html`` need."""
    return {
        "stay_outcome": await repository.current(session, booking.booking_id),
        "stay_entries": await repository.entries(session, booking.booking_id),
        "outcome_titles": OUTCOME_TITLES,
        "outcome_state": state_key,
        "provisional_hint": PROVISIONAL_HINT,
    }
