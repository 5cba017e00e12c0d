"""The metrics service's arq worker settings."""

from typing import Any

from services.metrics.handlers import HANDLERS
from services.metrics.settings import SCHEMA, MetricsSettings
from shared.worker import worker_settings


def metrics_worker_settings(settings: MetricsSettings | None = None) -> dict[str, Any]:
    return worker_settings(
        service="metrics", schema=SCHEMA, settings=settings or MetricsSettings(), handlers=HANDLERS
    )
