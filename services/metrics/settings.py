"""Settings of the metrics service (shared ones plus its own)."""

from shared.config import Settings

SCHEMA = "metrics"


class MetricsSettings(Settings):
    # Asterisk's queue_log to follow (SL-1); empty: no tailer.
    queue_log_path: str = ""
    # Names the telephony system the file comes from (several PBXs each have their own).
    queue_log_source: str = "asterisk"
    queue_log_poll_seconds: float = 1.0
    # Bearer token telephony systems post call events with (/sla/api/call-events); empty: off.
    telephony_token: str = ""
