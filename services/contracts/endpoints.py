"""The hotel-resources desk: hotel list and file, room types, rate plans, allotments, prices."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from services.contracts import repository, service
from services.contracts.auth import DESK_ROLES
from services.contracts.schemas import AllotmentIn, HotelIn, RatePlanIn, RatesIn, RoomTypeIn
from shared.auth import Staff, require
from shared.db import DbSession
from shared.errors import DomainError
from shared.money import Money
from shared.web import form_data, readable_errors, render

router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]


def _templates(request: Request) -> Any:
    return request.app.state.templates


@router.get("/", response_class=HTMLResponse)
async def hotel_list(
    request: Request,
    session: DbSession,
    staff: DeskStaff,
    q: str = "",
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """Hotels, searchable by city or name."""
    hotels, total = await repository.search_hotels(session, text=q.strip(), page=page)
    return render(
        _templates(request),
        request,
        "hotels.html",
        staff,
        hotels=hotels,
        q=q,
        page=page,
        total=total,
        page_size=repository.PAGE_SIZE,
    )


@router.get("/hotels/new", response_class=HTMLResponse)
async def hotel_new(request: Request, staff: DeskStaff) -> Response:
    """The new-hotel form."""
    return render(_templates(request), request, "hotel_new.html", staff, values={})


@router.post("/hotels")
async def hotel_create(request: Request, session: DbSession, staff: DeskStaff) -> Response:
    """Create a hotel from the form."""
    values = await form_data(request)
    try:
        hotel = await service.create_hotel(session, actor=staff, data=HotelIn(**values))
    except ValidationError as exc:
        return render(
            _templates(request),
            request,
            "hotel_new.html",
            staff,
            status_code=422,
            values=values,
            error=readable_errors(exc),
        )
    root = request.scope.get("root_path", "")
    return RedirectResponse(f"{root}/hotels/{hotel.hotel_id}?notice=created", status_code=303)


@router.get("/hotels/{hotel_id}", response_class=HTMLResponse)
async def hotel_page(
    request: Request, session: DbSession, staff: DeskStaff, hotel_id: uuid.UUID, notice: str = ""
) -> Response:
    """A hotel's file: room types, rate plans and the next 14 nights."""
    return await _hotel_page(request, session, staff, hotel_id, notice=notice)


async def _hotel_page(
    request: Request,
    session: DbSession,
    staff: Staff,
    hotel_id: uuid.UUID,
    *,
    notice: str = "",
    error: str = "",
    status: int = 200,
) -> Response:
    detail = await service.hotel_detail(session, hotel_id)
    messages = {"created": "Hotel created.", "saved": "Saved and published to the booking desk."}
    return render(
        _templates(request),
        request,
        "hotel.html",
        staff,
        status_code=status,
        notice=messages.get(notice, ""),
        error=error,
        **detail,
    )


def _prices_to_minor(values: dict[str, str], currency: str) -> dict[str, Any]:
    converted: dict[str, Any] = dict(values)
    for field in ("net", "sell"):
        if field in values:
            try:
                converted[f"{field}_minor"] = Money.parse(values[field], currency).amount_minor
            except ValueError as exc:
                raise ValueError(f"{field} price: {exc}") from exc
    return converted


@router.post("/hotels/{hotel_id}/{part}")
async def hotel_part_post(
    request: Request, session: DbSession, staff: DeskStaff, hotel_id: uuid.UUID, part: str
) -> Response:
    """Add a room type or rate plan, or set allotments or prices, from the hotel page."""
    hotel = await service.get_hotel(session, hotel_id)
    values = await form_data(request)
    try:
        await _apply_part(session, staff, hotel_id, part, values, hotel.currency)
    except ValidationError as exc:
        return await _hotel_page(
            request, session, staff, hotel_id, status=422, error=readable_errors(exc)
        )
    except (DomainError, ValueError) as exc:
        status = exc.status_code if isinstance(exc, DomainError) else 422
        message = exc.detail if isinstance(exc, DomainError) else str(exc)
        return await _hotel_page(request, session, staff, hotel_id, status=status, error=message)
    root = request.scope.get("root_path", "")
    return RedirectResponse(f"{root}/hotels/{hotel_id}?notice=saved", status_code=303)


