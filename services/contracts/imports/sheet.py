"""Rate and allotment sheets (CSV or Excel) imported all or nothing (HR-2, HR-4, HR-14).

The sheet's first row names the columns (case and spaces do not matter):

- ``hotel_id`` (our id) or ``hotel`` (the hotel's English name, exact, case-insensitive);
  a row may fill either; ``hotel_id`` wins when both are filled;
- ``room_type`` (name), ``rate_plan`` (name, needed only when the row sets prices);
- ``first_night``, ``last_night``: an inclusive range, ``YYYY-MM-DD`` (``YYYY/M/D`` and real
  Excel dates too), today or later, at most 400 nights, inside the business's date window
  (``shared.limits``: a year 9999 is a row error, never an overflow);
- ``rooms`` (optional): the allotment, absolute, 0..999;
- ``net``, ``sell`` (optional, together): decimal prices in the hotel's currency (HR-14), at
  most the money ceiling (``ROOMLINE_MONEY_CEILING_MINOR``), as the API and the forms.

A row sets rooms, prices or both; a row setting neither is an error. Rows are numbered as the
spreadsheet shows them (the header is row 1; row 0 in a report means the file as a whole).
Blank rows are skipped. A CSV is read as UTF-8 (a BOM is fine) or else GB18030, as Excel in
China saves it. In an .xlsx only the first sheet is read.

Every row is checked before anything is written; one bad row refuses the whole file and the
report names each bad row, its column and why. A clean sheet is applied in one transaction by
``import_apply.apply_rows`` (audited, announced through the outbox); a later row overwrites an
earlier one's nights. ``import_jobs`` runs all this in the background with progress. A
plainly written sheet takes the set-based path first (``imports.staging``, issue 19), which
applies the same rules in SQL and hands anything else back to ``check_sheet``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.bounds import check_price, parse_amount
from services.contracts.hotels import service
from services.contracts.hotels.schemas import MAX_RANGE_NIGHTS
from services.contracts.models import Hotel, RatePlan, RoomType
from shared import sheets
from shared.clock import clock
from shared.dates import check_range
from shared.errors import NotFound
from shared.limits import check_date, date_window
from shared.money import Money
from shared.sheets import (
    Numbered,
    RowError,
    cell_text,
    check_file,
    header_key,
    is_blank,
    numbered_rows,
    quote,
)

# Sheets are checked and applied in the background (``import_jobs``), so a season's grid of
# a chain's hotels fits: 10,000 rows are about 1 MB of CSV or 0.4 MB of .xlsx.
MAX_BYTES = 16 * 1024 * 1024
MAX_ROWS = 100_000
PROGRESS_EVERY = 500
Progress = Callable[[int], Awaitable[None]]

# Header spellings accepted for each column.
COLUMNS = {
    "hotel_id": "hotel_id",
    "hotel": "hotel",
    "hotel_name": "hotel",
    "hotel_english_name": "hotel",
    "room_type": "room_type",
    "room_type_name": "room_type",
    "rate_plan": "rate_plan",
    "rate_plan_name": "rate_plan",
    "first_night": "first_night",
    "last_night": "last_night",
    "rooms": "rooms",
    "net": "net",
    "sell": "sell",
}
_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")


class SheetRefused(sheets.SheetRefused):
    """The sheet (or XML message) was refused as a whole; ``rows`` says where and why."""

    nothing_done = "Nothing was imported"


@dataclass(frozen=True, slots=True)
class SheetRow:
    """A checked row: rooms (``rooms``), prices (``rate_plan_id``, net and sell) or both, on
    every night from ``first_night`` to ``last_night``, both included."""

    row: int
    hotel_id: uuid.UUID
    room_type_id: uuid.UUID
    currency: str  # the hotel's (HR-14)
    first_night: date
    last_night: date
    rooms: int | None = None
    rate_plan_id: uuid.UUID | None = None
    net_minor: int = 0
    sell_minor: int = 0


Table = Numbered


# --- reading the file (shared.sheets; the limits are read at call time, tests lower them) ---


def check_upload(filename: str, content: bytes) -> None:
    """Refuse at once (before any job is queued) a file over the size limit or of a kind we
    do not read; everything else is checked by the job."""
    with _in_our_words():
        check_file(filename, content, max_bytes=MAX_BYTES, kinds=" (or .xml for OTA)")


def read_table(filename: str, content: bytes) -> Table:
    """The file's non-blank rows with their spreadsheet row numbers (header first)."""
    check_upload(filename, content)
    with _in_our_words():
        return numbered_rows(filename, content, max_rows=MAX_ROWS, max_bytes=MAX_BYTES)


