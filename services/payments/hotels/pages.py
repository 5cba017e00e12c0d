"""Pages of the hotel side (PAY-3, PAY-4, PAY-6):

- ``GET /hotels``: every hotel's payable, receivable and deposit, and the aging of what hotels
  owe us with the last chase (PAY-3), oldest first;
- ``GET /hotels/{hotel_id}``: the hotel's ledger, each entry linking to its booking; finance
  records a deposit (``POST …/deposits``) or a chase (``POST …/chases``) there;
- ``GET /bookings/{booking_ref}``: every transaction of a booking (PAY-6's drill-down); finance
  pays a refund owed there (``POST …/refunds``).

Finance acts; the collect-on-behalf desk and team leads read. A refused form shows the page
again with its errors and changes nothing (one commit rule).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.hotels import aging, deposits, views
from services.payments.models import PayBooking, PayHotel
from shared.auth import Role, Staff, require
from shared.clock import clock
from shared.db import DbSession
from shared.errors import DomainError, FormRejected, InvalidInput, NotFound
from shared.field_errors import FieldErrors, refusal
from shared.i18n import N_, _
from shared.limits import BusinessDate, Code, Text, Uuid
from shared.money import Money, exponent
from shared.web import form_data, render, see_other

router = APIRouter(tags=["payments-hotels"])
Finance = Annotated[Staff, require(Role.FINANCE)]
Reader = Annotated[Staff, require(Role.FINANCE, Role.COLLECT_DESK, Role.TEAM_LEAD)]
Amount = Annotated[Decimal, Field(gt=0, le=Decimal("10000000"), max_digits=12, decimal_places=2)]
SAVED = {
    "deposit": N_("Saved: the deposit is on the hotel's ledger."),
    "chase": N_("Saved: the chase is recorded."),
    "refund": N_("Saved: the refund is paid."),
}
BAD_AMOUNT = N_("Enter an amount in this currency's units, like 580.00.")


class _Form(BaseModel):
    model_config = ConfigDict(extra="ignore")


class DepositForm(_Form):
    amount: Amount
    paid_on: BusinessDate
    note: Text(500) = ""  # type: ignore[valid-type]
    request_id: Uuid


class ChaseForm(_Form):
    chased_on: BusinessDate
    channel: Literal["phone", "fax", "email"]
    note: Text(2000) = ""  # type: ignore[valid-type]
    promised_on: BusinessDate | None = None


class RefundForm(_Form):
    amount: Amount
    method: deposits.RefundMethod
    request_id: Uuid


def _minor(amount: Decimal, currency: str) -> int:
    try:
        return Money.parse(str(amount), currency).amount_minor
    except ValueError as exc:
        raise InvalidInput(BAD_AMOUNT, field="amount") from exc


def _major(minor: int, currency: str) -> str:
    """Minor units as a person types them back into the form (``580.00``)."""
    places = exponent(currency)
    return f"{Decimal(minor).scaleb(-places):.{places}f}"


@router.get("/hotels", response_class=HTMLResponse)
async def hotels_page(request: Request, session: DbSession, staff: Reader) -> Response:
    """Every hotel's balances and what hotels owe us by age, oldest first (PAY-3)."""
    return render(
        request.app.state.templates,
        request,
        "hotels_list.html",
        staff,
        lines=await views.hotel_lines(session, clock.today()),
        buckets=aging.BUCKETS,
        channels=aging.CHANNELS,
    )


async def _hotel_page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    hotel_id: uuid.UUID,
    *,
    error: str | FieldErrors = "",
    status: int = 200,
    values: dict[str, str] | None = None,
    saved: str = "",
) -> Response:
    ledger = await views.hotel_ledger(session, hotel_id)
    if ledger.hotel is None and not ledger.lines:
        raise NotFound(_("No such hotel."))
    return render(
        request.app.state.templates,
        request,
        "hotels_hotel.html",
        staff,
        status_code=status,
        ledger=ledger,
        hotel_name=ledger.name,
        kinds=views.KIND_LABELS,
        aging_rows=await aging.aging(session, clock.today(), hotel_id=hotel_id),
        chases=await aging.chases_of(session, hotel_id),
        buckets=aging.BUCKETS,
        channels=aging.CHANNELS,
        can_act=staff.has_any(frozenset({Role.FINANCE.value})),
        request_id=uuid.uuid4(),
        today=clock.today(),
        error=error,
        values=values or {},
        saved=SAVED.get(saved, ""),
    )


@router.get("/hotels/{hotel_id}", response_class=HTMLResponse)
async def hotel_page(
    request: Request, session: DbSession, staff: Reader, hotel_id: Uuid, saved: Code = ""
) -> Response:
    """The hotel's ledger with drill-down to each booking (PAY-6), its deposit and chases."""
    return await _hotel_page(request, session, staff, hotel_id, saved=saved)


