"""The payments service's arq worker settings, and the monthly settlement cron (PAY-5): at
02:00 on the 1st, last month's draft statements."""

from typing import Any

from arq import cron

from services.payments.handlers import HANDLERS
from services.payments.settings import SCHEMA, PaymentsSettings
from services.payments.settlement.service import generate_last_month_job
from shared.worker import worker_settings


def payments_worker_settings(settings: PaymentsSettings | None = None) -> dict[str, Any]:
    return worker_settings(
        service="payments",
        schema=SCHEMA,
        settings=settings or PaymentsSettings(),
        handlers=HANDLERS,
        cron_jobs=[cron(generate_last_month_job, day=1, hour=2, minute=0, second=0, timeout=600)],
    )
