"""The payments app: ``uvicorn services.payments.app:app``."""

from pathlib import Path

from services.payments.bank import pages as bank_pages
from services.payments.endpoints import router
from services.payments.hotels import pages as hotels_pages
from services.payments.ledger import api as ledger_api
from services.payments.reports import pages as reports_pages
from services.payments.settings import PaymentsSettings
from services.payments.settlement import pages as settlement_pages
from services.payments.slips import pages as slips_pages
from shared.web import create_service_app

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
)