async def _deposit(
    session: AsyncSession, hotel_id: uuid.UUID, staff: Staff, f: dict[str, str]
) -> None:
    form = DepositForm.model_validate(f)
    hotel = await session.get(PayHotel, hotel_id)
    if hotel is None:
        raise NotFound(_("No such hotel."))
    amount = _minor(form.amount, hotel.currency)
    deposit = deposits.DepositInput(amount, form.paid_on, form.note, form.request_id)
    await deposits.record_deposit(session, hotel_id, deposit, staff)


async def _chase(
    session: AsyncSession, hotel_id: uuid.UUID, staff: Staff, f: dict[str, str]
) -> None:
    form = ChaseForm.model_validate(f)
    chase = aging.ChaseInput(form.chased_on, form.channel, form.note, form.promised_on)
    await aging.record_chase(session, hotel_id, chase, staff)


HotelAction = Callable[[AsyncSession, uuid.UUID, Staff, dict[str, str]], Awaitable[Any]]
HOTEL_ACTIONS: dict[str, tuple[HotelAction, str]] = {
    "deposits": (_deposit, "deposit"),
    "chases": (_chase, "chase"),
}


@router.post("/hotels/{hotel_id}/{action}")
async def hotel_action(
    request: Request,
    session: DbSession,
    staff: Finance,
    hotel_id: Uuid,
    action: Literal["deposits", "chases"],
) -> Response:
    """A deposit paid to the hotel or a chase of it (PAY-3); finance only."""
    fields = await form_data(request)
    act, saved = HOTEL_ACTIONS[action]
    try:
        await act(session, hotel_id, staff, fields)
    except (DomainError, ValidationError) as exc:
        if isinstance(exc, NotFound):
            raise
        error, status = refusal(exc)
        raise FormRejected(
            lambda session: _hotel_page(
                request, session, staff, hotel_id, error=error, status=status, values=fields
            )
        ) from exc
    return see_other(request, f"/hotels/{hotel_id}?saved={saved}")


async def _booking_page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    booking_ref: str,
    *,
    error: str | FieldErrors = "",
    status: int = 200,
    values: dict[str, str] | None = None,
    saved: str = "",
) -> Response:
    ledger = await views.booking_ledger(session, booking_ref)
    if ledger.booking is None and not ledger.transactions:
        raise NotFound(_("No such booking."))
    return render(
        request.app.state.templates,
        request,
        "hotels_booking.html",
        staff,
        status_code=status,
        ledger=ledger,
        kinds=views.KIND_LABELS,
        account_label=views.account_label,
        refund_default=_major(ledger.refund_owed, ledger.currency) if ledger.currency else "",
        methods=deposits.REFUND_METHODS,
        can_act=staff.has_any(frozenset({Role.FINANCE.value})),
        request_id=uuid.uuid4(),
        error=error,
        values=values or {},
        saved=SAVED.get(saved, ""),
    )


@router.get("/bookings/{booking_ref}", response_class=HTMLResponse)
async def booking_page(
    request: Request, session: DbSession, staff: Reader, booking_ref: Code, saved: Code = ""
) -> Response:
    """Every transaction of one booking, each with its legs (PAY-6's drill-down)."""
    return await _booking_page(request, session, staff, booking_ref, saved=saved)


async def _refund(session: AsyncSession, booking_ref: str, staff: Staff, f: dict[str, str]) -> None:
    form = RefundForm.model_validate(f)
    booking = await session.scalar(select(PayBooking).where(PayBooking.booking_ref == booking_ref))
    if booking is None:
        raise NotFound(_("No such booking."))
    await deposits.pay_refund(
        session, booking_ref, amount_minor=_minor(form.amount, booking.currency),
        method=form.method, request_id=form.request_id, staff=staff,
    )  # fmt: skip


@router.post("/bookings/{booking_ref}/refunds")
async def refund_action(
    request: Request, session: DbSession, staff: Finance, booking_ref: Code
) -> Response:
    """Finance paid back what the guest is owed (a cancellation or a no-show)."""
    fields = await form_data(request)
    try:
        await _refund(session, booking_ref, staff, fields)
    except (DomainError, ValidationError) as exc:
        if isinstance(exc, NotFound):
            raise
        error, status = refusal(exc)
        raise FormRejected(
            lambda session: _booking_page(
                request, session, staff, booking_ref, error=error, status=status, values=fields
            )
        ) from exc
    return see_other(request, f"/bookings/{booking_ref}?saved=refund")
