"""The inactive members' worklist (CS-4), customer service's:

- ``GET /inactive``: open follow-ups, oldest first, paginated, each with the member's last
  actual stay and a form for the call's outcome (``POST /inactive/{followup_id}``; a lost
  card leads on to the member's page to change the card, a booking problem needs a note);
- ``POST /inactive/refresh``: list today's inactive members now (the 08:00 job does too).

A refused outcome shows the page again with the error beside the field; nothing is written.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.members.auth import DESK_ROLES
from services.members.cards import inactive
from shared.auth import Staff, require
from shared.db import DbSession
from shared.errors import DomainError, FormRejected, NotFound
from shared.field_errors import FieldErrors, field_errors
from shared.limits import Count, PageNumber, Uuid
from shared.web import form_data, render, see_other

router = APIRouter()
Desk = Annotated[Staff, require(*DESK_ROLES)]
Done = Literal["", "lost_card", "no_need", "booking_problem", "moved", "unreachable", "other"]


async def _worklist(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    *,
    page: int = 1,
    added: int | None = None,
    done: str = "",
    done_member: uuid.UUID | None = None,
    error: str | FieldErrors = "",
    status: int = 200,
    refused: uuid.UUID | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    items, total, pages = await inactive.open_items(session, page=page)
    return render(
        request.app.state.templates,
        request,
        "inactive.html",
        staff,
        status_code=status,
        items=items,
        total=total,
        page=page,
        pages=pages,
        added=added,
        done=done,
        done_member=done_member,
        outcome_names=inactive.OUTCOME_NAMES,
        period_days=inactive.period_days(),
        error=error,
        refused=refused,
        values=values or {},
    )


@router.get("/inactive", response_class=HTMLResponse)
async def inactive_page(
    request: Request,
    session: DbSession,
    staff: Desk,
    page: PageNumber = 1,
    added: Annotated[Count(1_000_000, minimum=0) | None, Query()] = None,  # type: ignore[valid-type]
    done: Done = "",
    member: Annotated[Uuid | None, Query()] = None,
) -> Response:
    """CS-4: members with no stay in the period, to be called."""
    return await _worklist(
        request, session, staff, page=page, added=added, done=done, done_member=member
    )


@router.post("/inactive/refresh")
async def refresh_form(request: Request, session: DbSession, staff: Desk) -> Response:
    """CS-4: list the inactive members not yet on the worklist."""
    added = await inactive.refresh(session, actor=staff)
    return see_other(request, f"/inactive?added={added}")


@router.post("/inactive/{followup_id}")
async def outcome_form(
    request: Request, session: DbSession, staff: Desk, followup_id: Uuid
) -> Response:
    """CS-4: record what the follow-up call found."""
    fields = await form_data(request)
    try:
        data = inactive.OutcomeIn.model_validate(fields)
        item = await inactive.load(session, followup_id)
        await inactive.record_outcome(session, followup_id=followup_id, actor=staff, data=data)
    except NotFound:
        raise
    except (ValidationError, DomainError) as exc:
        error = field_errors(exc)
        status = exc.status_code if isinstance(exc, DomainError) else 422
        raise FormRejected(
            lambda session: _worklist(
                request,
                session,
                staff,
                error=error,
                status=status,
                refused=followup_id,
                values=fields,
            )
        ) from exc
    return see_other(request, f"/inactive?done={data.outcome}&member={item['member_id']}")
