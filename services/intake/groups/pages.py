"""The group desk's pages (IN-9): the worklist ``/groups`` (yesterday's unfinished first),
a new group ``/groups/new`` (account, hotel, stay, rooming list typed or uploaded), and one
group ``/groups/{id}`` (its rooms and bookings; a draft's list replaced, booked, dropped).

A refused form or placement is shown again with what was typed, the report (row, field, why)
and nothing written; a refused placement also keeps its reason on the draft.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from services.intake.auth import DESK_ROLES
from services.intake.booking import service
from services.intake.booking.schemas import PAYMENT_MODES
from services.intake.bounds import Filter, ShortText
from services.intake.groups import accounts as group_accounts
from services.intake.groups import rooming
from services.intake.groups import service as groups
from services.intake.groups.endpoints import keep_refusal
from services.intake.groups.rooming import RoomingLine
from services.intake.groups.service import GroupRequest
from services.intake.groups.worklist import STATUS_FILTERS, STATUS_LABELS, get_group, group_worklist
from services.intake.inventory.models import hotel
from shared.auth import Staff, require
from shared.db import DbSession
from shared.errors import DomainError, FormRejected
from shared.field_errors import field_errors
from shared.i18n import N_, _
from shared.limits import PageNumber, Uuid, parse_day
from shared.sheets import SheetRefused
from shared.web import form_data, render, see_other

router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]
BLANK_ROWS = 10  # typed rows offered; the page's "Add rows" button adds more
TypedRows = list[tuple[str, str]]
GROUP_CHANNELS = ("email", "phone", "sms")  # groups.GroupRequest: no fax number on accounts
# How the pages name the confirmation channels (translated where shown).
CHANNEL_LABELS = {"email": N_("email"), "phone": N_("phone"), "sms": N_("SMS"), "fax": N_("fax")}


async def rooming_lines(request: Request) -> tuple[list[RoomingLine], TypedRows]:
    """The posted rooming list: an uploaded file wins over typed rows (``plan_N``/``guests_N``)."""
    form = await request.form()
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        content = await upload.read(rooming.MAX_BYTES + 1)
        return rooming.lines_from_sheet(upload.filename, content), []
    typed: TypedRows = []
    for n in range(1, rooming.MAX_ROOMS + 1):
        plan, guests = form.get(f"plan_{n}"), form.get(f"guests_{n}")
        if plan is None and guests is None:
            break
        typed.append((str(plan or "").strip(), str(guests or "").strip()))
    lines = [RoomingLine(n, p, "", g) for n, (p, g) in enumerate(typed, start=1) if p or g]
    return lines, [row for row in typed if any(row)]


def _refusal(exc: ValidationError | DomainError) -> dict[str, Any]:
    """What a page shows of a refusal: the sentence, the row report, the status."""
    if isinstance(exc, ValidationError):
        return {"error": field_errors(exc), "report": [], "status": 422}
    report = exc.errors if isinstance(exc, SheetRefused) else []
    refused = _("The rooming list was refused; nothing was saved.")
    message = refused if report else field_errors(exc)
    return {"error": message, "report": report, "status": exc.status_code}


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


# --- the worklist -------------------------------------------------------------------------


@router.get("/groups", response_class=HTMLResponse)
async def worklist_page(
    request: Request,
    session: DbSession,
    staff: DeskStaff,
    status: Filter = "open",
    page: PageNumber = 1,
) -> Response:
    """Group bookings, yesterday's unfinished first (IN-9)."""
    found = await group_worklist(session, status=status, page=page)
    return render(
        request.app.state.templates,
        request,
        "groups.html",
        staff,
        found=found,
        statuses=STATUS_FILTERS,
        status_labels=STATUS_LABELS,
    )


# --- a new group ---------------------------------------------------------------------------


async def _hotels_in(session: AsyncSession, city: str) -> list[Any]:
    if not city.strip():
        return []
    query = (
        select(hotel.c.hotel_id, hotel.c.name_en, hotel.c.name_zh, hotel.c.star_grade)
        .where(func.lower(hotel.c.city) == city.strip().lower(), hotel.c.sellable)
        .order_by(hotel.c.name_en)
    )
    return list(await session.execute(query))


async def _offers(session: AsyncSession, fields: dict[str, str]) -> tuple[list[Any], str]:
    """The hotel's rate plans priced over the stay for one room (IN-2), or why not."""
    hotel_id = _uuid(fields.get("hotel_id", ""))
    if hotel_id is None:
        return [], ""
    plans = await rooming.hotel_plans(session, hotel_id)
    try:
        check_in = parse_day(fields.get("check_in", ""))  # inside the business's window
        check_out = parse_day(fields.get("check_out", ""))
        return [
            await service.quote(
                session,
                rate_plan_id=p.rate_plan_id,
                check_in=check_in,
                check_out=check_out,
                rooms=1,
            )
            for p in plans
        ], ""
    except ValueError:
        return [], _("Enter the check-in and check-out dates to see prices and rooms left.")
    except DomainError as exc:
        return [], exc.detail


