"""Settings of the members service (shared ones plus its own)."""

from shared.config import Settings

SCHEMA = "members"


class MembersSettings(Settings):
    pass
