"""The rewards package's cron jobs (merged into ``services.members.tasks``)."""

from __future__ import annotations

from typing import Any

CRON_JOBS: list[Any] = []
