"""Competitors' prices and the monthly summary of where we are cheaper or dearer (HR-5).

Our price for a night is the hotel's cheapest sell price that night over all its rate plans,
what an agent would quote first; a competitor's price is what the desk saw on their channel.

The desk imports competitors' prices from a sheet, CSV or Excel (.xlsx, first sheet only),
read by ``imports.read_table`` like the rate sheets: UTF-8 or GB18030 CSV, blank rows skipped,
rows numbered as the spreadsheet shows them, and the same size and row limits. The header row
names the columns, in any order and case; other columns are ignored:

- ``hotel``: our hotel id, or the hotel's English or Chinese name (exact, case-insensitive);
  a name two hotels share is refused (give the id);
- ``night``: ``YYYY-MM-DD``, ``YYYY/M/D`` or a real Excel date, inside the business's date
  window (``shared.limits``);
- ``competitor``: the channel's name, 1-80 characters;
- ``price``: above zero and at most the money ceiling, in the hotel's currency (HR-14).

An import is all or nothing: every row is checked before any is stored, and one bad row
refuses the sheet with a report naming each bad row, its column and why. A row repeating an
earlier row's hotel, night and competitor is a mistake, not an update, and is refused too; a
price already stored for that key is replaced.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import and_, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.auth import DESK_ROLES
from services.contracts.bounds import UPLOAD_SCHEMA

# The rate-sheet importer's reader and cell parsers: one reading of files, dates and amounts
# for every sheet the desk uploads.
from services.contracts.imports.sheet import (
    MAX_BYTES,
    RowError,
    SheetRefused,
    Table,
    _amount,
    _night,
    read_table,
)
from services.contracts.models import Hotel, NightRate, RatePlan
from services.contracts.reports.models import competitor_price
from services.contracts.reports.rankings import month_bounds
from services.contracts.settings import SCHEMA
from shared import audit
from shared.auth import Staff, require
from shared.clock import clock
from shared.db import DbSession
from shared.errors import FormRejected
from shared.i18n import _
from shared.limits import MonthText
from shared.sheets import cell_text, is_blank, quote
from shared.web import render

SHEET_COLUMNS = ("hotel", "night", "competitor", "price")
SHEET_SUFFIXES = (".csv", ".txt", ".xlsx")
# PostgreSQL takes at most 32,767 bind parameters a statement; a row has 6.
INSERT_CHUNK = 1_000


@dataclass(frozen=True, slots=True)
class PriceRow:
    row: int
    hotel_id: uuid.UUID
    night: date
    competitor: str
    price_minor: int
    currency: str


# --- checking the sheet ----------------------------------------------------------------------


async def _hotel_index(session: AsyncSession) -> dict[str, list[Hotel]]:
    """Hotels under each key a sheet may name them by: id, English name, Chinese name."""
    index: dict[str, list[Hotel]] = defaultdict(list)
    for hotel in await session.scalars(select(Hotel)):
        for key in {str(hotel.hotel_id), hotel.name_en.strip(), hotel.name_zh.strip()}:
            index[key.casefold()].append(hotel)
    return index


def _columns(number: int, cells: list[object]) -> dict[str, int]:
    """Where each needed column is in the header row."""
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = re.sub(r"\s+", "_", cell_text(cell).lower())
        if key in SHEET_COLUMNS:
            positions.setdefault(key, index)
    missing = sorted(set(SHEET_COLUMNS) - positions.keys())
    if missing:
        raise SheetRefused([RowError(number, "header", f"missing column(s): {', '.join(missing)}")])
    return positions


def _hotel(value: object, hotels: dict[str, list[Hotel]]) -> Hotel:
    name = cell_text(value)
    if not name:
        raise ValueError("required: our hotel id, or its English or Chinese name")
    matches = hotels.get(name.casefold(), [])
    if len(matches) != 1:
        raise ValueError(
            f"unknown hotel {quote(name)}"
            if not matches
            else f"two hotels are named {quote(name)}; give the id"
        )
    return matches[0]


def _price(value: object, currency: str) -> int:
    if is_blank(value):
        raise ValueError("required")
    amount = _amount(value, currency).amount_minor
    if amount <= 0:
        raise ValueError("must be above zero")
    return amount


def _check_row(
    number: int, cells: dict[str, object], hotels: dict[str, list[Hotel]]
) -> PriceRow | list[RowError]:
    """One row as a ``PriceRow``, or every error in it (not just the first)."""
    errors: list[RowError] = []
    hotel: Hotel | None = None
    night: date | None = None
    price: int | None = None
    try:
        hotel = _hotel(cells["hotel"], hotels)
    except ValueError as exc:
        errors.append(RowError(number, "hotel", str(exc)))
    try:
        night = _night(cells["night"])
    except ValueError as exc:
        errors.append(
            RowError(number, "night", "required" if is_blank(cells["night"]) else str(exc))
        )
    competitor = cell_text(cells["competitor"])
    if not 1 <= len(competitor) <= 80:
        errors.append(RowError(number, "competitor", "name the competitor (1-80 characters)"))
    if hotel is not None:
        try:
            price = _price(cells["price"], hotel.currency)
        except ValueError as exc:
            errors.append(RowError(number, "price", str(exc)))
    if errors or hotel is None or night is None or price is None:
        return errors
    return PriceRow(number, hotel.hotel_id, night, competitor, price, hotel.currency)


async def check_sheet(session: AsyncSession, table: Table) -> list[PriceRow]:
    """Every data row checked; raises ``SheetRefused`` listing all errors if any row is bad."""
    if not table:
        raise SheetRefused([RowError(0, "file", "the file is empty")])
    positions = _columns(*table[0])
    hotels = await _hotel_index(session)
    rows: list[PriceRow] = []
    errors: list[RowError] = []
    first_row_of: dict[tuple[uuid.UUID, date, str], int] = {}
    for number, cells in table[1:]:
        named = {name: cells[i] if i < len(cells) else None for name, i in positions.items()}
        checked = _check_row(number, named, hotels)
        if isinstance(checked, list):
            errors.extend(checked)
            continue
        first = first_row_of.setdefault(
            (checked.hotel_id, checked.night, checked.competitor), number
        )
        if first != number:
            message = f"row {first} already prices this hotel, night and competitor"
            errors.append(RowError(number, "competitor", message))
        rows.append(checked)
    if errors:
        raise SheetRefused(errors)
    if not rows:
        raise SheetRefused([RowError(0, "file", "no rows under the header")])
    return rows


# --- storing it ------------------------------------------------------------------------------


async def store_prices(session: AsyncSession, *, actor: Staff, rows: list[PriceRow]) -> int:
    """Store checked rows in the caller's transaction (all or none); returns how many."""
    values = [
        {
            "hotel_id": r.hotel_id,
            "night": r.night,
            "competitor": r.competitor,
            "price_minor": r.price_minor,
            "currency": r.currency,
            "recorded_by": actor.username,
        }
        for r in rows
    ]
    for start in range(0, len(values), INSERT_CHUNK):
        statement = insert(competitor_price).values(values[start : start + INSERT_CHUNK])
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["hotel_id", "night", "competitor"],
                set_={
                    "price_minor": statement.excluded.price_minor,
                    "recorded_by": statement.excluded.recorded_by,
                    "recorded_at": func.now(),
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
    return len(rows)


async def import_sheet(
    session: AsyncSession, *, actor: Staff, filename: str, content: bytes
) -> int:
    """Import a CSV or .xlsx sheet of competitors' prices all or nothing (HR-5); returns the
    rows stored, or raises ``SheetRefused`` with the report."""
    if not filename.lower().endswith(SHEET_SUFFIXES):
        raise SheetRefused([RowError(0, "file", "send a .csv or .xlsx sheet")])
    # Parsing a workbook is CPU work: keep it off the event loop.
    table = await asyncio.to_thread(read_table, filename, content)
    rows = await check_sheet(session, table)
    return await store_prices(session, actor=actor, rows=rows)


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
        error=_("The sheet was not imported: fix these rows.") if errors else "",
    )


