"""The members app: ``uvicorn services.members.app:app``."""

from pathlib import Path

from services.members.endpoints import router
from services.members.settings import MembersSettings
from shared.web import create_service_app

app = create_service_app(
    service="members",
    title="Members & complaints",
    settings=MembersSettings(),
    routers=[router],
    templates_dir=Path(__file__).parent / "ui" / "templates",
)
