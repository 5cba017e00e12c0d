"""Night ranges typed by staff: validated the same way on every desk."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from shared.clock import clock
from shared.i18n import N_
from shared.limits import Refusal


def nights_between(first: date, last_inclusive: date) -> Iterator[date]:
    night = first
    while night <= last_inclusive:
        yield night
        night += timedelta(days=1)


def check_not_past(day: date, what: str) -> date:
    """Raise ValueError (pydantic turns it into a 422 naming the field) for a past date."""
    if day < clock.today():
        raise Refusal(
            f"{what} {day.isoformat()} is in the past (today is {clock.today()})",
            N_("%(day)s is in the past; today is %(today)s."),
            day=day.isoformat(),
            today=clock.today().isoformat(),
        )
    return day


def check_range(first: date, last: date, *, max_nights: int, inclusive: bool) -> None:
    length = (last - first).days + (1 if inclusive else 0)
    if length < 1:
        if not inclusive:
            raise Refusal("the end must be after the start", N_("The end must be after the start."))
        raise Refusal(
            "the last night must not be before the first night",
            N_("The last night must not be before the first night."),
        )
    if length > max_nights:
        raise Refusal(
            f"at most {max_nights} nights at once, got {length}",
            N_("At most %(most)s nights at once (this is %(nights)s)."),
            most=max_nights,
            nights=length,
        )


def month_range(day: date) -> tuple[date, date]:
    """The first day of ``day``'s month and the first day of the next (a half-open range)."""
    first = day.replace(day=1)
    return first, date(first.year + first.month // 12, first.month % 12 + 1, 1)
