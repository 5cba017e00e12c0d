"""The intake service's arq worker settings."""

from typing import Any

from services.intake.handlers import HANDLERS
from services.intake.settings import SCHEMA, IntakeSettings
from shared.worker import worker_settings


def intake_worker_settings(settings: IntakeSettings | None = None) -> dict[str, Any]:
    return worker_settings(
        service="intake", schema=SCHEMA, settings=settings or IntakeSettings(), handlers=HANDLERS
    )