async def _new_page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    fields: dict[str, str],
    *,
    typed: TypedRows | None = None,
    refusal: dict[str, Any] | None = None,
) -> Response:
    refusal = refusal or {"error": "", "report": [], "status": 200}
    hotel_id = _uuid(fields.get("hotel_id", ""))
    offers, offers_note = await _offers(session, fields)
    plans = await rooming.hotel_plans(session, hotel_id) if hotel_id else []
    accounts = await group_accounts.list_accounts(session, active_only=True)
    return render(
        request.app.state.templates,
        request,
        "group_new.html",
        staff,
        status_code=refusal["status"],
        fields=fields,
        accounts=accounts.accounts,
        hotels=await _hotels_in(session, fields.get("city", "")),
        plans=plans,
        offers=offers,
        offers_note=offers_note,
        typed=typed or [],
        blank_rows=BLANK_ROWS,
        error=refusal["error"],
        report=refusal["report"],
        confirm_channels=GROUP_CHANNELS,
        channel_labels=CHANNEL_LABELS,
        payment_modes=PAYMENT_MODES,
    )


@router.get("/groups/new", response_class=HTMLResponse)
async def new_group_page(
    request: Request,
    session: DbSession,
    staff: DeskStaff,
    account_id: Filter = "",
    city: ShortText = "",
    hotel_id: Filter = "",
    check_in: Filter = "",
    check_out: Filter = "",
) -> Response:
    """A new group: account, city and hotel, stay, then the rooming list (IN-9). A stay typed
    outside the business's window (year 1, 9999-12-31) is a 422 naming the date."""
    fields = {"account_id": account_id, "city": city, "hotel_id": hotel_id}
    fields |= {"check_in": check_in, "check_out": check_out}
    problem = _stay_problem(fields)
    refusal = {"error": problem, "report": [], "status": 422} if problem else None
    return await _new_page(request, session, staff, fields, refusal=refusal)


def _stay_problem(fields: dict[str, str]) -> str:
    """Why a typed check-in or check-out cannot be a stay's date, or ""."""
    for name, label in (("check_in", _("Check-in")), ("check_out", _("Check-out"))):
        if fields.get(name):
            try:
                parse_day(fields[name])
            except ValueError as exc:
                return _("%(label)s: %(why)s") % {"label": label, "why": exc}
    return ""


@router.post("/groups")
async def open_group_form(request: Request, session: DbSession, staff: DeskStaff) -> Response:
    """Save the group as a draft, or save it and book all its rooms (all or nothing)."""
    fields = await form_data(request)
    typed: TypedRows = []
    try:
        lines, typed = await rooming_lines(request)
        body = GroupRequest.model_validate({**fields, "rooms": []})
        opened = await groups.open_group(session, staff=staff, request=body, lines=lines)
        if fields.get("action") == "place":
            await groups.place_group(session, staff=staff, group_id=opened.group_id)
    except (ValidationError, DomainError) as exc:
        refusal = _refusal(exc)
        raise FormRejected(
            lambda session: _new_page(request, session, staff, fields, typed=typed, refusal=refusal)
        ) from exc
    return see_other(request, f"/groups/{opened.group_id}")


# --- one group -----------------------------------------------------------------------------


async def _group_page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    group_id: uuid.UUID,
    *,
    typed: TypedRows | None = None,
    refusal: dict[str, Any] | None = None,
) -> Response:
    refusal = refusal or {"error": "", "report": [], "status": 200}
    group = await get_group(session, group_id=group_id)
    plans = await rooming.hotel_plans(session, group.hotel_id) if group.status == "draft" else []
    shown = typed if typed is not None else [
        (str(r.rate_plan_id), ", ".join(r.guest_names)) for r in group.rooms
    ]  # fmt: skip
    return render(
        request.app.state.templates,
        request,
        "group.html",
        staff,
        status_code=refusal["status"],
        group=group,
        plans=plans,
        typed=shown,
        blank_rows=max(3, BLANK_ROWS - len(shown)),
        error=refusal["error"],
        report=refusal["report"],
        payment_modes=PAYMENT_MODES,
        status_labels=STATUS_LABELS,
        channel_labels=CHANNEL_LABELS,
    )


@router.get("/groups/{group_id}", response_class=HTMLResponse)
async def group_page(
    request: Request, session: DbSession, staff: DeskStaff, group_id: Uuid
) -> Response:
    """One group: its rooming list, its bookings, what is left to do."""
    return await _group_page(request, session, staff, group_id)


@router.post("/groups/{group_id}/rooming")
async def replace_rooming_form(
    request: Request, session: DbSession, staff: DeskStaff, group_id: Uuid
) -> Response:
    """Replace a draft's rooming list, typed or uploaded, all rows or none."""
    typed: TypedRows = []
    try:
        lines, typed = await rooming_lines(request)
        await groups.replace_rooming(session, staff=staff, group_id=group_id, lines=lines)
    except DomainError as exc:
        refusal = _refusal(exc)
        raise FormRejected(
            lambda session: _group_page(
                request, session, staff, group_id, typed=typed or None, refusal=refusal
            )
        ) from exc
    return see_other(request, f"/groups/{group_id}")


@router.post("/groups/{group_id}/place")
async def place_group_form(
    request: Request, session: DbSession, staff: DeskStaff, group_id: Uuid
) -> Response:
    """Book every room of the draft in one transaction: all rooms or none (IN-9)."""
    try:
        await groups.place_group(session, staff=staff, group_id=group_id)
    except DomainError as exc:
        keep_refusal(session, staff, group_id, exc)
        refusal = _refusal(exc)
        raise FormRejected(
            lambda session: _group_page(request, session, staff, group_id, refusal=refusal)
        ) from exc
    return see_other(request, f"/groups/{group_id}")


@router.post("/groups/{group_id}/cancel")
async def cancel_group_form(
    request: Request, session: DbSession, staff: DeskStaff, group_id: Uuid
) -> Response:
    """Drop a draft group."""
    await groups.cancel_group(session, staff=staff, group_id=group_id)
    return see_other(request, f"/groups/{group_id}")
