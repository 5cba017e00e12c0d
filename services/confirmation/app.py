"""The confirmation app: ``uvicorn services.confirmation.app:app``."""

from pathlib import Path

from services.confirmation import (
    archive_endpoints,
    desk_endpoints,
    document_endpoints,
    endpoints,
    metrics,
    reply_endpoints,
    send_endpoints,
)
from services.confirmation.settings import ConfirmationSettings
from shared.web import create_service_app

app = create_service_app(
    service="confirmation",
    title="Confirmation queue",
    settings=ConfirmationSettings(),
    routers=[
        endpoints.router,
        # Before desk_endpoints, whose /tasks/{id}/{action} would otherwise take "send".
        send_endpoints.router,
        document_endpoints.router,
        desk_endpoints.router,
        reply_endpoints.router,
        archive_endpoints.router,
    ],
    templates_dir=Path(__file__).parent / "ui" / "templates",
    metrics_refresh=metrics.refresh,
)
