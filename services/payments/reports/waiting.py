"""What is waiting for whom on the payments desk's home page (PAY-1 … PAY-5).

Each tile counts one feature package's rows in the states that wait for someone (slips,
statements, bank entries), or the ledger's balances and the expected payments.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from services.payments.bank.models import BankEntry
from services.payments.expected import ExpectedPayment
from services.payments.ledger import chart
from services.payments.ledger.models import LedgerEntry
from services.payments.settlement.models import SettlementStatement
from services.payments.slips.models import Slip
from shared.auth import Role, Staff
from shared.i18n import N_

DESK = frozenset({Role.COLLECT_DESK, Role.TEAM_LEAD, Role.FINANCE})


@dataclass(frozen=True)
class Tile:
    title: str  # N_(): translated when shown
    count: int
    href: str  # under the service's root
    amounts: dict[str, int] = field(default_factory=dict)  # currency -> minor units


@dataclass(frozen=True)
class Counter:
    """One tile: who sees it, where it links, and the model and states it counts."""

    title: str
    roles: frozenset[str]
    href: str
    state: InstrumentedAttribute[str]  # the model's state column
    states: tuple[str, ...]


# PAY-1, PAY-2: slips; PAY-5: statements and the bank. The states are those packages' own.
COUNTERS: tuple[Counter, ...] = (
    Counter(
        N_("Slips open"),
        frozenset({Role.COLLECT_DESK, Role.TEAM_LEAD}),
        "/slips",
        Slip.state,
        ("open",),
    ),
    Counter(
        N_("Slips awaiting a team lead's signature"),
        frozenset({Role.TEAM_LEAD, Role.COLLECT_DESK}),
        "/slips",
        Slip.state,
        ("submitted",),
    ),
    Counter(
        N_("Signed slips awaiting cash handover"),
        frozenset({Role.FINANCE, Role.COLLECT_DESK}),
        "/slips",
        Slip.state,
        ("signed",),
    ),
    Counter(
        N_("Statements in draft, awaiting approval"),
        frozenset({Role.FINANCE}),
        "/statements",
        SettlementStatement.state,
        ("draft",),
    ),
    Counter(
        N_("Approved statements awaiting payment or collection"),
        frozenset({Role.FINANCE}),
        "/statements",
        SettlementStatement.state,
        ("approved",),
    ),
    Counter(
        N_("Unmatched bank entries"),
        frozenset({Role.FINANCE}),
        "/bank",
        BankEntry.state,
        ("unmatched",),
    ),
)


async def _count(session: AsyncSession, counter: Counter) -> int:
    query = select(func.count()).where(counter.state.in_(counter.states))
    return int(await session.scalar(query) or 0)


async def _open_balances(
    session: AsyncSession, kind: str, account: str | None = None
) -> tuple[int, dict[str, int]]:
    """How many ``kind`` accounts (or just ``account``) hold money on their normal side, and
    how much per currency."""
    address = LedgerEntry.account
    query = select(address, LedgerEntry.currency, func.sum(LedgerEntry.amount_minor)).group_by(
        address, LedgerEntry.currency
    )
    if account is not None:
        query = query.where(address == account)
    else:
        query = query.where(address.startswith(f"{kind}:", autoescape=True))
    owing = [(a, c, chart.shown(a, int(t))) for a, c, t in await session.execute(query)]
    amounts: dict[str, int] = {}
    for _, currency, shown in owing:
        if shown > 0:
            amounts[currency] = amounts.get(currency, 0) + shown
    return len({a for a, _, shown in owing if shown > 0}), dict(sorted(amounts.items()))


async def waiting_for(session: AsyncSession, staff: Staff) -> list[Tile]:
    """The tiles ``staff``'s roles should see, in the order the work flows."""
    roles = frozenset(staff.roles)
    tiles: list[Tile] = []
    for counter in COUNTERS:
        if roles & counter.roles:
            tiles.append(Tile(counter.title, await _count(session, counter), counter.href))
    # PAY-2: cash still with the desk; the desk sees its own drawer, finance everybody's.
    own = None if roles & {Role.FINANCE, Role.TEAM_LEAD} else chart.cash_on_hand(staff.username)
    count, amounts = await _open_balances(session, "cash_on_hand", own)
    tiles.append(
        Tile(N_("Cash not yet handed to finance"), count, "/reports/balances#cash_on_hand", amounts)
    )
    count, amounts = await _open_balances(session, "refunds_payable")
    tiles.append(Tile(N_("Refunds due"), count, "/reports/balances#refunds_payable", amounts))
    if roles & {Role.FINANCE, Role.COLLECT_DESK}:
        tiles.append(await _expected_open(session))
    return tiles


async def _expected_open(session: AsyncSession) -> Tile:
    """PAY-5: money promised (a guest's transfer, a statement) not yet seen at the bank."""
    found = await session.execute(
        select(ExpectedPayment.currency, func.count(), func.sum(ExpectedPayment.amount_minor))
        .where(ExpectedPayment.status == "open")
        .group_by(ExpectedPayment.currency)
    )
    rows = [(str(currency), int(n), int(total)) for currency, n, total in found]
    return Tile(
        N_("Expected payments not yet seen at the bank"),
        sum(int(n) for _, n, _ in rows),
        "/bank",
        {currency: int(total) for currency, _, total in sorted(rows)},
    )
