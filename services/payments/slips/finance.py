"""What finance does with signed slips (PAY-2): count and receipt the cash a desk person hands
over, and issue each slip's invoice (发票).

- ``hand_over``: the cash on the chosen signed slips of one desk person, counted per currency;
  any difference from what the slips hold is refused (counted again, never booked as a
  difference). Posts Dr ``cash_with_finance`` Cr ``cash_on_hand:<who took it>`` per currency,
  keyed by the handover, and gives the receipt its number;
- ``issue_invoice``: one invoice per signed slip, through the invoicing gateway.

Finance never receipts its own cash, and nothing here commits (one commit rule).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.expected import ExpectedPayment
from services.payments.ledger import chart
from services.payments.ledger.postings import Leg, Posting, post
from services.payments.settings import SCHEMA
from services.payments.slips.gateways import GatewayRefused, InvoiceRequest, InvoicingGateway
from services.payments.slips.models import CashHandover, Slip, SlipInvoice, SlipPayment
from services.payments.slips.service import FINANCE_STATES, Currency, PositiveMinor, locked_slip
from shared.audit import record
from shared.auth import Role, Staff, ensure_role
from shared.clock import clock
from shared.errors import Conflict, Forbidden, InvalidInput
from shared.i18n import N_, _, local_money
from shared.limits import Text, Uuid


class Counted(BaseModel):
    currency: Currency
    amount_minor: Annotated[int, Field(ge=0, le=10**12)]


class HandoverIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    collector: Text(120, min_length=1)  # type: ignore[valid-type]
    slip_ids: list[Uuid] = Field(min_length=1, max_length=200)
    counted: list[Counted] = Field(max_length=10)
    note: Text(500) = ""  # type: ignore[valid-type]


class InvoiceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Text(200, min_length=1)  # type: ignore[valid-type]
    # A Chinese taxpayer number (统一社会信用代码): 15 to 20 digits and capitals.
    tax_number: (
        Annotated[str, Field(pattern=r"^[0-9A-Z]{15,20}$", min_length=15, max_length=20)] | None
    ) = None
    amount_minor: PositiveMinor


async def cash_of(session: AsyncSession, slip_ids: list[uuid.UUID]) -> list[SlipPayment]:
    rows = await session.scalars(
        select(SlipPayment)
        .where(SlipPayment.slip_id.in_(slip_ids), SlipPayment.method == "cash")
        .order_by(SlipPayment.slip_id, SlipPayment.seq)
    )
    return list(rows)


async def pending(session: AsyncSession, collector: str) -> list[Slip]:
    """The collector's signed slips whose cash finance has not counted yet."""
    has_cash = select(SlipPayment.slip_id).where(SlipPayment.method == "cash")
    rows = await session.scalars(
        select(Slip)
        .where(Slip.state == "signed", Slip.maker == collector, Slip.slip_id.in_(has_cash))
        .order_by(Slip.signed_at)
        .limit(200)
    )
    return list(rows)


async def received(session: AsyncSession, slip_id: uuid.UUID) -> int:
    """What the guest has paid, in the slip's currency: cash and cards, and bank transfers
    once the bank showed them (one still awaited is not paid yet)."""
    arrived = select(ExpectedPayment.expected_payment_id).where(ExpectedPayment.status == "matched")
    total = await session.scalar(
        select(func.coalesce(func.sum(SlipPayment.credited_minor), 0)).where(
            SlipPayment.slip_id == slip_id,
            or_(
                SlipPayment.transaction_id.is_not(None),
                SlipPayment.expected_payment_id.in_(arrived),
            ),
        )
    )
    return int(total or 0)


