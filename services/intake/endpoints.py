"""The intake desk's pages and API."""

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.intake.auth import DESK_ROLES
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
        desk_title="Bookings",
        coming=("search, booking, changes and cancellations (IN-1 … IN-12)."),
    )
