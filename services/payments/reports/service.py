"""PAY-6: the desk's weekly summary and the balances by account, read from the ledger only.

Every figure comes from ledger transactions (``kind``, ``posted_by``, ``effective_on``) and
their entries, so the reports can never disagree with the books. A reversal counts against the
kind it reverses: a payment taken and reversed in the same week nets to nothing. A week is
Monday to Sunday by business date (Asia/Shanghai, ``shared.clock``).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import BigInteger, and_, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.payments.ledger import chart
from services.payments.ledger.models import LedgerEntry, LedgerTransaction
from services.payments.models import PayBooking, PayHotel
from shared.clock import clock
from shared.i18n import N_

# What the desk calls each ledger kind (services.payments.ledger.postings.Kind).
KIND_TITLES: dict[str, str] = {
    "payment_taken": N_("Payments taken"),
    "cash_handover": N_("Cash handed to finance"),
    "stay_prepaid": N_("Prepaid stays"),
    "stay_commission": N_("Commission on pay-at-hotel stays"),
    "no_show_fee": N_("No-show fees"),
    "refund_due": N_("Refunds due"),
    "refund_paid": N_("Refunds paid"),
    "deposit_paid": N_("Deposits placed"),
    "deposit_drawdown": N_("Deposit draw-downs"),
    "settlement_paid": N_("Settlements paid"),
    "settlement_collected": N_("Settlements collected"),
    "settlement_netting": N_("Statements netted"),
    "bank_receipt": N_("Bank receipts"),
    "adjustment": N_("Manual adjustments"),
    "reversal": N_("Reversals"),
}
# PAY-1: how the money was taken is the account it went into.
METHODS: dict[str, str] = {
    "cash_on_hand": N_("Cash"),
    "card_clearing": N_("Card"),
    "bank": N_("Bank transfer"),
}
PAYMENT_KINDS = ("payment_taken", "bank_receipt")


def week_of(day: date | None = None) -> tuple[date, date]:
    """The Monday starting the week of ``day`` (today by default) and the Monday after."""
    day = day or clock.today()
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=7)


@dataclass(frozen=True)
class MethodRow:
    method: str  # an account kind of METHODS
    currency: str
    count: int  # payments, less those reversed
    amount_minor: int


@dataclass(frozen=True)
class KindRow:
    kind: str
    count: int
    volume: dict[str, int]  # currency -> the transactions' debits


@dataclass(frozen=True)
class WeeklySummary:
    first: date
    following: date  # the Monday after
    payments: list[MethodRow]
    cash_handed_over: dict[str, int]
    refunds_due: dict[str, int]
    refunds_paid: dict[str, int]
    settlements_paid: dict[str, int]
    settlements_collected: dict[str, int]
    kinds: list[KindRow]
    people: list[tuple[str, int]]  # who posted, how many transactions
    slips_signed: int | None = None  # None: the slips' tables are not there to count

    @property
    def last(self) -> date:
        return self.following - timedelta(days=1)

    @property
    def busiest(self) -> int:
        return max((row.count for row in self.kinds), default=0)


def _in_week(first: date, following: date) -> tuple[object, ...]:
    return (
        LedgerTransaction.effective_on >= first,
        LedgerTransaction.effective_on < following,
    )


async def _legs_by_effective_kind(
    session: AsyncSession, first: date, following: date
) -> dict[tuple[str, str, str], tuple[int, int]]:
    """(kind, account kind, currency) -> (net transactions, net amount). A reversal's legs
    and count go against the kind of the transaction it reverses."""
    original = aliased(LedgerTransaction)
    kind = func.coalesce(original.kind, LedgerTransaction.kind)
    sign = case((LedgerTransaction.reverses_id.is_(None), 1), else_=-1)
    account_kind = func.split_part(LedgerEntry.account, ":", 1)
    rows = await session.execute(
        select(
            kind,
            account_kind,
            LedgerEntry.currency,
            func.count(func.distinct(LedgerTransaction.transaction_id)),
            func.sum(LedgerEntry.amount_minor),
            func.min(sign),
        )
        .join(LedgerTransaction, LedgerEntry.transaction_id == LedgerTransaction.transaction_id)
        .outerjoin(original, original.transaction_id == LedgerTransaction.reverses_id)
        .where(*_in_week(first, following))  # type: ignore[arg-type]
        .group_by(kind, account_kind, LedgerEntry.currency, sign)
    )
    found: dict[tuple[str, str, str], tuple[int, int]] = defaultdict(lambda: (0, 0))
    for kind_, account, currency, count, total, signed in rows:
        was = found[(kind_, account, currency)]
        found[(kind_, account, currency)] = (was[0] + signed * count, was[1] + int(total))
    return found


def _side(
    legs: dict[tuple[str, str, str], tuple[int, int]], kind: str, account: str, sign: int
) -> dict[str, int]:
    """Per currency, what ``kind`` moved on ``account`` (``sign`` -1 reads credits)."""
    return {
        currency: sign * total
        for (k, a, currency), (_, total) in sorted(legs.items())
        if k == kind and a == account and total
    }


async def _kinds(session: AsyncSession, first: date, following: date) -> list[KindRow]:
    debits = func.sum(case((LedgerEntry.amount_minor > 0, LedgerEntry.amount_minor), else_=0))
    rows = await session.execute(
        select(
            LedgerTransaction.kind,
            LedgerEntry.currency,
            func.count(func.distinct(LedgerTransaction.transaction_id)),
            cast(debits, BigInteger),
        )
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.transaction_id)
        .where(*_in_week(first, following))  # type: ignore[arg-type]
        .group_by(LedgerTransaction.kind, LedgerEntry.currency)
    )
    count_rows = await session.execute(
        select(LedgerTransaction.kind, func.count())
        .where(*_in_week(first, following))  # type: ignore[arg-type]
        .group_by(LedgerTransaction.kind)
    )
    counts = {str(kind): int(n) for kind, n in count_rows}
    volume: dict[str, dict[str, int]] = defaultdict(dict)
    for kind, currency, _, total in rows:
        volume[kind][currency] = int(total)
    ordered = sorted(
        counts, key=lambda k: (list(KIND_TITLES).index(k) if k in KIND_TITLES else 99, k)
    )
    return [KindRow(k, int(counts[k]), dict(sorted(volume[k].items()))) for k in ordered]


async def weekly_summary(session: AsyncSession, day: date | None = None) -> WeeklySummary:
    """PAY-6: the week of ``day``: payments by method and currency, cash handed over,
    refunds, settlements and every posting by kind and by person."""
    first, following = week_of(day)
    legs = await _legs_by_effective_kind(session, first, following)
    payments = [
        MethodRow(account, currency, count, total)
        for (kind, account, currency), (count, total) in sorted(legs.items())
        if kind in PAYMENT_KINDS and account in METHODS and (count or total)
    ]
    people = await session.execute(
        select(LedgerTransaction.posted_by, func.count())
        .where(*_in_week(first, following))  # type: ignore[arg-type]
        .group_by(LedgerTransaction.posted_by)
        .order_by(func.count().desc(), LedgerTransaction.posted_by)
    )
    return WeeklySummary(
        first=first,
        following=following,
        payments=_merge_methods(payments),
        cash_handed_over=_side(legs, "cash_handover", "cash_with_finance", 1),
        refunds_due=_side(legs, "refund_due", "refunds_payable", -1),
        refunds_paid=_side(legs, "refund_paid", "refunds_payable", 1),
        settlements_paid=_side(legs, "settlement_paid", "bank", -1),
        settlements_collected=_side(legs, "settlement_collected", "bank", 1),
        kinds=await _kinds(session, first, following),
        people=[(str(who), int(n)) for who, n in people],
        slips_signed=await _slips_signed(session, first, following),
    )


async def _slips_signed(session: AsyncSession, first: date, following: date) -> int | None:
    """PAY-1: slips a team lead signed in the week (by Beijing time); ``None`` while the
    slips package has no table to count."""
    try:
        from services.payments.slips.models import Slip
    except ImportError:
        return None
    signed = await session.scalar(
        select(func.count())
        .select_from(Slip)
        .where(
            Slip.signed_at >= clock.start_of_local_day(first),
            Slip.signed_at < clock.start_of_local_day(following),
        )
    )
    return int(signed or 0)


def _merge_methods(rows: list[MethodRow]) -> list[MethodRow]:
    """Cash first, then card, then bank; payments and bank receipts by the same method and
    currency are one row."""
    merged: dict[tuple[str, str], tuple[int, int]] = defaultdict(lambda: (0, 0))
    for row in rows:
        count, total = merged[(row.method, row.currency)]
        merged[(row.method, row.currency)] = (count + row.count, total + row.amount_minor)
    order = list(METHODS)
    return [
        MethodRow(method, currency, count, total)
        for (method, currency), (count, total) in sorted(
            merged.items(), key=lambda item: (order.index(item[0][0]), item[0][1])
        )
    ]


@dataclass(frozen=True)
class AccountRow:
    account: str
    party: str  # what the address names: a hotel's or booking's name where known
    currency: str
    shown_minor: int  # on the account's normal side (chart.shown)


@dataclass
class AccountGroup:
    kind: str
    title: str
    side: str
    rows: list[AccountRow] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)


async def balances_by_account(session: AsyncSession, on: date | None = None) -> list[AccountGroup]:
    """Every account with a balance (as of the end of ``on`` when given), grouped by the
    chart's kinds in chart order, each balance read on its normal side."""
    query = select(
        LedgerEntry.account, LedgerEntry.currency, func.sum(LedgerEntry.amount_minor)
    ).group_by(LedgerEntry.account, LedgerEntry.currency)
    if on is not None:
        query = query.join(LedgerTransaction).where(LedgerTransaction.effective_on <= on)
    rows = [(a, c, int(t)) for a, c, t in await session.execute(query) if t]
    names = await _party_names(session, [a for a, _, _ in rows])
    groups: dict[str, AccountGroup] = {}
    for account, currency, total in sorted(rows):
        kind = chart.kind_of(account)
        group = groups.setdefault(kind.code, AccountGroup(kind.code, kind.label, kind.side))
        party = account.partition(":")[2]
        shown = chart.shown(account, total)
        group.rows.append(AccountRow(account, names.get(party, party), currency, shown))
        group.totals[currency] = group.totals.get(currency, 0) + shown
    order = list(chart.KINDS)
    return sorted(groups.values(), key=lambda g: order.index(g.kind))


async def _party_names(session: AsyncSession, accounts: list[str]) -> dict[str, str]:
    """Hotels by name and bookings by reference, for the parties that are ids."""
    ids: set[uuid.UUID] = set()
    for account in accounts:
        try:
            ids.add(uuid.UUID(account.partition(":")[2]))
        except ValueError:
            continue  # a staff member's user name, or no party
    if not ids:
        return {}
    hotels = await session.execute(
        select(PayHotel.hotel_id, PayHotel.name).where(
            and_(PayHotel.hotel_id.in_(ids), PayHotel.name != "")
        )
    )
    bookings = await session.execute(
        select(PayBooking.booking_id, PayBooking.booking_ref).where(PayBooking.booking_id.in_(ids))
    )
    return {str(i): str(n) for i, n in [*hotels, *bookings]}
