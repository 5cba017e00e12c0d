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
    # SL-1's threshold: answered within ring_count rings of the ring cadence (China: 1 s on,
    # 4 s off), so 3 × (1 + 4) = 15 s by default.
    ring_count: int = 3
    ring_on_seconds: float = 1.0
    ring_off_seconds: float = 4.0
    # The service level the dashboard marks as met (share of offered calls within the threshold).
    service_level_target: float = 0.8
