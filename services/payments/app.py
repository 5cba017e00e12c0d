"""The payments app: ``uvicorn services.payments.app:app``."""

from pathlib import Path

from services.payments.endpoints import router
from services.payments.settings import PaymentsSettings
from shared.web import create_service_app

app = create_service_app(
    service="payments",
    title="Collect-on-behalf & finance",
    settings=PaymentsSettings(),
    routers=[router],
    templates_dir=Path(__file__).parent / "ui" / "templates",
)
