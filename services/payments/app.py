"""The payments app: ``uvicorn services.payments.app:app``."""

from pathlib import Path

from services.payments.bank import pages as bank_pages
from services.payments.bank.importer import MAX_BYTES as BANK_MAX_BYTES
from services.payments.endpoints import router
from services.payments.hotels import pages as hotels_pages
from services.payments.ledger import api as ledger_api
from services.payments.reports import pages as reports_pages
from services.payments.reports.metrics import refresh as refresh_ledger_gauges
from services.payments.settings import PaymentsSettings
from services.payments.settlement import pages as settlement_pages
from services.payments.slips import pages as slips_pages
from shared.web import UPLOAD_SLACK, BodyLimit, create_service_app

app = create_service_app(
    service="payments",
    title="Collect-on-behalf & finance",
    settings=PaymentsSettings(),
    routers=[
        router,
        ledger_api.router,
        slips_pages.router,
        hotels_pages.router,
        settlement_pages.router,
        bank_pages.router,
        reports_pages.router,
    ],
    templates_dir=Path(__file__).parent / "ui" / "templates",
    # A bank statement file takes more than the 1 MiB default; the route refuses a bigger
    # file with a readable message.
    body_limits=(BodyLimit("/bank", BANK_MAX_BYTES + UPLOAD_SLACK),),
    metrics_refresh=refresh_ledger_gauges,
)
