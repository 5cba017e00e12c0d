"""Finance's bank pages (PAY-5):

- ``GET /bank``: upload a camt.053 or MT940 file, and the recent imports; ``POST /bank``: import
  it (once per file; a file that cannot be read stores nothing and says why beside the field);
- ``GET /bank/imports/{id}``: its statements, their warnings and entries, matched or not;
- ``GET /bank/unmatched``: the entries waiting for a person;
- ``GET /bank/entries/{id}``: the manual-match screen: candidates, match, ignore with reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from services.payments.bank import importer, matching
from services.payments.bank.models import STATES, BankEntry, BankImport
from services.payments.expected import ExpectedPayment
from shared.auth import Role, Staff, require
from shared.db import DbSession
from shared.errors import DomainError, FormRejected, InvalidInput, NotFound
from shared.field_errors import field_errors
from shared.i18n import N_
from shared.limits import INT64_MAX, Uuid
from shared.web import render, see_other

router = APIRouter(tags=["payments"])
Finance = Annotated[Staff, require(Role.FINANCE)]
EntryId = Annotated[int, Path(ge=1, le=INT64_MAX)]


def _render(
    request: Request, staff: Staff, name: str, status: int = 200, **context: Any
) -> Response:
    return render(
        request.app.state.templates,
        request,
        name,
        staff,
        status_code=status,
        states=STATES,
        **context,
    )


async def _upload_page(
    request: Request, session: AsyncSession, staff: Staff, *, status: int = 200, **context: Any
) -> Response:
    return _render(
        request,
        staff,
        "bank_upload.html",
        status,
        imports=await importer.recent_imports(session),
        waiting=await importer.unmatched_count(session),
        max_mb=importer.MAX_BYTES // 2**20,
        **context,
    )


@router.get("/bank", response_class=HTMLResponse, include_in_schema=False)
async def bank_page(request: Request, session: DbSession, staff: Finance) -> Response:
    """The upload form and the recent imports."""
    return await _upload_page(request, session, staff)


@router.post("/bank", response_class=HTMLResponse, include_in_schema=False)
async def bank_upload(request: Request, session: DbSession, staff: Finance) -> Response:
    """Import an uploaded statement file and match what it can."""
    form = await request.form()
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InvalidInput(
                N_("Choose a camt.053 (.xml) or MT940 file to upload."), field="file"
            )
        imported = await importer.import_file(
            session,
            file_name=upload.filename,
            content=await upload.read(importer.MAX_BYTES + 1),
            staff=staff,
        )
    except DomainError as exc:
        error, status = field_errors(exc), exc.status_code
        raise FormRejected(
            lambda session: _upload_page(request, session, staff, status=status, error=error)
        ) from exc
    return await _upload_page(request, session, staff, imported=imported)


@router.get("/bank/imports/{import_id}", response_class=HTMLResponse, include_in_schema=False)
async def bank_import_page(
    request: Request, import_id: Uuid, session: DbSession, staff: Finance
) -> Response:
    """An import's statements, their warnings and their entries."""
    done = await session.get(BankImport, import_id)
    if done is None:
        raise NotFound(N_("There is no such bank import."))
    statements = await importer.statements_of(session, import_id)
    entries = await importer.entries_of(session, [s.statement_id for s in statements])
    by_statement: dict[uuid.UUID, list[BankEntry]] = {s.statement_id: [] for s in statements}
    for entry in entries:
        by_statement[entry.statement_id].append(entry)
    return _render(
        request, staff, "bank_import.html", done=done, statements=statements, entries=by_statement
    )


@router.get("/bank/unmatched", response_class=HTMLResponse, include_in_schema=False)
async def bank_unmatched(request: Request, session: DbSession, staff: Finance) -> Response:
    """The entries no expected payment was matched to, oldest first."""
    return _render(request, staff, "bank_unmatched.html", entries=await importer.unmatched(session))


async def _entry_page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    entry_id: int,
    *,
    status: int = 200,
    **context: Any,
) -> Response:
    entry = await session.get(BankEntry, entry_id)
    if entry is None:
        raise NotFound(N_("There is no such bank entry."))
    matched = (
        await session.get(ExpectedPayment, entry.expected_payment_id)
        if entry.expected_payment_id
        else None
    )
    found = await matching.candidates(session, entry) if entry.state == "unmatched" else []
    parent = await session.get(BankEntry, entry.parent_id) if entry.parent_id else None
    return _render(
        request,
        staff,
        "bank_entry.html",
        status,
        entry=entry,
        parent=parent,
        matched=matched,
        candidates=found,
        **context,
    )


@router.get("/bank/entries/{entry_id}", response_class=HTMLResponse, include_in_schema=False)
async def bank_entry_page(
    request: Request, entry_id: EntryId, session: DbSession, staff: Finance
) -> Response:
    """The manual-match screen of one entry."""
    return await _entry_page(request, session, staff, entry_id)


Decision = Callable[[AsyncSession, dict[str, str]], Awaitable[object]]


async def _decide(
    request: Request, session: AsyncSession, staff: Staff, entry_id: int, decide: Decision
) -> Response:
    """A decision on an entry, then back to its screen; refused, the screen with the reason."""
    form = {k: v[:1000] for k, v in (await request.form()).items() if isinstance(v, str)}
    try:
        await decide(session, form)
    except DomainError as exc:
        error, status = field_errors(exc), exc.status_code
        values = {"reason": form.get("reason", "")}
        raise FormRejected(
            lambda session: _entry_page(
                request, session, staff, entry_id, status=status, error=error, values=values
            )
        ) from exc
    return see_other(request, f"/bank/entries/{entry_id}")


def _chosen(form: dict[str, str]) -> uuid.UUID:
    try:
        return uuid.UUID(form.get("expected_payment_id", "")[:36])
    except ValueError as exc:
        raise InvalidInput(
            N_("Choose an expected payment from the list."), field="expected_payment_id"
        ) from exc


@router.post("/bank/entries/{entry_id}/match", include_in_schema=False)
async def bank_entry_match(
    request: Request, entry_id: EntryId, session: DbSession, staff: Finance
) -> Response:
    """Match the entry to the chosen expected payment: the ledger posts it once."""

    async def match(session: AsyncSession, form: dict[str, str]) -> object:
        return await matching.match_by_hand(
            session, entry_id=entry_id, expected_payment_id=_chosen(form), staff=staff
        )

    return await _decide(request, session, staff, entry_id, match)


@router.post("/bank/entries/{entry_id}/ignore", include_in_schema=False)
async def bank_entry_ignore(
    request: Request, entry_id: EntryId, session: DbSession, staff: Finance
) -> Response:
    """Set the entry aside with a reason."""

    async def ignore(session: AsyncSession, form: dict[str, str]) -> object:
        reason = form.get("reason", "")
        return await matching.ignore(session, entry_id=entry_id, reason=reason, staff=staff)

    return await _decide(request, session, staff, entry_id, ignore)
