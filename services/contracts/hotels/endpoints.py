"""The hotel-resources JSON API, under ``/api`` with the desk's roles.

Bad bodies get 422 naming the field (pydantic + ``shared.errors``); unknown hotels, room types
and rate plans get 404 naming the field; sell below net gets 409 naming HR-4.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.contracts.auth import DESK_ROLES
from services.contracts.hotels import service
from services.contracts.hotels.repository import PAGE_SIZE
from services.contracts.hotels.schemas import (
    AllotmentIn,
    AllotmentOut,
    HotelFileOut,
    HotelIn,
    HotelOut,
    HotelPageOut,
    HotelStatusIn,
    RatePlanIn,
    RatePlanOut,
    RatesIn,
    RatesOut,
    RoomTypeIn,
    RoomTypeOut,
)
from shared.auth import Staff, require
from shared.db import DbSession
from shared.limits import PageNumber, Uuid

router = APIRouter(prefix="/api", tags=["contracts"])
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]


def _file_out(file: service.HotelFile) -> HotelFileOut:
    return HotelFileOut(
        **HotelOut.model_validate(file.hotel).model_dump(),
        room_types=[RoomTypeOut.model_validate(t) for t in file.room_types],
        rate_plans=[RatePlanOut.model_validate(p) for p in file.rate_plans],
    )


@router.get("/hotels")
async def api_hotels(
    session: DbSession,
    staff: DeskStaff,
    q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[PageNumber, Query()] = 1,
) -> HotelPageOut:
    """Hotels whose city, district or name contains ``q``, 50 to a page."""
    hotels, total = await service.search_hotels(session, text=q, page=page)
    return HotelPageOut(
        hotels=[HotelOut.model_validate(h) for h in hotels],
        total=total,
        page=page,
        page_size=PAGE_SIZE,
    )


@router.post("/hotels", status_code=201)
async def api_create_hotel(data: HotelIn, session: DbSession, staff: DeskStaff) -> HotelFileOut:
    """Create a hotel (active, no room types yet)."""
    hotel = await service.create_hotel(session, actor=staff, data=data)
    return _file_out(await service.hotel_file(session, hotel_id=hotel.hotel_id))


@router.get("/hotels/{hotel_id}")
async def api_hotel(hotel_id: Uuid, session: DbSession, staff: DeskStaff) -> HotelFileOut:
    """A hotel with its room types and rate plans."""
    return _file_out(await service.hotel_file(session, hotel_id=hotel_id))


@router.put("/hotels/{hotel_id}/status")
async def api_hotel_status(
    hotel_id: Uuid, data: HotelStatusIn, session: DbSession, staff: DeskStaff
) -> HotelFileOut:
    """Suspend a hotel (not sellable, HR-10) or make it active again."""
    await service.set_hotel_status(
        session, actor=staff, hotel_id=hotel_id, status=data.status, summary=data.summary
    )
    return _file_out(await service.hotel_file(session, hotel_id=hotel_id))


@router.post("/hotels/{hotel_id}/room-types", status_code=201)
async def api_room_type(
    hotel_id: Uuid, data: RoomTypeIn, session: DbSession, staff: DeskStaff
) -> RoomTypeOut:
    """Add a room type."""
    room_type = await service.add_room_type(session, actor=staff, hotel_id=hotel_id, data=data)
    return RoomTypeOut.model_validate(room_type)


@router.post("/hotels/{hotel_id}/rate-plans", status_code=201)
async def api_rate_plan(
    hotel_id: Uuid, data: RatePlanIn, session: DbSession, staff: DeskStaff
) -> RatePlanOut:
    """Add a rate plan to one of the hotel's room types."""
    plan = await service.add_rate_plan(session, actor=staff, hotel_id=hotel_id, data=data)
    return RatePlanOut.model_validate(plan)


@router.put("/allotments")
async def api_allotments(data: AllotmentIn, session: DbSession, staff: DeskStaff) -> AllotmentOut:
    """Set a room type's allotment (absolute rooms) on every night of an inclusive range."""
    nights = await service.set_allotment(session, actor=staff, data=data)
    return AllotmentOut(**data.model_dump(), nights=nights)


@router.put("/rates")
async def api_rates(data: RatesIn, session: DbSession, staff: DeskStaff) -> RatesOut:
    """Set a rate plan's net and sell prices (minor units) on every night of a range (HR-4)."""
    nights = await service.set_rates(session, actor=staff, data=data)
    return RatesOut(**data.model_dump(), nights=nights)
