"""confirm_deadline and task_status as pure functions (CF-2, CF-6), across time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from services.confirmation.service import confirm_deadline, task_status
from shared.clock import Clock

BEIJING = Clock("Asia/Shanghai")
NEW_YORK = Clock("America/New_York")


def at(clock: Clock, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=clock.business_tz)


def deadline(
    booked_at: datetime, check_in: date, *, reply_at_once: bool = False, clock: Clock = BEIJING
) -> datetime:
    return confirm_deadline(
        booked_at=booked_at, check_in=check_in, reply_at_once=reply_at_once, clock=clock
    )


def test_cf2_check_in_today_is_due_within_one_hour() -> None:
    booked = at(BEIJING, 2026, 3, 10, 10, 0)
    assert deadline(booked, date(2026, 3, 10)) == at(BEIJING, 2026, 3, 10, 11, 0)


def test_cf2_check_in_tomorrow_is_due_by_the_end_of_the_booking_day() -> None:
    late = at(BEIJING, 2026, 3, 10, 23, 30)
    assert deadline(late, date(2026, 3, 11)) == at(BEIJING, 2026, 3, 11, 0, 0)
    morning = at(BEIJING, 2026, 3, 10, 9, 0)
    assert deadline(morning, date(2026, 3, 11)) == at(BEIJING, 2026, 3, 11, 0, 0)


def test_cf2_later_check_in_is_due_within_24_hours() -> None:
    booked = at(BEIJING, 2026, 3, 10, 12, 15)
    assert deadline(booked, date(2026, 3, 12)) == booked + timedelta(hours=24)
    assert deadline(booked, date(2026, 4, 15)) == booked + timedelta(hours=24)


def test_cf6_reply_at_once_is_due_within_one_hour_unless_earlier_already() -> None:
    booked = at(BEIJING, 2026, 3, 10, 9, 0)
    one_hour = booked + timedelta(hours=1)
    assert deadline(booked, date(2026, 4, 15), reply_at_once=True) == one_hour
    assert deadline(booked, date(2026, 3, 11), reply_at_once=True) == one_hour
    # 23:30 for tomorrow: the end of the day (00:00) comes before +1 hour.
    late = at(BEIJING, 2026, 3, 10, 23, 30)
    assert deadline(late, date(2026, 3, 11), reply_at_once=True) == at(BEIJING, 2026, 3, 11)


def test_cf2_today_is_the_business_date_not_the_utc_date() -> None:
    # 16:30 UTC on 10 March is 00:30 on 11 March in Beijing.
    booked = datetime(2026, 3, 10, 16, 30, tzinfo=UTC)
    assert deadline(booked, date(2026, 3, 11)) == booked + timedelta(hours=1)
    # ... so 12 March is "tomorrow": due at Beijing midnight, 16:00 UTC on 11 March.
    assert deadline(booked, date(2026, 3, 12)) == datetime(2026, 3, 11, 16, 0, tzinfo=UTC)


def test_cf2_the_same_instant_in_any_offset_gets_the_same_deadline() -> None:
    in_utc = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)
    in_tokyo = in_utc.astimezone(timezone(timedelta(hours=9)))
    assert deadline(in_utc, date(2026, 3, 11)) == deadline(in_tokyo, date(2026, 3, 11))
    assert deadline(in_utc, date(2026, 3, 11)) == datetime(2026, 3, 10, 16, 0, tzinfo=UTC)


def test_cf2_end_of_day_follows_daylight_saving_in_the_business_zone() -> None:
    # New York springs forward on 8 March 2026: the day is 23 hours long.
    booked = at(NEW_YORK, 2026, 3, 8, 0, 30)
    due = deadline(booked, date(2026, 3, 9), clock=NEW_YORK)
    assert due == at(NEW_YORK, 2026, 3, 9, 0, 0)
    assert due - booked == timedelta(hours=22, minutes=30)


def test_cf2_check_in_before_the_booking_day_counts_as_today() -> None:
    # Booked at 00:20 for the night that began yesterday: the guest is on the way.
    booked = at(BEIJING, 2026, 3, 11, 0, 20)
    assert deadline(booked, date(2026, 3, 10)) == booked + timedelta(hours=1)


def test_cf2_naive_booking_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        deadline(datetime(2026, 3, 10, 10, 0), date(2026, 3, 10))


@pytest.mark.parametrize(
    ("minutes_left", "state", "expected"),
    [
        (31, "unsent", "ok"),
        (30, "unsent", "due-soon"),
        (0, "unsent", "due-soon"),
        (-1, "unsent", "overdue"),
        (-1, "sent", "overdue"),
        (-1, "confirmed", "ok"),
        (-1, "full", "ok"),
    ],
)
def test_cf2_status_against_the_deadline(minutes_left: int, state: str, expected: str) -> None:
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    due = now + timedelta(minutes=minutes_left)
    assert task_status(deadline_at=due, state=state, now=now) == expected
