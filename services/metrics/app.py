"""The metrics app: ``uvicorn services.metrics.app:app``."""

from pathlib import Path

from services.metrics import endpoints, webhook
from services.metrics.settings import MetricsSettings
from shared.web import create_service_app

app = create_service_app(
    service="metrics",
    title="Service levels",
    settings=MetricsSettings(),
    routers=[endpoints.router, webhook.router],
    templates_dir=Path(__file__).parent / "ui" / "templates",
)
