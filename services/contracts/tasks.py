"""The contracts service's arq worker settings."""

from typing import Any

from services.contracts.handlers import HANDLERS
from services.contracts.settings import SCHEMA, ContractsSettings
from shared.worker import worker_settings


def contracts_worker_settings(settings: ContractsSettings | None = None) -> dict[str, Any]:
    return worker_settings(
        service="contracts",
        schema=SCHEMA,
        settings=settings or ContractsSettings(),
        handlers=HANDLERS,
    )
