"""Settings of the metrics service (shared ones plus its own)."""

from shared.config import Settings

SCHEMA = "metrics"


class MetricsSettings(Settings):
    pass
