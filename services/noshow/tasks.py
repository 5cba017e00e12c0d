"""The noshow service's arq worker settings."""

from typing import Any

from services.noshow.handlers import HANDLERS
from services.noshow.settings import SCHEMA, NoshowSettings
from shared.worker import worker_settings


def noshow_worker_settings(settings: NoshowSettings | None = None) -> dict[str, Any]:
    return worker_settings(
        service="noshow", schema=SCHEMA, settings=settings or NoshowSettings(), handlers=HANDLERS
    )