async def _apply_part(
    session: DbSession,
    staff: Staff,
    hotel_id: uuid.UUID,
    part: str,
    values: dict[str, str],
    currency: str,
) -> None:
    if part == "room-types":
        await service.add_room_type(
            session, actor=staff, hotel_id=hotel_id, data=RoomTypeIn(**values)
        )
    elif part == "rate-plans":
        await service.add_rate_plan(
            session, actor=staff, hotel_id=hotel_id, data=RatePlanIn(**values)
        )  # type: ignore[arg-type]
    elif part == "allotments":
        await service.set_allotment(session, actor=staff, data=AllotmentIn(**values))  # type: ignore[arg-type]
    elif part == "rates":
        data = RatesIn(**_prices_to_minor(values, currency))
        await service.set_rates(session, actor=staff, data=data)
    else:
        raise ValueError(f"unknown part {part!r}")


api = APIRouter(prefix="/api", tags=["contracts"])


@api.post("/hotels", status_code=201)
async def api_create_hotel(data: HotelIn, session: DbSession, staff: DeskStaff) -> dict[str, Any]:
    """Create a hotel."""
    hotel = await service.create_hotel(session, actor=staff, data=data)
    return {"hotel_id": str(hotel.hotel_id)}


@api.get("/hotels/{hotel_id}")
async def api_hotel(hotel_id: uuid.UUID, session: DbSession, staff: DeskStaff) -> dict[str, Any]:
    """A hotel with its room types and rate plans."""
    detail = await service.hotel_detail(session, hotel_id, days=1)
    hotel = detail["hotel"]
    return {
        "hotel_id": str(hotel.hotel_id),
        "name_zh": hotel.name_zh,
        "name_en": hotel.name_en,
        "city": hotel.city,
        "star_grade": hotel.star_grade,
        "status": hotel.status,
        "room_types": [
            {"room_type_id": str(t.room_type_id), "name": t.name} for t in detail["room_types"]
        ],
        "rate_plans": [
            {
                "rate_plan_id": str(p.rate_plan_id),
                "room_type_id": str(p.room_type_id),
                "name": p.name,
                "payment_mode": p.payment_mode,
            }
            for p in detail["rate_plans"]
        ],
    }


@api.post("/hotels/{hotel_id}/room-types", status_code=201)
async def api_room_type(
    hotel_id: uuid.UUID, data: RoomTypeIn, session: DbSession, staff: DeskStaff
) -> dict[str, str]:
    """Add a room type."""
    room_type = await service.add_room_type(session, actor=staff, hotel_id=hotel_id, data=data)
    return {"room_type_id": str(room_type.room_type_id)}


@api.post("/hotels/{hotel_id}/rate-plans", status_code=201)
async def api_rate_plan(
    hotel_id: uuid.UUID, data: RatePlanIn, session: DbSession, staff: DeskStaff
) -> dict[str, str]:
    """Add a rate plan to one of the hotel's room types."""
    plan = await service.add_rate_plan(session, actor=staff, hotel_id=hotel_id, data=data)
    return {"rate_plan_id": str(plan.rate_plan_id)}


@api.put("/allotments")
async def api_allotments(data: AllotmentIn, session: DbSession, staff: DeskStaff) -> dict[str, int]:
    """Set the allotment of a room type over a range of nights."""
    return {"nights": await service.set_allotment(session, actor=staff, data=data)}


@api.put("/rates")
async def api_rates(data: RatesIn, session: DbSession, staff: DeskStaff) -> dict[str, int]:
    """Set net and sell prices of a rate plan over a range of nights (HR-4: sell >= net)."""
    return {"nights": await service.set_rates(session, actor=staff, data=data)}


router.include_router(api)
