"""Imports and exports: rate/allotment sheets, OTA messages from a channel manager, and a
hotel's grid as Excel (HR-2, HR-4, HR-14).

Routes (all for the hotel-resources desk and its director):

- ``GET /imports``: the upload form (CSV, .xlsx or OTA .xml) and export links per hotel;
- ``POST /imports``: the same file as a form upload; shows "Imported N rows" or the report;
- ``POST /api/imports``: multipart field ``file`` → ``{"applied": n}``, or 422 with ``rows``;
- ``POST /api/ota/HotelAvailNotif`` and ``/api/ota/HotelRatePlanNotif``: an XML body
  (``application/xml`` or ``text/xml``), answered with the matching ``...RS``. Like every
  OTA/AlpineBits server we answer HTTP 200 with ``<Errors>`` for a message we understood but
  refused; 400 for XML that is not well-formed or carries a DTD, 413 when over 5 MB, 415 for
  another content type. The channel manager logs in as a hotel-resources user for now and
  sends the session's CSRF token in ``X-CSRF-Token`` like any API client;
- ``GET /hotels/{hotel_id}/export.xlsx?nights=30``: the hotel's grid as a workbook.

Every write goes through ``service`` in the request's one transaction; a refused file or
message rolls the session back, so nothing of it is stored.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from services.contracts import exports, imports, ota, service
from services.contracts.auth import DESK_ROLES
from shared.auth import Staff, require
from shared.clock import clock
from shared.db import DbSession
from shared.errors import DomainError, InvalidInput
from shared.web import render

router = APIRouter(tags=["contracts"])
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]
XML_TYPES = ("application/xml", "text/xml")


class ImportOut(BaseModel):
    applied: int


async def _upload(request: Request) -> tuple[str, bytes]:
    """The uploaded ``file`` field's name and at most MAX_BYTES + 1 of its bytes."""
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InvalidInput("Choose a .csv, .xlsx or .xml file to upload.", field="file")
    return upload.filename, await upload.read(imports.MAX_BYTES + 1)


async def _apply_ota(
    session: AsyncSession, staff: Staff, body: bytes, expected: str | None
) -> ota.OtaResult:
    try:
        result = await ota.notify(session, actor=staff, body=body, expected=expected)
    except DomainError as exc:  # a rule the service checks itself, raised while applying
        result = ota.refused(ota.RESPONSES.get(expected or "", ota.RESPONSES[ota.AVAIL_RQ]), exc)
    if result.errors:
        await session.rollback()
    return result


async def _page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    *,
    status: int = 200,
    q: str = "",
    **context: object,
) -> Response:
    hotels, total = await service.search_hotels(session, text=q)
    return render(
        request.app.state.templates,
        request,
        "imports.html",
        staff,
        status_code=status,
        hotels=hotels,
        total=total,
        q=q,
        max_rows=imports.MAX_ROWS,
        **context,
    )


@router.get("/imports", include_in_schema=False)
async def imports_page(
    request: Request,
    session: DbSession,
    staff: DeskStaff,
    q: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """The import form and the export links."""
    return await _page(request, session, staff, q=q)


@router.post("/imports", include_in_schema=False)
async def imports_upload(request: Request, session: DbSession, staff: DeskStaff) -> Response:
    """Import an uploaded sheet or OTA message and show what happened."""
    try:
        filename, content = await _upload(request)
        if filename.lower().endswith(".xml"):
            result = await _apply_ota(session, staff, content, None)
            status = 200 if not result.errors else 422
            return await _page(request, session, staff, status=status, ota_result=result)
        applied = await imports.import_sheet(
            session, actor=staff, filename=filename, content=content
        )
    except imports.SheetRefused as exc:
        await session.rollback()
        return await _page(request, session, staff, status=422, row_errors=exc.errors)
    except DomainError as exc:
        await session.rollback()
        return await _page(request, session, staff, status=exc.status_code, error=exc.detail)
    notice = f"Imported {applied} row{'' if applied == 1 else 's'}; published to the booking desk."
    return await _page(request, session, staff, notice=notice)


@router.post("/api/imports")
async def api_import(request: Request, session: DbSession, staff: DeskStaff) -> ImportOut:
    """Import a rate/allotment sheet (.csv or .xlsx, multipart field ``file``), all or nothing."""
    filename, content = await _upload(request)
    applied = await imports.import_sheet(session, actor=staff, filename=filename, content=content)
    return ImportOut(applied=applied)


async def _ota_endpoint(
    request: Request, session: AsyncSession, staff: Staff, expected: str
) -> Response:
    response = ota.RESPONSES[expected]
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    declared = int(request.headers.get("content-length") or 0)
    if content_type not in XML_TYPES:
        result, status = (
            ota.OtaResult(response, errors=[ota.OtaError("12", "450", "send XML")]),
            415,
        )
    elif declared > ota.MAX_BYTES:
        too_big = ota.OtaError("12", "450", "message over 5 MB")
        result, status = ota.OtaResult(response, errors=[too_big]), 413
    else:
        result = await _apply_ota(session, staff, await request.body(), expected)
        status = result.http_status
    return Response(ota.answer(result), status_code=status, media_type="application/xml")


@router.post("/api/ota/HotelAvailNotif", response_class=Response)
async def api_ota_avail(request: Request, session: DbSession, staff: DeskStaff) -> Response:
    """OTA_HotelAvailNotifRQ (AlpineBits FreeRooms) in, OTA_HotelAvailNotifRS out."""
    return await _ota_endpoint(request, session, staff, ota.AVAIL_RQ)


@router.post("/api/ota/HotelRatePlanNotif", response_class=Response)
async def api_ota_rate_plans(request: Request, session: DbSession, staff: DeskStaff) -> Response:
    """OTA_HotelRatePlanNotifRQ (AlpineBits RatePlans) in, OTA_HotelRatePlanNotifRS out."""
    return await _ota_endpoint(request, session, staff, ota.RATE_PLAN_RQ)


@router.get("/hotels/{hotel_id}/export.xlsx", response_class=Response)
async def export_grid(
    hotel_id: uuid.UUID,
    session: DbSession,
    staff: DeskStaff,
    nights: Annotated[int, Query(ge=1, le=exports.MAX_NIGHTS)] = 30,
) -> Response:
    """The hotel's rooms, net and sell prices of the next nights as an Excel workbook."""
    _, content = await exports.hotel_grid_xlsx(
        session, hotel_id=hotel_id, first_night=clock.today(), nights=nights
    )
    filename = f"grid-{hotel_id}-{clock.today().isoformat()}.xlsx"
    return Response(
        content,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )
