"""A staged, checked sheet applied set-based (issue 19; HR-2, HR-4, HR-14).

``imports.staging`` left the sheet's good rows in ``contracts.import_night``, night by night.
Here, in the caller's one transaction: the sheet's hotels get their grid version bumped (in
hotel id order, the desk's lock order), one ``INSERT … SELECT … ON CONFLICT`` per table writes
every night (the latest sheet row of a night wins, as before), one audit row records the import
(the sheet itself stays in ``import_job``), and one ``contracts.rates_imported`` event per
hotel carries its nights to intake, which applies it in one statement per table.

The rows were checked by the staging statement with the rules of ``imports.sheet``; sell below
net is refused once more by the night_rate table's CHECK (HR-4).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.grid import version as grid
from services.contracts.settings import SCHEMA
from shared.audit import audit_table
from shared.auth import Staff
from shared.clock import clock
from shared.events import Payload
from shared.events.contracts import RatesImportedV1
from shared.events.outbox import publish_many

# Nights per event: a hotel's year of 5 room types is 3,650 values; a chain's 40 room types
# over 400 nights would be 32,000, so a hotel's nights are split past this many.
EVENT_NIGHTS = 20_000

# Hotels locked in id order before any night, as ``grid.touch`` does for one hotel.
_TOUCH_HOTELS = text(
    """
    WITH locked AS (
        SELECT hotel_id FROM contracts.hotel
        WHERE hotel_id IN (SELECT DISTINCT hotel_id FROM contracts.import_night
            WHERE job_id = :job_id)
        ORDER BY hotel_id FOR UPDATE
    )
    UPDATE contracts.hotel h SET grid_version = h.grid_version + 1, grid_changed_by = :actor,
        grid_changed_at = :now
    FROM locked WHERE h.hotel_id = locked.hotel_id
    """
)
# DISTINCT ON keeps the latest sheet row of each night (the highest seq); sorted by (owner,
# night), the lock order of the desk's edits.
_WRITE_ROOMS = text(
    """
    WITH chosen AS (
        SELECT DISTINCT ON (room_type_id, night) hotel_id, room_type_id, night, rooms
        FROM contracts.import_night WHERE job_id = :job_id AND rooms IS NOT NULL
        ORDER BY room_type_id, night, seq DESC
    ), written AS (
        INSERT INTO contracts.night_allotment (room_type_id, night, rooms)
        SELECT room_type_id, night, rooms FROM chosen
        ON CONFLICT (room_type_id, night) DO UPDATE SET rooms = EXCLUDED.rooms
    )
    SELECT hotel_id, room_type_id, array_agg(night ORDER BY night) AS nights,
        array_agg(rooms ORDER BY night) AS rooms
    FROM chosen GROUP BY hotel_id, room_type_id ORDER BY hotel_id, room_type_id
    """
)
_WRITE_PRICES = text(
    """
    WITH chosen AS (
        SELECT DISTINCT ON (rate_plan_id, night) hotel_id, room_type_id, rate_plan_id, currency,
            night, net_minor, sell_minor
        FROM contracts.import_night WHERE job_id = :job_id AND rate_plan_id IS NOT NULL
        ORDER BY rate_plan_id, night, seq DESC
    ), written AS (
        INSERT INTO contracts.night_rate (rate_plan_id, night, net_minor, sell_minor, currency)
        SELECT rate_plan_id, night, net_minor, sell_minor, currency FROM chosen
        ON CONFLICT (rate_plan_id, night) DO UPDATE SET net_minor = EXCLUDED.net_minor,
            sell_minor = EXCLUDED.sell_minor, currency = EXCLUDED.currency
    )
    SELECT hotel_id, room_type_id, rate_plan_id, min(currency) AS currency,
        array_agg(night ORDER BY night) AS nights, array_agg(net_minor ORDER BY night) AS net,
        array_agg(sell_minor ORDER BY night) AS sell
    FROM chosen GROUP BY hotel_id, room_type_id, rate_plan_id ORDER BY hotel_id, rate_plan_id
    """
)


async def apply_staged(
    session: AsyncSession, *, job_id: uuid.UUID, actor: Staff | str, rows: int, source: str
) -> int:
    """Write the job's checked nights, audit and announce them; returns ``rows``."""
    who = grid.actor_name(actor)
    params = {"job_id": job_id}
    await session.execute(_TOUCH_HOTELS, params | {"actor": who, "now": clock.now()})
    rooms = list((await session.execute(_WRITE_ROOMS, params)).all())
    prices = list((await session.execute(_WRITE_PRICES, params)).all())
    await _audit(session, who, job_id, source, rows, rooms, prices)
    await _announce(session, rooms, prices)
    return rows


async def _audit(
    session: AsyncSession,
    who: str,
    job_id: uuid.UUID,
    source: str,
    rows: int,
    rooms: list[Any],
    prices: list[Any],
) -> None:
    """One row for the import: what it set, by room type and rate plan (first and last
    night, how many nights); the sheet itself is kept in ``import_job`` under this id."""

    def spans(groups: list[Any], owner: str) -> dict[str, list[Any]]:
        return {
            str(getattr(g, owner)): [str(g.nights[0]), str(g.nights[-1]), len(g.nights)]
            for g in groups
        }

    after = {
        "source": source,
        "rows": rows,
        "hotels": len({g.hotel_id for g in rooms} | {g.hotel_id for g in prices}),
        "rooms_by_room_type": spans(rooms, "room_type_id"),
        "prices_by_rate_plan": spans(prices, "rate_plan_id"),
    }
    record = {
        "actor": who,
        "action": "import_sheet",
        "entity": "import_job",
        "entity_id": str(job_id),
        "before": None,
        "after": after,
    }
    await session.execute(insert(audit_table(SCHEMA)), [record])


def _events(rooms: list[Any], prices: list[Any]) -> list[Payload]:
    """One event per hotel (split past EVENT_NIGHTS nights), validated from plain dicts."""
    by_hotel: dict[uuid.UUID, list[tuple[str, dict[str, Any], int]]] = defaultdict(list)
    for g in rooms:
        entry = {"room_type_id": g.room_type_id, "nights": g.nights, "rooms": g.rooms}
        by_hotel[g.hotel_id].append(("allotments", entry, len(g.nights)))
    for g in prices:
        entry = {
            "rate_plan_id": g.rate_plan_id,
            "room_type_id": g.room_type_id,
            "currency": g.currency,
            "nights": g.nights,
            "net_minor": g.net,
            "sell_minor": g.sell,
        }
        by_hotel[g.hotel_id].append(("prices", entry, len(g.nights)))
    events: list[Payload] = []
    for hotel_id, entries in by_hotel.items():
        body: dict[str, Any] = {"hotel_id": hotel_id, "allotments": [], "prices": []}
        size = 0
        for kind, entry, nights in entries:
            if size and size + nights > EVENT_NIGHTS:
                events.append(RatesImportedV1.model_validate(body))
                body, size = {"hotel_id": hotel_id, "allotments": [], "prices": []}, 0
            body[kind].append(entry)
            size += nights
        events.append(RatesImportedV1.model_validate(body))
    return events


async def _announce(session: AsyncSession, rooms: list[Any], prices: list[Any]) -> None:
    """Into the outbox in the caller's transaction, numbered per hotel (issue 12)."""
    await publish_many(
        session, schema=SCHEMA, payloads=_events(rooms, prices), occurred_at=clock.now()
    )
