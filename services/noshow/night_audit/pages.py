"""Night-audit input routes (NS-1), all or nothing with a row/field/why report (HR-2):

- ``GET /night-audit?hotel_id=``: the upload form, with the hotel's saved column mapping, and
  the recent imports; ``POST /night-audit``: upload a report (.csv/.xlsx, field ``file``);
- ``POST /check-ins``: the desk typing one booking's check-in after calling the hotel (the
  form is ``_check_in_form.html``, included on the desk's pages), then back to ``next``;
- ``POST /api/night-audit``: JSON rows from a hotel or channel manager, HTTP Basic with a
  night-audit credential (401 with a Basic challenge when missing, wrong or revoked; 403 for
  a hotel outside the credential's scope; 422 with ``rows`` for a refused input);
- ``GET /audit-credentials``, ``POST /audit-credentials``, ``POST .../{id}/revoke``: the
  credentials, for an admin or the desk's lead; the secret is shown once (``no-store``).
"""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from services.noshow.auth import DESK_ROLES
from services.noshow.night_audit import credentials
from services.noshow.night_audit import service as night_audit
from services.noshow.night_audit.credentials import CHALLENGE, Caller, MachineOrStaff
from services.noshow.night_audit.rows import FIELD_LABELS, FIELDS, MAX_REF
from shared.auth import Staff, require
from shared.db import DbSession, refuse_commit
from shared.errors import DomainError, Forbidden, FormRejected, InvalidInput
from shared.field_errors import field_errors
from shared.i18n import N_
from shared.limits import Text, Uuid
from shared.web import render, see_other

router = APIRouter(tags=["noshow"])
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]
Keeper = Annotated[Staff, require(*credentials.KEEPER_ROLES)]
Machine = Annotated[Caller, Depends(MachineOrStaff(frozenset(r.value for r in DESK_ROLES)))]
NO_STORE = {"cache-control": "no-store"}
MAX_HEADER = 60  # a mapped column header


async def _page(
    request: Request, session: AsyncSession, staff: Staff, *, status: int = 200, **context: Any
) -> Response:
    hotel_id = context.pop("hotel_id", None)
    mapping = context.pop("mapping", None)
    if mapping is None:
        mapping = await night_audit.saved_mapping(session, hotel_id) if hotel_id else {}
    return render(
        request.app.state.templates,
        request,
        "night_audit.html",
        staff,
        status_code=status,
        hotels=await night_audit.hotels(session),
        hotel_id=hotel_id,
        mapping=mapping,
        fields=FIELDS,
        field_labels=FIELD_LABELS,
        imports=await night_audit.recent_imports(session),
        max_rows=night_audit.MAX_ROWS,
        **context,
    )


@router.get("/night-audit", response_class=HTMLResponse, include_in_schema=False)
async def night_audit_page(
    request: Request, session: DbSession, staff: DeskStaff, hotel_id: Uuid | None = None
) -> Response:
    """The upload form with the hotel's saved column mapping."""
    return await _page(request, session, staff, hotel_id=hotel_id)


def _form_mapping(form: dict[str, str]) -> dict[str, str]:
    mapping = {name: form.get(f"column_{name}", "").strip() for name in FIELDS}
    if any(len(v) > MAX_HEADER for v in mapping.values()):
        raise InvalidInput(N_("A column name is at most 60 characters."), field="mapping")
    return {k: v for k, v in mapping.items() if v}


def _hotel(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text) if text else None
    except ValueError as exc:
        raise InvalidInput(N_("Choose a hotel from the list."), field="hotel_id") from exc


@router.post("/night-audit", response_class=HTMLResponse, include_in_schema=False)
async def night_audit_upload(request: Request, session: DbSession, staff: DeskStaff) -> Response:
    """Record an uploaded night-audit report, all or nothing."""
    form = await request.form()
    texts = {k: v for k, v in form.items() if isinstance(v, str)}
    upload = form.get("file")
    shown: dict[str, Any] = {"mapping": {k: texts.get(f"column_{k}", "") for k in FIELDS}}
    try:
        hotel_id = _hotel(texts.get("hotel_id", ""))
        shown["hotel_id"] = hotel_id
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InvalidInput(N_("Choose a .csv or .xlsx file to upload."), field="file")
        recorded = await night_audit.import_file(
            session,
            file_name=upload.filename,
            content=await upload.read(night_audit.MAX_BYTES + 1),
            mapping=_form_mapping(texts),
            hotel_id=hotel_id,
            actor=staff.username,
        )
        return await _page(request, session, staff, hotel_id=hotel_id, recorded=recorded)
    except night_audit.AuditRefused as exc:
        status, shown["problems"] = 422, exc.problems
    except DomainError as exc:
        status, shown["error"] = exc.status_code, field_errors(exc)
    raise FormRejected(lambda session: _page(request, session, staff, status=status, **shown))


def _next(text: str) -> str:
    # Only a path of this desk (never another site): the form sends the page it sits on.
    return text if re.fullmatch(r"/[A-Za-z0-9/_\-?=&.%]{0,200}", text) and "//" not in text else "/"


