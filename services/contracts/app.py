"""The contracts app: ``uvicorn services.contracts.app:app``."""

from pathlib import Path

from services.contracts import (
    agreement_pages,
    channel_manager_pages,
    competitors,
    conditions,
    endpoints,
    free_rooms,
    import_pages,
    pages,
    photos,
    rankings,
    recommendations,
    restriction_pages,
    seasons,
)
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
