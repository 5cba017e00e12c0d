"""A rate sheet's nights of one hotel (``contracts.rates_imported``, issue 19) in one statement
per table.

Same rules as the per-night handlers (``projection``): every row is guarded by the hotel's event
version, so an older event never overwrites a newer value whichever arrives first (issue 12,
``shared.events.ordering``); an allotment never drops below what is already sold (IN-4: rooms
sold stay sold, the night is simply full and the clamp is logged for the desk, CF-3); rows go
in sorted by (room type, night), a booking's lock order. A redelivered event never reaches
here (the inbox of ``shared.events.consumer``).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.inventory.projection import UPSERT_PRICES
from shared.events import Envelope
from shared.events.contracts import RatesImportedV1
from shared.events.ordering import is_newer_sql, source_version
from shared.observability import get_logger

log = get_logger("intake.inventory.bulk")

# ON CONFLICT cannot touch a row twice in one statement: contracts sends each night once per
# room type (DISTINCT ON), and DISTINCT ON here keeps that true for any publisher.
_ALLOTMENTS = text(
    f"""
    WITH given AS (
        SELECT DISTINCT ON (room_type_id, night) room_type_id, night, rooms
        FROM unnest(CAST(:room_types AS uuid[]), CAST(:nights AS date[]),
            CAST(:rooms AS integer[])) AS g(room_type_id, night, rooms)
        ORDER BY room_type_id, night
    ), written AS (
        INSERT INTO intake.inventory_night AS inv (room_type_id, night, hotel_id, allotment,
            sold, occurred_at, source_version, updated_at)
        SELECT room_type_id, night, :hotel_id, GREATEST(rooms, 0), 0, :occurred_at,
            :source_version, now()
        FROM given ORDER BY room_type_id, night
        ON CONFLICT (room_type_id, night) DO UPDATE
        SET allotment = GREATEST(EXCLUDED.allotment, inv.sold),
            hotel_id = EXCLUDED.hotel_id,
            occurred_at = EXCLUDED.occurred_at,
            source_version = EXCLUDED.source_version,
            updated_at = now()
        WHERE {is_newer_sql("EXCLUDED.source_version", "inv.source_version")}
        RETURNING inv.room_type_id, inv.night, inv.allotment, inv.sold
    )
    SELECT (SELECT count(*) FROM written) AS applied,
        (SELECT json_agg(json_build_object('room_type_id', w.room_type_id, 'night', w.night,
            'asked', g.rooms, 'sold', w.sold, 'allotment', w.allotment))
         FROM written w JOIN given g USING (room_type_id, night)
         WHERE w.allotment <> g.rooms) AS clamped
    """
)


async def on_rates_imported(session: AsyncSession, envelope: Envelope) -> None:
    """A sheet's allotments and prices of one hotel, each table in one statement."""
    event = envelope.parse()
    assert isinstance(event, RatesImportedV1)
    common = {
        "hotel_id": event.hotel_id,
        "occurred_at": envelope.occurred_at,
        "source_version": source_version(envelope),
    }
    if event.allotments:
        await _allotments(session, event, common)
    if event.prices:
        await session.execute(UPSERT_PRICES, common | _price_arrays(event))


async def _allotments(session: AsyncSession, event: RatesImportedV1, common: dict) -> None:
    room_types, nights, rooms = [], [], []
    for entry in event.allotments:
        room_types += [entry.room_type_id] * len(entry.nights)
        nights += entry.nights
        rooms += entry.rooms
    arrays = {"room_types": room_types, "nights": nights, "rooms": rooms}
    applied, clamped = (await session.execute(_ALLOTMENTS, common | arrays)).one()
    for night in clamped or []:
        # The hotel cut the allotment below rooms we already sold: those stay sold and the
        # night is simply full; hotel resources must settle the difference (CF-3).
        log.warning("allotment_reduction_clamped", **night)
    if applied < len(nights):
        log.info("allotment_nights_stale", skipped=len(nights) - applied)


def _price_arrays(event: RatesImportedV1) -> dict[str, list]:
    arrays: dict[str, list] = {k: [] for k in ("plans", "nights", "room_types", "net", "sell")}
    arrays["currencies"] = []
    for entry in event.prices:
        count = len(entry.nights)
        arrays["plans"] += [entry.rate_plan_id] * count
        arrays["room_types"] += [entry.room_type_id] * count
        arrays["currencies"] += [entry.currency] * count
        arrays["nights"] += entry.nights
        arrays["net"] += entry.net_minor
        arrays["sell"] += entry.sell_minor
    return arrays