@router.get("/competitors", response_class=HTMLResponse)
async def competitors_page(
    request: Request,
    session: DbSession,
    staff: DeskStaff,
    month: Annotated[MonthText, Query()] = "",
) -> Response:
    """Where we are cheaper or dearer than competitors this month (HR-5), with a chart."""
    return await _page(request, session, staff, month or clock.today().strftime("%Y-%m"))


@router.post("/competitors/import")
async def competitors_import(
    request: Request,
    session: DbSession,
    staff: DeskStaff,
    sheet: Annotated[UploadFile, File(json_schema_extra=UPLOAD_SCHEMA)],
    month: Annotated[MonthText, Query()] = "",
) -> Response:
    """Import competitors' prices from a CSV or .xlsx sheet: hotel, night, competitor, price."""
    month = month or clock.today().strftime("%Y-%m")
    content = await sheet.read(MAX_BYTES + 1)  # read_table refuses anything over MAX_BYTES
    try:
        stored = await import_sheet(
            session, actor=staff, filename=sheet.filename or "", content=content
        )
    except SheetRefused as exc:
        errors = exc.errors
        raise FormRejected(
            lambda session: _page(request, session, staff, month, errors=errors, status=422)
        ) from exc
    notice = _("Imported %(count)s prices.") % {"count": stored}
    return await _page(request, session, staff, month, notice=notice)


@router.get("/api/competitors/summary")
async def competitors_summary(
    session: DbSession, staff: DeskStaff, month: Annotated[MonthText, Query()]
) -> list[dict[str, object]]:
    """The month's comparison per hotel as JSON (HR-5)."""
    return [
        c.__dict__ | {"hotel_id": str(c.hotel_id)}
        for c in await monthly_summary(session, month=month)
    ]
