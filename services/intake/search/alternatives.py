"""IN-3: when a hotel cannot sell a stay, offer hotels of the same grade nearby that can.

"Nearby" is the great-circle distance between the two hotels' coordinates (haversine), nearest
first; hotels without coordinates come after every located one, by name, because the agent can
still offer them but cannot say how far they are. Only the same city is searched (a hotel in
the next city is not what a caller asking for Wangfujing wants), and only the nearest
``LOOK_AT`` candidates are priced: in a week when the whole city is full the agent hears
"none nearby" at once instead of waiting for every hotel in town to be checked.

Whether a candidate can sell is judged by ``sellable.py`` like any search result (rooms, price,
restrictions, signed contract), and its cheapest sellable offer is what the agent can book.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.booking.repository import AnyRow
from services.intake.booking.schemas import Offer
from services.intake.search import repository as search_repository
from services.intake.search import sellable
from services.intake.search.schemas import Alternative, HotelAlternatives

EARTH_RADIUS_KM = 6371.0088
MAX_ALTERNATIVES = 5
LOOK_AT = 40  # candidates priced at most per unsellable hotel
# Candidates priced per unsellable hotel in each round: as many as it still lacks, and one
# spare. Those that reach this point passed the SQL test (search_repository), so nearly all
# can sell; pricing more would only build offers nobody sees (bench/search.py).
SPARE = 1


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between two (latitude, longitude) points in degrees."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def _where(row: AnyRow) -> tuple[float, float] | None:
    if row.latitude is None or row.longitude is None:
        return None
    return (row.latitude, row.longitude)


def nearest_first(origin: AnyRow, candidates: list[AnyRow]) -> list[tuple[AnyRow, float | None]]:
    """Candidates with their distance from ``origin``; unknown distances last, by name."""
    here = _where(origin)
    placed: list[tuple[AnyRow, float | None]] = []
    for row in candidates:
        there = _where(row)
        placed.append((row, haversine_km(here, there) if here and there else None))
    return sorted(
        placed,
        key=lambda pair: (pair[1] is None, pair[1] or 0.0, pair[0].hotel_name, pair[0].hotel_id),
    )


@dataclass
class SellableHotels:
    """Each hotel's cheapest sellable offer for one stay (None: it cannot sell it), priced on
    first use and remembered, so the same neighbour is not priced again for the next hotel."""

    session: AsyncSession
    nights: list[date]
    rooms: int
    known: dict[uuid.UUID, Offer | None] = field(default_factory=dict)

    def remember(self, priced: list[Offer]) -> None:
        for offer in priced:
            best = self.known.get(offer.hotel_id)
            if offer.can_sell and (best is None or _cheaper(offer, best)):
                self.known[offer.hotel_id] = offer
            else:
                self.known.setdefault(offer.hotel_id, None)

    async def cheapest(self, hotel_ids: list[uuid.UUID]) -> dict[uuid.UUID, Offer | None]:
        missing = [h for h in hotel_ids if h not in self.known]
        if missing:
            self.remember(
                await sellable.sellable_of_hotels(self.session, missing, self.nights, self.rooms)
            )
            for hotel_id in missing:
                self.known.setdefault(hotel_id, None)
        return {h: self.known[h] for h in hotel_ids}


def _cheaper(offer: Offer, than: Offer) -> bool:
    return (offer.total_sell_minor or 0) < (than.total_sell_minor or 0)


@dataclass
class _Hunt:
    """One unsellable hotel's walk through its neighbours of the same grade, nearest first."""

    origin: AnyRow
    reason: str
    ranked: list[tuple[AnyRow, float | None]]
    taken: int = 0
    found: list[Alternative] = field(default_factory=list)

    def wants_more(self) -> bool:
        return len(self.found) < MAX_ALTERNATIVES and self.taken < len(self.ranked)

    def next_batch(self) -> list[tuple[AnyRow, float | None]]:
        wanted = MAX_ALTERNATIVES - len(self.found) + SPARE
        batch = self.ranked[self.taken : self.taken + wanted]
        self.taken += len(batch)
        return batch

    def offer(self, row: AnyRow, km: float | None, best: Offer | None) -> None:
        if best is not None and len(self.found) < MAX_ALTERNATIVES:
            self.found.append(_alternative(row, km, best))


def _ranked(origin: AnyRow, candidates: list[AnyRow]) -> list[tuple[AnyRow, float | None]]:
    return [
        (row, km)
        for row, km in nearest_first(origin, candidates)
        if row.hotel_id != origin.hotel_id and row.star_grade == origin.star_grade
    ][:LOOK_AT]


def _alternative(row: AnyRow, km: float | None, offer: Offer) -> Alternative:
    return Alternative(
        hotel_id=row.hotel_id,
        hotel_name=row.hotel_name,
        hotel_name_zh=row.hotel_name_zh,
        district=row.district,
        star_grade=row.star_grade,
        distance_km=None if km is None else round(km, 1),
        offer=offer,
    )


async def for_hotels(
    origins: list[tuple[AnyRow, str]], sellable: SellableHotels, *, check_out: date
) -> list[HotelAlternatives]:
    """IN-3 for each (hotel, why it cannot sell) of one city.

    All hotels' next candidates are priced together, one round trip per round, not per hotel:
    a page in an exhibition week may hold a dozen full hotels sharing the same neighbours.
    """
    if not origins:
        return []
    candidates = await search_repository.hotels_that_may_sell(
        sellable.session,
        city=origins[0][0].city,
        grades={row.star_grade for row, _ in origins},
        nights=sellable.nights,
        rooms=sellable.rooms,
    )
    hunts = [_Hunt(row, reason, _ranked(row, candidates)) for row, reason in origins]
    while active := [hunt for hunt in hunts if hunt.wants_more()]:
        batches = [(hunt, hunt.next_batch()) for hunt in active]
        wanted = dict.fromkeys(row.hotel_id for _, batch in batches for row, _ in batch)
        best = await sellable.cheapest(list(wanted))
        for hunt, batch in batches:
            for row, km in batch:
                hunt.offer(row, km, best[row.hotel_id])
    return [
        HotelAlternatives(
            hotel_id=hunt.origin.hotel_id,
            hotel_name=hunt.origin.hotel_name,
            star_grade=hunt.origin.star_grade,
            check_in=sellable.nights[0],
            check_out=check_out,
            rooms=sellable.rooms,
            can_sell=False,
            reason=hunt.reason,
            alternatives=hunt.found,
        )
        for hunt in hunts
    ]
