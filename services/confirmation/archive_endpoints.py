"""Archive and search of everything sent and received (CF-4)."""

from __future__ import annotations

import mimetypes
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import AfterValidator, StringConstraints

from services.confirmation import archive, replies
from services.confirmation.archive import ArchivePage, ArchiveQuery
from services.confirmation.auth import DESK_ROLES
from services.confirmation.downloads import download
from services.confirmation.schemas import PathId
from shared.auth import Staff, require
from shared.db import DbSession
from shared.errors import InvalidInput
from shared.field_errors import FieldErrors, field_errors
from shared.limits import PageNumber, SearchText, check_text
from shared.web import render

router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]
# Dates arrive as text and are parsed by archive.parse_date, so a bad one (or one outside
# shared.limits' window) is refused naming its field on the page as well as in JSON.
DateText = Annotated[str, StringConstraints(max_length=20), AfterValidator(check_text)]


def _query(
    date_from: str, date_to: str, hotel: str, booking_ref: str, confirmation_no: str
) -> ArchiveQuery:
    return ArchiveQuery(
        date_from=archive.parse_date(date_from, "date_from"),
        date_to=archive.parse_date(date_to, "date_to"),
        hotel=hotel,
        booking_ref=booking_ref,
        confirmation_no=confirmation_no,
    )


@router.get("/archive", response_class=HTMLResponse)
async def archive_page(
    request: Request,
    session: DbSession,
    staff: DeskStaff,
    date_from: DateText = "",
    date_to: DateText = "",
    hotel: SearchText = "",
    booking_ref: SearchText = "",
    confirmation_no: SearchText = "",
    page: PageNumber = 1,
) -> Response:
    """Search what was sent and received, by date, hotel, booking or confirmation number."""
    form = {
        "date_from": date_from,
        "date_to": date_to,
        "hotel": hotel,
        "booking_ref": booking_ref,
        "confirmation_no": confirmation_no,
    }
    found: ArchivePage | None = None
    error: str | FieldErrors = ""
    status = 200
    try:
        found = await archive.search(session, query=_query(**form), page=page)
    except InvalidInput as exc:
        error, status = field_errors(exc), exc.status_code
    return render(
        request.app.state.templates,
        request,
        "archive.html",
        staff,
        status_code=status,
        found=found,
        form=form,
        error=error,
        unmatched_count=await replies.unmatched_count(session),
    )


@router.get("/api/archive", response_model=ArchivePage)
async def api_archive(
    session: DbSession,
    staff: DeskStaff,
    date_from: DateText = "",
    date_to: DateText = "",
    hotel: SearchText = "",
    booking_ref: SearchText = "",
    confirmation_no: SearchText = "",
    page: PageNumber = 1,
) -> Any:
    """The archive as JSON (a bad date is a 422 naming ``date_from`` or ``date_to``)."""
    query = _query(date_from, date_to, hotel, booking_ref, confirmation_no)
    return await archive.search(session, query=query, page=page)


@router.get("/dispatches/{dispatch_id}/document")
async def dispatch_document(session: DbSession, staff: DeskStaff, dispatch_id: PathId) -> Response:
    """Download the document (the PDF) a dispatch sent, exactly as stored."""
    content, filename = await archive.dispatch_document(session, dispatch_id)
    content_type = mimetypes.guess_type(filename)[0] or "application/pdf"
    return download(content, filename=filename, content_type=content_type)
