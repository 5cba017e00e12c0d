"""The noshow service's read models from other services' events (issue 12 ordering): a
booking keeps its newest version whatever the arrival order, stays confirmed through a change
but not through its cancellation, and a hotel's terms keep the newest contract event."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from services.noshow.models import HotelTerms, StayBooking
from shared.clock import clock
from shared.events.intake import BookingCancelledV1, BookingModifiedV1
from tests.services.noshow.factories import PEACE, beijing, confirmed_booking, deliver

ARRIVAL = date(2026, 12, 10)


def _change(booking: Any, event: type, version: int, **extra: Any) -> Any:
    common = booking.model_dump(exclude={"reply_at_once", "placed_at", "status", "source"})
    common = {k: v for k, v in common.items() if k in event.model_fields}
    return event(
        **{**common, **extra},
        change_id=uuid.uuid4(),
        booking_version=version,
        reason="guest asked",
        reason_category="guest_request",
    )


async def _row(sessionmaker: Any, booking_id: uuid.UUID) -> StayBooking:
    async with sessionmaker() as session:
        row = await session.get(StayBooking, booking_id)
        assert row is not None
        return row


async def test_booking_read_model_keeps_the_newest_version_and_confirmation(
    sessionmaker: Any,
) -> None:
    clock.set_now(beijing(2026, 12, 6, 10, 0))
    booking = await confirmed_booking(sessionmaker, check_in=ARRIVAL)
    later = ARRIVAL.replace(day=11)
    v3 = _change(
        booking, BookingModifiedV1, 3, status="placed", changed=["check_in"], before={},
        after={}, modified_at=clock.now(), check_in=later, check_out=later.replace(day=12),
    )  # fmt: skip
    v2 = _change(
        booking, BookingModifiedV1, 2, status="placed", changed=["rooms"], before={}, after={},
        modified_at=clock.now(), rooms=3,
    )  # fmt: skip
    assert await deliver(sessionmaker, v3, source="intake", version=3) == "handled"
    assert await deliver(sessionmaker, v2, source="intake", version=2) == "handled"  # late
    row = await _row(sessionmaker, booking.booking_id)
    assert (row.booking_version, row.check_in, row.rooms) == (3, later, 1)
    assert row.status == "confirmed" and row.hotel_confirmation_no == "HX-1"

    gone = _change(booking, BookingCancelledV1, 4, cancelled_at=clock.now())
    assert await deliver(sessionmaker, gone, source="intake", version=4) == "handled"
    assert (await _row(sessionmaker, booking.booking_id)).status == "cancelled"


async def test_hotel_terms_keep_the_newest_contract(sessionmaker: Any) -> None:
    from shared.events.contracts import ContractEffectiveV1

    def signed(fee: str, percent: int | None) -> ContractEffectiveV1:
        return ContractEffectiveV1(
            hotel_id=PEACE, contract_id=uuid.uuid4(), version_id=uuid.uuid4(), version_no=1,
            valid_from=ARRIVAL, valid_to=ARRIVAL.replace(month=12, day=31),
            payment_arrangement="prepaid", guaranteed=True, no_show_fee=fee,
            no_show_fee_percent=percent,
        )  # fmt: skip

    assert await deliver(sessionmaker, signed("percent", 50), source="contracts", version=5)
    assert await deliver(sessionmaker, signed("none", None), source="contracts", version=4)
    async with sessionmaker() as session:
        terms = await session.get(HotelTerms, PEACE)
        assert terms is not None
        assert (terms.no_show_fee, terms.no_show_fee_percent, terms.guaranteed) == (
            "percent",
            50,
            True,
        )
