"""The members service's arq worker settings, with each feature package's cron jobs."""

from typing import Any

from services.members.cards.jobs import CRON_JOBS as CARDS
from services.members.complaints.jobs import CRON_JOBS as COMPLAINTS
from services.members.handlers import HANDLERS
from services.members.points.jobs import CRON_JOBS as POINTS
from services.members.profile.jobs import CRON_JOBS as PROFILE
from services.members.rewards.jobs import CRON_JOBS as REWARDS
from services.members.settings import SCHEMA, MembersSettings
from shared.worker import worker_settings


def members_worker_settings(settings: MembersSettings | None = None) -> dict[str, Any]:
    return worker_settings(
        service="members",
        schema=SCHEMA,
        settings=settings or MembersSettings(),
        handlers=HANDLERS,
        cron_jobs=[*PROFILE, *POINTS, *REWARDS, *COMPLAINTS, *CARDS],
    )
