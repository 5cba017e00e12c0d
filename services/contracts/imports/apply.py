"""Writing a checked rate and allotment sheet, in bulk, in the caller's one transaction
(HR-2, HR-4, HR-14).

The rows are grouped by room type (allotments) and by rate plan (prices), in sheet order, so a
later row still overwrites an earlier one's nights. Each group then costs what one
``service.set_allotment`` / ``service.set_rates`` call costs: one audit row (every night's
value before and after, and the sheet rows it came from) and one event per 400 nights, the
limit of one range (``MAX_RANGE_NIGHTS``). The nights themselves are upserted with a few
``unnest`` statements for the whole sheet, which also return the values they replace for the
audit. Row by row through the service, a 6,000-row sheet took 104 s (eight round trips, two
audit rows and two events per row; bench/rates_import.py).

Same rules as the service: the room type or rate plan belongs to the row's hotel (checked by
``imports``), sell is never below net (HR-4, checked again here and by the table's CHECK),
prices are in the hotel's currency (HR-14), and each hotel's grid version is bumped so an
editor who opened the hotel before the import cannot save over it unawares. That bump locks the
sheet's hotels until the apply commits (seconds for 10,000 rows): a desk edit of one of them
waits for the import rather than landing in the middle of it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.grid import version as grid
from services.contracts.hotels.schemas import MAX_RANGE_NIGHTS
from services.contracts.imports.sheet import Progress, SheetRow
from services.contracts.settings import SCHEMA
from shared.audit import audit_table
from shared.auth import Staff
from shared.clock import clock
from shared.dates import nights_between
from shared.errors import RuleViolated
from shared.events import Payload
from shared.events.contracts import AllotmentSetV1, RatesPublishedV1
from shared.events.outbox import publish_many

# Nights per upsert statement: big enough that round trips do not matter, small enough that
# the progress bar moves during a large apply.
BATCH_NIGHTS = 20_000

# One statement per batch writes the nights and returns the values they replace (for the
# audit's "before"): the CTEs all see the table as it was when the statement began.
_UPSERT_ROOMS = text(
    """
    WITH given AS (
        SELECT * FROM unnest(CAST(:owners AS uuid[]), CAST(:nights AS date[]),
            CAST(:rooms AS integer[])) AS g(room_type_id, night, rooms)
    ), replaced AS (
        SELECT a.room_type_id, a.night, a.rooms
        FROM contracts.night_allotment a JOIN given g USING (room_type_id, night)
        WHERE a.room_type_id = ANY(CAST(:owner_ids AS uuid[]))
    ), written AS (
        INSERT INTO contracts.night_allotment (room_type_id, night, rooms)
        SELECT room_type_id, night, rooms FROM given
        ON CONFLICT (room_type_id, night) DO UPDATE SET rooms = EXCLUDED.rooms
    )
    SELECT room_type_id AS owner, night, rooms AS value, 0 AS sell FROM replaced
    """
)
_UPSERT_PRICES = text(
    """
    WITH given AS (
        SELECT * FROM unnest(CAST(:owners AS uuid[]), CAST(:nights AS date[]),
            CAST(:net AS bigint[]), CAST(:sell AS bigint[]), CAST(:currency AS char(3)[]))
            AS g(rate_plan_id, night, net_minor, sell_minor, currency)
    ), replaced AS (
        SELECT r.rate_plan_id, r.night, r.net_minor, r.sell_minor
        FROM contracts.night_rate r JOIN given g USING (rate_plan_id, night)
        WHERE r.rate_plan_id = ANY(CAST(:owner_ids AS uuid[]))
    ), written AS (
        INSERT INTO contracts.night_rate (rate_plan_id, night, net_minor, sell_minor, currency)
        SELECT rate_plan_id, night, net_minor, sell_minor, currency FROM given
        ON CONFLICT (rate_plan_id, night) DO UPDATE SET net_minor = EXCLUDED.net_minor,
            sell_minor = EXCLUDED.sell_minor, currency = EXCLUDED.currency
    )
    SELECT rate_plan_id AS owner, night, net_minor AS value, sell_minor AS sell FROM replaced
    """
)


@dataclass(slots=True)
class Group:
    """One room type's allotments or one rate plan's prices, night by night."""

    owner_id: uuid.UUID  # the room type or the rate plan
    hotel_id: uuid.UUID
    room_type_id: uuid.UUID
    currency: str
    values: dict[date, tuple[int, int]] = field(default_factory=dict)  # (rooms, 0) | (net, sell)
    sheet_rows: list[int] = field(default_factory=list)
    before: dict[date, tuple[int, int]] = field(default_factory=dict)

    def add(self, row: int, nights: list[date], value: tuple[int, int]) -> None:
        for night in nights:
            self.values[night] = value
        self.sheet_rows.append(row)


def group_rows(rows: Sequence[SheetRow]) -> tuple[list[Group], list[Group]]:
    """(room type groups, rate plan groups), each in order of first appearance; within a group
    a later row's night overwrites an earlier one's."""
    rooms: dict[uuid.UUID, Group] = {}
    prices: dict[uuid.UUID, Group] = {}
    for row in rows:
        nights = list(nights_between(row.first_night, row.last_night))
        if row.rooms is not None:
            _group(rooms, row.room_type_id, row).add(row.row, nights, (row.rooms, 0))
        if row.rate_plan_id is not None:
            price = (row.net_minor, row.sell_minor)
            _group(prices, row.rate_plan_id, row).add(row.row, nights, price)
    return list(rooms.values()), list(prices.values())


def _group(groups: dict[uuid.UUID, Group], owner_id: uuid.UUID, row: SheetRow) -> Group:
    group = groups.get(owner_id)
    if group is None:
        group = groups[owner_id] = Group(owner_id, row.hotel_id, row.room_type_id, row.currency)
    return group


async def apply_rows(
    session: AsyncSession,
    *,
    actor: Staff | str,
    rows: Sequence[SheetRow],
    source: str = "sheet import",
    on_progress: Progress | None = None,
) -> int:
    """Apply checked rows, all in the caller's transaction (a failure part-way rolls every row
    back); audited and announced; returns the number of rows applied."""
    room_groups, price_groups = group_rows(rows)
    _check_margins(price_groups)
    for hotel_id in sorted({g.hotel_id for g in room_groups + price_groups}):
        # Hotels in id order, then their nights: the same lock order as the desk's edits.
        await grid.touch(session, hotel_id=hotel_id, actor=actor, seen=None)
    total = sum(len(g.values) for g in room_groups + price_groups) or 1
    written = 0
    for statement, groups in ((_UPSERT_ROOMS, room_groups), (_UPSERT_PRICES, price_groups)):
        for batch in _batches(groups):
            await _upsert(session, statement, batch)
            written += sum(len(g.values) for g in batch)
            if on_progress is not None:
                await on_progress(len(rows) * written // total)
    await _audit(session, actor, source, room_groups, price_groups)
    await _announce(session, room_groups, price_groups)
    return len(rows)


def _check_margins(price_groups: list[Group]) -> None:
    # HR-4 asks for a 10% average margin; selling at a loss on any night is never allowed.
    for group in price_groups:
        if any(sell < net for net, sell in group.values.values()):
            raise RuleViolated("A sell price is below the net price", rule="HR-4", field="sell")


def _batches(groups: list[Group]) -> list[list[Group]]:
    """Whole groups, about BATCH_NIGHTS nights per batch, in owner id order (lock order)."""
    batches: list[list[Group]] = [[]]
    size = 0
    for group in sorted(groups, key=lambda g: g.owner_id):
        if size >= BATCH_NIGHTS:
            batches.append([])
            size = 0
        batches[-1].append(group)
        size += len(group.values)
    return [b for b in batches if b]


async def _upsert(session: AsyncSession, statement: Any, batch: list[Group]) -> None:
    owners: list[uuid.UUID] = []
    nights: list[date] = []
    first: list[int] = []
    second: list[int] = []
    currencies: list[str] = []
    for group in batch:
        for night in sorted(group.values):
            value, sell = group.values[night]
            owners.append(group.owner_id)
            nights.append(night)
            first.append(value)
            second.append(sell)
            currencies.append(group.currency)
    # owner_ids lets the read of the replaced values use the primary key: joined on the given
    # rows alone, PostgreSQL hashes the whole table (a full scan per batch).
    owner_ids = [g.owner_id for g in batch]
    params: dict[str, object] = {"owners": owners, "nights": nights, "owner_ids": owner_ids}
    if statement is _UPSERT_ROOMS:
        params["rooms"] = first
    else:
        params.update(net=first, sell=second, currency=currencies)
    by_owner = {g.owner_id: g for g in batch}
    for row in await session.execute(statement, params):
        by_owner[row.owner].before[row.night] = (row.value, row.sell)


def _spans(numbers: list[int]) -> list[list[int]]:
    """[[first, last], ...] of consecutive sheet rows: short audit rows for long sheets."""
    spans: list[list[int]] = []
    for number in numbers:
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return spans


def _shown(values: dict[date, tuple[int, int]], rooms: bool) -> dict[str, Any]:
    return {n.isoformat(): v[0] if rooms else list(v) for n, v in sorted(values.items())}


def _audit_record(who: str, source: str, group: Group, *, rooms: bool) -> dict[str, Any]:
    """Like one service call's audit row: every night's value before and after."""
    key = "rooms_by_night" if rooms else "net_sell_by_night"
    after = {
        key: _shown(group.values, rooms),
        "source": source,
        "sheet_rows": _spans(group.sheet_rows),
    }
    if not rooms:
        after["currency"] = group.currency
    return {
        "actor": who,
        "action": "set_allotment" if rooms else "set_rates",
        "entity": "room_type" if rooms else "rate_plan",
        "entity_id": str(group.owner_id),
        "before": {key: _shown(group.before, rooms)},
        "after": after,
    }


async def _audit(
    session: AsyncSession,
    actor: Staff | str,
    source: str,
    room_groups: list[Group],
    price_groups: list[Group],
) -> None:
    """One audit row per room type and per rate plan, in one statement."""
    who = grid.actor_name(actor)
    records = [_audit_record(who, source, g, rooms=True) for g in room_groups]
    records += [_audit_record(who, source, g, rooms=False) for g in price_groups]
    if records:
        await session.execute(insert(audit_table(SCHEMA)), records)


def _events(room_groups: list[Group], price_groups: list[Group]) -> list[Payload]:
    # Validated from plain dicts, one call per event: a model object per night costs more.
    events: list[Payload] = []
    for g in room_groups:
        for chunk in _chunks(sorted(g.values)):
            nights = [{"night": n, "rooms": g.values[n][0]} for n in chunk]
            event = {"hotel_id": g.hotel_id, "room_type_id": g.owner_id, "nights": nights}
            events.append(AllotmentSetV1.model_validate(event))
    for g in price_groups:
        for chunk in _chunks(sorted(g.values)):
            prices = [
                {"night": n, "net_minor": g.values[n][0], "sell_minor": g.values[n][1]}
                for n in chunk
            ]
            event = {
                "hotel_id": g.hotel_id,
                "rate_plan_id": g.owner_id,
                "room_type_id": g.room_type_id,
                "currency": g.currency,
                "nights": prices,
            }
            events.append(RatesPublishedV1.model_validate(event))
    return events


def _chunks(nights: list[date]) -> list[list[date]]:
    # One event per 400 nights at most, the size consumers were built for.
    return [nights[i : i + MAX_RANGE_NIGHTS] for i in range(0, len(nights), MAX_RANGE_NIGHTS)]


async def _announce(
    session: AsyncSession, room_groups: list[Group], price_groups: list[Group]
) -> None:
    """Every event into the outbox with one statement, in the caller's transaction; the
    outbox numbers each hotel's events in order (issue 12), as for a desk edit."""
    events = _events(room_groups, price_groups)
    await publish_many(session, schema=SCHEMA, payloads=events, occurred_at=clock.now())
