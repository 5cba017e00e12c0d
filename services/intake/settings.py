"""Settings of the intake service (shared ones plus its own)."""

from shared.config import Settings

SCHEMA = "intake"


class IntakeSettings(Settings):
    pass
