"""The members service's arq worker settings."""

from typing import Any

from services.members.handlers import HANDLERS
from services.members.settings import SCHEMA, MembersSettings
from shared.worker import worker_settings


def members_worker_settings(settings: MembersSettings | None = None) -> dict[str, Any]:
    return worker_settings(
        service="members", schema=SCHEMA, settings=settings or MembersSettings(), handlers=HANDLERS
    )
