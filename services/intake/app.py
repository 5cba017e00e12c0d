"""The intake app: ``uvicorn services.intake.app:app``."""

from pathlib import Path

from services.intake.endpoints import router
from services.intake.settings import IntakeSettings
from shared.web import create_service_app

app = create_service_app(
    service="intake",
    title="Bookings",
    settings=IntakeSettings(),
    routers=[router],
    templates_dir=Path(__file__).parent / "ui" / "templates",
)
