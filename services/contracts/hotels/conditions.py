"""Conditions hotels set on us (HR-8): a monthly room-night threshold ("book 50 room nights a
month to keep this rate") or a cumulative commission tier ("12% from 200 room nights"). Sales
and booking must know them, so every change republishes the hotel's whole list to intake."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.auth import DESK_ROLES
from services.contracts.hotels.models import hotel_condition
from services.contracts.hotels.service import get_hotel
from services.contracts.settings import SCHEMA
from shared import audit
from shared.auth import Staff, require
from shared.clock import clock
from shared.db import DbSession
from shared.errors import FormRejected, NotFound
from shared.events.contracts import ConditionsPublishedV1, HotelCondition
from shared.events.outbox import publish
from shared.field_errors import FieldErrors, field_errors
from shared.i18n import N_, _
from shared.limits import Uuid
from shared.web import form_data, render, see_other


class ConditionIn(BaseModel):
    # Defaults validated too: a tier with no percentage must be refused, not stored as null.
    model_config = ConfigDict(validate_default=True)

    kind: Literal["room_nights", "commission_tier"]
    threshold: int = Field(ge=1, le=1_000_000)
    commission_percent: Decimal | None = Field(None, ge=0, le=100, decimal_places=2)
    note: str = Field("", max_length=500)

    @field_validator("commission_percent")
    @classmethod
    def tier_has_percent(cls, percent: Decimal | None, info: ValidationInfo) -> Decimal | None:
        if (info.data.get("kind") == "commission_tier") != (percent is not None):
            raise ValueError(N_("a commission tier needs a percentage; a threshold has none"))
        return percent


def _condition(row: object) -> HotelCondition:
    percent = row.commission_percent  # type: ignore[attr-defined]
    return HotelCondition(
        kind=row.kind,  # type: ignore[attr-defined]
        threshold=row.threshold,  # type: ignore[attr-defined]
        note=row.note,  # type: ignore[attr-defined]
        commission_percent=float(percent) if percent is not None else None,
    )


async def _rows(session: AsyncSession, hotel_id: uuid.UUID) -> list[object]:
    query = (
        select(hotel_condition)
        .where(hotel_condition.c.hotel_id == hotel_id)
        .order_by(hotel_condition.c.kind, hotel_condition.c.threshold)
    )
    return list((await session.execute(query)).all())


async def conditions_of(session: AsyncSession, hotel_id: uuid.UUID) -> list[HotelCondition]:
    return [_condition(row) for row in await _rows(session, hotel_id)]


async def _republish(session: AsyncSession, hotel_id: uuid.UUID) -> None:
    await publish(
        session,
        schema=SCHEMA,
        occurred_at=clock.now(),
        payload=ConditionsPublishedV1(
            hotel_id=hotel_id, conditions=await conditions_of(session, hotel_id)
        ),
    )


async def add_condition(
    session: AsyncSession, *, actor: Staff, hotel_id: uuid.UUID, data: ConditionIn
) -> uuid.UUID:
    await get_hotel(session, hotel_id=hotel_id)
    condition_id = uuid.uuid4()
    await session.execute(
        insert(hotel_condition).values(
            condition_id=condition_id,
            hotel_id=hotel_id,
            created_by=actor.username,
            **data.model_dump(),
        )
    )
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action="add_condition",
        entity="hotel",
        entity_id=hotel_id,
        after=data.model_dump(mode="json"),
    )
    await _republish(session, hotel_id)
    return condition_id


async def remove_condition(
    session: AsyncSession, *, actor: Staff, hotel_id: uuid.UUID, condition_id: uuid.UUID
) -> None:
    removed = await session.execute(
        delete(hotel_condition)
        .where(
            hotel_condition.c.condition_id == condition_id, hotel_condition.c.hotel_id == hotel_id
        )
        .returning(hotel_condition.c.kind, hotel_condition.c.threshold)
    )
    row = removed.first()
    if row is None:
        raise NotFound(_("No such condition on this hotel."))
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action="remove_condition",
        entity="hotel",
        entity_id=hotel_id,
        before={"kind": row.kind, "threshold": row.threshold},
    )
    await _republish(session, hotel_id)


router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]


async def _page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    hotel_id: Uuid,
    *,
    error: str | FieldErrors = "",
    status: int = 200,
) -> Response:
    hotel = await get_hotel(session, hotel_id=hotel_id)
    listed = [
        (row.condition_id, _condition(row).summary())  # type: ignore[attr-defined]
        for row in await _rows(session, hotel_id)
    ]
    return render(
        request.app.state.templates,
        request,
        "conditions.html",
        staff,
        status_code=status,
        hotel=hotel,
        error=error,
        conditions=listed,
    )


@router.get("/hotels/{hotel_id}/conditions", response_class=HTMLResponse)
async def conditions_page(
    request: Request, session: DbSession, staff: DeskStaff, hotel_id: Uuid
) -> Response:
    """The hotel's conditions on us, as agents will see them (HR-8)."""
    return await _page(request, session, staff, hotel_id)


@router.post("/hotels/{hotel_id}/conditions")
async def conditions_add(
    request: Request, session: DbSession, staff: DeskStaff, hotel_id: Uuid
) -> Response:
    """Add a condition and announce the hotel's conditions to the booking desk."""
    try:
        data = ConditionIn.model_validate(await form_data(request))
    except ValidationError as exc:
        error = field_errors(exc)
        raise FormRejected(
            lambda session: _page(request, session, staff, hotel_id, error=error, status=422)
        ) from exc
    await add_condition(session, actor=staff, hotel_id=hotel_id, data=data)
    return see_other(request, f"/hotels/{hotel_id}/conditions")


@router.post("/hotels/{hotel_id}/conditions/{condition_id}/remove")
async def conditions_remove(
    request: Request,
    session: DbSession,
    staff: DeskStaff,
    hotel_id: Uuid,
    condition_id: Uuid,
) -> Response:
    """Remove a condition and announce the rest."""
    await remove_condition(session, actor=staff, hotel_id=hotel_id, condition_id=condition_id)
    return see_other(request, f"/hotels/{hotel_id}/conditions")
