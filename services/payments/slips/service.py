"""Collect-on-behalf slips (PAY-1): opened by a prepaid booking, money taken against them,
submitted by the desk and signed by a team lead who took none of it (maker-checker).

- ``on_booking`` (intake's events): open a prepaid booking's slip, follow a changed amount
  (audited), cancel an unsigned slip of a cancelled booking (the refund is the hotel side's);
- ``record_payment``: cash posts Dr ``cash_on_hand:<desk person>`` Cr ``guest_receivable``,
  a card is charged through the payment gateway and posts Dr ``card_clearing``, a bank
  transfer becomes an expected payment the bank import matches later. Another currency than
  the booking's needs the rate used and posts through ``fx_conversion`` (HR-14). The form's
  token makes a double-submitted form record (and post) once;
- ``submit`` / ``sign`` / ``send_back``: the review (PAY-1); the maker's sign is a 403.

Handover to finance and invoices are in ``finance``. Nothing here commits (one commit rule).
"""

from __future__ import annotations

import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.expected import expect
from services.payments.ledger import chart
from services.payments.ledger.postings import Currency, Fx, Leg, Posting, Rate, post
from services.payments.models import PayBooking
from services.payments.settings import SCHEMA
from services.payments.slips.gateways import CardCharge, GatewayRefused, PaymentGateway
from services.payments.slips.models import Slip, SlipPayment
from shared.audit import record
from shared.auth import Role, Staff, ensure_role
from shared.clock import clock
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.i18n import N_, _, local_money
from shared.limits import MONEY_HARD_MAX_MINOR, Text, check_money
from shared.money import exponent

STATES = {
    "open": N_("Open"),
    "submitted": N_("Awaiting signature"),
    "signed": N_("Signed"),
    "handed_over": N_("Handed over"),
    "cancelled": N_("Cancelled"),
}
METHODS = {"cash": N_("Cash"), "card": N_("Card"), "bank_transfer": N_("Bank transfer")}
FINANCE_STATES = ("signed", "handed_over")  # PAY-1: only signed slips pass to finance

PositiveMinor = Annotated[int, Field(ge=1, le=MONEY_HARD_MAX_MINOR), AfterValidator(check_money)]
CardNumber = Annotated[str, Field(pattern=r"^[0-9]{12,19}$", min_length=12, max_length=19)]


class PaymentIn(BaseModel):
    """Money taken against a slip. ``fx_rate``: 1 unit of ``currency`` = rate units of the
    booking's currency (needed when they differ, HR-14). ``token``: the form's, so a second
    submission of the same form is the same payment."""

    model_config = ConfigDict(extra="forbid")

    method: Literal["cash", "card", "bank_transfer"]
    amount_minor: PositiveMinor
    currency: Currency
    fx_rate: Rate | None = None
    payer: Text(200, min_length=1)  # type: ignore[valid-type]
    note: Text(500) = ""  # type: ignore[valid-type]
    card_number: CardNumber | None = None
    token: Text(64, min_length=8) | None = None  # type: ignore[valid-type]


def _snapshot(slip: Slip) -> dict[str, Any]:
    return {
        "state": slip.state,
        "currency": slip.currency,
        "amount_due_minor": slip.amount_due_minor,
        "collected_minor": slip.collected_minor,
    }


async def _audit(
    session: AsyncSession, actor: Staff | str, action: str, slip: Slip, **changes: Any
) -> None:
    await record(
        session, schema=SCHEMA, actor=actor, action=action, entity="slip",
        entity_id=slip.slip_id, before=changes.get("before"),
        after=changes.get("after", _snapshot(slip)),
    )  # fmt: skip


async def on_booking(session: AsyncSession, booking: PayBooking) -> None:
    """A booking placed, changed or cancelled: open, adjust or cancel its slip (PAY-1)."""
    slip = await session.scalar(
        select(Slip).where(Slip.booking_id == booking.booking_id).with_for_update()
    )
    if booking.status == "cancelled":
        if slip is not None and not slip.booking_cancelled:
            before = _snapshot(slip)
            slip.booking_cancelled = True
            if slip.state in ("open", "submitted"):
                slip.state = "cancelled"
            slip.updated_at = clock.now()
            await _audit(session, "intake", "slip_booking_cancelled", slip, before=before)
        return
    if booking.payment_mode != "prepaid":
        return
    if slip is None:
        slip = Slip(
            slip_id=uuid.uuid4(), booking_id=booking.booking_id, booking_ref=booking.booking_ref,
            hotel_name=booking.hotel_name, booker_name=booking.booker_name,
            booker_phone=booking.booker_phone, currency=booking.currency,
            amount_due_minor=booking.total_sell_minor, collected_minor=0, state="open",
            booking_cancelled=False, sent_back_reason="",
        )  # fmt: skip
        session.add(slip)
        await session.flush()
        await _audit(session, "intake", "slip_opened", slip)
    elif slip.amount_due_minor != booking.total_sell_minor:
        before = _snapshot(slip)
        slip.amount_due_minor = booking.total_sell_minor
        slip.updated_at = clock.now()
        await _audit(session, "intake", "slip_amount_changed", slip, before=before)


