"""SQL that keeps intake's sellable-inventory projection in step with contracts' events.

Every upsert is guarded by the hotel's event version (issue 12, ``shared.events.ordering``):
a row keeps the ``source_version`` of the event that wrote it, and an event applies only if
its version is higher. Events may be delivered late or out of order, and an older snapshot
must never overwrite a newer one; ``occurred_at`` is kept for reading but decides nothing,
since the publisher's clock may step back. Duplicate deliveries never reach here (the inbox in
``shared.events.consumer`` drops them).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy import func, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.inventory import hotel_names
from services.intake.inventory.models import hotel, rate_plan, room_type
from shared.events.contracts import HotelPublishedV1, NightAllotment, NightPrice
from shared.events.ordering import is_newer, is_newer_sql

N = TypeVar("N", NightAllotment, NightPrice)


async def upsert_hotel(
    session: AsyncSession, event: HotelPublishedV1, *, occurred_at: datetime, source_version: int
) -> bool:
    """Upsert the hotel row; False when a newer snapshot is already applied."""
    spelled = hotel_names.spellings(event.name_zh)  # IN-2: searched by pinyin, never computed
    values = {
        "hotel_id": event.hotel_id,
        "name_zh": event.name_zh,
        "name_en": event.name_en,
        "city": event.city.strip(),
        "district": event.district,
        "star_grade": event.star_grade,
        "currency": event.currency,
        "confirm_channel": event.confirm_channel,
        "sellable": event.sellable,
        "name_pinyin": spelled.pinyin,
        "name_initials": spelled.initials,
        "latitude": event.latitude,  # IN-3: nearest alternatives first
        "longitude": event.longitude,
        "occurred_at": occurred_at,
        "source_version": source_version,
        "updated_at": func.now(),
    }
    statement = insert(hotel).values(**values)
    changed = {k: statement.excluded[k] for k in values if k != "hotel_id"}
    applied = await session.execute(
        statement.on_conflict_do_update(
            index_elements=[hotel.c.hotel_id],
            set_=changed,
            where=is_newer(statement.excluded.source_version, hotel.c.source_version),
        ).returning(hotel.c.hotel_id)
    )
    return applied.first() is not None


async def replace_room_types(session: AsyncSession, event: HotelPublishedV1) -> None:
    """The snapshot is complete: room types missing from it stop being sellable."""
    listed = [rt.room_type_id for rt in event.room_types]
    if listed:
        statement = insert(room_type).values(
            [
                {
                    "room_type_id": rt.room_type_id,
                    "hotel_id": event.hotel_id,
                    "name": rt.name,
                    "active": True,
                }
                for rt in event.room_types
            ]
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[room_type.c.room_type_id],
                set_={
                    "hotel_id": statement.excluded.hotel_id,
                    "name": statement.excluded.name,
                    "active": True,
                },
            )
        )
    await session.execute(
        update(room_type)
        .where(room_type.c.hotel_id == event.hotel_id, room_type.c.room_type_id.not_in(listed))
        .values(active=False)
    )


async def replace_rate_plans(session: AsyncSession, event: HotelPublishedV1) -> None:
    """Like room types: a rate plan missing from the snapshot is withdrawn."""
    listed = [rp.rate_plan_id for rp in event.rate_plans]
    if listed:
        statement = insert(rate_plan).values(
            [
                {
                    "rate_plan_id": rp.rate_plan_id,
                    "hotel_id": event.hotel_id,
                    "room_type_id": rp.room_type_id,
                    "name": rp.name,
                    "payment_mode": rp.payment_mode,
                    "active": True,
                }
                for rp in event.rate_plans
            ]
        )
        changed = ("hotel_id", "room_type_id", "name", "payment_mode")
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[rate_plan.c.rate_plan_id],
                set_={k: statement.excluded[k] for k in changed} | {"active": True},
            )
        )
    await session.execute(
        update(rate_plan)
        .where(rate_plan.c.hotel_id == event.hotel_id, rate_plan.c.rate_plan_id.not_in(listed))
        .values(active=False)
    )


# Nights go in sorted, so this upsert takes row locks in the same order as a booking
# (ARCHITECTURE: lock order by room type, night) and cannot deadlock with one.
# A reduction never takes allotment below what is already sold: the CHECK would refuse it,
# and rooms already sold to guests stay sold; the handler logs the clamp for the desk.
_UPSERT_ALLOTMENT = text(
    f"""
    INSERT INTO intake.inventory_night AS inv
        (room_type_id, night, hotel_id, allotment, sold, occurred_at, source_version, updated_at)
    SELECT :room_type_id, n.night, :hotel_id, GREATEST(n.rooms, 0), 0, :occurred_at,
        :source_version, now()
    FROM unnest(CAST(:nights AS date[]), CAST(:rooms AS integer[])) AS n(night, rooms)
    ORDER BY n.night
    ON CONFLICT (room_type_id, night) DO UPDATE
    SET allotment = GREATEST(EXCLUDED.allotment, inv.sold),
        hotel_id = EXCLUDED.hotel_id,
        occurred_at = EXCLUDED.occurred_at,
        source_version = EXCLUDED.source_version,
        updated_at = now()
    WHERE {is_newer_sql("EXCLUDED.source_version", "inv.source_version")}
    RETURNING inv.night, inv.allotment, inv.sold
    """
)


async def upsert_allotment(
    session: AsyncSession,
    *,
    hotel_id: uuid.UUID,
    room_type_id: uuid.UUID,
    nights: list[NightAllotment],
    occurred_at: datetime,
    source_version: int,
) -> list[tuple[date, int, int]]:
    """Apply absolute allotments; returns (night, allotment, sold) of the rows it changed."""
    ordered = _by_night(nights)
    result = await session.execute(
        _UPSERT_ALLOTMENT,
        {
            "room_type_id": room_type_id,
            "hotel_id": hotel_id,
            "nights": [n.night for n in ordered],
            "rooms": [n.rooms for n in ordered],
            "occurred_at": occurred_at,
            "source_version": source_version,
        },
    )
    return [(row.night, row.allotment, row.sold) for row in result]


def _by_night(nights: list[N]) -> list[N]:
    """Sorted by night, one entry per night (the last wins): ON CONFLICT cannot touch a row
    twice in one statement, and the sort fixes the lock order."""
    return sorted({n.night: n for n in nights}.values(), key=lambda n: n.night)


# Prices of any rate plans' nights in one statement: the per-plan handler below and a rate
# sheet's hotel at a time (``bulk``). DISTINCT ON: ON CONFLICT cannot touch a row twice.
UPSERT_PRICES = text(
    f"""
    INSERT INTO intake.rate_night AS rn (rate_plan_id, night, room_type_id, hotel_id,
        net_minor, sell_minor, currency, occurred_at, source_version, updated_at)
    SELECT DISTINCT ON (p.rate_plan_id, p.night) p.rate_plan_id, p.night, p.room_type_id,
        :hotel_id, p.net_minor, p.sell_minor, p.currency, :occurred_at, :source_version, now()
    FROM unnest(CAST(:plans AS uuid[]), CAST(:nights AS date[]), CAST(:room_types AS uuid[]),
        CAST(:net AS bigint[]), CAST(:sell AS bigint[]), CAST(:currencies AS text[]))
        AS p(rate_plan_id, night, room_type_id, net_minor, sell_minor, currency)
    ORDER BY p.rate_plan_id, p.night
    ON CONFLICT (rate_plan_id, night) DO UPDATE
    SET net_minor = EXCLUDED.net_minor,
        sell_minor = EXCLUDED.sell_minor,
        currency = EXCLUDED.currency,
        room_type_id = EXCLUDED.room_type_id,
        hotel_id = EXCLUDED.hotel_id,
        occurred_at = EXCLUDED.occurred_at,
        source_version = EXCLUDED.source_version,
        updated_at = now()
    WHERE {is_newer_sql("EXCLUDED.source_version", "rn.source_version")}
    """
)


async def upsert_rates(
    session: AsyncSession,
    *,
    hotel_id: uuid.UUID,
    rate_plan_id: uuid.UUID,
    room_type_id: uuid.UUID,
    currency: str,
    nights: list[NightPrice],
    occurred_at: datetime,
    source_version: int,
) -> None:
    ordered = _by_night(nights)
    count = len(ordered)
    await session.execute(
        UPSERT_PRICES,
        {
            "plans": [rate_plan_id] * count,
            "room_types": [room_type_id] * count,
            "currencies": [currency] * count,
            "hotel_id": hotel_id,
            "nights": [p.night for p in ordered],
            "net": [p.net_minor for p in ordered],
            "sell": [p.sell_minor for p in ordered],
            "occurred_at": occurred_at,
            "source_version": source_version,
        },
    )
