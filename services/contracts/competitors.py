"""Competitors' prices and the monthly summary of where we are cheaper or dearer (HR-5).

Our price for a night is the hotel's cheapest sell price that night over all its rate plans,
what an agent would quote first; a competitor's price is what the desk saw on their channel.
A CSV import is all or nothing: every row is checked before any is stored.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Date, String, and_, column, func, select, table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.auth import DESK_ROLES
from services.contracts.models import Hotel, NightRate, RatePlan
from services.contracts.rankings import month_bounds
from services.contracts.settings import SCHEMA
from shared import audit
from shared.auth import Staff, require
from shared.clock import clock
from shared.db import DbSession
from shared.errors import InvalidInput
from shared.money import Money
from shared.web import render

competitor_price = table(
    "competitor_price",
    column("hotel_id"),
    column("night", Date),
    column("competitor", String),
    column("price_minor"),
    column("currency", String),
    column("recorded_by", String),
    schema=SCHEMA,
)
MAX_ROWS = 20_000


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str


async def _hotels_by_name(session: AsyncSession) -> dict[str, Hotel]:
    hotels = await session.scalars(select(Hotel))
    return {h.name_en.strip().lower(): h for h in hotels} | {str(h.hotel_id): h for h in hotels}


def _parse_row(
    number: int, row: dict[str, str], hotels: dict[str, Hotel], errors: list[RowError]
) -> dict[str, object] | None:
    hotel = hotels.get((row.get("hotel") or "").strip().lower())
    if hotel is None:
        errors.append(RowError(number, "hotel", f"unknown hotel {row.get('hotel')!r}"))
        return None
    try:
        night = date.fromisoformat((row.get("night") or "").strip())
    except ValueError:
        errors.append(RowError(number, "night", f"not a date (YYYY-MM-DD): {row.get('night')!r}"))
        return None
    competitor = (row.get("competitor") or "").strip()
    if not competitor or len(competitor) > 80:
        errors.append(RowError(number, "competitor", "name the competitor (1-80 characters)"))
        return None
    try:
        price = Money.parse(row.get("price") or "", hotel.currency)
    except ValueError as exc:
        errors.append(RowError(number, "price", str(exc)))
        return None
    if price.amount_minor <= 0:
        errors.append(RowError(number, "price", "must be above zero"))
        return None
    return {
        "hotel_id": hotel.hotel_id,
        "night": night,
        "competitor": competitor,
        "price_minor": price.amount_minor,
        "currency": hotel.currency,
    }


async def import_csv(
    session: AsyncSession, *, actor: Staff, content: bytes
) -> tuple[int, list[RowError]]:
    """Store every row of the sheet, or none of them; returns (rows stored, errors)."""
    try:
        reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
    except UnicodeDecodeError:
        return 0, [RowError(0, "file", "not UTF-8 text; save the sheet as CSV UTF-8")]
    missing = {"hotel", "night", "competitor", "price"} - set(reader.fieldnames or [])
    if missing:
        return 0, [RowError(1, "header", f"missing column(s): {', '.join(sorted(missing))}")]
    hotels = await _hotels_by_name(session)
    errors: list[RowError] = []
    rows: list[dict[str, object]] = []
    for number, row in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            return 0, [RowError(number, "file", f"more than {MAX_ROWS} rows; split the sheet")]
        if (parsed := _parse_row(number, row, hotels, errors)) is not None:
            rows.append({**parsed, "recorded_by": actor.username})
    if errors or not rows:
        return 0, errors or [RowError(2, "file", "the sheet has no rows")]
    statement = insert(competitor_price).values(rows)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["hotel_id", "night", "competitor"],
            set_={
                "price_minor": statement.excluded.price_minor,
                "recorded_by": statement.excluded.recorded_by,
            },
        )
    )
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action="import",
        entity="competitor_price",
        entity_id=f"{len(rows)} rows",
        after={"rows": len(rows)},
    )
    return len(rows), []


@dataclass(frozen=True)
class Comparison:
    hotel_id: uuid.UUID
    hotel_name: str
    nights_compared: int
    cheaper: int
    dearer: int
    equal: int
    average_gap_percent: float  # (ours - theirs) / theirs: negative means we are cheaper


async def monthly_summary(session: AsyncSession, *, month: str) -> list[Comparison]:
    first, following = month_bounds(month)
    ours = (
        select(RatePlan.hotel_id, NightRate.night, func.min(NightRate.sell_minor).label("sell"))
        .join(RatePlan, RatePlan.rate_plan_id == NightRate.rate_plan_id)
        .where(NightRate.night >= first, NightRate.night < following)
        .group_by(RatePlan.hotel_id, NightRate.night)
        .subquery()
    )
    theirs = competitor_price
    gap = (ours.c.sell - theirs.c.price_minor) * 100.0 / theirs.c.price_minor
    query = (
        select(
            Hotel.hotel_id,
            Hotel.name_zh,
            Hotel.name_en,
            func.count().label("compared"),
            func.count().filter(ours.c.sell < theirs.c.price_minor).label("cheaper"),
            func.count().filter(ours.c.sell > theirs.c.price_minor).label("dearer"),
            func.avg(gap).label("gap"),
        )
        .select_from(theirs)
        .join(ours, and_(ours.c.hotel_id == theirs.c.hotel_id, ours.c.night == theirs.c.night))
        .join(Hotel, Hotel.hotel_id == theirs.c.hotel_id)
        .group_by(Hotel.hotel_id)
        .order_by(Hotel.name_en)
    )
    return [
        Comparison(
            r.hotel_id,
            f"{r.name_zh} · {r.name_en}",
            r.compared,
            r.cheaper,
            r.dearer,
            r.compared - r.cheaper - r.dearer,
            round(float(r.gap), 1),
        )
        for r in (await session.execute(query)).all()
    ]


router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]


async def _page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    month: str,
    *,
    errors: list[RowError] | None = None,
    notice: str = "",
    status: int = 200,
) -> Response:
    summary = await monthly_summary(session, month=month)
    return render(
        request.app.state.templates,
        request,
        "competitors.html",
        staff,
        status_code=status,
        month=month,
        summary=summary,
        row_errors=errors or [],
        notice=notice,
        error="The sheet was not imported: fix these rows." if errors else "",
    )


@router.get("/competitors", response_class=HTMLResponse)
async def competitors_page(
    request: Request, session: DbSession, staff: DeskStaff, month: str = ""
) -> Response:
    """Where we are cheaper or dearer than competitors this month (HR-5), with a chart."""
    return await _page(request, session, staff, month or clock.today().strftime("%Y-%m"))


@router.post("/competitors/import")
async def competitors_import(
    request: Request, session: DbSession, staff: DeskStaff, sheet: UploadFile, month: str = ""
) -> Response:
    """Import competitors' prices from a CSV sheet: hotel, night, competitor, price."""
    month = month or clock.today().strftime("%Y-%m")
    content = await sheet.read(5 * 1024 * 1024 + 1)
    if len(content) > 5 * 1024 * 1024:
        raise InvalidInput("The sheet is larger than 5 MB; split it.", field="sheet")
    stored, errors = await import_csv(session, actor=staff, content=content)
    if errors:
        await session.rollback()
        return await _page(request, session, staff, month, errors=errors, status=422)
    return await _page(request, session, staff, month, notice=f"Imported {stored} prices.")


@router.get("/api/competitors/summary")
async def competitors_summary(
    session: DbSession, staff: DeskStaff, month: str
) -> list[dict[str, object]]:
    """The month's comparison per hotel as JSON (HR-5)."""
    return [
        c.__dict__ | {"hotel_id": str(c.hotel_id)}
        for c in await monthly_summary(session, month=month)
    ]
