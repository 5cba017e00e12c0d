"""Settings of the noshow service (shared ones plus its own)."""

from shared.config import Settings

SCHEMA = "noshow"


class NoshowSettings(Settings):
    pass
