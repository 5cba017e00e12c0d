"""The profile package's cron jobs (merged into ``services.members.tasks``)."""

from __future__ import annotations

from typing import Any

from arq import cron

from services.members.profile.bookings import purge_unknown_cards
from shared.db import unit_of_work


async def purge_unknown_cards_job(ctx: dict[str, Any]) -> int:
    """Daily, 03:10: drop booking rows whose placement never named a member card."""
    async with unit_of_work(ctx["sessionmaker"]) as session:
        return await purge_unknown_cards(session)


CRON_JOBS: list[Any] = [cron(purge_unknown_cards_job, hour=3, minute=10, second=0, timeout=300)]
