"""Seed intake's projection the way production does: contracts.* events through the handlers.

Each helper builds an Envelope and applies it with ``apply_once`` (inbox + handler in one
transaction), so tests exercise the real event path, not direct inserts.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.intake.handlers import HANDLERS
from shared.clock import clock
from shared.events import Envelope, Payload, envelope_for
from shared.events.consumer import apply_once
from shared.events.contracts import (
    AllotmentSetV1,
    ContractEffectiveV1,
    HotelPublishedV1,
    NightAllotment,
    NightPrice,
    RatePlanInfo,
    RatesPublishedV1,
    RoomTypeInfo,
)

Sessionmaker = async_sessionmaker[AsyncSession]


@dataclass(frozen=True)
class SeededHotel:
    hotel_id: uuid.UUID
    room_type_id: uuid.UUID
    rate_plan_id: uuid.UUID
    city: str
    name_en: str
    currency: str
    payment_mode: str
    nights: list[date] = field(default_factory=list)


def envelope(
    payload: Payload, *, occurred_at: datetime | None = None, version: int | None = None
) -> Envelope:
    """``version``: the hotel's event version as contracts' outbox numbers it (issue 12);
    None: an unnumbered event, applied in arrival order over unnumbered rows only."""
    at = occurred_at or clock.now()
    return envelope_for(payload, source="contracts", occurred_at=at, aggregate_version=version)


async def apply(sessionmaker: Sessionmaker, event: Envelope) -> str:
    """Deliver one event to intake; returns "handled" or "duplicate"."""
    return await apply_once(
        sessionmaker, service="intake", schema="intake", handlers=HANDLERS, envelope=event
    )


def hotel_event(
    *,
    hotel_id: uuid.UUID,
    room_type_id: uuid.UUID,
    rate_plan_id: uuid.UUID,
    city: str = "Beijing",
    name_en: str = "Peace Hotel",
    name_zh: str = "和平饭店",
    star_grade: int = 4,
    currency: str = "CNY",
    payment_mode: str = "prepaid",
    sellable: bool = True,
    district: str = "Dongcheng",
    latitude: float | None = None,
    longitude: float | None = None,
) -> HotelPublishedV1:
    return HotelPublishedV1(
        hotel_id=hotel_id,
        name_zh=name_zh,
        name_en=name_en,
        city=city,
        district=district,
        latitude=latitude,
        longitude=longitude,
        star_grade=star_grade,
        currency=currency,
        confirm_channel="fax",
        fax="+86 10 6512 0000",
        sellable=sellable,
        room_types=[RoomTypeInfo(room_type_id=room_type_id, name="Superior King")],
        rate_plans=[
            RatePlanInfo(
                rate_plan_id=rate_plan_id,
                room_type_id=room_type_id,
                name="Best available" if payment_mode == "prepaid" else "Pay at hotel",
                payment_mode=payment_mode,
            )
        ],
    )


def contract_event(
    hotel_id: uuid.UUID, valid_from: date, valid_to: date, *, version_no: int = 1
) -> ContractEffectiveV1:
    return ContractEffectiveV1(
        hotel_id=hotel_id,
        contract_id=uuid.uuid5(uuid.NAMESPACE_OID, str(hotel_id)),
        version_id=uuid.uuid4(),
        version_no=version_no,
        valid_from=valid_from,
        valid_to=valid_to,
        payment_arrangement="net_prepaid",
    )


def allotment_event(seeded: SeededHotel, rooms_by_night: dict[date, int]) -> AllotmentSetV1:
    return AllotmentSetV1(
        hotel_id=seeded.hotel_id,
        room_type_id=seeded.room_type_id,
        nights=[NightAllotment(night=n, rooms=r) for n, r in rooms_by_night.items()],
    )


def rates_event(seeded: SeededHotel, sell_by_night: dict[date, int]) -> RatesPublishedV1:
    """Net is 85% of sell, so the margin rule (HR-4) holds."""
    return RatesPublishedV1(
        hotel_id=seeded.hotel_id,
        rate_plan_id=seeded.rate_plan_id,
        room_type_id=seeded.room_type_id,
        currency=seeded.currency,
        nights=[
            NightPrice(night=n, net_minor=sell * 85 // 100, sell_minor=sell)
            for n, sell in sell_by_night.items()
        ],
    )


async def seed_hotel(
    sessionmaker: Sessionmaker,
    *,
    rooms: int = 5,
    nights: list[date] | None = None,
    sell_minor: int = 68800,
    city: str = "Beijing",
    name_en: str = "Peace Hotel",
    currency: str = "CNY",
    payment_mode: str = "prepaid",
    sellable: bool = True,
    occurred_at: datetime | None = None,
    hotel_id: uuid.UUID | str | None = None,
    signed: bool = True,
    name_zh: str = "和平饭店",
    district: str = "Dongcheng",
    star_grade: int = 4,
    latitude: float | None = None,
    longitude: float | None = None,
) -> SeededHotel:
    """A hotel with one room type and rate plan, ``rooms`` rooms and a price every night.

    ``hotel_id`` lets a test project a hotel that contracts created under that id. With
    ``signed`` (the default) a signed contract covers every seeded night (HR-3).

    ``nights`` defaults to today and the next 59 days (business dates). ``name_zh``,
    ``district``, ``star_grade`` and the coordinates are the search's filters (IN-2, IN-3).
    """
    nights = (
        nights if nights is not None else [clock.today() + timedelta(days=n) for n in range(60)]
    )
    seeded = SeededHotel(
        hotel_id=uuid.UUID(str(hotel_id)) if hotel_id else uuid.uuid4(),
        room_type_id=uuid.uuid4(),
        rate_plan_id=uuid.uuid4(),
        city=city,
        name_en=name_en,
        currency=currency,
        payment_mode=payment_mode,
        nights=nights,
    )
    at = occurred_at or clock.now()
    ids = {k: getattr(seeded, k) for k in ("hotel_id", "room_type_id", "rate_plan_id")}
    hotel = hotel_event(
        **ids, city=city, name_en=name_en, currency=currency, payment_mode=payment_mode,
        sellable=sellable, name_zh=name_zh, district=district, star_grade=star_grade,
        latitude=latitude, longitude=longitude,
    )  # fmt: skip
    await apply(sessionmaker, envelope(hotel, occurred_at=at))
    await apply(
        sessionmaker,
        envelope(allotment_event(seeded, dict.fromkeys(nights, rooms)), occurred_at=at),
    )
    await apply(
        sessionmaker,
        envelope(rates_event(seeded, dict.fromkeys(nights, sell_minor)), occurred_at=at),
    )
    if signed and nights:
        contract = contract_event(seeded.hotel_id, min(nights), max(nights))
        await apply(sessionmaker, envelope(contract, occurred_at=at))
    return seeded
