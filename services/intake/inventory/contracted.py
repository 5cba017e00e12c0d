"""Which nights each hotel may be sold on: those inside a signed contract (HR-3).

Fed by ``contracts.contract_effective``. A hotel whose contract is still waiting for the
director's signature has no row here, so none of its nights are offered or booked, whatever
prices and allotments hotel resources has already loaded.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.inventory.models import hotel_contract
from shared.errors import RuleViolated
from shared.events import Envelope
from shared.events.contracts import ContractEffectiveV1

RULE = "HR-3"


Ranges = dict[uuid.UUID, list[tuple[date, date]]]


async def on_contract_effective(session: AsyncSession, envelope: Envelope) -> None:
    event = envelope.parse()
    assert isinstance(event, ContractEffectiveV1)
    # Only what this projection keeps: the event gains terms for other desks (issue 16).
    values = event.model_dump(include={column.name for column in hotel_contract.c})
    statement = insert(hotel_contract).values(**values)
    # A supplement carries the full amended terms; an older version arriving late is ignored.
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["contract_id"],
            set_={key: statement.excluded[key] for key in values if key != "contract_id"},
            where=hotel_contract.c.version_no <= statement.excluded.version_no,
        )
    )


async def contracted_ranges(session: AsyncSession, hotel_ids: list[uuid.UUID]) -> Ranges:
    rows = await session.execute(
        select(
            hotel_contract.c.hotel_id, hotel_contract.c.valid_from, hotel_contract.c.valid_to
        ).where(hotel_contract.c.hotel_id.in_(hotel_ids))
    )
    ranges: Ranges = {}
    for row in rows:
        ranges.setdefault(row.hotel_id, []).append((row.valid_from, row.valid_to))
    return ranges


def uncovered(ranges: list[tuple[date, date]], nights: list[date]) -> list[date]:
    return [n for n in nights if not any(first <= n <= last for first, last in ranges)]


def phrase(missing: list[date]) -> str:
    """How agents read it when some nights of a stay lie outside every signed contract."""
    shown = ", ".join(str(n) for n in missing[:3]) + (" …" if len(missing) > 3 else "")
    return f"no signed contract for {shown}"


async def ensure_contracted(
    session: AsyncSession, *, hotel_id: uuid.UUID, nights: list[date]
) -> None:
    """Refuse a booking on nights no signed contract covers; writes nothing."""
    ranges = await contracted_ranges(session, [hotel_id])
    refuse_uncovered(ranges.get(hotel_id, []), nights)


def refuse_uncovered(ranges: list[tuple[date, date]], nights: list[date]) -> None:
    """HR-3 on ranges already read: refuse naming the nights no signed contract covers."""
    if missing := uncovered(ranges, nights):
        found = phrase(missing)
        raise RuleViolated(found[:1].upper() + found[1:], rule=RULE, field="check_in")
