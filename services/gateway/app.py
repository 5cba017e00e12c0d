"""The gateway app: ``uvicorn services.gateway.app:app``."""

from pathlib import Path

from services.gateway.endpoints import router
from services.gateway.settings import GatewaySettings
from services.gateway.staff_admin import router as staff_admin_router
from shared.web import create_service_app

app = create_service_app(
    service="gateway",
    title="gateway",
    settings=GatewaySettings(),
    routers=[router, staff_admin_router],
    templates_dir=Path(__file__).parent / "ui" / "templates",
)