@contextmanager
def _in_our_words() -> Iterator[None]:
    """The reader's refusal as this desk's ``SheetRefused`` ("Nothing was imported")."""
    try:
        yield
    except sheets.SheetRefused as exc:
        if isinstance(exc, SheetRefused):
            raise
        raise SheetRefused(exc.errors) from exc


def _header(cells: list[object]) -> tuple[list[str | None], list[RowError]]:
    names: list[str | None] = []
    errors = []
    for cell in cells:
        if is_blank(cell):
            names.append(None)
            continue
        key = header_key(cell)
        if key not in COLUMNS:
            errors.append(RowError(1, "header", f"unknown column {quote(cell)}"))
        names.append(COLUMNS.get(key))
    present = set(names)
    if not present & {"hotel_id", "hotel"}:
        errors.append(RowError(1, "header", "needs a hotel_id or a hotel column"))
    for needed in ("room_type", "first_night", "last_night"):
        if needed not in present:
            errors.append(RowError(1, "header", f"needs a {needed} column"))
    if not present & {"rooms", "net", "sell"}:
        errors.append(RowError(1, "header", "needs a rooms column or net and sell columns"))
    return names, errors


# --- checking the rows -----------------------------------------------------------------------


# Sheets repeat the same dates, prices and hotel ids thousands of times: each distinct text is
# parsed once. Today is read once per sheet too (HotelLookup.today): asking the clock on every
# row was a fifth of the checking time in bench/rates_import.py's profile.
@lru_cache(maxsize=4096)
def _night_text(text: str) -> date:
    match = _DATE.match(text)
    if not match:
        raise ValueError(f"{quote(text)} is not a date (YYYY-MM-DD)")
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError as exc:
        raise ValueError(f"{quote(text)} is not a date ({exc})") from exc


def _night(value: object, window: tuple[date, date] | None = None) -> date:
    """A night cell as a date inside the business's window (``shared.limits``): ``window``
    read once per sheet, else ``check_date`` reads it (not cached with the text: the window
    moves with today)."""
    if isinstance(value, datetime):
        night = value.date()
    elif isinstance(value, date):
        night = value
    else:
        night = _night_text(cell_text(value))
    if window is None:
        return check_date(night)
    first, last = window
    if not first <= night <= last:
        raise ValueError(
            f"日期须在 {first} 至 {last} 之间 / the date must lie between {first} and {last}"
        )
    return night


@lru_cache(maxsize=65536)
def _amount_text(text: str, currency: str) -> Money:
    """A price cell: a decimal in ``currency``, not negative (the ceiling is ``_amount``'s:
    a setting, not the text)."""
    try:
        money = parse_amount(text, currency)
    except ValueError as exc:
        raise ValueError(str(exc).replace("not an amount", "not a price")) from exc
    if money.amount_minor < 0:
        raise ValueError(f"{text} is negative")
    return money


def _amount(value: object, currency: str) -> Money:
    """A price cell at most the money ceiling (``ROOMLINE_MONEY_CEILING_MINOR``)."""
    if isinstance(value, float):
        value = Decimal(repr(value))  # the shortest text that reads back as this float
    return check_price(_amount_text(cell_text(value), currency))


@lru_cache(maxsize=4096)
def _hotel_uuid(text: str) -> uuid.UUID:
    return uuid.UUID(text)


