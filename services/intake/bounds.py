"""Intake's bounds on what enters (issue 14), named once and built from ``shared.limits``.

The lengths are what a booking centre needs, not what a column could hold:

- a guest's name 100 characters (a long Chinese name with its pinyin, or "Dr. … and child");
- a booking reference 32 (``RL`` + 8 today; room for a hotel's longer reference pasted in);
- free text that goes on an order sheet or to another desk 2000 (a memo's 4000, as before);
- rooms per booking ``MAX_ROOMS`` (9, the booking rule of ``booking.service``; a group books
  more, one booking per 9 rooms); a stay ``MAX_NIGHTS`` (30);
- money through ``shared.limits.MinorUnits`` (the settable ceiling, then the hard maximum),
  so rooms × nights × price stays far inside a bigint and an event's integer;
- dates through ``BusinessDate`` / ``parse_day`` (the business's window around today), and page
  numbers through ``PageNumber`` / ``checked_page``, so an OFFSET is never larger than
  ``MAX_PAGE`` pages.

Under ``TYPE_CHECKING`` the text types are plain ``str`` (``shared.limits.Text`` builds an
``Annotated`` at run time, which mypy cannot read from a call).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

from pydantic import Field, WithJsonSchema

from shared.errors import InvalidInput
from shared.limits import (
    INT32_MAX,
    MAX_PAGE,
    MONEY_HARD_MAX_MINOR,
    Text,
    at_most,
)

MAX_ROOMS = 9  # rooms in one booking (IN-4); booking.service refuses more
MAX_NIGHTS = 30  # nights in one stay
GUEST_NAME_LENGTH = 100
MAX_GUESTS = 40  # guest names on one booking (9 rooms, 4 a room, and a few more)
BOOKING_REF_LENGTH = 32
FREE_TEXT_LENGTH = 2000
SHORT_TEXT_LENGTH = 80  # a city, a district, a hotel's name typed in a search
# The search's price band is typed in major units: 10^10 of them is the hard money maximum.
PRICE_BAND_MAX = Decimal(MONEY_HARD_MAX_MINOR) / 100

if TYPE_CHECKING:
    GuestName = str
    BookingRef = str
    FreeText = str
    ShortText = str
    Filter = str
else:
    GuestName = Text(GUEST_NAME_LENGTH)
    BookingRef = Text(BOOKING_REF_LENGTH)
    FreeText = Text(FREE_TEXT_LENGTH)
    ShortText = Text(SHORT_TEXT_LENGTH)
    Filter = Text(64)  # a status, a period, a department typed in a query string


Rooms = Annotated[int, Field(ge=1, le=MAX_ROOMS)]
# A booking version a change names (IN-5): from 1, inside the Integer column.
SeenVersion = Annotated[int, Field(ge=1, le=INT32_MAX)]
PriceBand = Annotated[
    Decimal,
    at_most(16, "an amount"),
    Field(ge=0, le=PRICE_BAND_MAX, max_digits=12, decimal_places=2),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": float(PRICE_BAND_MAX)},
                {"type": "string", "maxLength": 16, "pattern": r"^\d+(\.\d{1,2})?$"},
            ]
        }
    ),
]
# A percentage with two decimals, 0 to below 100 (a negotiated discount, IN-9).
Percent = Annotated[
    Decimal,
    at_most(8, "a percentage"),
    Field(ge=0, lt=100, decimal_places=2),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "exclusiveMaximum": 100},
                {"type": "string", "maxLength": 8, "pattern": r"^\d{1,2}(\.\d{1,2})?$"},
            ]
        }
    ),
]


def checked_page(page: int) -> int:
    """A page number a list's OFFSET may use: 1 to ``MAX_PAGE``; otherwise a 422 naming it."""
    if not 1 <= page <= MAX_PAGE:
        raise InvalidInput(
            f"页码须在 1 至 {MAX_PAGE} 之间 / Page: enter a whole number from 1 to {MAX_PAGE}.",
            field="page",
        )
    return page


def parse_page(raw: str) -> int:
    """A page number typed into a page's address (``?page=``), bounded like ``checked_page``."""
    text = raw.strip() or "1"
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_PAGE)):
        raise InvalidInput(
            f"页码须在 1 至 {MAX_PAGE} 之间 / Page: enter a whole number from 1 to {MAX_PAGE}.",
            field="page",
        )
    return checked_page(int(text))
