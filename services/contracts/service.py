"""Hotel-resources rules: hotels, room types, rate plans, allotments and prices.

Every change is audited and announced through the outbox in the same transaction, so the
booking desk's sellable inventory (intake's projection) follows what was agreed here.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts import repository
from services.contracts.models import Hotel, RatePlan, RoomType
from services.contracts.schemas import AllotmentIn, HotelIn, RatePlanIn, RatesIn, RoomTypeIn
from services.contracts.settings import SCHEMA
from shared import audit
from shared.auth import Staff
from shared.clock import clock
from shared.dates import nights_between
from shared.errors import Conflict, NotFound, RuleViolated
from shared.events.contracts import (
    AllotmentSetV1,
    HotelPublishedV1,
    NightAllotment,
    NightPrice,
    RatePlanInfo,
    RatesPublishedV1,
    RoomTypeInfo,
)
from shared.events.outbox import publish
from shared.money import Money

Actor = Staff | str


async def get_hotel(session: AsyncSession, hotel_id: uuid.UUID) -> Hotel:
    hotel = await session.get(Hotel, hotel_id)
    if hotel is None:
        raise NotFound(f"No hotel {hotel_id}.", field="hotel_id")
    return hotel


async def publish_hotel(session: AsyncSession, hotel: Hotel) -> None:
    """Announce the hotel's whole file; consumers replace their copy with it."""
    types = await repository.room_types(session, hotel.hotel_id)
    plans = await repository.rate_plans(session, hotel.hotel_id)
    payload = HotelPublishedV1(
        hotel_id=hotel.hotel_id,
        name_zh=hotel.name_zh,
        name_en=hotel.name_en,
        city=hotel.city,
        district=hotel.district,
        address=hotel.address,
        star_grade=hotel.star_grade,
        currency=hotel.currency,
        confirm_channel=hotel.confirm_channel,
        fax=hotel.fax,
        email=hotel.email,
        phone=hotel.phone,
        sellable=hotel.status == "active",
        room_types=[RoomTypeInfo(room_type_id=t.room_type_id, name=t.name) for t in types],
        rate_plans=[
            RatePlanInfo(
                rate_plan_id=p.rate_plan_id,
                room_type_id=p.room_type_id,
                name=p.name,
                payment_mode=p.payment_mode,
            )
            for p in plans
        ],
    )
    await publish(session, schema=SCHEMA, payload=payload, occurred_at=clock.now())


async def create_hotel(session: AsyncSession, *, actor: Actor, data: HotelIn) -> Hotel:
    hotel = Hotel(hotel_id=uuid.uuid4(), status="active", **data.model_dump())
    session.add(hotel)
    await session.flush()
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action="create",
        entity="hotel",
        entity_id=hotel.hotel_id,
        after=data.model_dump(mode="json"),
    )
    await publish_hotel(session, hotel)
    return hotel


async def add_room_type(
    session: AsyncSession, *, actor: Actor, hotel_id: uuid.UUID, data: RoomTypeIn
) -> RoomType:
    hotel = await get_hotel(session, hotel_id)
    if any(t.name == data.name for t in await repository.room_types(session, hotel_id)):
        raise Conflict(f"{hotel.name_en} already has a room type named {data.name}.", field="name")
    room_type = RoomType(room_type_id=uuid.uuid4(), hotel_id=hotel_id, name=data.name)
    session.add(room_type)
    await session.flush()
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action="create",
        entity="room_type",
        entity_id=room_type.room_type_id,
        after={"hotel_id": str(hotel_id), "name": data.name},
    )
    await publish_hotel(session, hotel)
    return room_type


async def add_rate_plan(
    session: AsyncSession, *, actor: Actor, hotel_id: uuid.UUID, data: RatePlanIn
) -> RatePlan:
    hotel = await get_hotel(session, hotel_id)
    room_type = await session.get(RoomType, data.room_type_id)
    if room_type is None or room_type.hotel_id != hotel_id:
        raise NotFound("That room type is not one of this hotel's.", field="room_type_id")
    plan = RatePlan(rate_plan_id=uuid.uuid4(), hotel_id=hotel_id, **data.model_dump())
    session.add(plan)
    await session.flush()
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action="create",
        entity="rate_plan",
        entity_id=plan.rate_plan_id,
        after=data.model_dump(mode="json"),
    )
    await publish_hotel(session, hotel)
    return plan


async def set_allotment(session: AsyncSession, *, actor: Actor, data: AllotmentIn) -> int:
    """Set the rooms held for us on each night of the range (HR-2); returns the night count."""
    room_type = await session.get(RoomType, data.room_type_id)
    if room_type is None:
        raise NotFound(f"No room type {data.room_type_id}.", field="room_type_id")
    nights = list(nights_between(data.first_night, data.last_night))
    await repository.upsert_allotments(session, room_type.room_type_id, nights, data.rooms)
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action="set_allotment",
        entity="room_type",
        entity_id=room_type.room_type_id,
        after=data.model_dump(mode="json"),
    )
    payload = AllotmentSetV1(
        hotel_id=room_type.hotel_id,
        room_type_id=room_type.room_type_id,
        nights=[NightAllotment(night=night, rooms=data.rooms) for night in nights],
    )
    await publish(session, schema=SCHEMA, payload=payload, occurred_at=clock.now())
    return len(nights)


async def set_rates(session: AsyncSession, *, actor: Actor, data: RatesIn) -> int:
    """Set net and sell prices on each night of the range; sell below net is refused (HR-4)."""
    plan = await session.get(RatePlan, data.rate_plan_id)
    if plan is None:
        raise NotFound(f"No rate plan {data.rate_plan_id}.", field="rate_plan_id")
    hotel = await get_hotel(session, plan.hotel_id)
    if data.sell_minor < data.net_minor:
        net, sell = Money(data.net_minor, hotel.currency), Money(data.sell_minor, hotel.currency)
        raise RuleViolated(
            f"Sell price {sell} is below the net price {net}", rule="HR-4", field="sell_minor"
        )
    nights = list(nights_between(data.first_night, data.last_night))
    await repository.upsert_rates(
        session,
        plan.rate_plan_id,
        nights,
        net_minor=data.net_minor,
        sell_minor=data.sell_minor,
        currency=hotel.currency,
    )
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action="set_rates",
        entity="rate_plan",
        entity_id=plan.rate_plan_id,
        after=data.model_dump(mode="json"),
    )
    payload = RatesPublishedV1(
        hotel_id=hotel.hotel_id,
        rate_plan_id=plan.rate_plan_id,
        room_type_id=plan.room_type_id,
        currency=hotel.currency,
        nights=[
            NightPrice(night=n, net_minor=data.net_minor, sell_minor=data.sell_minor)
            for n in nights
        ],
    )
    await publish(session, schema=SCHEMA, payload=payload, occurred_at=clock.now())
    return len(nights)


async def hotel_detail(
    session: AsyncSession, hotel_id: uuid.UUID, days: int = 14
) -> dict[str, Any]:
    hotel = await get_hotel(session, hotel_id)
    first = clock.today()
    last = first + timedelta(days=days - 1)
    allotments, rates = await repository.upcoming_grid(session, hotel_id, first, last)
    return {
        "hotel": hotel,
        "room_types": await repository.room_types(session, hotel_id),
        "rate_plans": await repository.rate_plans(session, hotel_id),
        "nights": list(nights_between(first, last)),
        "allotments": allotments,
        "rates": rates,
    }
