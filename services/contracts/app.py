"""The contracts app: ``uvicorn services.contracts.app:app``."""

from pathlib import Path

from services.contracts.agreements import pages as agreement_pages
from services.contracts.channel_managers import pages as channel_manager_pages
from services.contracts.grid import restriction_pages
from services.contracts.hotels import conditions, endpoints, pages, photos, recommendations
from services.contracts.imports import pages as import_pages
from services.contracts.imports.sheet import MAX_BYTES as SHEET_MAX_BYTES
from services.contracts.ota.xml import MAX_BYTES as OTA_MAX_BYTES
from services.contracts.reports import competitors, free_rooms, rankings, seasons
from services.contracts.settings import ContractsSettings
from shared.web import UPLOAD_SLACK, BodyLimit, create_service_app

settings = ContractsSettings()
# Upload routes take more than the 1 MiB default; the routes refuse a file over their limit
# with a readable message, the slack lets that message answer (multipart framing, CSRF field).
BODY_LIMITS = (
    BodyLimit("/imports", SHEET_MAX_BYTES + UPLOAD_SLACK),
    BodyLimit("/api/imports", SHEET_MAX_BYTES + UPLOAD_SLACK),
    BodyLimit("/competitors/import", SHEET_MAX_BYTES + UPLOAD_SLACK),
    BodyLimit("/api/ota", OTA_MAX_BYTES + UPLOAD_SLACK),
    BodyLimit("/hotels/*/photos", settings.photo_max_bytes + UPLOAD_SLACK),
)

app = create_service_app(
    service="contracts",
    title="Hotel resources",
    settings=settings,
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
    body_limits=BODY_LIMITS,
)
