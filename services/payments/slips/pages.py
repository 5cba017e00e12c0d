"""The slips pages (PAY-1, PAY-2); the JSON API for the same actions is in ``api``.

- ``GET /slips``: every slip, filtered by state, a page at a time;
- ``GET /slips/{id}``: one slip with the forms the viewer's role and the slip's state allow:
  the desk records money and submits, a team lead signs or sends back, finance invoices;
- ``GET /handovers`` / ``POST /handovers``: finance counts a desk person's signed cash in;
  ``GET /handovers/{no}``: the printable receipt.

A refused form shows again with its errors and changes nothing (one commit rule).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.settings import PaymentsSettings
from services.payments.slips import api, finance, service, views
from services.payments.slips.access import COLLECT, DESK, FINANCE, LEAD
from services.payments.slips.gateways import invoicing_gateway, payment_gateway
from shared.auth import Staff, require
from shared.db import DbSession
from shared.errors import DomainError, FormRejected, InvalidInput, NotFound
from shared.field_errors import FieldErrors, field_errors
from shared.i18n import N_, _
from shared.limits import Code, Int32Id, PageNumber, Text, Uuid
from shared.money import Money
from shared.web import form_data, form_lists, render, see_other

router = APIRouter(tags=["payments"])
router.include_router(api.router)
Reader = Annotated[Staff, require(*DESK)]
Desk = Annotated[Staff, require(*COLLECT)]
Lead = Annotated[Staff, require(*LEAD)]
Finance = Annotated[Staff, require(*FINANCE)]
StateFilter = Literal["", "open", "submitted", "signed", "handed_over", "cancelled"]
AN_AMOUNT = N_("Enter an amount, like 688.00.")


class _Form(BaseModel):
    model_config = ConfigDict(extra="ignore")


class PaymentForm(_Form):
    method: Literal["cash", "card", "bank_transfer"]
    amount: Text(20, min_length=1)  # type: ignore[valid-type]
    currency: Text(3, min_length=3)  # type: ignore[valid-type]
    fx_rate: Text(24) | None = None  # type: ignore[valid-type]
    payer: Text(200, min_length=1)  # type: ignore[valid-type]
    card_number: Text(19) | None = None  # type: ignore[valid-type]
    note: Text(500) = ""  # type: ignore[valid-type]
    token: Text(64) | None = None  # type: ignore[valid-type]


class SendBackForm(_Form):
    reason: Text(500, min_length=1)  # type: ignore[valid-type]


class InvoiceForm(_Form):
    title: Text(200, min_length=1)  # type: ignore[valid-type]
    tax_number: Text(20) | None = None  # type: ignore[valid-type]
    amount: Text(20, min_length=1)  # type: ignore[valid-type]


def minor_units(typed: str, currency: str, field: str) -> int:
    """A decimal a person typed ("688.50") as minor units; refused next to ``field``."""
    try:
        return Money.parse(typed, currency).amount_minor
    except (ValueError, ArithmeticError) as exc:
        raise InvalidInput(AN_AMOUNT, field=field) from exc


def _validated(model: type[BaseModel], values: dict[str, Any], names: dict[str, str]) -> Any:
    """``model`` from converted form values; its refusals name the form's fields."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems = field_errors(exc, names=names)
        raise _Refused(problems) from exc


class _Refused(Exception):
    def __init__(self, errors: FieldErrors) -> None:
        super().__init__(str(errors))
        self.errors = errors


async def _payment(session: AsyncSession, slip_id: uuid.UUID, staff: Staff, f: dict[str, str],
                   request: Request) -> Any:  # fmt: skip
    form = PaymentForm.model_validate({**f, "currency": f.get("currency", "").upper()})
    values = form.model_dump(exclude={"amount"})
    values["amount_minor"] = minor_units(form.amount, form.currency, "amount")
    names = {"amount_minor": "amount"}
    payment = _validated(service.PaymentIn, values, names)
    gateway = payment_gateway(request.app.state.settings)
    return await service.record_payment(session, slip_id, payment, staff, gateway=gateway)


