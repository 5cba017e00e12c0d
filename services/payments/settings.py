"""Settings of the payments service (shared ones plus its own)."""

from shared.config import Settings

SCHEMA = "payments"


class PaymentsSettings(Settings):
    # PAY-2: the development invoicing adapter writes one JSON file per invoice here.
    invoice_dir: str = ".local/invoices"
