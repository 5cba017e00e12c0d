"""High-season and exhibition calendar per city (HR-7): when the desk must have rooms
guaranteed by hotels, and how many it has secured."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.auth import DESK_ROLES
from services.contracts.bounds import ShortText
from services.contracts.reports.models import season
from services.contracts.settings import SCHEMA
from shared import audit
from shared.auth import Staff, require
from shared.clock import clock
from shared.dates import check_range
from shared.db import DbSession
from shared.errors import FormRejected
from shared.field_errors import FieldErrors, field_errors
from shared.limits import BusinessDate
from shared.web import form_data, render, see_other


class SeasonIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    city: str = Field(min_length=1, max_length=80)
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["high_season", "exhibition"]
    first_night: BusinessDate  # inside the business's date window (issue 14)
    last_night: BusinessDate
    guaranteed_rooms: int = Field(0, ge=0, le=100_000)
    note: str = Field("", max_length=2000)

    @field_validator("last_night")
    @classmethod
    def ordered(cls, last: date, info: ValidationInfo) -> date:
        if (first := info.data.get("first_night")) is not None:
            check_range(first, last, max_nights=120, inclusive=True)
        return last


async def add_season(session: AsyncSession, *, actor: Staff, data: SeasonIn) -> uuid.UUID:
    season_id = uuid.uuid4()
    await session.execute(
        insert(season).values(season_id=season_id, created_by=actor.username, **data.model_dump())
    )
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action="create",
        entity="season",
        entity_id=season_id,
        after=data.model_dump(mode="json"),
    )
    return season_id


async def upcoming(session: AsyncSession, *, city: str = "", days: int = 365) -> list[object]:
    """Periods that end today or later and start within ``days``, soonest first."""
    today = clock.today()
    query = select(season).where(
        season.c.last_night >= today, season.c.first_night <= today + timedelta(days=days)
    )
    if city.strip():
        query = query.where(func.lower(season.c.city) == city.strip().lower())
    return list((await session.execute(query.order_by(season.c.first_night))).all())


router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]


async def _page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    *,
    city: str = "",
    error: str | FieldErrors = "",
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request.app.state.templates,
        request,
        "seasons.html",
        staff,
        status_code=status,
        seasons=await upcoming(session, city=city),
        city=city,
        error=error,
        values=values or {},
    )


@router.get("/seasons", response_class=HTMLResponse)
async def seasons_page(
    request: Request,
    session: DbSession,
    staff: DeskStaff,
    city: Annotated[ShortText, Query()] = "",
) -> Response:
    """The coming high seasons and exhibitions per city (HR-7)."""
    return await _page(request, session, staff, city=city)


@router.post("/seasons")
async def seasons_add(request: Request, session: DbSession, staff: DeskStaff) -> Response:
    """Add a high-season or exhibition period."""
    values = await form_data(request)
    try:
        await add_season(session, actor=staff, data=SeasonIn.model_validate(values))
    except ValidationError as exc:
        error = field_errors(exc)
        raise FormRejected(
            lambda session: _page(request, session, staff, error=error, values=values, status=422)
        ) from exc
    return see_other(request, "/seasons")
