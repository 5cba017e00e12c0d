"""Settings of the contracts service (shared ones plus its own)."""

from shared.config import Settings

SCHEMA = "contracts"


class ContractsSettings(Settings):
    pass
