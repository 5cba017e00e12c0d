"""The points package's cron jobs (merged into ``services.members.tasks``), CS-5: every night,
pending lots whose stay is final become active (03:10), then lots past their expiry give up
what is left on them (03:20), after the night's corrections and before the desk opens. Each
runs in its own unit of work (committed when it succeeds); run twice, the second finds
nothing to do. The times are read on the worker host's clock (arq's cron), and the jobs
compare lots' days with the business clock's today (``shared.clock``)."""

from __future__ import annotations

from typing import Any

from arq import cron

from services.members.points import ledger
from shared.db import unit_of_work
from shared.observability import get_logger

log = get_logger("members.points.jobs")


async def activate_due_job(ctx: dict[str, Any]) -> int:
    """Cron, 03:10: pending lots whose ``final_on`` has come become active."""
    async with unit_of_work(ctx["sessionmaker"]) as session:
        activated = await ledger.activate_due(session)
    log.info("points_activated", lots=activated)
    return activated


async def expire_due_job(ctx: dict[str, Any]) -> int:
    """Cron, 03:20: what is left on lots past ``expires_on`` expires, oldest first."""
    async with unit_of_work(ctx["sessionmaker"]) as session:
        expired = await ledger.expire_due(session)
    log.info("points_expired", points=expired)
    return expired


CRON_JOBS: list[Any] = [
    cron(activate_due_job, hour=3, minute=10, second=0, timeout=600),
    cron(expire_due_job, hour=3, minute=20, second=0, timeout=600),
]
