"""What hotels owe us, by age, and the chases for it (PAY-3).

A hotel owes commission (pay-at-hotel stays) and no-show fees it charged (NS-7). Each charge
ages from its transaction's ``effective_on``; what the hotel paid is applied to the oldest
charges first, so what is left open is the newest. A charge later reversed (an outcome
corrected, NS-3) and its reversal leave the list together. Rows come oldest first: the hotel
whose oldest open charge is oldest is chased first.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.payments.hotels.models import HotelChase
from services.payments.ledger.models import LedgerEntry, LedgerTransaction
from shared import audit
from shared.auth import Role, Staff, ensure_role
from shared.i18n import N_

RECEIVABLE_KINDS = ("commission_receivable", "no_show_fee_receivable")
# (label, first day, last day): the last bucket has no end.
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    (N_("0–30 days"), 0, 30),
    (N_("31–60 days"), 31, 60),
    (N_("61–90 days"), 61, 90),
    (N_("over 90 days"), 91, None),
)
CHANNELS = {"phone": N_("Phone"), "fax": N_("Fax"), "email": N_("E-mail")}


@dataclass
class Aging:
    """One hotel's open receivables in one currency."""

    hotel_id: uuid.UUID
    currency: str
    buckets: list[int] = field(default_factory=lambda: [0] * len(BUCKETS))
    oldest_on: date | None = None
    last_chase: HotelChase | None = None

    @property
    def total(self) -> int:
        return sum(self.buckets)


def bucket_of(age_days: int) -> int:
    for index, (_label, first, last) in enumerate(BUCKETS):
        if age_days >= first and (last is None or age_days <= last):
            return index
    return 0  # dated in the future: the youngest bucket


def open_items(charges: list[tuple[date, int]], paid: int) -> list[tuple[date, int]]:
    """The charges still open once ``paid`` is applied to the oldest first."""
    left = []
    for day, amount in sorted(charges):
        applied = min(paid, amount)
        paid -= applied
        if amount - applied:
            left.append((day, amount - applied))
    return left


def age(hotel_id: uuid.UUID, currency: str, items: list[tuple[date, int]], as_of: date) -> Aging:
    row = Aging(hotel_id, currency)
    for day, amount in items:
        row.buckets[bucket_of((as_of - day).days)] += amount
    row.oldest_on = min((day for day, _amount in items), default=None)
    return row


async def _entries(
    session: AsyncSession, hotel_id: uuid.UUID | None
) -> list[tuple[str, str, int, date]]:
    """Entries on the receivable accounts, without reversed transactions and their reversals."""
    reversal = aliased(LedgerTransaction)
    accounts = (
        [LedgerEntry.account == f"{kind}:{hotel_id}" for kind in RECEIVABLE_KINDS]
        if hotel_id
        else [LedgerEntry.account.startswith(f"{kind}:") for kind in RECEIVABLE_KINDS]
    )
    rows = await session.execute(
        select(
            LedgerEntry.account,
            LedgerEntry.currency,
            LedgerEntry.amount_minor,
            LedgerTransaction.effective_on,
        )
        .join(LedgerTransaction)
        .where(or_(*accounts), LedgerTransaction.reverses_id.is_(None))
        .where(
            ~select(reversal.transaction_id)
            .where(reversal.reverses_id == LedgerTransaction.transaction_id)
            .exists()
        )
    )
    return [(a, c, int(m), d) for a, c, m, d in rows]


async def aging(
    session: AsyncSession, as_of: date, *, hotel_id: uuid.UUID | None = None
) -> list[Aging]:
    """Open receivables per hotel and currency, oldest first, with each hotel's last chase."""
    charges: dict[tuple[uuid.UUID, str], list[tuple[date, int]]] = defaultdict(list)
    paid: dict[tuple[uuid.UUID, str], int] = defaultdict(int)
    for account, currency, amount, day in await _entries(session, hotel_id):
        key = (uuid.UUID(account.split(":", 1)[1]), currency)
        if amount > 0:
            charges[key].append((day, amount))
        else:
            paid[key] -= amount
    rows = []
    for key in charges.keys() | paid.keys():
        items = open_items(charges[key], paid[key])
        if items:
            rows.append(age(*key, items, as_of))
    chases = await last_chases(session, [row.hotel_id for row in rows])
    for row in rows:
        row.last_chase = chases.get(row.hotel_id)
    return sorted(rows, key=lambda r: (r.oldest_on or as_of, str(r.hotel_id), r.currency))


async def last_chases(
    session: AsyncSession, hotel_ids: list[uuid.UUID]
) -> dict[uuid.UUID, HotelChase]:
    if not hotel_ids:
        return {}
    found = await session.scalars(
        select(HotelChase)
        .where(HotelChase.hotel_id.in_(hotel_ids))
        .ext(distinct_on(HotelChase.hotel_id))
        .order_by(HotelChase.hotel_id, HotelChase.chased_on.desc(), HotelChase.created_at.desc())
    )
    return {chase.hotel_id: chase for chase in found}


async def chases_of(session: AsyncSession, hotel_id: uuid.UUID) -> list[HotelChase]:
    found = await session.scalars(
        select(HotelChase)
        .where(HotelChase.hotel_id == hotel_id)
        .order_by(HotelChase.chased_on.desc(), HotelChase.created_at.desc())
    )
    return list(found)


@dataclass(frozen=True)
class ChaseInput:
    chased_on: date
    channel: str
    note: str
    promised_on: date | None


async def record_chase(
    session: AsyncSession, hotel_id: uuid.UUID, chase: ChaseInput, staff: Staff
) -> HotelChase:
    """PAY-3: finance chased the hotel for what it owes; audited."""
    ensure_role(staff, Role.FINANCE)
    row = HotelChase(
        chase_id=uuid.uuid4(),
        hotel_id=hotel_id,
        chased_on=chase.chased_on,
        chased_by=staff.username,
        channel=chase.channel,
        note=chase.note,
        promised_on=chase.promised_on,
    )
    session.add(row)
    await session.flush()
    await audit.record(
        session, schema="payments", actor=staff, action="hotel_chased", entity="hotel",
        entity_id=hotel_id, after={"channel": chase.channel, "chased_on": str(chase.chased_on),
        "promised_on": str(chase.promised_on) if chase.promised_on else None, "note": chase.note},
    )  # fmt: skip
    return row
