"""The confirmation service's arq workers: its events on its own queue; the send job of order
sheets and customer confirmations, with the sweep re-enqueueing sends whose enqueue was lost
(``sending``; CF-1, CF-6), on ``confirmation_send``, because a send may take a minute and arq
would hold a killed worker's events that long."""

from typing import Any

from arq import cron, func

from services.confirmation import sending
from services.confirmation.handlers import HANDLERS
from services.confirmation.settings import SCHEMA, ConfirmationSettings
from shared.worker import worker_settings


def confirmation_worker_settings(settings: ConfirmationSettings | None = None) -> dict[str, Any]:
    settings = settings or ConfirmationSettings()
    return worker_settings(
        service="confirmation", schema=SCHEMA, settings=settings, handlers=HANDLERS
    )


def confirmation_send_worker_settings(
    settings: ConfirmationSettings | None = None,
) -> dict[str, Any]:
    settings = settings or ConfirmationSettings()
    return worker_settings(
        service="confirmation",
        schema=SCHEMA,
        settings=settings,
        handlers={},
        functions=[func(sending.send_dispatch, **sending.job_settings(settings))],
        cron_jobs=[cron(sending.sweep_dispatches, second=20, timeout=60)],
        queue=sending.SEND_QUEUE,
    )