def _rooms(value: object) -> int:
    text = cell_text(value)
    if not (text.isascii() and text.isdigit()):
        raise ValueError(f"{quote(text)} is not a whole number of rooms")
    if len(text) > 9:
        raise ValueError(f"{quote(text)} is more than 999")
    rooms = int(text)
    if rooms > 999:
        raise ValueError(f"{rooms} is more than 999")
    return rooms


@dataclass(frozen=True, slots=True)
class HotelIndex:
    """A hotel's file with its room types by name and rate plans by (room type, name)."""

    file: service.HotelFile
    room_types: dict[str, RoomType]
    rate_plans: dict[tuple[uuid.UUID, str], RatePlan]

    @classmethod
    def of(cls, file: service.HotelFile) -> HotelIndex:
        plans = {(p.room_type_id, p.name): p for p in file.rate_plans}
        return cls(file, {t.name: t for t in file.room_types}, plans)


@dataclass
class HotelLookup:
    """Hotels and their files, each read once however many rows name them."""

    session: AsyncSession
    today: date = field(default_factory=clock.today)
    window: tuple[date, date] = field(default_factory=date_window)  # shared.limits
    files: dict[uuid.UUID, HotelIndex] = field(default_factory=dict)
    by_name: dict[str, list[uuid.UUID]] = field(default_factory=dict)

    async def file(self, hotel_id: uuid.UUID) -> HotelIndex:
        if hotel_id not in self.files:
            file = await service.hotel_file(self.session, hotel_id=hotel_id)
            self.files[hotel_id] = HotelIndex.of(file)
        return self.files[hotel_id]

    async def named(self, name: str) -> list[uuid.UUID]:
        key = name.casefold()
        if key not in self.by_name:
            # The only query of its own: an exact (case-insensitive) match on the English name.
            query = select(Hotel.hotel_id).where(func.lower(Hotel.name_en) == name.lower())
            self.by_name[key] = list(await self.session.scalars(query))
        return self.by_name[key]

    async def resolve(self, cells: dict[str, object]) -> tuple[HotelIndex | None, str]:
        """The row's hotel, or None and why not."""
        if not is_blank(cells.get("hotel_id")):
            try:
                return await self.file(_hotel_uuid(cell_text(cells["hotel_id"]))), ""
            except ValueError:
                return None, f"{quote(cells['hotel_id'])} is not a hotel id"
            except NotFound:
                return None, f"no hotel {quote(cells['hotel_id'])}"
        name = cell_text(cells.get("hotel"))
        if not name:
            return None, "required (hotel_id or hotel English name)"
        matches = await self.named(name)
        if len(matches) != 1:
            return None, f"{'no' if not matches else 'more than one'} hotel named {quote(name)}"
        return await self.file(matches[0]), ""


def _check_nights(
    cells: dict[str, object], today: date, window: tuple[date, date], fail: Any
) -> tuple[date, date] | None:
    nights: dict[str, date] = {}
    for column in ("first_night", "last_night"):
        try:
            nights[column] = _night(cells.get(column), window)
        except ValueError as exc:
            fail(column, str(exc) if not is_blank(cells.get(column)) else "required")
    if len(nights) < 2:
        return None
    first, last = nights["first_night"], nights["last_night"]
    if first < today:  # check_not_past's rule and words, with today read once per sheet
        fail("first_night", f"first night {first.isoformat()} is in the past (today is {today})")
        return None
    try:
        check_range(first, last, max_nights=MAX_RANGE_NIGHTS, inclusive=True)
    except ValueError as exc:
        fail("last_night", str(exc))
        return None
    return first, last


def _check_prices(cells: dict[str, object], currency: str, fail: Any) -> tuple[Money, Money] | None:
    net_blank, sell_blank = is_blank(cells.get("net")), is_blank(cells.get("sell"))
    if net_blank and sell_blank:
        return None
    if net_blank or sell_blank:
        fail("net" if net_blank else "sell", "net and sell are set together")
        return None
    prices: dict[str, Money] = {}
    for column in ("net", "sell"):
        try:
            prices[column] = _amount(cells[column], currency)
        except ValueError as exc:
            fail(column, str(exc))
    if len(prices) < 2:
        return None
    net, sell = prices["net"], prices["sell"]
    if sell.amount_minor < net.amount_minor:
        # HR-4 asks for a 10% average margin; selling below net is never allowed.
        fail("sell", f"{sell} is below net {net}")
        return None
    return net, sell


