"""SL-4 / NS-6: half a working day, counted only in working hours on working days."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from shared.clock import clock
from shared.config import Settings
from shared.working_time import WorkingDay, half_working_day_after


def beijing(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=clock.business_tz)  # 7 Dec: Monday


def test_half_working_day_skips_nights_and_the_weekend() -> None:
    """Mon 06:00 → 13:30; Tue 16:00 → Wed 11:30; Fri 16:00 → Mon 11:30; Sat 10:00 → Mon 13:30."""
    working = WorkingDay()
    assert half_working_day_after(beijing(7, 6), working=working) == beijing(7, 13, 30)
    assert half_working_day_after(beijing(8, 16), working=working) == beijing(9, 11, 30)
    assert half_working_day_after(beijing(11, 16), working=working) == beijing(14, 11, 30)
    assert half_working_day_after(beijing(12, 10), working=working) == beijing(14, 13, 30)


def test_working_day_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    """08:00–12:00 every day: half is 2 h, and Saturday counts."""
    monkeypatch.setenv("ROOMLINE_NOSHOW_WORKDAY_START", "08:00")
    monkeypatch.setenv("ROOMLINE_NOSHOW_WORKDAY_END", "12:00")
    monkeypatch.setenv("ROOMLINE_NOSHOW_WORKDAYS", "1,2,3,4,5,6,7")
    working = WorkingDay.from_settings(Settings())
    assert (working.start, working.end) == (time(8), time(12))
    assert half_working_day_after(beijing(12, 11), working=working) == beijing(13, 9)
    monkeypatch.setenv("ROOMLINE_NOSHOW_WORKDAYS", "8")
    with pytest.raises(ValueError):  # refused where settings are read, naming the setting
        Settings()
    monkeypatch.setenv("ROOMLINE_NOSHOW_WORKDAYS", "1")
    monkeypatch.setenv("ROOMLINE_NOSHOW_WORKDAY_END", "07:00")
    with pytest.raises(ValueError, match="WORKDAY_END"):
        WorkingDay.from_settings(Settings())
