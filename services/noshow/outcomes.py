"""A case's outcome as events (NS-1, NS-3, NS-5, NS-7, SL-4).

Every outcome bumps the case's ``outcome_version`` while the caller holds the case's row lock
(``lock_case``), in the transaction that publishes it, so consumers order a booking's outcomes
by it (aggregate ``stay:<booking_id>``). A correction is a new outcome naming the version it
replaces. Nothing here commits (one commit rule).

The no-show fee (NS-7), kept simple and stated here: ``first_night`` is the first night's sell
price of all rooms; ``whole_stay`` the sell of every night; ``percent`` that percentage of the
whole stay's sell, rounded down to the minor unit; ``none`` or a hotel without terms: 0.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.noshow.models import HotelTerms, NoShowCase, StayBooking
from services.noshow.settings import SCHEMA
from shared.errors import NotFound
from shared.events.noshow import (
    CaseFinishedV1,
    NoShowRecordedV1,
    StayCompletedV1,
    StayedNight,
)
from shared.events.outbox import publish_many

OPEN, PROVISIONAL, FINAL, STAYED = "open", "provisional", "final", "stayed"
UNFINISHED = (OPEN, PROVISIONAL)


async def lock_case(session: AsyncSession, case_id: uuid.UUID) -> tuple[NoShowCase, StayBooking]:
    """The case under its row lock, with its booking; NotFound when there is none."""
    row = (
        await session.execute(
            select(NoShowCase, StayBooking)
            .join(StayBooking, StayBooking.booking_id == NoShowCase.booking_id)
            .where(NoShowCase.case_id == case_id)
            .with_for_update(of=NoShowCase)
        )
    ).one_or_none()
    if row is None:
        raise NotFound("No such no-show case.")
    return row[0], row[1]


def _common(
    case: NoShowCase, booking: StayBooking, *, actor: str, at: datetime, note: str
) -> dict[str, Any]:
    # Any earlier outcome (a provisional or final no-show) is replaced by this one.
    corrects = case.outcome_version if case.state != OPEN and case.outcome_version else None
    case.outcome_version += 1
    return {
        "booking_id": booking.booking_id,
        "booking_ref": booking.booking_ref,
        "booking_version": booking.booking_version,
        "outcome_version": case.outcome_version,
        "hotel_id": booking.hotel_id,
        "member_card": booking.member_card,
        "agent_username": booking.agent_username,
        "payment_mode": booking.payment_mode,
        "currency": booking.currency,
        "check_in": booking.check_in,
        "check_out": booking.check_out,
        "rooms": booking.rooms,
        "recorded_by": actor,
        "recorded_at": at,
        "corrects_version": corrects,
        "note": note[:2000],
    }


def stayed_nights(booking: StayBooking, nights_stayed: int | None = None) -> list[StayedNight]:
    """The booking's nights, the first ``nights_stayed`` of them when the hotel said so."""
    nights = sorted(booking.nights, key=lambda n: str(n["night"]))
    if nights_stayed is not None and nights_stayed > 0:
        nights = nights[:nights_stayed]
    return [
        StayedNight(
            night=date.fromisoformat(str(n["night"])),
            sell_minor=int(n["sell_minor"]),
            net_minor=int(n["net_minor"]),
        )
        for n in nights
    ]


async def finish_stayed(
    session: AsyncSession,
    case: NoShowCase,
    booking: StayBooking,
    *,
    actor: str,
    at: datetime,
    note: str = "",
    nights_stayed: int | None = None,
    listed: bool = True,
) -> None:
    """The guest stayed: StayCompletedV1 (a correction when the case was final, NS-3), and
    CaseFinishedV1 when the case was still on the worklist (SL-4; ``listed`` false: a case
    settled as it is created, never announced)."""
    was_unfinished = listed and case.state in UNFINISHED
    case.corrected = case.corrected or case.state == FINAL  # NS-3
    nights = stayed_nights(booking, nights_stayed)
    common = _common(case, booking, actor=actor, at=at, note=note)
    payloads: list[Any] = [
        StayCompletedV1(
            **common,
            nights=nights,
            room_revenue_minor=sum(n.sell_minor for n in nights),
            net_minor=sum(n.net_minor for n in nights),
        )
    ]
    if was_unfinished:
        payloads.append(_finished(case, booking, "stayed", at))
    case.state, case.finished_at = STAYED, case.finished_at or at
    await publish_many(session, schema=SCHEMA, payloads=payloads, occurred_at=at)


def fee_minor(booking: StayBooking, terms: HotelTerms | None) -> int:
    """NS-7: what a final no-show costs under the hotel's terms (see the module's note)."""
    if terms is None or terms.no_show_fee == "none":
        return 0
    sells = [int(n["sell_minor"]) for n in sorted(booking.nights, key=lambda n: str(n["night"]))]
    if terms.no_show_fee == "first_night":
        return sells[0] if sells else 0
    if terms.no_show_fee == "whole_stay":
        return sum(sells)
    if terms.no_show_fee == "percent" and terms.no_show_fee_percent:
        return sum(sells) * terms.no_show_fee_percent // 100
    return 0


async def record_no_show(
    session: AsyncSession,
    case: NoShowCase,
    booking: StayBooking,
    *,
    stage: Literal["provisional", "final"],
    actor: str,
    at: datetime,
    note: str = "",
) -> None:
    """NS-1 / NS-5: NoShowRecordedV1 at ``stage``; a final one closes the case (SL-4)."""
    terms = await session.get(HotelTerms, booking.hotel_id)
    common = _common(case, booking, actor=actor, at=at, note=note)
    common["corrects_version"] = None  # provisional → final is the same outcome, confirmed
    payloads: list[Any] = [
        NoShowRecordedV1(
            **common,
            stage=stage,
            reason_category=case.reason_category,
            guaranteed=bool(terms and terms.guaranteed),
            no_show_fee=terms.no_show_fee if terms else "none",  # type: ignore[arg-type]
            no_show_fee_percent=terms.no_show_fee_percent if terms else None,
            fee_minor=fee_minor(booking, terms) if stage == "final" else 0,
        )
    ]
    if stage == "final":
        payloads.append(_finished(case, booking, "no_show", at))
        case.state, case.finished_at = FINAL, at
    else:
        case.state = PROVISIONAL
    await publish_many(session, schema=SCHEMA, payloads=payloads, occurred_at=at)


def _finished(
    case: NoShowCase, booking: StayBooking, outcome: Literal["stayed", "no_show"], at: datetime
) -> CaseFinishedV1:
    return CaseFinishedV1(
        case_id=case.case_id, booking_ref=booking.booking_ref, outcome=outcome, finished_at=at
    )
