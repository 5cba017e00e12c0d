"""Contracts' bounds on what enters (issue 14), named once and built from ``shared.limits``.

The lengths are what the hotel-resources desk needs, not what a column could hold:

- a hotel's, room type's or facility's name ``shared.limits.Name`` (200); a city or district
  ``SHORT_TEXT_LENGTH`` (80, the columns' width);
- weekdays 0 (Monday) .. 6 (Sunday), at most seven of them;
- versions (the grid's, a draft's revision) inside the Integer columns (``shared.limits``);
- money through ``shared.limits.MinorUnits`` (the settable ceiling ``ROOMLINE_MONEY_CEILING_MINOR``,
  then the hard maximum): a price typed as a decimal, in a sheet or in an OTA message goes
  through ``parse_price``, which applies the same ceiling and never lets an absurd number
  (``1e30``, ``Infinity``) reach ``decimal``'s own exceptions;
- dates through ``BusinessDate`` (the business's window around today) and months through
  ``MonthText`` / ``parse_month``, so year 1 or 9999-12-31 never reach a ``timedelta`` or SQL;
- page numbers through ``PageNumber``;
- ids through ``Uuid`` (36 characters, like intake's).

Under ``TYPE_CHECKING`` the text types are plain ``str`` (``shared.limits.Text`` builds an
``Annotated`` at run time, which mypy cannot read from a call).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field, WithJsonSchema

from shared.i18n import N_
from shared.limits import INT32_MAX, Refusal, Text, at_most, check_money
from shared.money import Money

SHORT_TEXT_LENGTH = 80  # a city, a district: the hotel columns' width
PRICE_TEXT_LENGTH = 24  # "1,000,000.00" and then some; a longer text is no price
AN_AMOUNT = N_("Enter an amount, like 580.00.")
MAX_FACILITIES = 40

if TYPE_CHECKING:
    ShortText = str
    FacilityName = str
else:
    ShortText = Text(SHORT_TEXT_LENGTH)
    FacilityName = Text(SHORT_TEXT_LENGTH)


Weekday = Annotated[int, Field(ge=0, le=6)]  # 0 = Monday .. 6 = Sunday
# A draft's revision (HR-3): from 1, inside the Integer column.
Revision = Annotated[int, Field(ge=1, le=INT32_MAX)]

# A commission in percent with two decimals, above 0 and at most 50 (HR-1's contracts).
CommissionPercent = Annotated[
    Decimal,
    at_most(8, "a percentage"),
    Field(gt=0, le=50, decimal_places=2),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0, "maximum": 50},
                {"type": "string", "maxLength": 8, "pattern": r"^\d{1,2}(\.\d{1,2})?$"},
            ]
        }
    ),
]

# An uploaded file: its route caps the bytes (``shared.web.BodyLimit``), which the schema's
# ``binary`` format tells the completeness test (tests/shared/test_input_bounds.py).
UPLOAD_SCHEMA: dict[str, Any] = {"format": "binary"}


def parse_amount(text: str, currency: str) -> Money:
    """A decimal typed by a person ("688.00") in ``currency``; ``ValueError`` for a text that
    is no amount, however absurd (``1e30``, ``Infinity``, a thousand digits), never decimal's
    own exceptions. No ceiling: ``parse_price`` adds it."""
    text = text.strip()
    if len(text) > PRICE_TEXT_LENGTH:
        raise Refusal(
            f"not an amount: {text[:PRICE_TEXT_LENGTH]!r}… ({len(text):,} characters)", AN_AMOUNT
        )
    try:
        return Money.parse(text, currency)
    except ArithmeticError as exc:  # decimal's InvalidOperation: 1e30, Infinity
        raise Refusal(f"not an amount: {text!r}", AN_AMOUNT) from exc
    except ValueError as exc:  # Money.parse's own: not a number, too many decimal places
        raise Refusal(str(exc), AN_AMOUNT) from exc


def check_price(money: Money) -> Money:
    """``money`` if it is at most the money ceiling (``shared.limits.check_money``)."""
    if money.amount_minor > 0:
        check_money(money.amount_minor)
    return money


def parse_price(text: str, currency: str) -> Money:
    """A price typed as a decimal in the hotel's currency, at most the money ceiling;
    ``ValueError`` saying why otherwise (a negative amount is the caller's to refuse)."""
    return check_price(parse_amount(text, currency))
