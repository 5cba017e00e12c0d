"""The payments desk's pages and API."""

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.payments.auth import DESK_ROLES
from shared.auth import Staff, require
from shared.i18n import N_, _
from shared.web import render

router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]


@router.get("/", response_class=HTMLResponse)
async def desk_home(request: Request, staff: DeskStaff) -> Response:
    """The desk's start page."""
    # What is coming is PAY-1 … PAY-6; the page names no rule IDs (issue 15).
    return render(
        request.app.state.templates,
        request,
        "coming_soon.html",
        staff,
        desk_title=N_("Collect-on-behalf & finance"),
        coming=_(
            "collect-on-behalf slips signed by a team lead, the double-entry ledger, hotel "
            "settlements and bank reconciliation."
        ),
    )
