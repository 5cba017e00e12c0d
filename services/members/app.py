"""The members app: ``uvicorn services.members.app:app``."""

from pathlib import Path

from services.members import endpoints, pages
from services.members.cards import pages as cards_pages
from services.members.complaints import pages as complaints_pages
from services.members.points import pages as points_pages
from services.members.profile import pages as profile_pages
from services.members.rewards import pages as rewards_pages
from services.members.settings import MembersSettings
from shared.web import create_service_app

app = create_service_app(
    service="members",
    title="Members & complaints",
    settings=MembersSettings(),
    routers=[
        pages.router,
        endpoints.router,
        profile_pages.router,
        points_pages.router,
        rewards_pages.router,
        complaints_pages.router,
        cards_pages.router,
    ],
    templates_dir=Path(__file__).parent / "ui" / "templates",
)