async def _invoice(session: AsyncSession, slip_id: uuid.UUID, staff: Staff, f: dict[str, str],
                   request: Request) -> Any:  # fmt: skip
    form = InvoiceForm.model_validate({**f, "tax_number": f.get("tax_number", "").upper() or None})
    slip = (await views.slip_detail(session, slip_id)).slip
    values = form.model_dump(exclude={"amount"})
    values["amount_minor"] = minor_units(form.amount, slip.currency, "amount")
    invoice = _validated(finance.InvoiceIn, values, {"amount_minor": "amount"})
    # Read when issued: ROOMLINE_INVOICE_DIR as the environment says now.
    gateway = invoicing_gateway(PaymentsSettings())
    return await finance.issue_invoice(session, slip_id, invoice, staff, gateway=gateway)


async def _slip_page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    slip_id: uuid.UUID,
    *,
    error: str | FieldErrors = "",
    status: int = 200,
    values: dict[str, str] | None = None,
    saved: str = "",
) -> Response:
    return render(
        request.app.state.templates, request, "slips_detail.html", staff, status_code=status,
        detail=await views.slip_detail(session, slip_id), states=service.STATES,
        methods=service.METHODS, history_labels=views.HISTORY, error=error,
        values=values or {}, saved=saved, token=uuid.uuid4().hex,
    )  # fmt: skip


@router.get("/slips", response_class=HTMLResponse)
async def slips_page(
    request: Request, session: DbSession, staff: Reader, state: StateFilter = "",
    page: PageNumber = 1,
) -> Response:  # fmt: skip
    """Every collect-on-behalf slip, newest change first, filtered by state."""
    return render(
        request.app.state.templates, request, "slips_list.html", staff,
        listing=await views.list_slips(session, state, page), state=state,
        states=service.STATES,
    )  # fmt: skip


@router.get("/slips/{slip_id}", response_class=HTMLResponse)
async def slip_page(
    request: Request, session: DbSession, staff: Reader, slip_id: Uuid, saved: Code = ""
) -> Response:
    """One slip: the booking, the money taken, the review, the handover and the invoice."""
    return await _slip_page(request, session, staff, slip_id, saved=saved)


Action = Callable[[AsyncSession, uuid.UUID, Staff, dict[str, str], Request], Awaitable[Any]]


async def _act(request: Request, session: AsyncSession, staff: Staff, slip_id: uuid.UUID,
               name: str, action: Action) -> Response:  # fmt: skip
    fields = await form_data(request)
    try:
        await action(session, slip_id, staff, fields, request)
    except (DomainError, ValidationError, _Refused) as exc:
        if isinstance(exc, NotFound):
            raise
        error = exc.errors if isinstance(exc, _Refused) else field_errors(exc)
        status = exc.status_code if isinstance(exc, DomainError) else 422
        raise FormRejected(
            lambda session: _slip_page(
                request, session, staff, slip_id, error=error, status=status, values=fields
            )
        ) from exc
    return see_other(request, f"/slips/{slip_id}?saved={name}")


@router.post("/slips/{slip_id}/payments")
async def payment_post(
    request: Request, session: DbSession, staff: Desk, slip_id: Uuid
) -> Response:
    """PAY-1: money taken against the slip (cash, card or bank transfer)."""
    return await _act(request, session, staff, slip_id, "payment", _payment)


@router.post("/slips/{slip_id}/submit")
async def submit_post(request: Request, session: DbSession, staff: Desk, slip_id: Uuid) -> Response:
    """PAY-1: the desk marks the slip collected, for a team lead's review."""

    async def submit(
        s: AsyncSession, i: uuid.UUID, who: Staff, f: dict[str, str], r: Request
    ) -> Any:
        return await service.submit(s, i, who)

    return await _act(request, session, staff, slip_id, "submitted", submit)


