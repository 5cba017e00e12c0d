"""What the hotels pages read (PAY-3, PAY-4, PAY-6): every hotel's balances and aging, one
hotel's ledger, and one booking's transactions (the drill-down from a hotel's ledger)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.hotels import aging as aging_
from services.payments.hotels.models import HotelChase
from services.payments.hotels.outcomes import refunds_payable
from services.payments.ledger import chart
from services.payments.ledger.balances import balance_of, balances
from services.payments.ledger.models import LedgerEntry, LedgerTransaction
from services.payments.models import PayBooking, PayHotel
from shared.i18n import N_

# The ledger's transaction kinds as finance reads them.
KIND_LABELS = {
    "payment_taken": N_("Payment taken"),
    "cash_handover": N_("Cash handed to finance"),
    "stay_prepaid": N_("Prepaid stay"),
    "stay_commission": N_("Commission on a stay"),
    "no_show_fee": N_("No-show fee"),
    "refund_due": N_("Refund due"),
    "refund_paid": N_("Refund paid"),
    "deposit_paid": N_("Deposit paid"),
    "deposit_drawdown": N_("Paid from the deposit"),
    "settlement_paid": N_("Settlement paid"),
    "settlement_collected": N_("Settlement collected"),
    "bank_receipt": N_("Bank receipt"),
    "adjustment": N_("Adjustment"),
    "reversal": N_("Reversal"),
}
HOTEL_KINDS = ("hotel_payable", "commission_receivable", "no_show_fee_receivable", "deposit_held")


@dataclass
class HotelLine:
    """One hotel and currency on the hotels page, amounts as finance reads them."""

    hotel_id: uuid.UUID
    name: str
    currency: str
    payable: int = 0
    receivable: int = 0
    deposit: int = 0
    aging: aging_.Aging | None = None
    last_chase: HotelChase | None = None


async def hotel_lines(session: AsyncSession, as_of: date) -> list[HotelLine]:
    """Every hotel with a balance or a contract, owing us the oldest first."""
    names = {h.hotel_id: h for h in await session.scalars(select(PayHotel))}
    lines: dict[tuple[uuid.UUID, str], HotelLine] = {}

    def line(hotel_id: uuid.UUID, currency: str) -> HotelLine:
        hotel = names.get(hotel_id)
        key = (hotel_id, currency)
        if key not in lines:
            lines[key] = HotelLine(hotel_id, hotel.name if hotel else "", currency)
        return lines[key]

    for kind in HOTEL_KINDS:
        for found in await balances(session, prefix=f"{kind}:"):
            here = line(uuid.UUID(found.account.split(":", 1)[1]), found.currency)
            shown = chart.shown(found.account, found.balance_minor)
            if kind == "hotel_payable":
                here.payable += shown
            elif kind == "deposit_held":
                here.deposit += shown
            else:
                here.receivable += shown
    for row in await aging_.aging(session, as_of):
        here = line(row.hotel_id, row.currency)
        here.aging, here.last_chase = row, row.last_chase
    for hotel in names.values():
        if not any(key[0] == hotel.hotel_id for key in lines):
            line(hotel.hotel_id, hotel.currency)
    oldest = {id(r.aging): r.aging.oldest_on for r in lines.values() if r.aging}
    return sorted(
        lines.values(),
        key=lambda r: (oldest.get(id(r.aging)) or date.max, r.name, str(r.hotel_id)),
    )


@dataclass(frozen=True)
class LedgerLine:
    effective_on: date
    posted_at: datetime
    kind: str
    account: str
    account_label: str
    currency: str
    amount_minor: int  # debits positive
    booking_ref: str | None
    memo: str


@dataclass
class HotelLedger:
    hotel_id: uuid.UUID
    hotel: PayHotel | None
    lines: list[LedgerLine]
    name: str = ""
    totals: dict[tuple[str, str], int] = field(default_factory=dict)  # (label, currency) -> shown


async def hotel_ledger(
    session: AsyncSession, hotel_id: uuid.UUID, *, limit: int = 500
) -> HotelLedger:
    """The entries on the hotel's accounts, newest first (a page's worth)."""
    accounts = [chart.address(kind, hotel_id) for kind in HOTEL_KINDS]
    rows = await session.execute(
        select(LedgerEntry, LedgerTransaction)
        .join(LedgerTransaction)
        .where(LedgerEntry.account.in_(accounts))
        .order_by(LedgerTransaction.effective_on.desc(), LedgerEntry.entry_id.desc())
        .limit(limit)
    )
    lines = [
        LedgerLine(
            effective_on=t.effective_on,
            posted_at=t.posted_at,
            kind=t.kind,
            account=e.account,
            account_label=chart.kind_of(e.account).label,
            currency=e.currency,
            amount_minor=e.amount_minor,
            booking_ref=t.booking_ref,
            memo=t.memo,
        )
        for e, t in rows
    ]
    hotel = await session.get(PayHotel, hotel_id)
    ledger = HotelLedger(hotel_id, hotel, lines, (hotel.name if hotel else "") or str(hotel_id))
    for account in accounts:
        for found in await balances(session, prefix=account):
            if found.account == account:
                label = chart.kind_of(account).label
                ledger.totals[(label, found.currency)] = chart.shown(account, found.balance_minor)
    return ledger


@dataclass(frozen=True)
class TransactionView:
    transaction: LedgerTransaction
    legs: list[LedgerEntry]


@dataclass
class BookingLedger:
    booking: PayBooking | None
    booking_ref: str
    transactions: list[TransactionView]
    guest_balance: int = 0  # debits positive: what the guest still owes us
    refund_owed: int = 0
    currency: str = ""
    reversed_ids: set[uuid.UUID] = field(default_factory=set)


async def booking_ledger(session: AsyncSession, booking_ref: str) -> BookingLedger:
    """PAY-6's drill-down: every transaction of the booking, with its legs."""
    booking = await session.scalar(select(PayBooking).where(PayBooking.booking_ref == booking_ref))
    match = [LedgerTransaction.booking_ref == booking_ref]
    if booking is not None:
        match.append(LedgerTransaction.booking_id == booking.booking_id)
    found = list(
        await session.scalars(
            select(LedgerTransaction)
            .where(or_(*match))
            .order_by(LedgerTransaction.posted_at, LedgerTransaction.idempotency_key)
        )
    )
    legs: dict[uuid.UUID, list[LedgerEntry]] = defaultdict(list)
    if found:
        entries = await session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.transaction_id.in_([t.transaction_id for t in found]))
            .order_by(LedgerEntry.entry_id)
        )
        for entry in entries:
            legs[entry.transaction_id].append(entry)
    view = BookingLedger(
        booking, booking_ref, [TransactionView(t, legs[t.transaction_id]) for t in found]
    )
    view.reversed_ids = {t.reverses_id for t in found if t.reverses_id}
    if booking is not None:
        view.currency = booking.currency
        guest = chart.guest_receivable(booking.booking_id)
        view.guest_balance = await balance_of(session, guest, booking.currency)
        refunds = refunds_payable(booking.booking_id)
        view.refund_owed = -await balance_of(session, refunds, booking.currency)
    return view


def account_label(address: str) -> str:
    """The account's kind as finance reads it (untranslated: the page translates it)."""
    return chart.kind_of(address).label
