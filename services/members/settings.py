"""Settings of the members service (shared ones plus its own)."""

from pydantic import Field

from shared.config import Settings

SCHEMA = "members"


class MembersSettings(Settings):
    # CS-4: a member with no stay in this many days is followed up (ROOMLINE_INACTIVE_AFTER_DAYS).
    inactive_after_days: int = Field(180, ge=7, le=3650)
    # CS-5: a stay's points stay pending this many days after check-out, for the no-show
    # desk's next-day corrections (NS-3) and second checks (NS-5)
    # (ROOMLINE_POINTS_FINAL_AFTER_DAYS); they expire this many months after they became final
    # (ROOMLINE_POINTS_EXPIRY_MONTHS).
    points_final_after_days: int = Field(7, ge=0, le=90)
    points_expiry_months: int = Field(24, ge=1, le=120)
