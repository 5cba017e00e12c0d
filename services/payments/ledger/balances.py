"""Balances, derived from the entries and never stored, and the checks finance can run.

``check`` is the ledger's proof of health: every transaction balances in each currency, and
the whole ledger (the trial balance) sums to zero per currency. The reports page shows it and
``roomline_ledger_unbalanced`` exposes it to Prometheus.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.ledger.models import LedgerEntry, LedgerTransaction


@dataclass(frozen=True)
class Balance:
    account: str
    currency: str
    balance_minor: int  # debits positive


async def balance_of(
    session: AsyncSession, account: str, currency: str, *, on: date | None = None
) -> int:
    statement = select(func.coalesce(func.sum(LedgerEntry.amount_minor), 0)).where(
        LedgerEntry.account == account, LedgerEntry.currency == currency
    )
    if on is not None:
        statement = statement.join(LedgerTransaction).where(LedgerTransaction.effective_on <= on)
    return int(await session.scalar(statement) or 0)


async def balances(session: AsyncSession, *, prefix: str | None = None) -> list[Balance]:
    """Every account's balance (only those starting with ``prefix`` when given)."""
    statement = select(
        LedgerEntry.account, LedgerEntry.currency, func.sum(LedgerEntry.amount_minor)
    ).group_by(LedgerEntry.account, LedgerEntry.currency)
    if prefix:
        statement = statement.where(LedgerEntry.account.startswith(prefix, autoescape=True))
    rows = await session.execute(statement.order_by(LedgerEntry.account, LedgerEntry.currency))
    return [Balance(account, currency, int(total)) for account, currency, total in rows]


@dataclass(frozen=True)
class LedgerCheck:
    unbalanced_transactions: int
    trial_balance_off: dict[str, int]  # currency -> sum of all entries, when not zero

    @property
    def healthy(self) -> bool:
        return not self.unbalanced_transactions and not self.trial_balance_off


async def check(session: AsyncSession) -> LedgerCheck:
    per_transaction = (
        select(LedgerEntry.transaction_id)
        .group_by(LedgerEntry.transaction_id, LedgerEntry.currency)
        .having(func.sum(LedgerEntry.amount_minor) != 0)
        .subquery()
    )
    unbalanced = await session.scalar(
        select(func.count(func.distinct(per_transaction.c.transaction_id)))
    )
    totals = await session.execute(
        select(LedgerEntry.currency, func.sum(LedgerEntry.amount_minor))
        .group_by(LedgerEntry.currency)
        .having(func.sum(LedgerEntry.amount_minor) != 0)
    )
    return LedgerCheck(int(unbalanced or 0), {c: int(t) for c, t in totals})
