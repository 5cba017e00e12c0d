"""Free rooms granted in contracts and their use by staff on business trips (HR-9).

A use is requested by anyone on the desk, approved first by the resources director and then
by the general manager (the seed's CEO); nobody approves their own request. Each month's use
is counted against the grant's room nights; a request that would exceed them is refused.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.auth import DESK_ROLES
from services.contracts.models import Hotel
from services.contracts.reports.models import free_room_grant as grant
from services.contracts.reports.models import free_room_use as use
from services.contracts.settings import SCHEMA
from shared import audit
from shared.auth import Role, Staff, ensure_role, require
from shared.clock import clock
from shared.dates import month_range
from shared.db import DbSession
from shared.errors import Conflict, DomainError, Forbidden, FormRejected, NotFound, RuleViolated
from shared.field_errors import FieldErrors, field_errors
from shared.i18n import N_, _
from shared.limits import BusinessDate, Uuid
from shared.web import form_data, render, see_other

COUNTED_STATES = ("requested", "director_approved", "approved")


class GrantIn(BaseModel):
    hotel_id: Uuid
    room_nights_per_month: int = Field(ge=1, le=1000)
    valid_from: BusinessDate  # inside the business's date window (issue 14)
    valid_to: BusinessDate
    note: str = Field("", max_length=2000)


class UseIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    grant_id: Uuid
    first_night: BusinessDate
    nights: int = Field(ge=1, le=30)
    rooms: int = Field(1, ge=1, le=20)
    traveller: str = Field(min_length=1, max_length=120)
    purpose: str = Field(min_length=5, max_length=2000)


async def add_grant(session: AsyncSession, *, actor: Staff, data: GrantIn) -> uuid.UUID:
    if data.valid_to < data.valid_from:
        raise RuleViolated("The grant ends before it starts", rule="HR-9", field="valid_to")
    if await session.get(Hotel, data.hotel_id) is None:
        raise NotFound(N_("No such hotel."), field="hotel_id")
    grant_id = uuid.uuid4()
    await session.execute(
        insert(grant).values(grant_id=grant_id, created_by=actor.username, **data.model_dump())
    )
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action="create",
        entity="free_room_grant",
        entity_id=grant_id,
        after=data.model_dump(mode="json"),
    )
    return grant_id


async def used_in_month(session: AsyncSession, grant_id: uuid.UUID, month_of: date) -> int:
    """Room nights requested or approved in the month of ``month_of`` (counted by first night)."""
    first, following = month_range(month_of)
    used = await session.scalar(
        select(func.coalesce(func.sum(use.c.nights * use.c.rooms), 0)).where(
            use.c.grant_id == grant_id,
            use.c.state.in_(COUNTED_STATES),
            use.c.first_night >= first,
            use.c.first_night < following,
        )
    )
    return int(used or 0)


async def request_use(session: AsyncSession, *, actor: Staff, data: UseIn) -> uuid.UUID:
    found = (
        await session.execute(
            select(grant).where(grant.c.grant_id == data.grant_id).with_for_update()
        )
    ).first()
    if found is None:
        raise NotFound(N_("No such free-room grant."), field="grant_id")
    if not found.valid_from <= data.first_night <= found.valid_to:
        raise RuleViolated(
            "The stay is outside the grant's validity", rule="HR-9", field="first_night"
        )
    used = await used_in_month(session, data.grant_id, data.first_night)
    asked = data.nights * data.rooms
    if used + asked > found.room_nights_per_month:
        left = found.room_nights_per_month - used
        raise RuleViolated(
            f"Only {left} free room nights left that month, {asked} asked",
            rule="HR-9",
            field="nights",
        )
    use_id = uuid.uuid4()
    await session.execute(
        insert(use).values(
            use_id=use_id, requested_by=actor.username, state="requested", **data.model_dump()
        )
    )
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action="request",
        entity="free_room_use",
        entity_id=use_id,
        after=data.model_dump(mode="json"),
    )
    return use_id


_NEXT_STATE = {  # state -> (role that decides now, column recording who, state when approved)
    "requested": (Role.RESOURCES_DIRECTOR, "director_by", "director_approved"),
    "director_approved": (Role.GENERAL_MANAGER, "manager_by", "approved"),
}


async def decide_use(
    session: AsyncSession, *, actor: Staff, use_id: uuid.UUID, approve: bool
) -> str:
    row = (
        await session.execute(select(use).where(use.c.use_id == use_id).with_for_update())
    ).first()
    if row is None:
        raise NotFound("No such free-room request.")
    if row.state not in _NEXT_STATE:
        raise Conflict(f"This request is already {row.state.replace('_', ' ')}.")
    role, who_column, approved_state = _NEXT_STATE[row.state]
    ensure_role(actor, role)
    if actor.username in (row.requested_by, row.director_by):
        raise Forbidden("You cannot approve a request you made or already approved.")  # HR-9
    state = approved_state if approve else "rejected"
    await session.execute(
        update(use)
        .where(use.c.use_id == use_id)
        .values(state=state, decided_at=clock.now(), **{who_column: actor.username})
    )
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action=state,
        entity="free_room_use",
        entity_id=use_id,
        before={"state": row.state},
        after={"state": state},
    )
    return state


@dataclass(frozen=True)
class GrantView:
    grant_id: uuid.UUID
    hotel_name: str
    room_nights_per_month: int
    valid_from: date
    valid_to: date
    used_this_month: int


async def overview(session: AsyncSession) -> tuple[list[GrantView], list[object]]:
    today = clock.today()
    grants = (
        await session.execute(
            select(grant, Hotel.name_en)
            .join(Hotel, Hotel.hotel_id == grant.c.hotel_id)
            .order_by(Hotel.name_en)
        )
    ).all()
    views = [
        GrantView(
            g.grant_id,
            g.name_en,
            g.room_nights_per_month,
            g.valid_from,
            g.valid_to,
            await used_in_month(session, g.grant_id, today),
        )
        for g in grants
    ]
    uses = (
        await session.execute(
            select(use, Hotel.name_en)
            .join(grant, grant.c.grant_id == use.c.grant_id)
            .join(Hotel, Hotel.hotel_id == grant.c.hotel_id)
            .order_by(use.c.first_night.desc())
            .limit(200)
        )
    ).all()
    return views, list(uses)


# A request's state as the page names it (the stored value is the English word).
USE_STATES = {
    "requested": N_("requested"),
    "director_approved": N_("director approved"),
    "approved": N_("approved"),
    "rejected": N_("rejected"),
}


def use_state(state: str) -> str:
    return _(USE_STATES[state]) if state in USE_STATES else state.replace("_", " ")


router = APIRouter()
Viewer = Annotated[Staff, require(*DESK_ROLES, Role.GENERAL_MANAGER)]
Approver = Annotated[Staff, require(Role.RESOURCES_DIRECTOR, Role.GENERAL_MANAGER)]


async def _page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    *,
    error: str | FieldErrors = "",
    status: int = 200,
) -> Response:
    grants, uses = await overview(session)
    hotels = list(await session.scalars(select(Hotel).order_by(Hotel.name_en)))
    return render(
        request.app.state.templates,
        request,
        "free_rooms.html",
        staff,
        status_code=status,
        grants=grants,
        uses=uses,
        hotels=hotels,
        use_state=use_state,
        error=error,
    )


@router.get("/free-rooms", response_class=HTMLResponse)
async def free_rooms_page(request: Request, session: DbSession, staff: Viewer) -> Response:
    """Free-room grants, this month's use, and requests awaiting approval (HR-9)."""
    return await _page(request, session, staff)


