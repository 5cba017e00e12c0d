"""Imports and exports: rate/allotment sheets, OTA messages from a channel manager, and a
hotel's grid as Excel (HR-2, HR-4, HR-14).

Routes (all for the hotel-resources desk and its director):

- ``GET /imports``: the upload form (CSV, .xlsx or OTA .xml) and export links per hotel;
- ``POST /imports``: the same file as a form upload; a sheet is queued as a background job
  (``import_jobs``) and the answer is 303 to its page (``import_job_pages``); an OTA message
  is applied at once and the page shows what happened;
- ``POST /api/imports``: multipart field ``file`` (.csv or .xlsx) → 202 with the job id and its
  status URL; 422 with ``rows`` for a file too big or of the wrong kind;
- ``POST /api/ota/HotelAvailNotif`` and ``/api/ota/HotelRatePlanNotif``: an XML body
  (``application/xml`` or ``text/xml``), answered with the matching ``...RS``. Like every
  OTA/AlpineBits server we answer HTTP 200 with ``<Errors>`` for a message we understood but
  refused; 400 for XML that is not well-formed or carries a DTD, 413 when over 5 MB, 415 for
  another content type. A channel manager authenticates with HTTP Basic and its credential
  (``channel_managers``; 401 with ``WWW-Authenticate`` when missing, wrong or revoked); staff
  may post with their session and its CSRF token in ``X-CSRF-Token`` like any API client;
- ``GET /hotels/{hotel_id}/export.xlsx?nights=30``: the hotel's grid as a workbook.

Every OTA write goes through ``service`` in the request's one transaction; a refused message
marks the request (``refuse_commit``), so the session rolls back and nothing of it is stored,
though the answer is 200 as OTA requires. A sheet is applied by its job, all or
nothing, in one transaction of its own.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from services.contracts.auth import DESK_ROLES
from services.contracts.channel_managers.service import OtaCaller, StaffOrChannel
from services.contracts.grid import exports
from services.contracts.hotels import service
from services.contracts.imports import job_pages as import_job_pages
from services.contracts.imports import jobs as import_jobs
from services.contracts.imports import sheet as imports
from services.contracts.ota import service as ota
from shared.auth import Staff, require
from shared.clock import clock
from shared.db import DbSession, refuse_commit
from shared.errors import DomainError, FormRejected, InvalidInput
from shared.field_errors import field_errors
from shared.i18n import N_
from shared.limits import Uuid
from shared.web import render, see_other

router = APIRouter(tags=["contracts"])
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]
# The OTA endpoints: a channel manager's HTTP Basic credential, or desk staff with a session.
OtaSender = Annotated[OtaCaller, Depends(StaffOrChannel(frozenset(r.value for r in DESK_ROLES)))]
XML_TYPES = ("application/xml", "text/xml")
CHALLENGE = {"www-authenticate": 'Basic realm="roomline OTA", charset="UTF-8"'}
# The OpenAPI of the two OTA routes: they read the raw XML body and answer XML, errors too.
_XML = {"application/xml": {"schema": {"type": "string"}}}
OTA_DOCS: dict[str, Any] = {
    "responses": {
        status: {"description": text, "content": _XML}
        for status, text in {
            200: "The matching ...RS (with <Errors> for a message understood but refused)",
            400: "Not well-formed XML, or a DTD",
            401: "Credential missing, wrong or revoked",
            413: "Over 5 MB",
            415: "Not an XML content type",
            429: "Locked out after failed logins",
        }.items()
    },
    "openapi_extra": {
        "requestBody": {
            "required": True,
            "content": {
                kind: {"schema": {"type": "string", "maxLength": ota.MAX_BYTES}}
                for kind in ("application/xml", "text/xml")
            },
        }
    },
}
router.include_router(import_job_pages.router)


async def _upload(request: Request) -> tuple[str, bytes]:
    """The uploaded ``file`` field's name and at most MAX_BYTES + 1 of its bytes."""
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InvalidInput(N_("Choose a .csv, .xlsx or .xml file to upload."), field="file")
    return upload.filename, await upload.read(imports.MAX_BYTES + 1)


