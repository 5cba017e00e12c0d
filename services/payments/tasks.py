"""The payments service's arq worker settings."""

from typing import Any

from services.payments.handlers import HANDLERS
from services.payments.settings import SCHEMA, PaymentsSettings
from shared.worker import worker_settings


def payments_worker_settings(settings: PaymentsSettings | None = None) -> dict[str, Any]:
    return worker_settings(
        service="payments",
        schema=SCHEMA,
        settings=settings or PaymentsSettings(),
        handlers=HANDLERS,
    )
