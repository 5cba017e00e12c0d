"""The booking desk's shifts (IN-6): morning, evening and night, each running from its start
to the next one's, on the wall clock of the business time zone (``shared.clock``).

Start times come from settings (``ROOMLINE_SHIFT_MORNING_START`` …, "07:00" style). A shift
is named by its kind and the local date it starts on, so the night shift that starts at
23:00 on 3 December and ends at 07:00 on the 4th is "night of 2026-12-03".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from services.intake.settings import IntakeSettings
from shared.clock import clock
from shared.i18n import N_

SHIFT_NAMES: tuple[str, ...] = ("morning", "evening", "night")
# How a sentence names a shift (translated where shown; the pages' ``shift_name`` macro too).
SHIFT_LABELS: dict[str, str] = {
    "morning": N_("morning shift"),
    "evening": N_("evening shift"),
    "night": N_("night shift"),
}


@dataclass(frozen=True, slots=True)
class Shift:
    name: str
    shift_date: date  # the local date the shift starts on
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC: the next shift's start

    @property
    def label(self) -> str:
        return f"{self.name} shift of {self.shift_date.isoformat()}"


def start_times(settings: IntakeSettings) -> dict[str, time]:
    starts = {
        "morning": settings.shift_morning_start,
        "evening": settings.shift_evening_start,
        "night": settings.shift_night_start,
    }
    if len(set(starts.values())) != len(starts):
        raise ValueError(f"shift start times must differ, got {starts}")
    return starts


def _starts_around(day: date, settings: IntakeSettings) -> list[tuple[datetime, str, date]]:
    """Every shift start from the day before ``day`` to the day after, in time order."""
    found = []
    for offset in (-1, 0, 1):
        local_day = day + timedelta(days=offset)
        for name, at in start_times(settings).items():
            local = datetime.combine(local_day, at, tzinfo=clock.business_tz)
            found.append((local.astimezone(UTC), name, local_day))
    return sorted(found)


def shift_at(instant: datetime, settings: IntakeSettings) -> Shift:
    """The shift running at ``instant`` (its start included, its end excluded)."""
    starts = _starts_around(clock.local(instant).date(), settings)
    index = max(i for i, (at, _, _) in enumerate(starts) if at <= instant)
    at, name, day = starts[index]
    return Shift(name, day, at, starts[index + 1][0])


def following(shift: Shift, settings: IntakeSettings) -> Shift:
    """The shift after ``shift``: who reads what ``shift`` hands over."""
    return shift_at(shift.ends_at, settings)


def preceding(shift: Shift, settings: IntakeSettings) -> Shift:
    """The shift before ``shift``: who handed over to it."""
    return shift_at(shift.starts_at - timedelta(microseconds=1), settings)


def current(settings: IntakeSettings) -> Shift:
    return shift_at(clock.now(), settings)
