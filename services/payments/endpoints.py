"""The payments desk's home page: what is waiting for the person who opens it."""

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.payments.auth import DESK_ROLES
from services.payments.reports.metrics import ledger_check
from services.payments.reports.waiting import waiting_for
from shared.auth import Staff, require
from shared.db import DbSession
from shared.web import render

router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]


@router.get("/", response_class=HTMLResponse)
async def desk_home(request: Request, session: DbSession, staff: DeskStaff) -> Response:
    """Per role, the slips, statements, bank entries, cash and refunds waiting (PAY-1 …
    PAY-5), and the ledger's check."""
    return render(
        request.app.state.templates,
        request,
        "payments_home.html",
        staff,
        tiles=await waiting_for(session, staff),
        check=await ledger_check(session),
    )
