"""The contracts app: ``uvicorn services.contracts.app:app``."""

from pathlib import Path

from services.contracts.agreements import pages as agreement_pages
from services.contracts.channel_managers import pages as channel_manager_pages
from services.contracts.grid import restriction_pages
from services.contracts.hotels import conditions, endpoints, pages, photos, recommendations
from services.contracts.imports import pages as import_pages
from services.contracts.reports import competitors, free_rooms, rankings, seasons
from services.contracts.settings import ContractsSettings
from shared.web import create_service_app

app = create_service_app(
    service="contracts",
    title="Hotel resources",
    settings=ContractsSettings(),
    routers=[
        pages.router,
        endpoints.router,
        rankings.router,
        recommendations.router,
        competitors.router,
        seasons.router,
        conditions.router,
        free_rooms.router,
        photos.router,
        restriction_pages.router,
        agreement_pages.router,
        import_pages.router,
        channel_manager_pages.router,
    ],
    templates_dir=Path(__file__).parent / "ui" / "templates",
)
