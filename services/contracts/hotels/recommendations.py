"""The month's recommended hotels (HR-6): proposed by hotel resources, online for agents only
after the director approves, and never approved by the person who proposed them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.auth import DESK_ROLES
from services.contracts.hotels.models import recommendation
from services.contracts.models import Hotel
from services.contracts.reports.rankings import month_bounds
from services.contracts.settings import SCHEMA
from shared import audit
from shared.auth import Role, Staff, ensure_role, require
from shared.clock import clock
from shared.db import DbSession
from shared.errors import Conflict, DomainError, Forbidden, FormRejected, InvalidInput, NotFound
from shared.events.contracts import RecommendationApprovedV1
from shared.events.outbox import publish
from shared.field_errors import FieldErrors, field_errors
from shared.i18n import _
from shared.limits import MonthText, Uuid
from shared.web import render, see_other


@dataclass(frozen=True)
class Recommendation:
    recommendation_id: uuid.UUID
    month: date
    hotel_id: uuid.UUID
    hotel_name: str
    city: str
    reason: str
    state: str
    proposed_by: str
    decided_by: str | None
    decided_at: datetime | None


async def propose(
    session: AsyncSession, *, actor: Staff, month: str, hotel_id: uuid.UUID, reason: str
) -> uuid.UUID:
    first, _last = month_bounds(month)
    if len(reason.strip()) < 5:
        raise InvalidInput(_("Say why this hotel is recommended."), field="reason")
    hotel = await session.get(Hotel, hotel_id)
    if hotel is None or hotel.status != "active":
        raise InvalidInput(_("Only a signed, active hotel can be recommended."), field="hotel_id")
    recommendation_id = uuid.uuid4()
    inserted = await session.execute(
        insert(recommendation)
        .values(
            recommendation_id=recommendation_id,
            month=first,
            hotel_id=hotel_id,
            reason=reason.strip(),
            state="proposed",
            proposed_by=actor.username,
        )
        .on_conflict_do_nothing()
        .returning(recommendation.c.recommendation_id)
    )
    if inserted.first() is None:
        raise Conflict(
            _("%(hotel)s is already proposed for %(month)s.")
            % {"hotel": hotel.name_en, "month": month},
            field="hotel_id",
        )
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action="propose",
        entity="recommendation",
        entity_id=recommendation_id,
        after={"month": month, "hotel_id": str(hotel_id), "reason": reason},
    )
    return recommendation_id


async def decide(
    session: AsyncSession, *, actor: Staff, recommendation_id: uuid.UUID, approve: bool
) -> None:
    """HR-6: the director's decision; maker-checker, so never on one's own proposal."""
    ensure_role(actor, Role.RESOURCES_DIRECTOR)
    row = (
        await session.execute(
            select(recommendation, Hotel.city)
            .join(Hotel, Hotel.hotel_id == recommendation.c.hotel_id)
            .where(recommendation.c.recommendation_id == recommendation_id)
            .with_for_update(of=recommendation)
        )
    ).first()
    if row is None:
        raise NotFound(_("No such recommendation."))
    if row.proposed_by == actor.username:
        raise Forbidden(_("You proposed this hotel; another director must decide."))  # HR-6
    if row.state != "proposed":
        raise Conflict(_("This recommendation was already %(state)s.") % {"state": _(row.state)})
    state = "approved" if approve else "rejected"
    await session.execute(
        update(recommendation)
        .where(recommendation.c.recommendation_id == recommendation_id)
        .values(state=state, decided_by=actor.username, decided_at=clock.now())
    )
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action=state,
        entity="recommendation",
        entity_id=recommendation_id,
        before={"state": "proposed"},
        after={"state": state},
    )
    if approve:
        await publish(
            session,
            schema=SCHEMA,
            occurred_at=clock.now(),
            payload=RecommendationApprovedV1(hotel_id=row.hotel_id, city=row.city, month=row.month),
        )


async def for_month(session: AsyncSession, month: str) -> list[Recommendation]:
    first, _last = month_bounds(month)
    rows = (
        await session.execute(
            select(recommendation, Hotel.name_en, Hotel.name_zh, Hotel.city)
            .join(Hotel, Hotel.hotel_id == recommendation.c.hotel_id)
            .where(recommendation.c.month == first)
            .order_by(Hotel.city, recommendation.c.state, Hotel.name_en)
        )
    ).all()
    return [
        Recommendation(
            r.recommendation_id,
            r.month,
            r.hotel_id,
            f"{r.name_zh} · {r.name_en}",
            r.city,
            r.reason,
            r.state,
            r.proposed_by,
            r.decided_by,
            r.decided_at,
        )
        for r in rows
    ]


router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]
Director = Annotated[Staff, require(Role.RESOURCES_DIRECTOR)]


async def _page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    month: str,
    *,
    error: str | FieldErrors = "",
    status: int = 200,
) -> Response:
    hotels = list(
        await session.scalars(
            select(Hotel).where(Hotel.status == "active").order_by(Hotel.city, Hotel.name_en)
        )
    )
    return render(
        request.app.state.templates,
        request,
        "recommendations.html",
        staff,
        status_code=status,
        month=month,
        error=error,
        hotels=hotels,
        recommendations=await for_month(session, month),
        is_director=Role.RESOURCES_DIRECTOR.value in staff.roles,
    )


@router.get("/recommendations", response_class=HTMLResponse)
async def recommendations_page(
    request: Request,
    session: DbSession,
    staff: DeskStaff,
    month: Annotated[MonthText, Query()] = "",
) -> Response:
    """The month's recommended hotels: proposals and the director's decisions (HR-6)."""
    month = month or clock.today().strftime("%Y-%m")
    month_bounds(month)
    return await _page(request, session, staff, month)


@router.post("/recommendations")
async def recommendations_propose(
    request: Request,
    session: DbSession,
    staff: DeskStaff,
    month: Annotated[MonthText, Form()],
    hotel_id: Annotated[Uuid, Form()],
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Propose a hotel as recommended for a month."""
    try:
        await propose(session, actor=staff, month=month, hotel_id=hotel_id, reason=reason)
    except DomainError as exc:
        error, status = field_errors(exc), exc.status_code
        raise FormRejected(
            lambda session: _page(request, session, staff, month, error=error, status=status)
        ) from exc
    return see_other(request, f"/recommendations?month={month}")


@router.post("/recommendations/{recommendation_id}/{decision}")
async def recommendations_decide(
    request: Request,
    session: DbSession,
    staff: Director,
    recommendation_id: Uuid,
    decision: Literal["approve", "reject"],
) -> Response:
    """Approve or reject a proposal (director only, never one's own)."""
    await decide(
        session, actor=staff, recommendation_id=recommendation_id, approve=decision == "approve"
    )
    return see_other(request, "/recommendations")
