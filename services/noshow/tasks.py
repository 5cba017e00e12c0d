"""The noshow service's arq worker settings: its events, and the worklist's cron job (NS-1),
which runs every five minutes and opens cases only from the night audit's time on
(``worklist.audited_date``)."""

from typing import Any

from arq import cron

from services.noshow.handlers import HANDLERS
from services.noshow.settings import SCHEMA, NoshowSettings
from services.noshow.worklist import open_worklist_job
from shared.worker import worker_settings


def noshow_worker_settings(settings: NoshowSettings | None = None) -> dict[str, Any]:
    return worker_settings(
        service="noshow",
        schema=SCHEMA,
        settings=settings or NoshowSettings(),
        handlers=HANDLERS,
        cron_jobs=[cron(open_worklist_job, minute=set(range(0, 60, 5)), second=40, timeout=120)],
    )
