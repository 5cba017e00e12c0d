"""What a month of a hotel's accounts says, read from the ledger (PAY-4, PAY-5).

A statement's lines are the ledger transactions that moved the hotel's accounts in the month
(``effective_on``), one line each, each account's movement on its normal side. Left out: the
settlement's own money (``settlement_paid``, ``settlement_collected``, ``settlement_netting``),
deposits placed with the hotel (``deposit_paid``: not part of the month's business) and the
reversals of those; and any transaction already on a settled statement, so a revision after
settlement carries only what came later and nothing is paid or collected twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.payments.ledger import chart
from services.payments.ledger.models import LedgerEntry, LedgerTransaction
from services.payments.settlement.models import SettlementLine, SettlementStatement

HOTEL_ACCOUNTS = (
    "hotel_payable",
    "commission_receivable",
    "no_show_fee_receivable",
    "deposit_held",
)
NOT_ON_STATEMENT = ("settlement_paid", "settlement_collected", "settlement_netting", "deposit_paid")


@dataclass(frozen=True)
class LineData:
    transaction_id: uuid.UUID
    effective_on: date
    kind: str
    booking_ref: str | None
    memo: str
    payable_minor: int = 0  # credits to hotel_payable (we owe more)
    commission_minor: int = 0  # debits to commission_receivable (the hotel owes more)
    no_show_fee_minor: int = 0
    deposit_minor: int = 0  # credits to deposit_held (deposit drawn)


@dataclass(frozen=True)
class Totals:
    payables_minor: int
    commission_minor: int
    no_show_fee_minor: int
    deposit_drawn_minor: int
    net_minor: int

    @property
    def receivables_minor(self) -> int:
        return self.commission_minor + self.no_show_fee_minor


class LinesDoNotAddUp(AssertionError):
    """The lines and the totals disagree: a bug, never a statement to show."""


def totals_of(lines: list[LineData]) -> Totals:
    """The statement's totals from its lines. A draw-down line (it touches the deposit) moves
    the payable into the deposit, so its payable leg counts as deposit drawn, not as payables;
    the net is what we still owe after the deposit and the hotel's debts."""
    drawdowns = [line for line in lines if line.deposit_minor]
    for line in drawdowns:
        if line.payable_minor != -line.deposit_minor:
            raise LinesDoNotAddUp(f"draw-down {line.transaction_id} does not match its payable")
    totals = Totals(
        payables_minor=sum(line.payable_minor for line in lines if not line.deposit_minor),
        commission_minor=sum(line.commission_minor for line in lines),
        no_show_fee_minor=sum(line.no_show_fee_minor for line in lines),
        deposit_drawn_minor=sum(line.deposit_minor for line in lines),
        net_minor=sum(
            line.payable_minor - line.commission_minor - line.no_show_fee_minor for line in lines
        ),
    )
    expected_net = totals.payables_minor - totals.deposit_drawn_minor - totals.receivables_minor
    if totals.net_minor != expected_net:
        raise LinesDoNotAddUp(f"net {totals.net_minor} is not {expected_net}")
    return totals


def _addresses(hotel_id: uuid.UUID) -> dict[str, str]:
    return {chart.address(kind, hotel_id): kind for kind in HOTEL_ACCOUNTS}


def _on_statement(first: date, following: date) -> Select[Any]:
    """Transactions of the month a statement may list (see the module's docstring)."""
    reversed_ = aliased(LedgerTransaction)
    return (
        select(LedgerTransaction.transaction_id)
        .outerjoin(reversed_, reversed_.transaction_id == LedgerTransaction.reverses_id)
        .where(
            LedgerTransaction.effective_on >= first,
            LedgerTransaction.effective_on < following,
            LedgerTransaction.kind.not_in(NOT_ON_STATEMENT),
            or_(reversed_.kind.is_(None), reversed_.kind.not_in(NOT_ON_STATEMENT)),
        )
    )


async def month_lines(
    session: AsyncSession, hotel_id: uuid.UUID, currency: str, first: date, following: date
) -> list[LineData]:
    """One line per transaction of the hotel's accounts in ``[first, following)`` not yet on
    a settled statement, oldest first."""
    addresses = _addresses(hotel_id)
    settled = (
        select(SettlementLine.transaction_id)
        .join(SettlementStatement)
        .where(
            SettlementStatement.hotel_id == hotel_id,
            SettlementStatement.currency == currency,
            SettlementStatement.state == "settled",
        )
    )
    rows = await session.execute(
        select(
            LedgerTransaction.transaction_id,
            LedgerTransaction.effective_on,
            LedgerTransaction.kind,
            LedgerTransaction.booking_ref,
            LedgerTransaction.memo,
            LedgerEntry.account,
            LedgerEntry.amount_minor,
        )
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.transaction_id)
        .where(
            LedgerEntry.account.in_(addresses),
            LedgerEntry.currency == currency,
            LedgerTransaction.transaction_id.in_(_on_statement(first, following)),
            LedgerTransaction.transaction_id.not_in(settled),
        )
        # Within a day, in the order they were posted (entry ids grow with each insert).
        .order_by(LedgerTransaction.effective_on, LedgerEntry.entry_id)
    )
    lines: dict[uuid.UUID, dict[str, int]] = {}
    facts: dict[uuid.UUID, tuple[date, str, str | None, str]] = {}
    for tx_id, on, kind, ref, memo, account, amount in rows:
        facts.setdefault(tx_id, (on, kind, ref, memo))
        moved = lines.setdefault(tx_id, dict.fromkeys(HOTEL_ACCOUNTS, 0))
        moved[addresses[account]] += int(amount)
    return [
        LineData(
            transaction_id=tx_id,
            effective_on=facts[tx_id][0],
            kind=facts[tx_id][1],
            booking_ref=facts[tx_id][2],
            memo=facts[tx_id][3],
            payable_minor=-moved["hotel_payable"],
            commission_minor=moved["commission_receivable"],
            no_show_fee_minor=moved["no_show_fee_receivable"],
            deposit_minor=-moved["deposit_held"],
        )
        for tx_id, moved in lines.items()
    ]


async def active_hotels(
    session: AsyncSession, first: date, following: date
) -> list[tuple[uuid.UUID, str]]:
    """Every (hotel, currency) whose accounts moved in the month on a statement's business."""
    kind = func.split_part(LedgerEntry.account, ":", 1)
    party = func.split_part(LedgerEntry.account, ":", 2)
    rows = await session.execute(
        select(party, LedgerEntry.currency)
        .distinct()
        .where(
            and_(kind.in_(HOTEL_ACCOUNTS), party != ""),
            LedgerEntry.transaction_id.in_(_on_statement(first, following)),
        )
        .order_by(party, LedgerEntry.currency)
    )
    found = []
    for text_id, currency in rows:
        try:
            found.append((uuid.UUID(text_id), currency))
        except ValueError:
            continue  # a party that is no hotel id: not a hotel's account
    return found
