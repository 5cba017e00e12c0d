"""The confirmation desk's queue page and its JSON API (CF-1, CF-2)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import AfterValidator, StringConstraints

from services.confirmation import replies, service
from services.confirmation.auth import DESK_ROLES
from services.confirmation.schemas import (
    STATE_FILTERS,
    BookingRefText,
    ChannelFilter,
    NoticeWord,
    StateFilter,
    TaskPage,
    TaskView,
)
from shared.auth import Staff, require
from shared.db import DbSession
from shared.limits import PageNumber, SearchText, check_text
from shared.web import render

router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]
CityFilter = Annotated[str, StringConstraints(max_length=80), AfterValidator(check_text)]


@router.get("/", response_class=HTMLResponse)
async def queue_page(
    request: Request,
    session: DbSession,
    staff: DeskStaff,
    hotel: SearchText = "",
    state: StateFilter = "open",
    page: PageNumber = 1,
    city: CityFilter = "",
    channel: ChannelFilter = "",
    saved: NoticeWord = "",
) -> Response:
    """The confirmation queue, earliest deadline first; filter by hotel, city, state and the
    hotel's channel."""
    tasks = await service.queue(
        session, hotel=hotel, state=state, page=page, city=city, channel=channel
    )
    return render(
        request.app.state.templates,
        request,
        "queue.html",
        staff,
        tasks=tasks,
        hotel=hotel,
        city=city,
        channel=channel,
        state=state,
        state_filters=STATE_FILTERS,
        saved=saved,
        unmatched_count=await replies.unmatched_count(session),
    )


@router.get("/api/tasks", response_model=TaskPage)
async def api_tasks(
    session: DbSession,
    staff: DeskStaff,
    hotel: SearchText = "",
    state: StateFilter = "open",
    page: PageNumber = 1,
    city: CityFilter = "",
    channel: ChannelFilter = "",
) -> Any:
    """The queue as JSON: tasks by deadline with their status, and the unsent count."""
    return await service.queue(
        session, hotel=hotel, state=state, page=page, city=city, channel=channel
    )


@router.get("/api/tasks/{booking_ref}", response_model=TaskView)
async def api_task(session: DbSession, staff: DeskStaff, booking_ref: BookingRefText) -> Any:
    """One booking's confirmation task."""
    return await service.get_task(session, booking_ref=booking_ref)
