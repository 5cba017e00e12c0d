"""The noshow app: ``uvicorn services.noshow.app:app``."""

from pathlib import Path

from services.noshow.endpoints import router
from services.noshow.night_audit import pages as night_audit_pages
from services.noshow.night_audit.service import MAX_BYTES as AUDIT_MAX_BYTES
from services.noshow.reports import pages as reports_pages
from services.noshow.settings import NoshowSettings
from shared.web import UPLOAD_SLACK, BodyLimit, create_service_app

app = create_service_app(
    service="noshow",
    title="No-show desk",
    settings=NoshowSettings(),
    routers=[router, reports_pages.router, night_audit_pages.router],
    templates_dir=Path(__file__).parent / "ui" / "templates",
    # The night-audit upload takes more than the 1 MiB default; the route refuses a bigger
    # file with a readable message.
    body_limits=(BodyLimit("/night-audit", AUDIT_MAX_BYTES + UPLOAD_SLACK),),
)