@router.post("/slips/{slip_id}/sign")
async def sign_post(request: Request, session: DbSession, staff: Lead, slip_id: Uuid) -> Response:
    """PAY-1: a team lead who took none of its money signs; the maker's sign is a 403."""

    async def sign(s: AsyncSession, i: uuid.UUID, who: Staff, f: dict[str, str], r: Request) -> Any:
        return await service.sign(s, i, who)

    return await _act(request, session, staff, slip_id, "signed", sign)


@router.post("/slips/{slip_id}/send-back")
async def send_back_post(
    request: Request, session: DbSession, staff: Lead, slip_id: Uuid
) -> Response:
    """PAY-1: the team lead sends the slip back to the desk with a reason."""

    async def back(s: AsyncSession, i: uuid.UUID, who: Staff, f: dict[str, str], r: Request) -> Any:
        return await service.send_back(s, i, who, SendBackForm.model_validate(f).reason)

    return await _act(request, session, staff, slip_id, "sent_back", back)


@router.post("/slips/{slip_id}/invoice")
async def invoice_post(
    request: Request, session: DbSession, staff: Finance, slip_id: Uuid
) -> Response:
    """PAY-2: finance issues the slip's invoice (发票)."""
    return await _act(request, session, staff, slip_id, "invoiced", _invoice)


async def _handover_page(
    request: Request, session: AsyncSession, staff: Staff, collector: str, *,
    error: str | FieldErrors = "", status: int = 200, values: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    slips = await finance.pending(session, collector) if collector else []
    cash = await finance.cash_of(session, [slip.slip_id for slip in slips])
    return render(
        request.app.state.templates, request, "slips_handover.html", staff, status_code=status,
        collectors=await views.collectors(session), collector=collector, slips=slips,
        held=finance.totals(cash), error=error, values=values or {},
    )  # fmt: skip


@router.get("/handovers", response_class=HTMLResponse)
async def handover_page(
    request: Request,
    session: DbSession,
    staff: Finance,
    collector: Text(120) = "",  # type: ignore[valid-type]
) -> Response:
    """PAY-2: a desk person's signed cash, to count in."""
    return await _handover_page(request, session, staff, collector)


def _handover_in(fields: dict[str, str], slip_ids: list[str]) -> finance.HandoverIn:
    counted = []
    for name, typed in fields.items():
        currency = name.removeprefix("counted_")
        if name.startswith("counted_") and len(currency) == 3 and currency.isupper():
            counted.append(
                {"currency": currency, "amount_minor": minor_units(typed, currency, name)}
            )
    values = {"collector": fields.get("collector", ""), "slip_ids": slip_ids,
              "counted": counted, "note": fields.get("note", "")}  # fmt: skip
    handover: finance.HandoverIn = _validated(finance.HandoverIn, values, {})
    return handover


@router.post("/handovers")
async def handover_post(request: Request, session: DbSession, staff: Finance) -> Response:
    """PAY-2: count the cash in, in full, and receipt it."""
    fields = await form_data(request)
    slip_ids = (await form_lists(request, "slip_ids"))["slip_ids"]
    try:
        row = await finance.hand_over(session, _handover_in(fields, slip_ids), staff)
    except (DomainError, ValidationError, _Refused) as exc:
        if isinstance(exc, NotFound):
            raise
        error = exc.errors if isinstance(exc, _Refused) else field_errors(exc)
        status = exc.status_code if isinstance(exc, DomainError) else 422
        collector = fields.get("collector", "")[:120]
        raise FormRejected(
            lambda session: _handover_page(
                request, session, staff, collector, error=error, status=status, values=fields
            )
        ) from exc
    return see_other(request, f"/handovers/{row.handover_no}")


@router.get("/handovers/{handover_no}", response_class=HTMLResponse)
async def receipt_page(
    request: Request, session: DbSession, staff: Reader, handover_no: Int32Id
) -> Response:
    """PAY-2: the printable receipt of a cash handover."""
    handover, slips = await views.handover_receipt(session, handover_no)
    title = _("Cash receipt %(no)s") % {"no": handover.receipt_no}
    return render(
        request.app.state.templates, request, "slips_receipt.html", staff,
        handover=handover, slips=slips, title=title,
    )  # fmt: skip
