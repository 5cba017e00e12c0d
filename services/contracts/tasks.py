"""The contracts service's arq worker settings: its event job, the sheet-import job, and the
sweep that re-queues or fails import jobs left behind (``import_jobs``; HR-2)."""

from typing import Any

from arq import cron, func

from services.contracts.handlers import HANDLERS
from services.contracts.imports import jobs as import_jobs
from services.contracts.settings import SCHEMA, ContractsSettings
from shared.worker import worker_settings


def contracts_worker_settings(settings: ContractsSettings | None = None) -> dict[str, Any]:
    return worker_settings(
        service="contracts",
        schema=SCHEMA,
        settings=settings or ContractsSettings(),
        handlers=HANDLERS,
        functions=[
            # No arq retry on failure (the job records why); a worker killed mid-job has its
            # job run again after the time limit, and the job itself never applies twice.
            func(
                import_jobs.run_import_job,
                name=import_jobs.JOB_FUNCTION,
                timeout=import_jobs.JOB_TIMEOUT_SECONDS,
                max_tries=import_jobs.JOB_MAX_TRIES,
            )
        ],
        cron_jobs=[cron(import_jobs.sweep_import_jobs, second=5, timeout=60)],
    )
