"""Bounds on everything that enters (issue 14): lengths, characters, numbers, money and dates.

One place in the kit. Services type their fields with these (``Text(200)``, ``PageNumber``,
``MinorUnits``, ``BusinessDate``…), so every field in every OpenAPI document carries its bound
(tests/shared/test_input_bounds.py walks them all), and ``shared.input_guard`` backs them up at
the door for what no type sees: a control character or an oversized string anywhere in a query
string, a form or a JSON body is a 422 naming the field before any handler runs.

The windows and the money ceiling are the business's to set (``ROOMLINE_DATE_WINDOW_*``,
``ROOMLINE_MONEY_CEILING_MINOR``); the hard limits below are what the columns and events hold.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.clock import clock
from shared.i18n import N_, gettext


class Refusal(ValueError):
    """A validator's refusal: ``str()`` is the bilingual text the API has always answered;
    ``plain()`` is the catalog text in the reader's language, for pages (shared.field_errors)."""

    def __init__(self, api_text: str, message: str, **params: Any) -> None:
        super().__init__(api_text)
        self.message = message
        self.params = params

    def plain(self) -> str:
        """Translated when called (at request time: the reader's locale)."""
        return gettext(self.message) % self.params


# Tab, line feed and carriage return are text; every other C0 control, DEL and the C1 range
# are not (PostgreSQL refuses NUL outright, the rest corrupt exports and order sheets).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
# The largest page number any list accepts: far past any real list, far below an overflow.
MAX_PAGE = 100_000
# Money in minor units never exceeds this, whatever the setting: rooms × nights × price stays
# far inside a PostgreSQL bigint and an event's integer.
MONEY_HARD_MAX_MINOR = 10**12

# The default lengths, by what the text is.
CODE_LENGTH = 64
NAME_LENGTH = 200
LINE_LENGTH = 500
NOTE_LENGTH = 4000
QUERY_LENGTH = 200


class LimitSettings(BaseSettings):
    """``ROOMLINE_DATE_WINDOW_PAST_DAYS`` / ``_FUTURE_DAYS``: how far back and ahead of today
    any date may lie; ``ROOMLINE_MONEY_CEILING_MINOR``: the largest price or amount accepted."""

    model_config = SettingsConfigDict(env_prefix="ROOMLINE_", extra="ignore")

    date_window_past_days: int = Field(3650, ge=1, le=36500)
    date_window_future_days: int = Field(1095, ge=1, le=3650)
    # 1,000,000.00 in a two-decimal currency: more than any room night this business sells.
    money_ceiling_minor: int = Field(100_000_000, ge=1, le=MONEY_HARD_MAX_MINOR)


@lru_cache
def limit_settings() -> LimitSettings:
    return LimitSettings()


def control_character_message(found: str) -> str:
    return (
        f"含有不可见的控制字符 U+{ord(found):04X}，请删除 / "
        f"contains the control character U+{ord(found):04X}; remove it"
    )


def check_text(value: str) -> str:
    """Refuse control characters (pydantic reports the ValueError as a 422 on the field)."""
    found = CONTROL_CHARACTERS.search(value)
    if found:
        code = f"U+{ord(found.group()):04X}"
        raise Refusal(
            control_character_message(found.group()),
            N_("Remove the invisible control character %(code)s."),
            code=code,
        )
    return value


def Text(max_length: int, *, min_length: int = 0) -> Any:
    """A string of at most ``max_length`` characters with no control characters."""
    return Annotated[
        str,
        StringConstraints(max_length=max_length, min_length=min_length),
        AfterValidator(check_text),
    ]


Code = Text(CODE_LENGTH)
Name = Text(NAME_LENGTH)
Line = Text(LINE_LENGTH)
Note = Text(NOTE_LENGTH)
SearchText = Text(QUERY_LENGTH)


def at_most(length: int, what: str) -> Any:
    """Refuse a string longer than ``length`` before parsing it as ``what`` (an id, an amount)."""

    def check(value: Any) -> Any:
        if isinstance(value, str) and len(value) > length:
            raise Refusal(
                f"过长：最多 {length} 个字符 / {what} is at most {length} characters",
                N_("Use at most %(max_length)s characters."),
                max_length=length,
            )
        return value

    return BeforeValidator(check)


UUID_LENGTH = 36
# A UUID as the API writes it (36 characters); the schema says so, and so does the check.
Uuid = Annotated[
    uuid.UUID,
    at_most(UUID_LENGTH, "an id"),
    WithJsonSchema({"type": "string", "format": "uuid", "maxLength": UUID_LENGTH}),
]

PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE)]
RowId = Annotated[int, Field(ge=1, le=INT64_MAX)]
Int32Id = Annotated[int, Field(ge=1, le=INT32_MAX)]
Version = Annotated[int, Field(ge=0, le=INT32_MAX)]


