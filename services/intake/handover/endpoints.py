"""The shift handover book's JSON API and pages (IN-6). Thin: parse, authorise, call one
function of ``handover.py``, map the result."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.auth import DESK_ROLES
from services.intake.bounds import Filter
from services.intake.handover import service as handover
from services.intake.handover.schemas import (
    ENTRY_KINDS,
    PRIORITIES,
    AckView,
    DeskView,
    DoneRequest,
    EntryRequest,
    EntryView,
    HistoryPage,
)
from services.intake.settings import IntakeSettings
from shared.auth import Staff, require
from shared.db import DbSession
from shared.errors import DomainError, FormRejected
from shared.field_errors import FieldErrors, refusal
from shared.i18n import N_, _
from shared.limits import PageNumber, Uuid
from shared.web import form_data, render, see_other

router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]
Page = PageNumber

# What the page says after a form post succeeded (the redirect carries the key, not the text).
# Both are marked for the catalog and translated when the page is shown.
NOTICES = {
    "written": N_("Written for the next shift."),
    "acknowledged": N_("Acknowledged: the shift before you knows you have read it."),
    "done": N_("Task marked done."),
}
LABELS = {
    "kind": N_("Kind"),
    "body": N_("Text"),
    "booking_ref": N_("Booking reference"),
    "priority": N_("Priority"),
    "note": N_("What was done"),
}


def _settings(request: Request) -> IntakeSettings:
    settings: IntakeSettings = request.app.state.settings
    return settings


# --- JSON API ------------------------------------------------------------------------------


@router.get("/api/handover", response_model=DeskView)
async def api_desk(request: Request, session: DbSession, staff: DeskStaff) -> DeskView:
    """The handover book now: handed to this shift, written for the next, open tasks (IN-6)."""
    return await handover.desk_view(session, staff=staff, settings=_settings(request))


@router.post("/api/handover/entries", status_code=201, response_model=EntryView)
async def api_write(
    request: Request, session: DbSession, staff: DeskStaff, body: EntryRequest
) -> EntryView:
    """Leave a note or an open task for the next shift (IN-6)."""
    return await handover.write_entry(
        session, staff=staff, settings=_settings(request), request=body
    )


@router.post("/api/handover/{handover_id}/acknowledgements", response_model=AckView)
async def api_acknowledge(session: DbSession, staff: DeskStaff, handover_id: Uuid) -> AckView:
    """Acknowledge the handover to your shift (IN-6); repeating it changes nothing."""
    return await handover.acknowledge(session, staff=staff, handover_id=handover_id)


@router.post("/api/handover/tasks/{entry_id}/done", response_model=EntryView)
async def api_done(
    session: DbSession, staff: DeskStaff, entry_id: Uuid, body: DoneRequest
) -> EntryView:
    """Mark an open task done, with what was done (IN-6)."""
    return await handover.mark_done(session, staff=staff, entry_id=entry_id, request=body)


@router.get("/api/handover/history", response_model=HistoryPage)
async def api_history(
    request: Request, session: DbSession, staff: DeskStaff, page: Page = 1
) -> HistoryPage:
    """Every handover, newest shift first, ten a page."""
    return await handover.history(session, settings=_settings(request), page=page)


# --- pages ---------------------------------------------------------------------------------


@router.get("/handover", response_class=HTMLResponse)
async def handover_page(
    request: Request, session: DbSession, staff: DeskStaff, saved: Filter = ""
) -> Response:
    """The handover book: read and acknowledge, write for the next shift, close tasks."""
    notice = _(NOTICES[saved]) if saved in NOTICES else ""
    return await _page(request, session, staff, notice=notice)


@router.get(
    "/handover/banner",
    response_class=HTMLResponse,
    responses={204: {"description": "Nothing to say"}},
)
async def banner_fragment(request: Request, session: DbSession, staff: DeskStaff) -> Response:
    """The banner at the top of the desk's pages (an HTML fragment; 204 when nothing to say)."""
    banner = await handover.banner(session, staff=staff, settings=_settings(request))
    if banner is None:
        return Response(status_code=204)
    return render(
        request.app.state.templates,
        request,
        "_handover_banner_body.html",
        staff,
        handover_banner=banner,
    )


@router.get("/handover/history", response_class=HTMLResponse)
async def history_page(
    request: Request, session: DbSession, staff: DeskStaff, page: Page = 1
) -> Response:
    """Past handovers with who acknowledged them and when, ten shifts a page."""
    return render(
        request.app.state.templates,
        request,
        "handover_history.html",
        staff,
        history=await handover.history(session, settings=_settings(request), page=page),
        kinds=ENTRY_KINDS,
        priorities=PRIORITIES,
    )


@router.post("/handover/entries")
async def write_form(request: Request, session: DbSession, staff: DeskStaff) -> Response:
    """Write a note or task from the form; refused input re-shows the form, nothing written."""
    fields = await form_data(request)
    try:
        body = EntryRequest.model_validate(fields)
        await handover.write_entry(session, staff=staff, settings=_settings(request), request=body)
    except (ValidationError, DomainError) as exc:
        raise _refused(request, staff, exc, values=fields) from exc
    return see_other(request, "/handover?saved=written")


@router.post("/handover/{handover_id}/acknowledge")
async def acknowledge_form(
    request: Request, session: DbSession, staff: DeskStaff, handover_id: Uuid
) -> Response:
    """Acknowledge from the banner or the handover page."""
    try:
        await handover.acknowledge(session, staff=staff, handover_id=handover_id)
    except DomainError as exc:
        raise _refused(request, staff, exc) from exc
    return see_other(request, "/handover?saved=acknowledged")


@router.post("/handover/tasks/{entry_id}/done")
async def done_form(
    request: Request, session: DbSession, staff: DeskStaff, entry_id: Uuid
) -> Response:
    """Mark a task done from the open-task list."""
    try:
        body = DoneRequest.model_validate(await form_data(request))
        await handover.mark_done(session, staff=staff, entry_id=entry_id, request=body)
    except (ValidationError, DomainError) as exc:
        raise _refused(request, staff, exc) from exc
    return see_other(request, "/handover?saved=done")


def _refused(
    request: Request,
    staff: Staff,
    exc: ValidationError | DomainError,
    *,
    values: dict[str, str] | None = None,
) -> FormRejected:
    error, status = refusal(exc, labels={k: _(v) for k, v in LABELS.items()})
    return FormRejected(
        lambda session: _page(request, session, staff, error=error, values=values, status=status)
    )


async def _page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    *,
    notice: str = "",
    error: str | FieldErrors = "",
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "desk": await handover.desk_view(session, staff=staff, settings=_settings(request)),
        # The page itself shows what the banner would say, with the buttons next to it.
        "handover_banner": None,
        "values": values or {},
        "kinds": ENTRY_KINDS,
        "priorities": PRIORITIES,
        "notice": notice,
        "error": error,
    }
    return render(
        request.app.state.templates, request, "handover.html", staff, status_code=status, **context
    )
