"""Hotel-resources rules: hotels, room types, rate plans, allotments and prices.

Every change is audited (who, what, before, after) and announced through the outbox in the same
transaction, so the booking desk's sellable inventory (intake's projection) follows what was
agreed here and never hears of a change that was rolled back. Functions never commit: the
request dependency or ``unit_of_work`` does.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.grid import version as grid
from services.contracts.hotels import repository
from services.contracts.hotels.schemas import (
    AllotmentIn,
    BulkRange,
    HotelIn,
    HotelStatus,
    RatePlanIn,
    RatesIn,
    RoomTypeIn,
)
from services.contracts.models import Hotel, RatePlan, RoomType
from services.contracts.settings import SCHEMA
from shared import audit
from shared.auth import Staff
from shared.clock import clock
from shared.dates import nights_between
from shared.errors import Conflict, InvalidInput, NotFound, RuleBrokenByInput
from shared.events import Payload
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
from shared.i18n import _
from shared.money import Money

Actor = Staff | str


@dataclass(frozen=True, slots=True)
class HotelFile:
    """A hotel with its room types and rate plans (HR-2: the hotel's file)."""

    hotel: Hotel
    room_types: list[RoomType]
    rate_plans: list[RatePlan]


@dataclass(frozen=True, slots=True)
class HotelCalendar:
    """Allotment and prices of a hotel's next nights, as the hotel page shows them."""

    nights: list[date]
    rooms: dict[tuple[uuid.UUID, date], int]
    prices: dict[tuple[uuid.UUID, date], tuple[int, int]]


async def _announce(session: AsyncSession, payload: Payload) -> None:
    await publish(session, schema=SCHEMA, payload=payload, occurred_at=clock.now())


async def get_hotel(session: AsyncSession, *, hotel_id: uuid.UUID) -> Hotel:
    hotel = await session.get(Hotel, hotel_id)
    if hotel is None:
        raise NotFound(_("No hotel %(id)s.") % {"id": hotel_id}, field="hotel_id")
    return hotel


async def hotel_file(session: AsyncSession, *, hotel_id: uuid.UUID) -> HotelFile:
    hotel = await get_hotel(session, hotel_id=hotel_id)
    return HotelFile(
        hotel=hotel,
        room_types=await repository.room_types(session, hotel_id),
        rate_plans=await repository.rate_plans(session, hotel_id),
    )


async def search_hotels(
    session: AsyncSession, *, text: str = "", page: int = 1
) -> tuple[list[Hotel], int]:
    """A page of ``repository.PAGE_SIZE`` hotels matching ``text`` (city, district, names)."""
    return await repository.search_hotels(session, text=text.strip(), page=max(page, 1))


async def hotel_calendar(
    session: AsyncSession, *, hotel_id: uuid.UUID, first_night: date, nights: int = 14
) -> HotelCalendar:
    last_night = first_night + timedelta(days=nights - 1)
    rooms, prices = await repository.upcoming_grid(session, hotel_id, first_night, last_night)
    return HotelCalendar(list(nights_between(first_night, last_night)), rooms, prices)


async def publish_hotel(session: AsyncSession, *, hotel_id: uuid.UUID) -> None:
    """Announce the hotel's whole file; consumers replace their copy with it. A suspended
    hotel is announced as not sellable (HR-10)."""
    file = await hotel_file(session, hotel_id=hotel_id)
    hotel = file.hotel
    snapshot = {
        column: getattr(hotel, column)
        for column in HotelPublishedV1.model_fields
        if column not in ("sellable", "room_types", "rate_plans")
    }
    payload = HotelPublishedV1(
        **snapshot,
        sellable=hotel.status == "active",
        room_types=[
            RoomTypeInfo(room_type_id=t.room_type_id, name=t.name) for t in file.room_types
        ],
        rate_plans=[
            RatePlanInfo(
                rate_plan_id=p.rate_plan_id,
                room_type_id=p.room_type_id,
                name=p.name,
                payment_mode=p.payment_mode,
            )
            for p in file.rate_plans
        ],
    )
    await _announce(session, payload)


async def _audit(
    session: AsyncSession,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: object,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
    )


async def create_hotel(session: AsyncSession, *, actor: Actor, data: HotelIn) -> Hotel:
    now = clock.now()
    hotel = Hotel(hotel_id=uuid.uuid4(), created_at=now, updated_at=now, **data.model_dump())
    session.add(hotel)
    await session.flush()
    await _audit(
        session, actor, "create", "hotel", hotel.hotel_id, after=data.model_dump(mode="json")
    )
    await publish_hotel(session, hotel_id=hotel.hotel_id)
    return hotel


async def set_hotel_status(
    session: AsyncSession,
    *,
    actor: Actor,
    hotel_id: uuid.UUID,
    status: HotelStatus,
    summary: str = "",
) -> Hotel:
    """Suspend a hotel (archived with a summary, no longer sellable, HR-10), sign a prospective
    one, or make a suspended one active again. Only active hotels are sellable."""
    hotel = await get_hotel(session, hotel_id=hotel_id)
    if hotel.status == status:
        return hotel  # nothing changed: no audit row, no event
    before = {"status": hotel.status, "summary": hotel.status_summary}
    hotel.status = status
    hotel.status_summary = summary
    hotel.updated_at = clock.now()
    await session.flush()
    await _audit(
        session,
        actor,
        "set_status",
        "hotel",
        hotel_id,
        before=before,
        after={"status": status, "summary": summary},
    )
    await publish_hotel(session, hotel_id=hotel_id)
    return hotel


async def count_member_request(session: AsyncSession, *, actor: Actor, hotel_id: uuid.UUID) -> int:
    """HR-13: a member asked for a hotel we have not signed; the count guides negotiation."""
    hotel = await get_hotel(session, hotel_id=hotel_id)
    if hotel.status != "prospective":
        raise Conflict(
            _("%(hotel)s is already signed (%(status)s).")
            % {"hotel": hotel.name_en, "status": hotel.status},
            field="status",
        )
    before = {"member_requests": hotel.member_requests}
    hotel.member_requests += 1
    await session.flush()
    await _audit(
        session,
        actor,
        "member_request",
        "hotel",
        hotel_id,
        before=before,
        after={"member_requests": hotel.member_requests},
    )
    return hotel.member_requests


async def add_room_type(
    session: AsyncSession, *, actor: Actor, hotel_id: uuid.UUID, data: RoomTypeIn
) -> RoomType:
    hotel = await get_hotel(session, hotel_id=hotel_id)
    if any(t.name == data.name for t in await repository.room_types(session, hotel_id)):
        raise Conflict(
            _("%(hotel)s already has a room type named %(name)s.")
            % {"hotel": hotel.name_en, "name": data.name},
            field="name",
        )
    room_type = RoomType(room_type_id=uuid.uuid4(), hotel_id=hotel_id, name=data.name)
    session.add(room_type)
    await session.flush()
    after = {"hotel_id": str(hotel_id), "name": data.name}
    await _audit(session, actor, "create", "room_type", room_type.room_type_id, after=after)
    await publish_hotel(session, hotel_id=hotel_id)
    return room_type


async def add_rate_plan(
    session: AsyncSession, *, actor: Actor, hotel_id: uuid.UUID, data: RatePlanIn
) -> RatePlan:
    await get_hotel(session, hotel_id=hotel_id)
    room_type = await session.get(RoomType, data.room_type_id)
    if room_type is None or room_type.hotel_id != hotel_id:
        raise NotFound(_("That room type is not one of this hotel's."), field="room_type_id")
    if await repository.rate_plan_named(session, room_type.room_type_id, data.name):
        raise Conflict(
            _("%(room_type)s already has a rate plan named %(name)s.")
            % {"room_type": room_type.name, "name": data.name},
            field="name",
        )
    plan = RatePlan(rate_plan_id=uuid.uuid4(), hotel_id=hotel_id, **data.model_dump())
    session.add(plan)
    await session.flush()
    after = {"hotel_id": str(hotel_id), **data.model_dump(mode="json")}
    await _audit(session, actor, "create", "rate_plan", plan.rate_plan_id, after=after)
    await publish_hotel(session, hotel_id=hotel_id)
    return plan


async def set_allotment(
    session: AsyncSession, *, actor: Actor, data: AllotmentIn, hotel_id: uuid.UUID | None = None
) -> int:
    """Set the rooms held for us on each night of the range (HR-2), as absolute numbers;
    returns the number of nights. With ``hotel_id`` the room type must be that hotel's."""
    room_type = await session.get(RoomType, data.room_type_id)
    if room_type is None or (hotel_id is not None and room_type.hotel_id != hotel_id):
        raise NotFound(
            _("No room type %(id)s at this hotel.") % {"id": data.room_type_id},
            field="room_type_id",
        )
    nights = _chosen_nights(data)
    await grid.touch(session, hotel_id=room_type.hotel_id, actor=actor, seen=data.grid_version)
    first, last = data.first_night, data.last_night
    before = await repository.allotments_in_range(session, room_type.room_type_id, first, last)
    await repository.upsert_allotments(session, room_type.room_type_id, nights, data.rooms)
    await _audit(
        session,
        actor,
        "set_allotment",
        "room_type",
        room_type.room_type_id,
        before={"rooms_by_night": before},
        after=data.model_dump(mode="json"),
    )
    # One event for the whole range: at most 400 nights, well within one message.
    await _announce(
        session,
        AllotmentSetV1(
            hotel_id=room_type.hotel_id,
            room_type_id=room_type.room_type_id,
            nights=[NightAllotment(night=night, rooms=data.rooms) for night in nights],
        ),
    )
    return len(nights)


def _chosen_nights(data: BulkRange) -> list[date]:
    if nights := data.nights():
        return nights
    raise InvalidInput(_("None of the chosen weekdays falls in the range."), field="weekdays")


async def _plan_of_hotel(
    session: AsyncSession, rate_plan_id: uuid.UUID, hotel_id: uuid.UUID | None
) -> RatePlan:
    plan = await session.get(RatePlan, rate_plan_id)
    if plan is None or (hotel_id is not None and plan.hotel_id != hotel_id):
        raise NotFound(
            _("No rate plan %(id)s at this hotel.") % {"id": rate_plan_id}, field="rate_plan_id"
        )
    return plan


def _check_not_below_net(data: RatesIn, currency: str) -> None:
    # HR-4 asks for a 10% average margin; selling at a loss on any night is never allowed.
    if data.sell_minor < data.net_minor:
        net, sell = Money(data.net_minor, currency), Money(data.sell_minor, currency)
        raise RuleBrokenByInput(
            _("Sell price %(sell)s is below the net price %(net)s") % {"sell": sell, "net": net},
            rule="HR-4",
            field="sell_minor",
        )


async def set_rates(
    session: AsyncSession, *, actor: Actor, data: RatesIn, hotel_id: uuid.UUID | None = None
) -> int:
    """Set net and sell prices on each night of the range, in the hotel's currency (HR-14);
    returns the number of nights. Sell below net is refused (HR-4)."""
    plan = await _plan_of_hotel(session, data.rate_plan_id, hotel_id)
    hotel = await get_hotel(session, hotel_id=plan.hotel_id)
    _check_not_below_net(data, hotel.currency)
    nights = _chosen_nights(data)
    await grid.touch(session, hotel_id=hotel.hotel_id, actor=actor, seen=data.grid_version)
    first, last = data.first_night, data.last_night
    before = await repository.rates_in_range(session, plan.rate_plan_id, first, last)
    await repository.upsert_rates(
        session,
        plan.rate_plan_id,
        nights,
        net_minor=data.net_minor,
        sell_minor=data.sell_minor,
        currency=hotel.currency,
    )
    before_rates = {"net_sell_by_night": before}
    after = {**data.model_dump(mode="json"), "currency": hotel.currency}
    await _audit(
        session,
        actor,
        "set_rates",
        "rate_plan",
        plan.rate_plan_id,
        before=before_rates,
        after=after,
    )
    prices = [
        NightPrice(night=n, net_minor=data.net_minor, sell_minor=data.sell_minor) for n in nights
    ]
    await _announce(
        session,
        RatesPublishedV1(
            hotel_id=hotel.hotel_id,
            rate_plan_id=plan.rate_plan_id,
            room_type_id=plan.room_type_id,
            currency=hotel.currency,
            nights=prices,
        ),
    )
    return len(nights)
