"""Settings of the payments service (shared ones plus its own)."""

from shared.config import Settings

SCHEMA = "payments"


class PaymentsSettings(Settings):
    pass