async def _apply_ota(
    request: Request, session: AsyncSession, caller: OtaCaller, body: bytes, expected: str | None
) -> ota.OtaResult:
    try:
        result = await ota.notify(
            session, actor=caller.actor, body=body, expected=expected, allowed=caller.hotel_ids
        )
    except DomainError as exc:  # a rule the service checks itself, raised while applying
        result = ota.refused(ota.RESPONSES.get(expected or "", ota.RESPONSES[ota.AVAIL_RQ]), exc)
    if result.errors:  # even when answered 200 (OTA), a refused message keeps nothing
        refuse_commit(request)
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
        max_bytes=imports.MAX_BYTES,
        recent_jobs=await import_jobs.recent_jobs(session),
        job_state=import_job_pages.job_state,
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
    """Queue an uploaded sheet and go to its page, or apply an OTA message and show it."""
    shown: dict[str, Any]  # what the refused page shows
    try:
        filename, content = await _upload(request)
        if filename.lower().endswith(".xml"):
            result = await _apply_ota(request, session, OtaCaller(actor=staff), content, None)
            if not result.errors:
                return await _page(request, session, staff, ota_result=result)
            status, shown = 422, {"ota_result": result}
        else:
            job = await import_job_pages.submit(request, staff, filename, content)
            return see_other(request, f"/imports/{job.job_id}")
    except imports.SheetRefused as exc:
        status, shown = 422, {"row_errors": exc.errors}
    except DomainError as exc:  # a fixed message marked N_ is translated
        status, shown = exc.status_code, {"error": field_errors(exc)}
    raise FormRejected(lambda session: _page(request, session, staff, status=status, **shown))


@router.post("/api/imports", status_code=202, response_model=import_job_pages.ImportQueuedOut)
async def api_import(request: Request, staff: DeskStaff) -> JSONResponse:
    """Queue a rate/allotment sheet (.csv or .xlsx, multipart field ``file``) for import, all
    or nothing; poll ``status_url`` for its progress and outcome."""
    filename, content = await _upload(request)
    job = await import_job_pages.submit(request, staff, filename, content)
    queued = import_job_pages.queued_out(request, job)
    headers = {"location": queued.status_url}
    return JSONResponse(queued.model_dump(mode="json"), status_code=202, headers=headers)


async def _ota_endpoint(
    request: Request, session: AsyncSession, caller: OtaCaller, expected: str
) -> Response:
    response = ota.RESPONSES[expected]
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    length = request.headers.get("content-length", "")
    declared = int(length) if length.isascii() and length.isdigit() and len(length) < 19 else 0
    if caller.refusal:
        # OTA EWT 4 (authentication), ERR 497; the challenge makes clients send Basic.
        refusal = ota.OtaResult(response, errors=[ota.OtaError("4", "497", caller.refusal)])
        body = ota.answer(refusal)
        refuse_commit(request)  # a hand-built failure response (one commit rule, shared.db)
        # 429 while the credential or address is locked out (shared.throttle).
        headers = (
            CHALLENGE if caller.refusal_status == 401 else {"retry-after": str(caller.retry_after)}
        )
        return Response(
            body, status_code=caller.refusal_status, media_type="application/xml", headers=headers
        )
    # Checked before anything is applied: with Basic auth there is no CSRF token, and a
    # cross-site form cannot send an XML content type without a preflight (channel_managers).
    if content_type not in XML_TYPES:
        result, status = (
            ota.OtaResult(response, errors=[ota.OtaError("12", "450", "send XML")]),
            415,
        )
    elif declared > ota.MAX_BYTES:
        too_big = ota.OtaError("12", "450", "message over 5 MB")
        result, status = ota.OtaResult(response, errors=[too_big]), 413
    else:
        result = await _apply_ota(request, session, caller, await request.body(), expected)
        status = result.http_status
    if status >= 400:
        refuse_commit(request)  # a hand-built failure response (one commit rule, shared.db)
    return Response(ota.answer(result), status_code=status, media_type="application/xml")


@router.post("/api/ota/HotelAvailNotif", response_class=Response, **OTA_DOCS)
async def api_ota_avail(request: Request, session: DbSession, caller: OtaSender) -> Response:
    """OTA_HotelAvailNotifRQ (AlpineBits FreeRooms) in, OTA_HotelAvailNotifRS out."""
    return await _ota_endpoint(request, session, caller, ota.AVAIL_RQ)


@router.post("/api/ota/HotelRatePlanNotif", response_class=Response, **OTA_DOCS)
async def api_ota_rate_plans(request: Request, session: DbSession, caller: OtaSender) -> Response:
    """OTA_HotelRatePlanNotifRQ (AlpineBits RatePlans) in, OTA_HotelRatePlanNotifRS out."""
    return await _ota_endpoint(request, session, caller, ota.RATE_PLAN_RQ)


@router.get("/hotels/{hotel_id}/export.xlsx", response_class=Response)
async def export_grid(
    hotel_id: Uuid,
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
