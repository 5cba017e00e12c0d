"""The noshow desk's pages and API."""

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.noshow.auth import DESK_ROLES
from shared.auth import Staff, require
from shared.i18n import N_, _
from shared.web import render

router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]


@router.get("/", response_class=HTMLResponse)
async def desk_home(request: Request, staff: DeskStaff) -> Response:
    """The desk's start page."""
    # What is coming is NS-1 … NS-7; the page names no rule IDs (issue 15).
    return render(
        request.app.state.templates,
        request,
        "coming_soon.html",
        staff,
        desk_title=N_("No-show desk"),
        coming=_(
            "the list of stays with no recorded check-in after the night audit, calls to "
            "bookers, and second checks with hotels."
        ),
    )
