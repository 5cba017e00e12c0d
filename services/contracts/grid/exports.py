"""A hotel's grid of the next nights as an Excel workbook (HR-2: rooms, net and sell prices).

Layout of the one sheet ("Grid"): row 1 names the hotel (Chinese and English names), its
currency and the first night; row 3 is the header (room type, rate plan, what, then one
column per night as a real Excel date); from row 4, per room type one "rooms" row and per rate
plan a "sell" and a "net" row. Prices are numbers in the hotel's currency (HR-14, formatted
with its decimal places); a night with nothing agreed is an empty cell.
"""

from __future__ import annotations

import io
import uuid
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.hotels import service
from shared.exports import append_row
from shared.money import exponent

MAX_NIGHTS = 400
HEADER_ROW = 3
FIRST_NIGHT_COLUMN = 4


def _decimal(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-exponent(currency))


def _rows(file: service.HotelFile, calendar: service.HotelCalendar) -> list[list[object]]:
    currency = file.hotel.currency
    rows: list[list[object]] = []
    for room_type in file.room_types:
        rooms = [calendar.rooms.get((room_type.room_type_id, n)) for n in calendar.nights]
        rows.append([room_type.name, "", "rooms", *rooms])
        for plan in (p for p in file.rate_plans if p.room_type_id == room_type.room_type_id):
            prices = [calendar.prices.get((plan.rate_plan_id, n)) for n in calendar.nights]
            for index, what in ((1, "sell"), (0, "net")):
                cells: list[object] = [
                    None if p is None else _decimal(p[index], currency) for p in prices
                ]
                rows.append([room_type.name, plan.name, what, *cells])
    return rows


def _workbook(file: service.HotelFile, calendar: service.HotelCalendar) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Grid"
    hotel = file.hotel
    # Names are the hotel's own text: written inert (shared.exports), never as formulas.
    append_row(sheet, [hotel.name_zh, hotel.name_en, hotel.currency, calendar.nights[0]])
    sheet.append([])
    append_row(sheet, ["Room type", "Rate plan", "What", *calendar.nights])
    for cell in sheet[HEADER_ROW]:
        cell.font = Font(bold=True)
        if isinstance(cell.value, date):
            cell.number_format = "yyyy-mm-dd"
    sheet["D1"].number_format = "yyyy-mm-dd"
    places = exponent(hotel.currency)
    price_format = "#,##0" + ("." + "0" * places if places else "")
    for row in _rows(file, calendar):
        append_row(sheet, row)
        if row[2] != "rooms":
            for cell in sheet[sheet.max_row][FIRST_NIGHT_COLUMN - 1 :]:
                cell.number_format = price_format
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, FIRST_NIGHT_COLUMN)
    for column, width in ((1, 24), (2, 20), (3, 8)):
        sheet.column_dimensions[get_column_letter(column)].width = width
    for offset in range(len(calendar.nights)):
        sheet.column_dimensions[get_column_letter(FIRST_NIGHT_COLUMN + offset)].width = 11
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def hotel_grid_xlsx(
    session: AsyncSession, *, hotel_id: uuid.UUID, first_night: date, nights: int
) -> tuple[service.HotelFile, bytes]:
    """The hotel's file and its grid of ``nights`` nights from ``first_night`` as .xlsx."""
    file = await service.hotel_file(session, hotel_id=hotel_id)
    calendar = await service.hotel_calendar(
        session, hotel_id=hotel_id, first_night=first_night, nights=nights
    )
    return file, _workbook(file, calendar)
