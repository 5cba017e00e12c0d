"""The noshow app: ``uvicorn services.noshow.app:app``."""

from pathlib import Path

from services.noshow.endpoints import router
from services.noshow.settings import NoshowSettings
from shared.web import create_service_app

app = create_service_app(
    service="noshow",
    title="No-show desk",
    settings=NoshowSettings(),
    routers=[router],
    templates_dir=Path(__file__).parent / "ui" / "templates",
)