@router.post("/check-ins", response_class=HTMLResponse, include_in_schema=False)
async def check_in_typed(request: Request, session: DbSession, staff: DeskStaff) -> Response:
    """The desk records what the hotel said on the phone about one booking."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    try:
        await night_audit.record_one(
            session,
            booking_ref=form.get("booking_ref", "")[:MAX_REF],
            status=form.get("status", "")[:20],
            nights=form.get("nights", "")[:4],
            actor=staff.username,
        )
    except night_audit.AuditRefused as exc:
        problems = exc.problems
        values = {k: form.get(k, "")[:MAX_REF] for k in ("booking_ref", "status", "nights")}
        page = render(
            request.app.state.templates,
            request,
            "check_in_refused.html",
            staff,
            status_code=422,
            problems=problems,
            field_labels=FIELD_LABELS,
            values=values,
            next=_next(form.get("next", "/")),
        )
        raise FormRejected(page) from exc
    return see_other(request, _next(form.get("next", "/")))


class NightAuditRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    booking_ref: Text(MAX_REF)  # type: ignore[valid-type]
    status: Text(20)  # type: ignore[valid-type]
    guest_name: Text(200) = ""  # type: ignore[valid-type]
    arrival: Text(20) = ""  # type: ignore[valid-type]
    nights: int | None = Field(default=None, ge=1, le=365)


class NightAuditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hotel_id: Uuid | None = None  # the hotel the rows are for; checked against the scope
    rows: list[NightAuditRow] = Field(min_length=1, max_length=night_audit.MAX_ROWS)


class NightAuditOut(BaseModel):
    import_id: uuid.UUID
    recorded: int


def _inline_schema() -> dict[str, Any]:
    """The body's JSON schema with its row model inlined (the route reads the body itself,
    so the models are not among the OpenAPI components a ``$ref`` could name)."""
    schema = NightAuditIn.model_json_schema()
    defs = schema.pop("$defs")
    schema["properties"]["rows"]["items"] = defs["NightAuditRow"]
    return schema


@router.post(
    "/api/night-audit",
    response_model=NightAuditOut,
    responses={401: {}, 403: {}, 422: {}, 429: {}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _inline_schema()}},
        }
    },
)
async def api_night_audit(request: Request, session: DbSession, caller: Machine) -> Response:
    """A hotel's night audit as JSON rows, all or nothing (HTTP Basic, a night-audit
    credential). Statuses: stayed / checked in / in-house / 已入住, or no show / 未到."""
    if caller.refusal:
        refuse_commit(request)
        headers = CHALLENGE if caller.status == 401 else {"retry-after": str(caller.retry_after)}
        return JSONResponse({"detail": caller.refusal}, status_code=caller.status, headers=headers)
    # The body is read only once the caller is known: a stranger learns nothing of its shape.
    try:
        data = NightAuditIn.model_validate_json(await request.body())
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from exc
    scope = caller.hotel_ids
    if data.hotel_id is not None:
        if scope is not None and data.hotel_id not in scope:
            raise Forbidden(
                f"This credential may not send hotel {data.hotel_id}.", field="hotel_id"
            )
        scope = frozenset({data.hotel_id})
    rows: list[dict[str, object]] = [
        {**r.model_dump(exclude={"nights"}), "nights": "" if r.nights is None else str(r.nights)}
        for r in data.rows
    ]
    recorded = await night_audit.import_rows(session, rows=rows, hotels=scope, actor=caller.actor)
    return JSONResponse(
        NightAuditOut(import_id=recorded.import_id, recorded=recorded.rows).model_dump(mode="json")
    )


async def _credentials_page(
    request: Request, session: AsyncSession, staff: Staff, *, status: int = 200, **context: Any
) -> Response:
    response = render(
        request.app.state.templates,
        request,
        "audit_credentials.html",
        staff,
        status_code=status,
        credentials=await credentials.listing(session),
        values=context.pop("values", {}),
        **context,
    )
    response.headers.update(NO_STORE)
    return response


@router.get("/audit-credentials", response_class=HTMLResponse, include_in_schema=False)
async def credentials_page(request: Request, session: DbSession, staff: Keeper) -> Response:
    """The night-audit API credentials and the form for a new one."""
    return await _credentials_page(request, session, staff)


@router.post("/audit-credentials", response_class=HTMLResponse, include_in_schema=False)
async def credentials_create(request: Request, session: DbSession, staff: Keeper) -> Response:
    """Create a credential and show its secret once."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    values = {k: v[:2000] for k, v in form.items() if k != "csrf_token"}
    codes = [c for c in re.split(r"[\s,;]+", form.get("hotel_ids", "")) if c]
    try:
        data = credentials.CredentialIn.model_validate(
            {"name": form.get("name", ""), "all_hotels": "all_hotels" in form, "hotel_ids": codes}
        )
        created = await credentials.create(session, actor=staff, data=data)
    except ValidationError as exc:
        error, status = field_errors(exc), 422
    except DomainError as exc:
        error, status = field_errors(exc), exc.status_code
    else:
        return await _credentials_page(request, session, staff, status=201, created=created)
    raise FormRejected(
        lambda session: _credentials_page(
            request, session, staff, status=status, error=error, values=values
        )
    )


@router.post("/audit-credentials/{credential_id}/revoke", include_in_schema=False)
async def credentials_revoke(
    request: Request, credential_id: Uuid, session: DbSession, staff: Keeper
) -> Response:
    """Revoke a credential: its next call gets 401."""
    await credentials.revoke(session, actor=staff, credential_id=credential_id)
    return see_other(request, "/audit-credentials")
