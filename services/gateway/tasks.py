"""The gateway's arq worker: no jobs of its own yet."""

from services.gateway.handlers import HANDLERS
from services.gateway.settings import SCHEMA, GatewaySettings
from shared.worker import worker_settings


def gateway_worker_settings(settings: GatewaySettings | None = None) -> dict[str, object]:
    return worker_settings(
        service="gateway", schema=SCHEMA, settings=settings or GatewaySettings(), handlers=HANDLERS
    )
