"""Customer service's member pages: the list, a new member, one member with its complaint flag
(CS-1, IN-8). A refused form is shown again with what was typed and why; nothing is written.

The member page is also CS-1's inquiry screen: under the profile form it shows the card's
history, the points balance and history, and the member's bookings
(``services.members.profile.inquiry``)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import Field, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.members import service as members
from services.members.auth import MEMBER_ROLES
from services.members.profile.inquiry import Inquiry, inquiry
from services.members.service import LEVELS, ComplaintFlagIn, MemberEdit, MemberId, MemberIn
from shared.auth import Staff, require
from shared.db import DbSession
from shared.errors import DomainError, FormRejected
from shared.field_errors import FieldErrors, refusal
from shared.i18n import N_, _
from shared.limits import PageNumber, SearchText
from shared.web import form_data, render, see_other

router = APIRouter()
MemberStaff = Annotated[Staff, require(*MEMBER_ROLES)]
Saved = Annotated[int, Field(ge=0, le=1)]  # ?saved=1 after a change
_PHONE_SEPARATORS = re.compile(r"[\n,;，；、]+")
# How the pages name each member level (translated where shown, issue 15); forms post the code.
LEVEL_NAMES: dict[str, str] = {
    "standard": N_("Standard"),
    "silver": N_("Silver"),
    "gold": N_("Gold"),
    "platinum": N_("Platinum"),
}
JOINED_VIA: dict[str, str] = {"desk": N_("At the desk"), "online": N_("Online")}


def _member_data(fields: dict[str, str]) -> dict[str, Any]:
    """Form strings to the API's shape: phones one per line or comma separated (blank lines
    are not phones, so they do not count against the limit)."""
    phones = [p for p in _PHONE_SEPARATORS.split(fields.get("phones", "")) if p.strip()]
    return {**fields, "phones": phones}


@router.get("/", response_class=HTMLResponse)
async def members_page(
    request: Request,
    session: DbSession,
    staff: MemberStaff,
    q: SearchText = "",
    page: PageNumber = 1,
) -> Response:
    """Members by card, name or phone; open complaints are tagged (CS-1, IN-8)."""
    found = await members.list_members(session, q=q, page=page)
    return render(
        request.app.state.templates,
        request,
        "members.html",
        staff,
        q=q,
        found=found,
        level_names=LEVEL_NAMES,
    )


@router.get("/new", response_class=HTMLResponse)
async def new_member_page(request: Request, staff: MemberStaff) -> Response:
    """The form for a new member."""
    return _member_form(request, staff, None, {"level": "standard"})


@router.post("/members")
async def create_member_form(request: Request, session: DbSession, staff: MemberStaff) -> Response:
    """Create a member from the form."""
    fields = await form_data(request)
    try:
        created = await members.create_member(
            session, actor=staff, data=MemberIn.model_validate(_member_data(fields))
        )
    except (ValidationError, DomainError) as exc:
        error, status = refusal(exc)
        form = _member_form(request, staff, None, fields, error=error, status=status)
        raise FormRejected(form) from exc
    return see_other(request, f"/members/{created.member_id}?saved=1")


@router.get("/members/{member_id}", response_class=HTMLResponse)
async def member_page(
    request: Request,
    session: DbSession,
    staff: MemberStaff,
    member_id: MemberId,
    saved: Saved = 0,
    points_page: PageNumber = 1,
    bookings_page: PageNumber = 1,
) -> Response:
    """One member, answering a call (CS-1): profile, card history, points, bookings, and the
    complaint flag (IN-8)."""
    seen = await inquiry(
        session, member_id=member_id, points_page=points_page, bookings_page=bookings_page
    )
    notice = _("Saved.") if saved else ""
    found = seen.member
    return _member_form(request, staff, found, _fields_of(found), notice=notice, seen=seen)


@router.post("/members/{member_id}")
async def update_member_form(
    request: Request, session: DbSession, staff: MemberStaff, member_id: MemberId
) -> Response:
    """Save a member's profile (CS-1)."""
    fields = await form_data(request)
    try:
        data = MemberEdit.model_validate(_member_data(fields))
        await members.update_member(session, actor=staff, member_id=member_id, data=data)
    except (ValidationError, DomainError) as exc:
        raise _refused(request, staff, member_id, fields, exc) from exc
    return see_other(request, f"/members/{member_id}?saved=1")


@router.post("/members/{member_id}/complaint")
async def flag_complaint_form(
    request: Request, session: DbSession, staff: MemberStaff, member_id: MemberId
) -> Response:
    """Flag an open major complaint (IN-8)."""
    fields = await form_data(request)
    try:
        data = ComplaintFlagIn.model_validate(fields)
        await members.set_complaint(session, actor=staff, member_id=member_id, data=data)
    except (ValidationError, DomainError) as exc:
        raise _refused(request, staff, member_id, fields, exc) from exc
    return see_other(request, f"/members/{member_id}?saved=1")


@router.post("/members/{member_id}/complaint/clear")
async def clear_complaint_form(
    request: Request, session: DbSession, staff: MemberStaff, member_id: MemberId
) -> Response:
    """Clear the complaint flag: compensation was given (IN-8)."""
    await members.clear_complaint(session, actor=staff, member_id=member_id)
    return see_other(request, f"/members/{member_id}?saved=1")


def _fields_of(found: members.MemberView) -> dict[str, str]:
    return {
        "card_no": found.card_no,
        "name": found.name,
        "phones": "\n".join(found.phones),
        "level": found.level,
        "email": found.email,
        "address": found.address,
        "postcode": found.postcode,
        "city": found.city,
        "joined_via": found.joined_via,
        "version_no": str(found.version_no),
    }


def _refused(
    request: Request,
    staff: Staff,
    member_id: MemberId,
    fields: dict[str, str],
    exc: ValidationError | DomainError,
) -> FormRejected:
    error, status = refusal(exc)

    async def page(session: AsyncSession) -> Response:
        seen = await inquiry(session, member_id=member_id)
        found = seen.member
        # Keep what was typed in the profile form; a refused flag keeps its note instead.
        shown = {**_fields_of(found), **fields} if "card_no" in fields else _fields_of(found)
        flag = fields if "card_no" not in fields else {}
        return _member_form(
            request, staff, found, shown, flag=flag, error=error, status=status, seen=seen
        )

    return FormRejected(page)


def _member_form(
    request: Request,
    staff: Staff,
    found: members.MemberView | None,
    fields: dict[str, str],
    *,
    flag: dict[str, str] | None = None,
    error: str | FieldErrors = "",
    notice: str = "",
    status: int = 200,
    seen: Inquiry | None = None,
) -> Response:
    return render(
        request.app.state.templates,
        request,
        "member.html",
        staff,
        status_code=status,
        member=found,
        fields=fields,
        flag=flag or {},
        levels=LEVELS,
        level_names=LEVEL_NAMES,
        joined_via=JOINED_VIA,
        error=error,
        notice=notice,
        seen=seen,
    )
