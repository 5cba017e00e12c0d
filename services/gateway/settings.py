"""Gateway settings: the shared ones; the gateway adds none yet."""

from shared.config import Settings

SCHEMA = "gateway"


class GatewaySettings(Settings):
    pass
