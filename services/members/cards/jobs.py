"""The cards package's cron jobs (merged into ``services.members.tasks``), CS-4.

Times are the worker's local time (arq's cron): run the members worker in the business time
zone (Asia/Shanghai). Each job opens its own session and is safe to run twice.
"""

from __future__ import annotations

from typing import Any

from arq import cron

from services.members.cards.inactive import refresh_job
from services.members.cards.mailing import make_today_batch_job

CRON_JOBS: list[Any] = [
    cron(refresh_job, hour=8, minute=0, second=0, timeout=300),
    cron(make_today_batch_job, hour=9, minute=0, second=0, timeout=300),
]
