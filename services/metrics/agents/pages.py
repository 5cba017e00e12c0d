"""The admin's page mapping telephony agents to staff (issue 15), and its JSON twin.

- ``GET /admin/agents``: every extension seen in the queue_log, with a form per row;
- ``POST /admin/agents``: map (or, both fields blank, unmap) one extension;
- ``GET /api/admin/agents`` and ``POST /api/admin/agents``: the same as JSON.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.metrics.agents import service as agents
from services.metrics.agents.schemas import AgentMappingIn, SeenAgent
from shared.auth import Role, Staff, require
from shared.db import DbSession
from shared.errors import DomainError, FormRejected
from shared.i18n import N_, _
from shared.pages import render, see_other

router = APIRouter()
Admin = Annotated[Staff, require(Role.ADMIN)]
PAGE = "/admin/agents"
# What a refused field says, whatever pydantic's wording (shown next to the field).
FIELD_MESSAGES = {
    "extension": N_("Choose an extension from the list."),
    "staff_username": N_(
        "The staff username is at most 64 characters, without control characters."
    ),
    "display_name": N_("The name is at most 200 characters, without control characters."),
}


async def _page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    return render(
        request.app.state.templates,
        request,
        "agents.html",
        staff,
        status_code=status,
        agents=await agents.listing(session),
        usernames=await agents.known_usernames(session, directory=request.app.state.sessions),
        errors=errors or {},
        values=values or {},
    )


@router.get(PAGE, response_class=HTMLResponse, include_in_schema=False)
async def agents_page(request: Request, session: DbSession, staff: Admin) -> Response:
    """Telephony agents and the staff member each extension belongs to."""
    return await _page(request, session, staff)


@router.post(PAGE, response_class=HTMLResponse, include_in_schema=False)
async def agents_save(request: Request, session: DbSession, staff: Admin) -> Response:
    """Map one extension to a staff member (both fields blank: unmap)."""
    form = await request.form()
    values = {key: value for key, value in form.items() if isinstance(value, str)}
    values.pop("csrf_token", None)
    try:
        data = AgentMappingIn.model_validate(values)
        await agents.save(session, actor=staff, data=data, directory=request.app.state.sessions)
    except ValidationError as exc:
        fields = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
        errors = {
            field: _(FIELD_MESSAGES.get(field, FIELD_MESSAGES["extension"])) for field in fields
        }
    except DomainError as exc:
        errors = {exc.field or "extension": exc.detail}
    else:
        return see_other(request, PAGE)
    raise FormRejected(
        lambda session: _page(request, session, staff, status=422, errors=errors, values=values)
    )


@router.get("/api/admin/agents")
async def api_agents(session: DbSession, staff: Admin) -> list[SeenAgent]:
    """Every extension seen in the queue_log, with the staff member it is mapped to."""
    return await agents.listing(session)


@router.post("/api/admin/agents")
async def api_agents_save(
    request: Request, data: AgentMappingIn, session: DbSession, staff: Admin
) -> list[SeenAgent]:
    """Map one extension (both names blank: unmap); answers with the whole list."""
    await agents.save(session, actor=staff, data=data, directory=request.app.state.sessions)
    return await agents.listing(session)
