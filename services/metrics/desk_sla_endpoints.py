"""Desk service levels from other services' events: what is breaching now (SL-2 … SL-6).

``GET /sla/breaches`` is the page; its body is the partial ``_breaches.html``, which other
metrics pages (the dashboard) include with a ``breaches`` context value.
"""

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.metrics import agent_names, desk_sla
from services.metrics.auth import DESK_ROLES
from shared.auth import Staff, require
from shared.db import DbSession
from shared.web import render

router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]


@router.get("/breaches", response_class=HTMLResponse)
async def breaches_page(request: Request, staff: DeskStaff, session: DbSession) -> Response:
    """The desks' live breach lists (SL-2 … SL-6)."""
    breaches = await desk_sla.breaches(session)
    return render(
        request.app.state.templates,
        request,
        "breaches.html",
        staff,
        breaches=breaches,
        names=await breach_names(request, session, breaches),
    )


async def breach_names(
    request: Request, session: AsyncSession, breaches: desk_sla.Breaches
) -> agent_names.AgentNames:
    """Names of the agents the breach lists show by username (SL-2's slow bookings)."""
    usernames = [booking.agent_username for booking in breaches.handle_time_over_5min_today]
    return await agent_names.load(
        session, directory=request.app.state.sessions, usernames=usernames
    )


@router.get("/api/breaches", response_model=desk_sla.Breaches)
async def breaches_api(staff: DeskStaff, session: DbSession) -> desk_sla.Breaches:
    """What is breaching now, per rule, as JSON."""
    return await desk_sla.breaches(session)
