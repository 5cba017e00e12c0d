"""The desk's pages for hotel contracts and supplementary agreements (HR-1, HR-3, HR-4).

Form posts redirect (303) on success. A refused post raises ``FormRejected`` (the session rolls
back) and the page is rendered again with the typed values and a message naming the field, with
the error's status (422 for bad input, 409 for HR-4, 403 for signing one's own version).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.agreements import edits as agreement_edits
from services.contracts.agreements import endpoints as agreement_api
from services.contracts.agreements import service as agreements
from services.contracts.agreements.models import (
    NO_SHOW_FEE_LABELS,
    PAYMENT_LABELS,
    TERM_LABELS,
    Terms,
    TermsIn,
    with_defaults,
)
from services.contracts.auth import DESK_ROLES
from services.contracts.bounds import parse_amount
from shared.auth import Role, Staff, require
from shared.db import DbSession
from shared.errors import DomainError, FormRejected, InvalidInput
from shared.field_errors import FieldErrors, refusal
from shared.i18n import N_, _, local_money
from shared.limits import INT32_MAX
from shared.money import exponent
from shared.web import form_data, render, see_other

pages = APIRouter(include_in_schema=False)
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]
Director = Annotated[Staff, require(Role.RESOURCES_DIRECTOR)]


def show_term(field: str, value: Any, currency: str) -> str:
    """A term as a desk user reads it; a term a version was stored without reads as its
    default (issue 16)."""
    if value is None:
        value = with_defaults({}).get(field)
    if value is None or value == "":
        return "—"
    if field == "payment_arrangement":
        return _(PAYMENT_LABELS[value]) if value in PAYMENT_LABELS else str(value)
    if field in ("monthly_settlement", "guaranteed"):
        return _("yes") if value else _("no")
    if field == "no_show_fee":
        return _(NO_SHOW_FEE_LABELS[value]) if value in NO_SHOW_FEE_LABELS else str(value)
    if field == "deposit_held_minor":
        return local_money(int(value), currency)
    if field in ("commission_percent", "no_show_fee_percent"):
        return f"{value}%"
    return str(value)


def show_margin(margin: Decimal | None) -> str:
    return _("no prices on file") if margin is None else f"{margin:.1%}"


# A version's state as the pages name it (the stored value is the English word).
VERSION_STATES = {
    "drafted": N_("drafted"),
    "submitted": N_("submitted"),
    "approved": N_("approved"),
    "rejected": N_("rejected"),
    "withdrawn": N_("withdrawn"),
}


def state_name(state: str) -> str:
    return _(VERSION_STATES[state]) if state in VERSION_STATES else state


def _page(request: Request, name: str, staff: Staff, status: int = 200, **context: Any) -> Response:
    return render(
        request.app.state.templates,
        request,
        name,
        staff,
        status_code=status,
        show_term=show_term,
        show_margin=show_margin,
        is_low_margin=agreements.is_low_margin,
        state_name=state_name,
        labels={field: _(label) for field, label in TERM_LABELS.items()},
        payment_labels={key: _(label) for key, label in PAYMENT_LABELS.items()},
        fee_labels={key: _(label) for key, label in NO_SHOW_FEE_LABELS.items()},
        **context,
    )


def _terms_from_form(values: dict[str, str], currency: str) -> TermsIn:
    data: dict[str, Any] = {k: v for k, v in values.items() if k in TERM_LABELS}
    if "deposit_held" in values:
        try:
            data["deposit_held_minor"] = parse_amount(values["deposit_held"], currency).amount_minor
        except ValueError as exc:
            raise InvalidInput(f"deposit held: {exc}", field="deposit_held") from exc
    return TermsIn.model_validate(data)


def _form_values(terms: dict[str, Any], currency: str) -> dict[str, str]:
    """Stored terms as the form's typed values (to prefill a supplementary agreement)."""
    values = {k: "" if v is None else str(v) for k, v in terms.items()}
    deposit = Decimal(int(terms.get("deposit_held_minor", 0))).scaleb(-exponent(currency))
    values["deposit_held"] = f"{deposit:.{exponent(currency)}f}"
    values["monthly_settlement"] = "on" if terms.get("monthly_settlement") else ""
    values["guaranteed"] = "on" if terms.get("guaranteed") else ""
    values.setdefault("no_show_fee", "none")
    return values