async def locked_slip(session: AsyncSession, slip_id: uuid.UUID) -> Slip:
    """The slip, locked for this transaction: its changes (and a form posted twice) queue."""
    slip = await session.get(Slip, slip_id, with_for_update=True)
    if slip is None:
        raise NotFound(N_("No such slip."))
    return slip


def credited(slip: Slip, payment: PaymentIn) -> tuple[int, Fx | None]:
    """What the payment pays off in the slip's currency, and the rate used (HR-14)."""
    if payment.currency == slip.currency:
        return payment.amount_minor, None
    if payment.fx_rate is None:
        raise InvalidInput(
            _("Enter the exchange rate used: 1 %(paid)s = ? %(due)s.")
            % {"paid": payment.currency, "due": slip.currency},
            field="fx_rate",
        )
    paid = Decimal(payment.amount_minor).scaleb(-exponent(payment.currency))
    due = (paid * payment.fx_rate).scaleb(exponent(slip.currency))
    minor = int(due.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if minor < 1:
        raise InvalidInput(N_("This amount converts to nothing; check the rate."), field="fx_rate")
    return minor, Fx(base=payment.currency, quote=slip.currency, rate=payment.fx_rate)


def payment_legs(slip: Slip, payment: PaymentIn, account: str, minor: int) -> list[Leg]:
    """Dr ``account`` in the paid currency; Cr the guest's receivable in the slip's. In
    another currency the money passes through ``fx_conversion`` in each (HR-14)."""
    receivable = chart.guest_receivable(slip.booking_id)
    legs = [Leg(account=account, currency=payment.currency, amount_minor=payment.amount_minor)]
    if payment.currency != slip.currency:
        paid = payment.amount_minor
        legs += [
            Leg(account="fx_conversion", currency=payment.currency, amount_minor=-paid),
            Leg(account="fx_conversion", currency=slip.currency, amount_minor=minor),
        ]
    legs.append(Leg(account=receivable, currency=slip.currency, amount_minor=-minor))
    return legs


async def payments_of(session: AsyncSession, slip_id: uuid.UUID) -> list[SlipPayment]:
    rows = await session.scalars(
        select(SlipPayment).where(SlipPayment.slip_id == slip_id).order_by(SlipPayment.seq)
    )
    return list(rows)


async def record_payment(
    session: AsyncSession,
    slip_id: uuid.UUID,
    payment: PaymentIn,
    staff: Staff,
    *,
    gateway: PaymentGateway,
) -> SlipPayment:
    """Record money taken against an open slip, once per form token (PAY-1)."""
    ensure_role(staff, Role.COLLECT_DESK)
    slip = await locked_slip(session, slip_id)
    token = payment.token or uuid.uuid4().hex
    earlier = await session.scalar(
        select(SlipPayment).where(SlipPayment.slip_id == slip_id, SlipPayment.form_token == token)
    )
    if earlier is not None:
        return earlier  # the same form again: recorded and posted once
    if slip.state != "open":
        raise Conflict(N_("Money is recorded only on an open slip."))
    if payment.method == "bank_transfer" and payment.currency != slip.currency:
        raise InvalidInput(
            _("A bank transfer is expected in the booking's currency (%(currency)s).")
            % {"currency": slip.currency},
            field="currency",
        )
    minor, fx = credited(slip, payment)
    taken = sum(p.credited_minor for p in await payments_of(session, slip_id))
    if taken + minor > slip.amount_due_minor:
        raise InvalidInput(
            _("This is more than the slip still owes (%(left)s).")
            % {"left": local_money(slip.amount_due_minor - taken, slip.currency)},
            field="amount",
        )
    seq = 1 + int(
        await session.scalar(select(func.count()).where(SlipPayment.slip_id == slip_id)) or 0
    )
    row = SlipPayment(
        payment_id=uuid.uuid4(), slip_id=slip_id, seq=seq, form_token=token,
        method=payment.method, currency=payment.currency, amount_minor=payment.amount_minor,
        credited_minor=minor, fx_rate=payment.fx_rate if fx else None, payer=payment.payer,
        note=payment.note, recorded_by=staff.username,
    )  # fmt: skip
    if payment.method == "bank_transfer":
        await _expect_transfer(session, slip, payment, row)
    else:
        account = await _take(slip, payment, row, staff, gateway)
        posted = await post(
            session,
            Posting(
                idempotency_key=f"slip:{slip_id}:payment:{seq}", kind="payment_taken",
                legs=payment_legs(slip, payment, account, minor), booking_id=slip.booking_id,
                booking_ref=slip.booking_ref, memo=f"{payment.method}: {payment.payer}"[:500],
                fx=fx,
            ),
            actor=staff.username,
        )  # fmt: skip
        row.transaction_id = posted.transaction_id
        slip.collected_minor += minor
    session.add(row)
    slip.updated_at = clock.now()
    await session.flush()
    await _audit(
        session, staff, "slip_payment_recorded", slip,
        after={**_snapshot(slip), "method": row.method, "currency": row.currency,
               "amount_minor": row.amount_minor, "credited_minor": minor, "payer": row.payer},
    )  # fmt: skip
    return row


async def _take(
    slip: Slip, payment: PaymentIn, row: SlipPayment, staff: Staff, gateway: PaymentGateway
) -> str:
    """The account the money lands in; a card is charged first (its reference is ours, the
    slip and form token, so a retried charge is the same one at the gateway)."""
    if payment.method == "cash":
        return chart.cash_on_hand(staff.username)
    if payment.card_number is None:
        raise InvalidInput(N_("Enter the card number."), field="card_number")
    try:
        row.gateway_reference = await gateway.charge(
            CardCharge(
                amount_minor=payment.amount_minor, currency=payment.currency,
                card_number=payment.card_number, reference=f"slip:{slip.slip_id}:{row.form_token}",
            )
        )  # fmt: skip
    except GatewayRefused as refused:
        raise InvalidInput(refused.message, field="card_number") from refused
    row.card_last4 = payment.card_number[-4:]
    return chart.address("card_clearing")


async def _expect_transfer(
    session: AsyncSession, slip: Slip, payment: PaymentIn, row: SlipPayment
) -> None:
    """A bank transfer posts when the bank shows it (PAY-5), in the slip's currency."""
    expected = await expect(
        session, direction="in", currency=slip.currency, amount_minor=payment.amount_minor,
        reference=slip.booking_ref, source="slip", source_id=slip.slip_id,
        clears_account=chart.guest_receivable(slip.booking_id), booking_id=slip.booking_id,
    )  # fmt: skip
    row.expected_payment_id = expected.expected_payment_id


async def submit(session: AsyncSession, slip_id: uuid.UUID, staff: Staff) -> Slip:
    """The desk marks the slip collected and submits it for a team lead's review (PAY-1)."""
    ensure_role(staff, Role.COLLECT_DESK)
    slip = await locked_slip(session, slip_id)
    if slip.state != "open":
        raise Conflict(N_("Only an open slip is submitted for review."))
    if not await payments_of(session, slip_id):
        raise Conflict(N_("Record the money taken before submitting the slip."))
    before = _snapshot(slip)
    slip.state, slip.maker, slip.submitted_at = "submitted", staff.username, clock.now()
    slip.sent_back_reason, slip.updated_at = "", clock.now()
    await _audit(session, staff, "slip_submitted", slip, before=before)
    return slip


async def _reviewable(session: AsyncSession, slip_id: uuid.UUID, staff: Staff) -> Slip:
    """PAY-1 maker-checker: a team lead who neither submitted the slip nor took its money."""
    ensure_role(staff, Role.TEAM_LEAD)
    slip = await locked_slip(session, slip_id)
    if slip.state != "submitted":
        raise Conflict(N_("This slip is not waiting for a signature."))
    takers = {p.recorded_by for p in await payments_of(session, slip_id)}
    if staff.username == slip.maker or staff.username in takers:
        raise Forbidden(N_("You made this slip; another team lead reviews it."))
    return slip


async def sign(session: AsyncSession, slip_id: uuid.UUID, staff: Staff) -> Slip:
    slip = await _reviewable(session, slip_id, staff)
    before = _snapshot(slip)
    slip.state, slip.signer, slip.signed_at = "signed", staff.username, clock.now()
    slip.updated_at = clock.now()
    await _audit(session, staff, "slip_signed", slip, before=before)
    return slip


async def send_back(session: AsyncSession, slip_id: uuid.UUID, staff: Staff, reason: str) -> Slip:
    slip = await _reviewable(session, slip_id, staff)
    before = _snapshot(slip)
    slip.state, slip.sent_back_reason, slip.updated_at = "open", reason, clock.now()
    await _audit(
        session, staff, "slip_sent_back", slip, before=before,
        after={**_snapshot(slip), "note": reason},
    )  # fmt: skip
    return slip
