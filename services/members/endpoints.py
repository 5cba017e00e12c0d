"""The members desk's pages and API."""

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.members.auth import DESK_ROLES
from shared.auth import Staff, require
from shared.web import render

router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]


@router.get("/", response_class=HTMLResponse)
async def desk_home(request: Request, staff: DeskStaff) -> Response:
    """The desk's start page."""
    return render(
        request.app.state.templates,
        request,
        "coming_soon.html",
        staff,
        desk_title="Members & complaints",
        coming=(
            "member points from actual stays, redemptions approved by the general manager, "
            "and complaints with their 17:00 / 12 h / 24 h clocks (CS-1 … CS-5)."
        ),
    )
