"""The confirmation service's arq worker settings."""

from typing import Any

from services.confirmation.handlers import HANDLERS
from services.confirmation.settings import SCHEMA, ConfirmationSettings
from shared.worker import worker_settings


def confirmation_worker_settings(settings: ConfirmationSettings | None = None) -> dict[str, Any]:
    return worker_settings(
        service="confirmation",
        schema=SCHEMA,
        settings=settings or ConfirmationSettings(),
        handlers=HANDLERS,
    )
