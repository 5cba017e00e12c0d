"""Settings of the confirmation service (shared ones plus its own)."""

from shared.config import Settings

SCHEMA = "confirmation"


class ConfirmationSettings(Settings):
    pass