async def _hotel_page(
    request: Request, session: AsyncSession, staff: Staff, hotel_id: uuid.UUID, **context: Any
) -> Response:
    found = await agreements.hotel_contracts(session, hotel_id=hotel_id)
    context.setdefault("values", {})
    return _page(request, "agreements.html", staff, found=found, **context)


@pages.get("/hotels/{hotel_id}/contracts", response_class=HTMLResponse)
async def contracts_page(
    request: Request, hotel_id: uuid.UUID, session: DbSession, staff: DeskStaff
) -> Response:
    """A hotel's contracts, their effective terms and margins, and a form for a new one."""
    return await _hotel_page(request, session, staff, hotel_id)


@pages.post("/hotels/{hotel_id}/contracts")
async def contracts_post(
    request: Request, hotel_id: uuid.UUID, session: DbSession, staff: DeskStaff
) -> Response:
    """Draft a new contract for the hotel."""
    values = await form_data(request)
    found = await agreements.hotel_contracts(session, hotel_id=hotel_id)
    try:
        terms = _terms_from_form(values, found.hotel.currency)
        version = await agreements.draft_contract(
            session, actor=staff, hotel_id=hotel_id, terms=terms
        )
    except (ValidationError, DomainError) as exc:
        error, status = _error(exc)
        raise FormRejected(
            lambda session: _hotel_page(
                request, session, staff, hotel_id, values=values, error=error, status=status
            )
        ) from exc
    return see_other(request, f"/versions/{version.version_id}")


def _error(exc: ValidationError | DomainError) -> tuple[FieldErrors, int]:
    return refusal(exc)


async def _contract_page(
    request: Request, session: AsyncSession, staff: Staff, contract_id: uuid.UUID, **context: Any
) -> Response:
    hotel, view = await agreements.contract_view(session, contract_id=contract_id)
    if "values" not in context:
        latest = view.effective or view.versions[0]
        context["values"] = _form_values(latest.terms, hotel.currency)
    return _page(request, "agreement_contract.html", staff, hotel=hotel, view=view, **context)


@pages.get("/contracts/{contract_id}", response_class=HTMLResponse)
async def contract_page(
    request: Request, contract_id: uuid.UUID, session: DbSession, staff: DeskStaff
) -> Response:
    """A contract: every version, the effective terms, the margin, a supplementary agreement."""
    return await _contract_page(request, session, staff, contract_id)


@pages.post("/contracts/{contract_id}/versions")
async def contract_versions_post(
    request: Request, contract_id: uuid.UUID, session: DbSession, staff: DeskStaff
) -> Response:
    """Draft a supplementary agreement (the full amended terms)."""
    values = await form_data(request)
    hotel, _view = await agreements.contract_view(session, contract_id=contract_id)
    try:
        terms = _terms_from_form(values, hotel.currency)
        version = await agreements.draft_version(
            session, actor=staff, contract_id=contract_id, terms=terms
        )
    except (ValidationError, DomainError) as exc:
        error, status = _error(exc)
        raise FormRejected(
            lambda session: _contract_page(
                request, session, staff, contract_id, values=values, error=error, status=status
            )
        ) from exc
    return see_other(request, f"/versions/{version.version_id}")


async def _version_page(
    request: Request, session: AsyncSession, staff: Staff, version_id: uuid.UUID, **context: Any
) -> Response:
    detail = await agreements.version_detail(session, version_id=version_id)
    margin = None
    if detail.version.state == "drafted":  # what the margin would be if submitted now (HR-4)
        margin = await agreements.average_margin(
            session,
            hotel_id=detail.hotel.hotel_id,
            valid_from=Terms.model_validate(detail.version.terms).valid_from,
            valid_to=Terms.model_validate(detail.version.terms).valid_to,
        )
    context.setdefault("values", {})
    if "edit_values" not in context:
        context["edit_values"] = _form_values(detail.version.terms, detail.hotel.currency)
    return _page(
        request,
        "agreement_version.html",
        staff,
        detail=detail,
        draft_margin=margin,
        **context,
    )