async def _check_row(lookup: HotelLookup, number: int, cells: dict[str, object]) -> Any:
    """One row as a ``SheetRow``, or the list of its errors."""
    errors: list[RowError] = []

    def fail(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    index, why = await lookup.resolve(cells)
    if index is None:
        fail("hotel_id" if not is_blank(cells.get("hotel_id")) else "hotel", why)
    nights = _check_nights(cells, lookup.today, lookup.window, fail)
    rooms = None
    if not is_blank(cells.get("rooms")):
        try:
            rooms = _rooms(cells["rooms"])
        except ValueError as exc:
            fail("rooms", str(exc))
    elif is_blank(cells.get("net")) and is_blank(cells.get("sell")):
        fail("rooms", "nothing to set: give rooms, or net and sell")
    if index is None:
        return errors
    prices = _check_prices(cells, index.file.hotel.currency, fail)
    row = _row_inputs(index, number, cells, nights, rooms, prices, fail)
    return errors if errors or row is None else row


def _row_inputs(
    index: HotelIndex,
    number: int,
    cells: dict[str, object],
    nights: tuple[date, date] | None,
    rooms: int | None,
    prices: tuple[Money, Money] | None,
    fail: Any,
) -> SheetRow | None:
    hotel = index.file.hotel
    room_type_name = cell_text(cells.get("room_type"))
    room_type = index.room_types.get(room_type_name)
    if room_type is None:
        known = ", ".join(t.name for t in index.file.room_types) or "none"
        fail("room_type", f"{hotel.name_en} has no room type {quote(room_type_name)} ({known})")
        return None
    plan = None
    if prices is not None:
        plan_name = cell_text(cells.get("rate_plan"))
        plan = index.rate_plans.get((room_type.room_type_id, plan_name))
        if plan is None:
            fail("rate_plan", f"{room_type.name} has no rate plan {quote(plan_name)}")
    if nights is None or (prices is not None and plan is None):
        return None
    # Every field was checked above with the schemas' rules (range, not past, 0..999, sell
    # not below net); a plain row is ten times cheaper than two validated models.
    first, last = nights
    hotel_and_type = (hotel.hotel_id, room_type.room_type_id, hotel.currency, first, last)
    if prices is None or plan is None:
        return SheetRow(number, *hotel_and_type, rooms=rooms)
    net, sell = prices
    return SheetRow(
        number,
        *hotel_and_type,
        rooms=rooms,
        rate_plan_id=plan.rate_plan_id,
        net_minor=net.amount_minor,
        sell_minor=sell.amount_minor,
    )


async def check_sheet(
    session: AsyncSession, table: Table, *, on_progress: Progress | None = None
) -> list[SheetRow]:
    """Every data row checked; raises ``SheetRefused`` listing all errors if any row is bad.
    ``on_progress(rows checked)`` is awaited every ``PROGRESS_EVERY`` rows."""
    if not table:
        raise SheetRefused([RowError(0, "file", "the file is empty")])
    names, errors = _header(table[0][1])
    if errors:
        raise SheetRefused(errors)
    lookup, rows = HotelLookup(session), []
    for done, (number, cells) in enumerate(table[1:], start=1):
        named = {n: v for n, v in zip(names, cells, strict=False) if n is not None}
        checked = await _check_row(lookup, number, named)
        if isinstance(checked, SheetRow):
            rows.append(checked)
        else:
            errors.extend(checked)
        if on_progress is not None and done % PROGRESS_EVERY == 0:
            await on_progress(done)
    if errors:
        raise SheetRefused(errors)
    if not rows:
        raise SheetRefused([RowError(0, "file", "no rows under the header")])
    return rows
