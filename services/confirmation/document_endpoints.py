"""Order sheet and customer letter PDFs: preview and download (CF-1, CF-6, CF-8).

The desk opens the order sheet in the browser and reads it, remarks included (CF-8), before
sending; the PDF is the very document the hotel receives. Previews read only, so they claim
nothing and write no audit entry.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from services.confirmation.auth import DESK_ROLES
from services.confirmation.customer_letter import customer_letter
from services.confirmation.documents import RenderedDocument, load_task
from services.confirmation.order_sheet import order_sheet
from shared.auth import Staff, require
from shared.db import DbSession

router = APIRouter(tags=["documents"])
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]
Outcome = Annotated[Literal["confirmed", "full"], Query()]


def pdf_response(document: RenderedDocument) -> Response:
    return Response(
        document.content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{document.filename}"',
            # Guests' names and phone numbers: keep it out of shared caches.
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/tasks/{task_id}/order.pdf", response_class=Response)
async def order_pdf(session: DbSession, staff: DeskStaff, task_id: uuid.UUID) -> Response:
    """The task's order sheet as the hotel will receive it."""
    task = await load_task(session, task_id)
    return pdf_response(await order_sheet(session, task))


@router.get("/tasks/{task_id}/customer.pdf", response_class=Response)
async def customer_pdf(
    session: DbSession, staff: DeskStaff, task_id: uuid.UUID, outcome: Outcome = "confirmed"
) -> Response:
    """The customer's confirmation (or full-house notice) as they will receive it."""
    task = await load_task(session, task_id)
    return pdf_response(await customer_letter(session, task, outcome))
