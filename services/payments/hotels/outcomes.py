"""The hotel side of a stay (PAY-3, PAY-4, NS-3, NS-7): what a stay outcome posts, and what a
cancellation gives back.

A booking has one ``stay_posting`` row: the outcome version applied and the transactions it
posted. An outcome no newer than that does nothing (events come twice and out of order); a
newer one reverses the current transactions first, then posts its own (NS-3 corrections).
Every posting goes through ``ledger.postings.post`` with a key made of the booking, the outcome
version and the part, so a replay can never post twice.

- Prepaid (and corporate monthly: we collect, we pay the hotel) stay: Dr guest receivable the
  room revenue, Cr hotel payable the net, Cr margin revenue the difference (PAY-4); when the
  hotel holds our deposit, the net is drawn from it, up to its balance (PAY-3).
- Pay-at-hotel stay: the hotel owes us commission, rounded half up (PAY-4).
- Final no-show with a fee (NS-7): prepaid, the guest's money pays it; pay-at-hotel on a
  guaranteed booking, the hotel charged the guest and owes it to us. A prepaid guest's money
  beyond the fee is owed back (refunds payable). A provisional no-show posts nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.hotels.models import StayPosting
from services.payments.ledger import chart
from services.payments.ledger.balances import balance_of
from services.payments.ledger.postings import Kind, Leg, Posting, post, reverse
from services.payments.models import PayBooking, PayHotel
from shared.clock import clock
from shared.events.noshow import NoShowRecordedV1, StayCompletedV1
from shared.observability import get_logger

log = get_logger("payments.hotels.outcomes")

CANCELLED = "cancelled"
EVENTS_ACTOR = "payments-events"  # postings made from another service's event


def refunds_payable(booking_id: uuid.UUID) -> str:
    """What we owe one booking's guest back: one account per booking, so finance sees and
    pays exactly that guest's refund."""
    return chart.address("refunds_payable", booking_id)


def commission_of(room_revenue_minor: int, percent: Decimal) -> int:
    """PAY-4: the commission on a pay-at-hotel stay, rounded half up to the minor unit."""
    exact = Decimal(room_revenue_minor) * percent / Decimal(100)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def is_pay_at_hotel(payment_mode: str) -> bool:
    # Everything else (prepaid, corporate monthly) is money we collect and pay the hotel from.
    return payment_mode == "pay_at_hotel"


@dataclass(frozen=True)
class _Context:
    """What every posting of one outcome shares."""

    outcome: StayCompletedV1 | NoShowRecordedV1
    effective_on: date

    def posting(
        self, part: str, kind: Kind, legs: list[tuple[str, int]], memo: str
    ) -> Posting | None:
        """The part's posting, its zero legs left out; None when nothing is left to post."""
        o = self.outcome
        kept = [Leg(account=a, currency=o.currency, amount_minor=m) for a, m in legs if m]
        if len(kept) < 2:
            return None
        return Posting(
            idempotency_key=f"outcome:{o.booking_id}:{o.outcome_version}:{part}",
            kind=kind,
            legs=kept,
            booking_id=o.booking_id,
            booking_ref=o.booking_ref,
            hotel_id=o.hotel_id,
            memo=memo,
            effective_on=self.effective_on,
        )