@router.post("/free-rooms/{action}")
async def free_rooms_post(
    request: Request, session: DbSession, staff: Viewer, action: Literal["grants", "uses"]
) -> Response:
    """Add a grant or request a stay on one."""
    values = await form_data(request)
    try:
        if action == "grants":
            ensure_role(staff, Role.HOTEL_RESOURCES, Role.RESOURCES_DIRECTOR)
            await add_grant(session, actor=staff, data=GrantIn.model_validate(values))
        elif action == "uses":
            await request_use(session, actor=staff, data=UseIn.model_validate(values))
        else:  # pragma: no cover - the path's Literal admits no other action
            raise NotFound("Unknown action.")
    except ValidationError as exc:
        error, status = field_errors(exc), 422
    except DomainError as exc:
        error, status = field_errors(exc), exc.status_code
    else:
        return see_other(request, "/free-rooms")
    raise FormRejected(lambda session: _page(request, session, staff, error=error, status=status))


@router.post("/free-rooms/uses/{use_id}/{decision}")
async def free_rooms_decide(
    request: Request,
    session: DbSession,
    staff: Approver,
    use_id: Uuid,
    decision: Literal["approve", "reject"],
) -> Response:
    """Approve or reject a stay: the director first, then the general manager (HR-9)."""
    await decide_use(session, actor=staff, use_id=use_id, approve=decision == "approve")
    return see_other(request, "/free-rooms")
