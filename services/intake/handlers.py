"""Events the intake service subscribes to: contracts' hotels, allotments, prices and
restrictions (``restrictions.on_restrictions_set``), members' callers and complaints (raised as
memos, ``memos.complaints``), and the confirmation
desk's record of the hotels' answers (``confirmation_outcomes``).

They feed intake's own projection of sellable inventory (ARCHITECTURE: no cross-schema reads).
Contracts' events carry the hotel's event version (``envelope.aggregate_version``); each row
keeps the version that wrote it and only a higher one replaces it (``shared.events.ordering``).
Each runs inside ``shared.events.consumer.apply_once``, which records the event id in the inbox
in the same transaction, so a redelivered event has no second effect.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.callers import service as callers
from services.intake.hotel_answers import service as confirmation_outcomes
from services.intake.inventory import conditions, contracted, projection, recommended, restrictions
from services.intake.inventory.bulk import on_rates_imported
from services.intake.memos import complaints as complaint_memos
from services.intake.stay_outcomes import service as stay_outcomes
from shared.events import Envelope
from shared.events.confirmation import BookingConfirmedV1, FullHouseV1
from shared.events.consumer import Handler
from shared.events.contracts import (
    AllotmentSetV1,
    ConditionsPublishedV1,
    ContractEffectiveV1,
    HotelPublishedV1,
    RatesImportedV1,
    RatesPublishedV1,
    RecommendationApprovedV1,
    RestrictionsSetV1,
)
from shared.events.members import ComplaintRoutedV1, MemberUpdatedV1
from shared.events.noshow import NoShowRecordedV1, StayCompletedV1
from shared.events.ordering import source_version
from shared.observability import get_logger

log = get_logger("intake.handlers")


async def on_hotel_published(session: AsyncSession, envelope: Envelope) -> None:
    """A full snapshot of the hotel's file: hotel, room types and rate plans (HR-2)."""
    event = envelope.parse()
    assert isinstance(event, HotelPublishedV1)
    applied = await projection.upsert_hotel(
        session,
        event,
        occurred_at=envelope.occurred_at,
        source_version=source_version(envelope),
    )
    if not applied:
        log.info("hotel_snapshot_stale", hotel_id=str(event.hotel_id))
        return
    await projection.replace_room_types(session, event)
    await projection.replace_rate_plans(session, event)


async def on_allotment_set(session: AsyncSession, envelope: Envelope) -> None:
    """Absolute rooms per night; never below what is already sold (IN-4: no overbooking)."""
    event = envelope.parse()
    assert isinstance(event, AllotmentSetV1)
    asked = {n.night: n.rooms for n in event.nights}
    applied = await projection.upsert_allotment(
        session,
        hotel_id=event.hotel_id,
        room_type_id=event.room_type_id,
        nights=event.nights,
        occurred_at=envelope.occurred_at,
        source_version=source_version(envelope),
    )
    for night, allotment, sold in applied:
        if allotment != asked[night]:
            # The hotel cut the allotment below rooms we already sold: those stay sold and
            # the night is simply full; hotel resources must settle the difference (CF-3).
            log.warning(
                "allotment_reduction_clamped",
                room_type_id=str(event.room_type_id),
                night=night.isoformat(),
                asked=asked[night],
                sold=sold,
                allotment=allotment,
            )
    if len(applied) < len(asked):
        log.info("allotment_nights_stale", skipped=len(asked) - len(applied))


async def on_rates_published(session: AsyncSession, envelope: Envelope) -> None:
    """Per-night net and sell prices of one rate plan."""
    event = envelope.parse()
    assert isinstance(event, RatesPublishedV1)
    await projection.upsert_rates(
        session,
        hotel_id=event.hotel_id,
        rate_plan_id=event.rate_plan_id,
        room_type_id=event.room_type_id,
        currency=event.currency,
        nights=event.nights,
        occurred_at=envelope.occurred_at,
        source_version=source_version(envelope),
    )


HANDLERS: dict[str, Handler] = {
    RecommendationApprovedV1.name: recommended.on_recommendation_approved,
    ConditionsPublishedV1.name: conditions.on_conditions_published,
    HotelPublishedV1.name: on_hotel_published,
    AllotmentSetV1.name: on_allotment_set,
    RatesPublishedV1.name: on_rates_published,
    # Issue 19: a rate sheet's nights of one hotel, one statement per table.
    RatesImportedV1.name: on_rates_imported,
    RestrictionsSetV1.name: restrictions.on_restrictions_set,
    # HR-3: only nights inside a signed contract are sold.
    ContractEffectiveV1.name: contracted.on_contract_effective,
    # IN-8: the caller panel's copy of members and their open complaints.
    MemberUpdatedV1.name: callers.on_member_updated,
    # CF-4 / CF-3: the hotel's answers, recorded by the confirmation desk.
    BookingConfirmedV1.name: confirmation_outcomes.on_booking_confirmed,
    FullHouseV1.name: confirmation_outcomes.on_full_house,
    # Issue 16 (NS-3, NS-5, NS-7): the stay's outcome, from the no-show desk.
    StayCompletedV1.name: stay_outcomes.on_stay_completed,
    NoShowRecordedV1.name: stay_outcomes.on_no_show_recorded,
    # CS-3 (issue 18): a member's complaint as a memo in the department's list (IN-7).
    ComplaintRoutedV1.name: complaint_memos.on_complaint_routed,
}
