"""Staffing per half hour as JSON (SL-1); the table and chart are on the history page.

- ``GET /api/staffing?day=``: agents needed by Erlang C and agents on duty per half hour.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from services.metrics.auth import DESK_ROLES
from services.metrics.dashboard import Threshold
from services.metrics.staffing import service
from shared.auth import Staff, require
from shared.clock import clock
from shared.db import DbSession
from shared.limits import BusinessDate

router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]
Day = Annotated[BusinessDate | None, Query(description="business date; today by default")]


@router.get("/api/staffing")
async def api_staffing(
    request: Request, session: DbSession, staff: DeskStaff, day: Day = None
) -> dict[str, Any]:
    """Agents needed (Erlang C) against agents on duty, per half hour of a day (SL-1)."""
    threshold = Threshold.of(request.app.state.settings)
    found = await service.staffing(session, threshold=threshold, day=day or clock.today())
    return {
        "day": found.day.isoformat(),
        "threshold_seconds": threshold.seconds,
        "target": threshold.target,
        "max_agents": found.max_agents,
        "half_hours": [
            {
                "starts_at": row.starts_at.isoformat(),
                "calls": row.calls,
                "answered": row.answered,
                "average_handle_seconds": row.handle_seconds,
                "intensity": row.need.intensity,
                "agents_needed": row.need.agents,
                "capped": row.need.capped,
                "service_level_needed": row.need.service_level,
                "agents_on_duty": row.on_duty,
                "expected_service_level": row.expected_service_level,
                "agents": [
                    {"name": p.name, "extension": p.extension, "mapped": p.mapped}
                    for p in row.agents
                ],
            }
            for row in found.rows
        ],
    }
