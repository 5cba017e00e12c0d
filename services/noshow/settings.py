"""Settings of the noshow service (shared ones plus its own)."""

from datetime import time

from shared.config import Settings

SCHEMA = "noshow"


class NoshowSettings(Settings):
    # NS-1: the night audit's time (business time zone); the worklist lists arrivals before
    # the business date of the last audit. Working hours for its clock: shared.working_time
    # (settings noshow_workday_start / _end / noshow_workdays in shared.config).
    noshow_audit_at: time = time(6, 0)
