"""The cards pages (CS-4), customer service's:

- ``GET /cards``: the desk's mailing page: members whose card is late (no mailed batch two
  days after joining) at the top, today's batch and the button that makes it
  (``POST /cards/batches``), members left out for an incomplete address (linked to their
  page), and the earlier batches, paginated, each with its PDF (letters and labels,
  ``/cards/batches/{batch_no}.pdf``), its CSV for the post office (``.csv``) and
  "mark mailed" (``POST /cards/batches/{batch_no}/mailed``, once);
- the inactive members' worklist (``inactive_pages``, included below).

A refused action shows the page again with why; nothing is written (one commit rule).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.members.auth import DESK_ROLES
from services.members.cards import inactive_pages, letters, mailing
from shared.auth import Staff, require
from shared.db import DbSession
from shared.errors import DomainError, FormRejected, NotFound
from shared.field_errors import FieldErrors, field_errors
from shared.limits import Count, Int32Id, PageNumber
from shared.web import render, see_other

router = APIRouter(tags=["members"])
router.include_router(inactive_pages.router)
Desk = Annotated[Staff, require(*DESK_ROLES)]


async def _desk_page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    *,
    page: int = 1,
    made: int | None = None,
    mailed: int | None = None,
    error: str | FieldErrors = "",
    status: int = 200,
) -> Response:
    earlier, pages = await mailing.batches(session, page=page)
    return render(
        request.app.state.templates,
        request,
        "cards.html",
        staff,
        status_code=status,
        today=await mailing.today_batch(session),
        late=await mailing.late_members(session),
        missing=await mailing.address_missing(session),
        batches=earlier,
        page=page,
        pages=pages,
        made=made,
        mailed=mailed,
        late_after=mailing.LATE_AFTER_DAYS,
        error=error,
    )


@router.get("/cards", response_class=HTMLResponse)
async def cards_page(
    request: Request,
    session: DbSession,
    staff: Desk,
    page: PageNumber = 1,
    made: Annotated[Count(100_000, minimum=0) | None, Query()] = None,  # type: ignore[valid-type]
    mailed: Annotated[Int32Id | None, Query()] = None,
) -> Response:
    """CS-4: late cards, today's batch, addresses missing, earlier batches."""
    return await _desk_page(request, session, staff, page=page, made=made, mailed=mailed)


def _refused(request: Request, staff: Staff, exc: DomainError) -> FormRejected:
    error, status = field_errors(exc), exc.status_code
    return FormRejected(
        lambda session: _desk_page(request, session, staff, error=error, status=status)
    )


@router.post("/cards/batches")
async def make_batch_form(request: Request, session: DbSession, staff: Desk) -> Response:
    """CS-4: make today's batch (again: later joiners are added to it)."""
    try:
        made = await mailing.make_batch(session, actor=staff)
    except DomainError as exc:
        raise _refused(request, staff, exc) from exc
    return see_other(request, f"/cards?made={made.added}")


@router.post("/cards/batches/{batch_no}/mailed")
async def mailed_form(
    request: Request, session: DbSession, staff: Desk, batch_no: Int32Id
) -> Response:
    """CS-4: the batch went to the post office (once)."""
    try:
        await mailing.mark_mailed(session, batch_no=batch_no, actor=staff)
    except NotFound:
        raise
    except DomainError as exc:
        raise _refused(request, staff, exc) from exc
    return see_other(request, f"/cards?mailed={batch_no}")


@router.get("/cards/batches/{batch_no}.pdf")
async def batch_pdf(session: DbSession, staff: Desk, batch_no: Int32Id) -> Response:
    """The batch's letters and address labels as one PDF for printing."""
    batch = await mailing.load(session, batch_no)
    content = await letters.batch_pdf(session, batch)
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="cards-batch-{batch_no}.pdf"'},
    )


@router.get("/cards/batches/{batch_no}.csv")
async def batch_csv(session: DbSession, staff: Desk, batch_no: Int32Id) -> Response:
    """The batch for the post office: name, address, city, postcode, card (UTF-8 with BOM)."""
    batch = await mailing.load(session, batch_no)
    content = await letters.batch_csv(session, batch)
    return Response(
        content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="cards-batch-{batch_no}.csv"'},
    )