async def _row(session: AsyncSession, booking_id: uuid.UUID, hotel_id: uuid.UUID) -> StayPosting:
    """The booking's row, locked: two outcomes of one booking apply one after the other."""
    fresh = dict(booking_id=booking_id, hotel_id=hotel_id, outcome_version=0, outcome="")
    await session.execute(
        insert(StayPosting)
        .values(**fresh, transaction_ids=[])
        .on_conflict_do_nothing(index_elements=["booking_id"])
    )
    row = await session.scalar(
        select(StayPosting)
        .where(StayPosting.booking_id == booking_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert row is not None
    return row


async def _reverse_current(
    session: AsyncSession, row: StayPosting, *, actor: str, why: str
) -> None:
    for transaction_id in row.transaction_ids:
        await reverse(session, transaction_id, actor=actor, memo=why)
    row.transaction_ids = []


async def _post_all(
    session: AsyncSession, postings: list[Posting | None], *, actor: str
) -> list[uuid.UUID]:
    posted = []
    for posting in postings:
        if posting is not None:
            posted.append((await post(session, posting, actor=actor)).transaction_id)
    return posted


async def _prepaid_stay(session: AsyncSession, ctx: _Context) -> list[uuid.UUID]:
    o = ctx.outcome
    assert isinstance(o, StayCompletedV1)
    revenue, net = o.room_revenue_minor, o.net_minor
    stay = ctx.posting(
        "stay",
        "stay_prepaid",
        [
            (chart.guest_receivable(o.booking_id), revenue),
            (chart.hotel_payable(o.hotel_id), -net),
            (chart.address("margin_revenue"), net - revenue),
        ],
        "prepaid stay: the hotel's net payable, our margin",
    )
    posted = await _post_all(session, [stay], actor=o.recorded_by)
    # PAY-3: a hotel holding our deposit is paid out of it first, never beyond its balance.
    deposit = await balance_of(session, chart.deposit_held(o.hotel_id), o.currency)
    drawn = min(net, deposit)
    if drawn > 0:
        legs = [(chart.hotel_payable(o.hotel_id), drawn), (chart.deposit_held(o.hotel_id), -drawn)]
        drawdown = ctx.posting("drawdown", "deposit_drawdown", legs, "paid from the deposit")
        posted += await _post_all(session, [drawdown], actor=o.recorded_by)
    return posted


async def _commission_stay(session: AsyncSession, ctx: _Context) -> list[uuid.UUID]:
    o = ctx.outcome
    assert isinstance(o, StayCompletedV1)
    hotel = await session.get(PayHotel, o.hotel_id)
    if hotel is None or hotel.commission_percent is None:
        log.warning("commission_terms_missing", booking_ref=o.booking_ref, hotel_id=str(o.hotel_id))
        return []
    commission = commission_of(o.room_revenue_minor, hotel.commission_percent)
    legs = [
        (chart.commission_receivable(o.hotel_id), commission),
        (chart.address("commission_revenue"), -commission),
    ]
    posting = ctx.posting("commission", "stay_commission", legs, "pay-at-hotel stay: commission")
    return await _post_all(session, [posting], actor=o.recorded_by)


async def _final_no_show(session: AsyncSession, ctx: _Context) -> list[uuid.UUID]:
    o = ctx.outcome
    assert isinstance(o, NoShowRecordedV1)
    fee, income = o.fee_minor, chart.address("no_show_fee_income")
    if is_pay_at_hotel(o.payment_mode):
        if not (fee and o.guaranteed):  # the hotel could charge the guest nothing
            return []
        legs = [(chart.no_show_fee_receivable(o.hotel_id), fee), (income, -fee)]
        charged = ctx.posting("fee", "no_show_fee", legs, "no-show fee the hotel charged")
        return await _post_all(session, [charged], actor=o.recorded_by)
    guest = chart.guest_receivable(o.booking_id)
    legs = [(guest, fee), (income, -fee)]
    posted = await _post_all(
        session, [ctx.posting("fee", "no_show_fee", legs, "no-show fee")], actor=o.recorded_by
    )
    # Whatever the guest paid beyond the fee is theirs again.
    credit = -await balance_of(session, guest, o.currency)
    if credit > 0:
        legs = [(guest, credit), (refunds_payable(o.booking_id), -credit)]
        refund = ctx.posting("refund", "refund_due", legs, "no-show: paid beyond the fee")
        posted += await _post_all(session, [refund], actor=o.recorded_by)
    return posted


def _outcome_name(outcome: StayCompletedV1 | NoShowRecordedV1) -> str:
    if isinstance(outcome, StayCompletedV1):
        return "stayed"
    return f"no_show_{outcome.stage}"


async def apply_stay_outcome(
    session: AsyncSession, outcome: StayCompletedV1 | NoShowRecordedV1
) -> None:
    """Post what the outcome means for the hotel and for us; a newer version replaces an
    older one's postings by reversing them (NS-3)."""
    row = await _row(session, outcome.booking_id, outcome.hotel_id)
    if outcome.outcome_version <= row.outcome_version:
        log.info("stay_outcome_stale", booking_ref=outcome.booking_ref,
                 version=outcome.outcome_version, applied=row.outcome_version)  # fmt: skip
        return
    booking = await session.get(PayBooking, outcome.booking_id)
    if row.outcome == CANCELLED or (booking is not None and booking.status == CANCELLED):
        log.info("stay_outcome_of_cancelled_booking", booking_ref=outcome.booking_ref)
        return
    await _reverse_current(
        session, row, actor=outcome.recorded_by,
        why=f"outcome {outcome.outcome_version} replaces {row.outcome_version}",
    )  # fmt: skip
    ctx = _Context(outcome, clock.local(outcome.recorded_at).date())
    posted: list[uuid.UUID] = []
    if isinstance(outcome, StayCompletedV1):
        stay = _commission_stay if is_pay_at_hotel(outcome.payment_mode) else _prepaid_stay
        posted = await stay(session, ctx)
    elif outcome.stage == "final":
        posted = await _final_no_show(session, ctx)
    row.outcome_version = outcome.outcome_version
    row.outcome = _outcome_name(outcome)
    row.transaction_ids = posted
    row.updated_at = clock.now()


async def on_booking_cancelled(session: AsyncSession, booking: PayBooking) -> None:
    """A cancelled booking: reverse what was posted for it, owe back what the guest paid.
    Exactly what was posted: the guest receivable's credit balance, nothing invented."""
    row = await _row(session, booking.booking_id, booking.hotel_id)
    await _reverse_current(session, row, actor=EVENTS_ACTOR, why="booking cancelled")
    row.outcome = CANCELLED
    row.updated_at = clock.now()
    guest = chart.guest_receivable(booking.booking_id)
    paid = -await balance_of(session, guest, booking.currency)
    if paid <= 0:
        return
    await post(
        session,
        Posting(
            idempotency_key=f"cancel:{booking.booking_id}:{booking.booking_version}",
            kind="refund_due",
            legs=[
                Leg(account=guest, currency=booking.currency, amount_minor=paid),
                Leg(
                    account=refunds_payable(booking.booking_id),
                    currency=booking.currency,
                    amount_minor=-paid,
                ),
            ],
            booking_id=booking.booking_id,
            booking_ref=booking.booking_ref,
            hotel_id=booking.hotel_id,
            memo="booking cancelled: what the guest paid is owed back",
        ),
        actor=EVENTS_ACTOR,
    )
