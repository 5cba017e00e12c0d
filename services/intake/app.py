"""The intake app: ``uvicorn services.intake.app:app``."""

from pathlib import Path

from services.intake.booking.endpoints import router
from services.intake.callers import endpoints as caller_api
from services.intake.changes import endpoints as changes_endpoints
from services.intake.changes import pages as changes_pages
from services.intake.groups import account_pages as group_account_pages
from services.intake.groups import endpoints as group_api
from services.intake.groups import pages as group_pages
from services.intake.handover import endpoints as handover_endpoints
from services.intake.hotel_answers import endpoints as full_house_endpoints
from services.intake.lookup import endpoints as lookup_endpoints
from services.intake.memos import endpoints as memo_endpoints
from services.intake.search import endpoints as search_endpoints
from services.intake.settings import IntakeSettings
from services.intake.special_prices import pages as special_price_pages
from services.intake.team import pages as team_pages
from shared.web import create_service_app

app = create_service_app(
    service="intake",
    title="Bookings",
    settings=IntakeSettings(),
    routers=[
        router,
        search_endpoints.router,  # IN-2, IN-3
        caller_api.router,  # IN-8, IN-10
        changes_endpoints.router,  # IN-5
        changes_pages.router,
        team_pages.router,  # IN-12
        special_price_pages.router,  # IN-11
        group_api.router,  # IN-9
        group_account_pages.router,
        group_pages.router,
        handover_endpoints.router,  # IN-6
        memo_endpoints.router,  # IN-7
        full_house_endpoints.router,  # CF-3
        lookup_endpoints.router,  # issue 15: finding bookings
    ],
    templates_dir=Path(__file__).parent / "ui" / "templates",
)
