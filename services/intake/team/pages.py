"""The team lead's page of each agent's record (IN-12) and its JSON twin."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.intake.bounds import Filter, parse_page
from services.intake.team import service as team
from services.intake.team.service import Period, TeamRecord
from shared.auth import Role, Staff, require
from shared.clock import clock
from shared.db import DbSession
from shared.errors import DomainError, InvalidInput
from shared.i18n import _
from shared.limits import BusinessDate, PageNumber, parse_day
from shared.web import render

router = APIRouter()
# IN-12: managers see each agent's record; agents do not see each other's.
LeadStaff = Annotated[Staff, require(Role.TEAM_LEAD, Role.ADMIN)]


@router.get("/api/team", response_model=TeamRecord)
async def api_team(
    request: Request,
    session: DbSession,
    staff: LeadStaff,
    period: Period = "week",
    day: BusinessDate | None = None,
    page: PageNumber = 1,
) -> TeamRecord:
    """Each agent's bookings, handle times and corrections for a day, week or month (IN-12)."""
    record = await team.team_record(session, period=period, day=day, page=page)
    return await _named(request, record)


async def _named(request: Request, record: TeamRecord) -> TeamRecord:
    """The record with the names its agents log in under (issue 15: people, not usernames)."""
    usernames = [agent.agent_username for agent in record.agents]
    record.names = await request.app.state.sessions.display_names(usernames)
    return record


@router.get("/team", response_class=HTMLResponse)
async def team_page(
    request: Request,
    session: DbSession,
    staff: LeadStaff,
    period: Filter = "week",
    day: Filter = "",
    page: Filter = "1",
) -> Response:
    """The agents' record with a chart of average handle time against SL-2's 5 minutes."""
    record, error, status = None, "", 200
    try:
        record = await team.team_record(session, period=period, day=_day(day), page=_page(page))
        record = await _named(request, record)
    except DomainError as exc:
        error, status = exc.detail, exc.status_code
    return render(
        request.app.state.templates,
        request,
        "team.html",
        staff,
        status_code=status,
        record=record,
        error=error,
        form={"period": period, "day": day or clock.today().isoformat()},
        periods=team.PERIODS,
    )


def _day(raw: str) -> date | None:
    """The day typed on the page, inside the business's window (year 1 or 9999-12-31 would
    overflow the period's arithmetic): otherwise a 422 on the page naming ``day``."""
    try:
        return parse_day(raw) if raw else None
    except ValueError as exc:
        message = _("Day: enter a date like 2026-12-03 (%(why)s).") % {"why": exc}
        raise InvalidInput(message, field="day") from exc


def _page(raw: str) -> int:
    return parse_page(raw)
