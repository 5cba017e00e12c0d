"""The ledger's health for Prometheus: ``roomline_ledger_unbalanced_transactions``.

``refresh`` runs ``ledger.balances.check``; the app calls it when /metrics is scraped (like the
confirmation desk's gauges), and the reports and home pages call it whenever they show the
check, so the gauge never says less than a page does. An alert fires on any value above 0:
the database's triggers should make it impossible, so a non-zero value means they were bypassed.
"""

from __future__ import annotations

from prometheus_client import Gauge
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.ledger.balances import LedgerCheck, check

UNBALANCED = Gauge(
    "roomline_ledger_unbalanced_transactions",
    "Ledger transactions whose entries do not sum to zero in a currency (should be 0)",
)
TRIAL_BALANCE_OFF = Gauge(
    "roomline_ledger_trial_balance_off_currencies",
    "Currencies in which the whole ledger does not sum to zero (should be 0)",
)


def publish(result: LedgerCheck) -> LedgerCheck:
    UNBALANCED.set(result.unbalanced_transactions)
    TRIAL_BALANCE_OFF.set(len(result.trial_balance_off))
    return result


async def ledger_check(session: AsyncSession) -> LedgerCheck:
    """The ledger's check, published to the gauges on the way."""
    return publish(await check(session))


async def refresh(session: AsyncSession) -> None:
    await ledger_check(session)