def Count(maximum: int, *, minimum: int = 1) -> Any:
    return Annotated[int, Field(ge=minimum, le=maximum)]


def check_money(minor: int) -> int:
    ceiling = limit_settings().money_ceiling_minor
    if minor > ceiling:
        raise Refusal(
            f"金额超过上限 {ceiling}（最小货币单位），请核对 / "
            f"above the ceiling of {ceiling} minor units; check the amount",
            N_("This amount is above the largest we accept; check it."),
        )
    return minor


MinorUnits = Annotated[int, Field(ge=0, le=MONEY_HARD_MAX_MINOR), AfterValidator(check_money)]


def date_window(today: date | None = None) -> tuple[date, date]:
    settings = limit_settings()
    today = today or clock.today()
    return (
        today - timedelta(days=settings.date_window_past_days),
        today + timedelta(days=settings.date_window_future_days),
    )


def check_date(day: date) -> date:
    """Refuse a date outside the business's window (year 1 or 9999-12-31 never reach SQL)."""
    first, last = date_window()
    if not first <= day <= last:
        raise Refusal(
            f"日期须在 {first} 至 {last} 之间 / the date must lie between {first} and {last}",
            N_("Enter a date between %(first)s and %(last)s."),
            first=first.isoformat(),
            last=last.isoformat(),
        )
    return day


# The JSON schema names the window so the completeness test (and a reader) can see it.
_WINDOWED_DATE_SCHEMA = {"type": "string", "format": "date", "x-window": "business"}
BusinessDate = Annotated[date, AfterValidator(check_date), WithJsonSchema(_WINDOWED_DATE_SCHEMA)]


def check_datetime(moment: datetime) -> datetime:
    """Refuse a moment whose business date (in the business's time zone) lies outside the
    window; one at the very edge of the calendar (year 1, 9999) is refused, never an
    OverflowError."""
    try:
        day = clock.local(moment).date() if moment.tzinfo is not None else moment.date()
    except (OverflowError, ValueError):
        day = None
    first, last = date_window()
    if day is None or not first <= day <= last:
        raise Refusal(
            f"时间须在 {first} 至 {last} 之间 / the time must lie between {first} and {last}",
            N_("Enter a time between %(first)s and %(last)s."),
            first=first.isoformat(),
            last=last.isoformat(),
        )
    return moment


# A moment (an event's time): an ISO date-time with its UTC offset, on a date inside the window.
_WINDOWED_DATETIME_SCHEMA = {"type": "string", "format": "date-time", "x-window": "business"}
BusinessDateTime = Annotated[
    AwareDatetime, AfterValidator(check_datetime), WithJsonSchema(_WINDOWED_DATETIME_SCHEMA)
]

MONTH_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def parse_month(text: str) -> date:
    """``YYYY-MM`` to the month's first day, inside the date window; ValueError otherwise."""
    if not MONTH_PATTERN.match(text):
        raise Refusal(
            f"月份格式应为 YYYY-MM / a month is written YYYY-MM, got {text[:20]!r}",
            N_("Enter a month as YYYY-MM, like 2026-12."),
        )
    year, month = int(text[:4]), int(text[5:])
    if not 1 <= month <= 12:
        raise Refusal(
            f"月份无效 / no such month: {text}", N_("Enter a month as YYYY-MM, like 2026-12.")
        )
    first_day = date(year, month, 1) if year >= 1 else None
    if first_day is None:
        raise Refusal(
            f"月份无效 / no such month: {text}", N_("Enter a month as YYYY-MM, like 2026-12.")
        )
    first, last = date_window()
    if not first.replace(day=1) <= first_day <= last:
        raise Refusal(
            f"月份须在 {first:%Y-%m} 至 {last:%Y-%m} 之间 / "
            f"the month must lie between {first:%Y-%m} and {last:%Y-%m}",
            N_("Enter a month between %(first)s and %(last)s."),
            first=f"{first:%Y-%m}",
            last=f"{last:%Y-%m}",
        )
    return first_day


def parse_day(text: str) -> date:
    """``YYYY-MM-DD`` typed on a page, inside the date window; ValueError otherwise."""
    try:
        day = date.fromisoformat(text[:10]) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise Refusal(
            f"日期格式应为 YYYY-MM-DD / a date is written YYYY-MM-DD, got {text[:20]!r}",
            N_("Enter a date as YYYY-MM-DD, like 2026-12-24."),
        )
    return check_date(day)


def _check_month_text(text: str) -> str:
    parse_month(text)
    return text


MonthText = Annotated[
    str,
    StringConstraints(max_length=7),
    AfterValidator(_check_month_text),
    WithJsonSchema({"type": "string", "pattern": MONTH_PATTERN.pattern, "maxLength": 7}),
]
