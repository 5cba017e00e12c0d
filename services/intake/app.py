"""The intake app: ``uvicorn services.intake.app:app``."""

from pathlib import Path

from services.intake import (
    caller_api,
    changes_endpoints,
    changes_pages,
    full_house_endpoints,
    group_account_pages,
    group_api,
    group_pages,
    handover_endpoints,
    memo_endpoints,
    search_endpoints,
    special_price_pages,
    team_pages,
)
from services.intake.endpoints import router
from services.intake.settings import IntakeSettings
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
    ],
    templates_dir=Path(__file__).parent / "ui" / "templates",
)