def totals(cash: list[SlipPayment]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for payment in cash:
        totals[payment.currency] += payment.amount_minor
    return dict(totals)


async def _handover_slips(session: AsyncSession, handover: HandoverIn, staff: Staff) -> list[Slip]:
    if staff.username == handover.collector:
        raise Forbidden(N_("Another finance colleague counts and receipts your own cash."))
    slips = [await locked_slip(session, slip_id) for slip_id in sorted(set(handover.slip_ids))]
    for slip in slips:
        if slip.state != "signed" or slip.maker != handover.collector:
            raise Conflict(
                _("Slip %(ref)s is not a signed slip of %(who)s waiting for its cash.")
                % {"ref": slip.booking_ref, "who": handover.collector},
                field="slip_ids",
            )
    return slips


def _check_count(counted: dict[str, int], held: dict[str, int]) -> None:
    """PAY-2: handed in full: the count equals the signed cash in every currency."""
    for currency in sorted(held.keys() | counted.keys()):
        want, got = held.get(currency, 0), counted.get(currency, 0)
        if want != got:
            raise InvalidInput(
                _("Counted %(counted)s but the signed slips hold %(held)s; count again.")
                % {"counted": local_money(got, currency), "held": local_money(want, currency)},
                field=f"counted_{currency}",
            )


async def hand_over(session: AsyncSession, handover: HandoverIn, staff: Staff) -> CashHandover:
    """Finance counts a desk person's cash in and receipts it (PAY-2)."""
    ensure_role(staff, Role.FINANCE)
    slips = await _handover_slips(session, handover, staff)
    cash = await cash_of(session, [slip.slip_id for slip in slips])
    held = totals(cash)
    if not held:
        raise Conflict(N_("These slips hold no cash to hand over."), field="slip_ids")
    counted = {c.currency: c.amount_minor for c in handover.counted if c.amount_minor}
    _check_count(counted, held)
    number = int(
        await session.scalar(
            text("SELECT nextval(pg_get_serial_sequence('payments.cash_handover', 'handover_no'))")
        )
    )
    row = CashHandover(
        handover_no=number, receipt_no=f"RC{clock.today():%Y%m%d}-{number:06d}",
        collector=handover.collector, counted=held, note=handover.note,
        received_by=staff.username,
    )  # fmt: skip
    session.add(row)
    await session.flush()
    for currency, amount in sorted(held.items()):
        await post(session, _handover_posting(row, currency, amount, cash), actor=staff.username)
    for slip in slips:
        slip.state, slip.handover_no, slip.updated_at = "handed_over", number, clock.now()
        await record(
            session, schema=SCHEMA, actor=staff, action="slip_handed_over", entity="slip",
            entity_id=slip.slip_id, after={"receipt_no": row.receipt_no, "counted": held},
        )  # fmt: skip
    return row


def _handover_posting(
    row: CashHandover, currency: str, amount: int, cash: list[SlipPayment]
) -> Posting:
    """Dr cash_with_finance; Cr the cash on hand of each desk person who took it."""
    by_taker: dict[str, int] = defaultdict(int)
    for payment in cash:
        if payment.currency == currency:
            by_taker[payment.recorded_by] += payment.amount_minor
    legs = [Leg(account=chart.address("cash_with_finance"), currency=currency, amount_minor=amount)]
    legs += [
        Leg(account=chart.cash_on_hand(taker), currency=currency, amount_minor=-minor)
        for taker, minor in sorted(by_taker.items())
    ]
    return Posting(
        idempotency_key=f"handover:{row.handover_no}:{currency}",
        kind="cash_handover",
        legs=legs,
        memo=f"receipt {row.receipt_no} from {row.collector}"[:500],
    )


async def issue_invoice(
    session: AsyncSession,
    slip_id: uuid.UUID,
    invoice: InvoiceIn,
    staff: Staff,
    *,
    gateway: InvoicingGateway,
) -> SlipInvoice:
    """PAY-2: the slip's invoice (发票), once, for at most what the guest paid."""
    ensure_role(staff, Role.FINANCE)
    slip = await locked_slip(session, slip_id)
    if slip.state not in FINANCE_STATES:
        raise Conflict(N_("An invoice is issued only for a signed slip."))
    earlier = await session.scalar(select(SlipInvoice).where(SlipInvoice.slip_id == slip_id))
    if earlier is not None:
        raise Conflict(
            _("This slip has its invoice already: %(number)s.") % {"number": earlier.number}
        )
    paid = await received(session, slip_id)
    if invoice.amount_minor > paid:
        raise InvalidInput(
            _("An invoice is at most what the guest paid (%(paid)s).")
            % {"paid": local_money(paid, slip.currency)},
            field="amount",
        )
    row = SlipInvoice(
        invoice_id=uuid.uuid4(), slip_id=slip_id,
        number=f"FP{clock.today():%Y%m%d}-{slip.booking_ref}", title=invoice.title,
        tax_number=invoice.tax_number or "", currency=slip.currency,
        amount_minor=invoice.amount_minor, issued_by=staff.username,
    )  # fmt: skip
    session.add(row)
    await session.flush()  # the one-per-slip constraint answers before the gateway is asked
    request = InvoiceRequest(
        number=row.number, booking_ref=slip.booking_ref, title=row.title,
        tax_number=row.tax_number, currency=row.currency, amount_minor=row.amount_minor,
        issued_by=staff.username,
    )  # fmt: skip
    try:
        row.number = await gateway.issue(request)
    except GatewayRefused as refused:
        raise Conflict(refused.message) from refused
    await record(
        session, schema=SCHEMA, actor=staff, action="slip_invoiced", entity="slip",
        entity_id=slip_id, after={"number": row.number, "amount_minor": row.amount_minor},
    )  # fmt: skip
    return row
