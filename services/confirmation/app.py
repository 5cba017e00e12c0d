"""The confirmation app: ``uvicorn services.confirmation.app:app``."""

from pathlib import Path

from services.confirmation.endpoints import router
from services.confirmation.settings import ConfirmationSettings
from shared.web import create_service_app

app = create_service_app(
    service="confirmation",
    title="Confirmation queue",
    settings=ConfirmationSettings(),
    routers=[router],
    templates_dir=Path(__file__).parent / "ui" / "templates",
)
