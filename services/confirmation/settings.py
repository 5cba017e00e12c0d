"""Settings of the confirmation service (shared ones plus its own).

Sending (CF-1, CF-6): each channel picks a transport. ``folder`` writes the message as an
``.eml`` file (and an SMS as a ``.txt``) under ``outbox_dir``, for development; ``smtp`` sends
through the SMTP relay; faxes go through an email-to-fax gateway (``fax_gateway``: mail to
``<digits>@<fax_gateway_domain>``) or a HylaFAX spool (``hylafax``: runs ``sendfax``).
Hotels' replies arrive at our own SMTP server (``inbound_smtp_*``, CF-4).
"""

from typing import Literal

from shared.config import Settings

SCHEMA = "confirmation"


class ConfirmationSettings(Settings):
    email_transport: Literal["folder", "smtp"] = "folder"
    fax_transport: Literal["folder", "fax_gateway", "hylafax"] = "folder"
    sms_transport: Literal["folder"] = "folder"
    outbox_dir: str = ".local/outbox"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = 30.0
    mail_from: str = "confirm@roomline.example"
    fax_gateway_domain: str = "fax.roomline.example"
    sendfax_command: str = "sendfax"
    # sendfax only spools the job, so it returns in seconds; longer means the spool is stuck.
    sendfax_timeout_seconds: float = 60.0
    # A send is tried this many times, waiting send_backoff_seconds × 2^(try-1) (capped at
    # 10 minutes) between tries, before the task returns to the queue with the error.
    send_max_tries: int = 5
    send_backoff_seconds: float = 10.0
    inbound_smtp_enabled: bool = True
    inbound_smtp_host: str = "127.0.0.1"
    inbound_smtp_port: int = 2525
    # Largest mail the inbound server accepts (faxes-to-email carry scans).
    inbound_max_bytes: int = 20 * 1024 * 1024