@pages.get("/versions/{version_id}", response_class=HTMLResponse)
async def version_page(
    request: Request, version_id: uuid.UUID, session: DbSession, staff: DeskStaff
) -> Response:
    """A version, its diff against the effective one, and submit or approve/reject forms."""
    return await _version_page(request, session, staff, version_id)


async def _act(
    request: Request, session: AsyncSession, staff: Staff, version_id: uuid.UUID, action: str
) -> Response:
    values = await form_data(request)
    try:
        await _perform(session, staff, version_id, action, values)
    except (ValidationError, DomainError) as exc:
        error, status = _error(exc)
        kept = {"edit_values": values} if action == "edit" else {}
        raise FormRejected(
            lambda session: _version_page(
                request,
                session,
                staff,
                version_id,
                values=values,
                error=error,
                failed=action,
                status=status,
                **kept,
            )
        ) from exc
    return see_other(request, f"/versions/{version_id}")


def _revision(values: dict[str, str]) -> int | None:
    """The form's hidden revision (HR-3): blank is none; anything but a whole number inside
    the Integer column is a 422 naming it (issue 14), never a ValueError of ``int()``."""
    text = values.get("revision", "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 10 or not 1 <= int(text) <= INT32_MAX:
        raise InvalidInput(N_("Revision: reload the page and try again."), field="revision")
    return int(text)


async def _perform(
    session: AsyncSession, staff: Staff, version_id: uuid.UUID, action: str, values: dict[str, str]
) -> None:
    """One form's action on a version; raises what the rules refuse."""
    revision = _revision(values)
    if action == "submit":
        await agreements.submit_version(
            session,
            actor=staff,
            version_id=version_id,
            low_margin_reason=values.get("low_margin_reason", "").strip(),
            revision=revision,
        )
    elif action == "edit":
        hotel = (await agreements.version_detail(session, version_id=version_id)).hotel
        terms = _terms_from_form(values, hotel.currency)
        await agreement_edits.edit_version(
            session, actor=staff, version_id=version_id, terms=terms, revision=revision
        )
    elif action == "withdraw":
        await agreement_edits.withdraw_version(
            session, actor=staff, version_id=version_id, reason=values.get("reason", "")
        )
    else:
        await agreements.decide_version(
            session,
            actor=staff,
            version_id=version_id,
            approve=action == "approve",
            note=values.get("note", "").strip(),
        )


@pages.post("/versions/{version_id}/submit")
async def version_submit(
    request: Request, version_id: uuid.UUID, session: DbSession, staff: DeskStaff
) -> Response:
    """Send a drafted version to the director (HR-4: a low margin needs a reason)."""
    return await _act(request, session, staff, version_id, "submit")


@pages.post("/versions/{version_id}/edit")
async def version_edit(
    request: Request, version_id: uuid.UUID, session: DbSession, staff: DeskStaff
) -> Response:
    """Correct a drafted version's terms; a stale revision is refused (HR-3)."""
    return await _act(request, session, staff, version_id, "edit")


@pages.post("/versions/{version_id}/withdraw")
async def version_withdraw(
    request: Request, version_id: uuid.UUID, session: DbSession, staff: DeskStaff
) -> Response:
    """Take back a drafted or submitted version, saying why."""
    return await _act(request, session, staff, version_id, "withdraw")


@pages.post("/versions/{version_id}/approve")
async def version_approve(
    request: Request, version_id: uuid.UUID, session: DbSession, staff: Director
) -> Response:
    """The director signs: the version takes effect (HR-3)."""
    return await _act(request, session, staff, version_id, "approve")


@pages.post("/versions/{version_id}/reject")
async def version_reject(
    request: Request, version_id: uuid.UUID, session: DbSession, staff: Director
) -> Response:
    """The director rejects the version, saying why (HR-3)."""
    return await _act(request, session, staff, version_id, "reject")


@pages.get("/approvals", response_class=HTMLResponse)
async def approvals_page(request: Request, session: DbSession, staff: Director) -> Response:
    """Contracts and supplementary agreements awaiting the director, low margins flagged."""
    queue = await agreements.approval_queue(session)
    return _page(request, "agreement_approvals.html", staff, queue=queue)


# One router for app.py: these pages (not in the OpenAPI schema) and the JSON API (in it).
router = APIRouter()
router.include_router(pages)
router.include_router(agreement_api.router)
