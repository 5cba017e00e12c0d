"""One clock for the whole system: UTC for storage, the business time zone for rules.

Tests move it with ``clock.set_now(...)``; a running process can be pinned with the
``ROOMLINE_FROZEN_NOW`` environment variable (ISO 8601 with offset), which the browser
and fault tests use for server subprocesses.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


class Clock:
    def __init__(self, business_timezone: str = "Asia/Shanghai") -> None:
        self.business_tz = ZoneInfo(business_timezone)
        self._frozen: datetime | None = None
        frozen = os.environ.get("ROOMLINE_FROZEN_NOW")
        if frozen:
            self.set_now(datetime.fromisoformat(frozen))

    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        return self._frozen if self._frozen is not None else datetime.now(UTC)

    def set_now(self, instant: datetime | None) -> None:
        if instant is not None and instant.tzinfo is None:
            raise ValueError("set_now needs a timezone-aware datetime")
        self._frozen = instant.astimezone(UTC) if instant else None

    def advance(self, delta: timedelta) -> None:
        self.set_now(self.now() + delta)

    def local(self, instant: datetime | None = None) -> datetime:
        """An instant shown in the business time zone."""
        return (instant or self.now()).astimezone(self.business_tz)

    def today(self) -> date:
        """The business date (Beijing by default), which decides 'same day' rules."""
        return self.local().date()

    def start_of_local_day(self, day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=self.business_tz).astimezone(UTC)


clock = Clock(os.environ.get("ROOMLINE_BUSINESS_TIMEZONE", "Asia/Shanghai"))
