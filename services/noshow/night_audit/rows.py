"""Night-audit rows checked before anything is written (NS-1), all or nothing like the rate
imports (HR-2): every row of a file or an API call is checked against our bookings, and one
bad row refuses the whole input with a report naming each row, field and why.

Our fields: ``booking_ref`` and ``status`` (required), ``guest_name``, ``arrival`` and
``nights`` (optional). A status is a word a hotel's report uses, in Chinese or English (case,
spaces and dashes ignored): stayed is 已入住, 入住, checked in, in-house, stayed; a no-show is
未到, no show, noshow. Messages are English source texts with parameters (``Problem``), so a
page shows them in the reader's language.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.noshow.checkins import CheckInRow, known_booking_refs
from shared.i18n import N_
from shared.limits import check_date
from shared.sheets import REPORT_MAX_ROWS, RowError, cell_text, quote

FIELDS = ("booking_ref", "guest_name", "arrival", "status", "nights")
REQUIRED = ("booking_ref", "status")
# Our fields as the pages name them (the report's ``field`` column).
FIELD_LABELS = {
    "booking_ref": N_("Booking reference"),
    "guest_name": N_("Guest name"),
    "arrival": N_("Arrival date"),
    "status": N_("Status"),
    "nights": N_("Nights stayed"),
    "file": N_("File"),
    "header": N_("Header row"),
}
MAX_NIGHTS = 365
MAX_REF = 40
MAX_GUEST = 200
_WORD = re.compile(r"[\s\-_]+")
STAYED_WORDS = frozenset({"已入住", "入住", "在住", "checkedin", "inhouse", "stayed"})
NO_SHOW_WORDS = frozenset({"未到", "noshow"})
_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")


@dataclass(frozen=True, slots=True)
class Problem:
    """One refused row: ``message`` an English source text, ``params`` filled in where shown."""

    row: int
    field: str
    message: str
    params: dict[str, str] = dc_field(default_factory=dict)

    def english(self) -> str:
        return self.message % self.params if self.params else self.message

    def stored(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message, **self.params}


def from_sheet(errors: list[RowError]) -> list[Problem]:
    """The kit's refusals of a file (too big, unreadable, a cell too long) as problems."""
    return [Problem(e.row, e.field, e.message) for e in errors]


def report(problems: list[Problem]) -> list[dict[str, Any]]:
    """A refusal as stored and answered: at most ``REPORT_MAX_ROWS`` problems (bounded)."""
    kept = problems[:REPORT_MAX_ROWS]
    rows = [{**p.stored(), "text": p.english()} for p in kept]
    if len(problems) > len(kept):
        more = Problem(
            0,
            "report",
            N_("and %(count)s more problems"),
            {"count": str(len(problems) - len(kept))},
        )
        rows.append({**more.stored(), "text": more.english()})
    return rows


def status_word(text: str) -> bool | None:
    """True for a stayed word, False for a no-show word, None for any other."""
    word = _WORD.sub("", text.strip().lower())
    if word in STAYED_WORDS:
        return True
    return False if word in NO_SHOW_WORDS else None


def parse_arrival(value: object) -> date:
    """A date cell: ``YYYY-MM-DD`` (or ``/``, ``.``) or a real Excel date; ValueError else."""
    if isinstance(value, datetime):
        return check_date(value.date())
    if isinstance(value, date):
        return check_date(value)
    found = _DATE.match(cell_text(value))
    if found is None:
        raise ValueError("malformed")
    return check_date(date(*(int(part) for part in found.groups())))


@dataclass
class Checked:
    rows: list[CheckInRow] = dc_field(default_factory=list)
    hotels: set[uuid.UUID] = dc_field(default_factory=set)
    problems: list[Problem] = dc_field(default_factory=list)


async def check_rows(
    session: AsyncSession,
    rows: list[tuple[int, dict[str, object]]],
    *,
    hotels: frozenset[uuid.UUID] | None,
) -> Checked:
    """Every (row number, cells by our field) checked; ``hotels`` the ones the input may name
    (None: any). The bookings are read in one query."""
    refs = {cell_text(cells.get("booking_ref"))[:MAX_REF] for _, cells in rows}
    bookings = await known_booking_refs(session, refs - {""})
    checked, seen = Checked(), set[str]()
    for number, cells in rows:
        problems = _check_row(number, cells, bookings, hotels, seen)
        if problems:
            checked.problems.extend(problems)
            continue
        ref = cell_text(cells["booking_ref"])
        stayed = status_word(cell_text(cells["status"])) is True
        nights = cell_text(cells.get("nights"))
        checked.rows.append(CheckInRow(ref, stayed, int(nights) if nights else None))
        checked.hotels.add(bookings[ref].hotel_id)
    if not rows:
        checked.problems.append(Problem(0, "file", N_("no rows under the header")))
    return checked


def _check_row(
    number: int,
    cells: dict[str, object],
    bookings: dict[str, Any],
    hotels: frozenset[uuid.UUID] | None,
    seen: set[str],
) -> list[Problem]:
    problems: list[Problem] = []

    def fail(name: str, message: str, **params: str) -> None:
        problems.append(Problem(number, name, message, params))

    ref = cell_text(cells.get("booking_ref"))
    booking = bookings.get(ref)
    if not ref:
        fail("booking_ref", N_("required"))
    elif booking is None:
        fail("booking_ref", N_("no booking %(ref)s"), ref=quote(ref))
    elif hotels is not None and booking.hotel_id not in hotels:
        fail(
            "booking_ref",
            N_("booking %(ref)s is for another hotel (%(hotel)s)"),
            ref=ref,
            hotel=booking.hotel_name[:60],
        )
    elif ref in seen:
        fail("booking_ref", N_("booking %(ref)s is listed twice"), ref=ref)
    seen.add(ref)
    status = cell_text(cells.get("status"))
    if not status:
        fail("status", N_("required"))
    elif status_word(status) is None:
        fail("status", N_("unknown status %(word)s: write stayed or no show"), word=quote(status))
    if cell_text(cells.get("arrival")):
        try:
            arrival = parse_arrival(cells["arrival"])
        except ValueError:
            fail(
                "arrival",
                N_("%(value)s is not a date: write YYYY-MM-DD"),
                value=quote(cells["arrival"]),
            )
        else:
            if booking is not None and arrival != booking.check_in:
                fail(
                    "arrival",
                    N_("booking %(ref)s arrives on %(day)s, not %(value)s"),
                    ref=ref,
                    day=booking.check_in.isoformat(),
                    value=arrival.isoformat(),
                )
    nights = cell_text(cells.get("nights"))
    if nights and not (nights.isdigit() and 1 <= int(nights) <= MAX_NIGHTS):
        fail(
            "nights",
            N_("%(value)s is not a number of nights (1 to %(max)s)"),
            value=quote(nights),
            max=str(MAX_NIGHTS),
        )
    if len(cell_text(cells.get("guest_name"))) > MAX_GUEST:
        fail("guest_name", N_("longer than %(max)s characters"), max=str(MAX_GUEST))
    return problems
