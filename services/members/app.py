"""The members app: ``uvicorn services.members.app:app``."""

from pathlib import Path

from services.members import endpoints, pages
from services.members.settings import MembersSettings
from shared.web import create_service_app

app = create_service_app(
    service="members",
    title="Members & complaints",
    settings=MembersSettings(),
    routers=[pages.router, endpoints.router],
    templates_dir=Path(__file__).parent / "ui" / "templates",
)
