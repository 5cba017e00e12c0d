"""Working time: the SL-4 / NS-6 clock ("within half a working day"), one rule for the no-show
desk (which sets a case's due time) and metrics (which shows the clock on its breach page).

A working day runs ``start``–``end`` (business time zone) on ``workdays`` (Monday = 0); time
outside it does not count. Half a working day of 09:00–18:00 is 4½ hours: reported 16:00 on a
Tuesday → 2 h that day, 2½ h on Wednesday → due Wednesday 11:30; reported Friday 16:00 → due
Monday 11:30.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from shared.clock import Clock, clock
from shared.config import Settings, get_settings

MONDAY_TO_FRIDAY = frozenset(range(5))


@dataclass(frozen=True)
class WorkingDay:
    start: time = time(9, 0)
    end: time = time(18, 0)
    workdays: frozenset[int] = MONDAY_TO_FRIDAY

    @property
    def half(self) -> timedelta:
        day = datetime.combine(date.min, self.end) - datetime.combine(date.min, self.start)
        return day / 2

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> WorkingDay:
        """``ROOMLINE_NOSHOW_WORKDAY_START`` / ``_END`` (HH:MM) and ``_WORKDAYS`` (ISO day
        numbers 1–7, comma separated: ``1,2,3,4,5`` is Monday to Friday)."""
        settings = settings or get_settings()
        days = settings.noshow_workdays.split(",")
        working = cls(
            settings.noshow_workday_start,
            settings.noshow_workday_end,
            frozenset(int(day) - 1 for day in days),
        )
        if working.end <= working.start:
            raise ValueError("ROOMLINE_NOSHOW_WORKDAY_END must be after _START")
        return working


def _at(day: date, moment: time, business: Clock) -> datetime:
    return datetime.combine(day, moment, tzinfo=business.business_tz)


def add_working_time(
    start_at: datetime,
    span: timedelta,
    *,
    working: WorkingDay | None = None,
    business: Clock = clock,
) -> datetime:
    """The instant ``span`` of working time after ``start_at``; outside working hours the
    count starts at the next working day's start, and what does not fit carries over."""
    working = working or WorkingDay.from_settings()
    local = business.local(start_at)
    day, left = local.date(), span
    start = max(local, _at(day, working.start, business))
    while True:
        end_of_day = _at(day, working.end, business)
        if day.weekday() in working.workdays and start < end_of_day:
            if end_of_day - start >= left:
                return start + left
            left -= end_of_day - start
        day += timedelta(days=1)
        start = _at(day, working.start, business)


def half_working_day_after(
    reported_at: datetime, *, working: WorkingDay | None = None, business: Clock = clock
) -> datetime:
    """SL-4 / NS-6: when a no-show reported at ``reported_at`` is due."""
    working = working or WorkingDay.from_settings()
    return add_working_time(reported_at, working.half, working=working, business=business)
