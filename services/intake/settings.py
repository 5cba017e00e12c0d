"""Settings of the intake service (shared ones plus its own)."""

from datetime import time

from pydantic import Field, model_validator

from shared.config import Settings

SCHEMA = "intake"


class IntakeSettings(Settings):
    # IN-6: when each shift starts, business-time-zone wall clock; each runs to the next start.
    shift_morning_start: time = time(7, 0)
    shift_evening_start: time = time(15, 0)
    shift_night_start: time = time(23, 0)
    # IN-6: an unacknowledged handover is overdue this long after its shift started.
    handover_ack_grace_minutes: int = Field(30, ge=0, le=24 * 60)
    # IN-7: an internal communication form is due this long after it was raised.
    memo_due_hours: int = Field(24, ge=1, le=24 * 14)

    @model_validator(mode="after")
    def distinct_shift_starts(self) -> "IntakeSettings":
        starts = (self.shift_morning_start, self.shift_evening_start, self.shift_night_start)
        if len(set(starts)) != len(starts):
            raise ValueError("the three shifts must start at different times")
        return self
