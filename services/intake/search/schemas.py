"""Shapes of the agents' search (IN-2) and its nearby alternatives (IN-3).

``SearchFilters`` is parsed from the query string by FastAPI for the JSON API and from the
page's GET form by ``search_endpoints.py``; types and ranges are checked here (star 7 is a 422
naming ``star``), rules across fields (dates, price band) in ``search.py``.
"""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, computed_field

from services.intake.booking.schemas import Offer, SearchResult
from services.intake.bounds import PriceBand, Rooms
from shared.limits import BusinessDate

PAGE_SIZE = 50
MAX_PAGE_SIZE = 100


class SearchFilters(BaseModel):
    """What an agent may search by (IN-2). Prices are per night, in each hotel's currency."""

    model_config = ConfigDict(str_strip_whitespace=True)

    city: str = Field(max_length=80, description="Chinese, pinyin, English or a common alias")
    check_in: BusinessDate
    check_out: BusinessDate
    rooms: Rooms = 1
    district: str = Field("", max_length=80)
    name: str = Field("", max_length=80, description="Chinese, English, pinyin or its initials")
    star: int | None = Field(None, ge=1, le=5, description="exactly this star grade")
    star_min: int | None = Field(None, ge=1, le=5, description="this star grade or better")
    price_min: PriceBand | None = None
    price_max: PriceBand | None = None
    page: int = Field(1, ge=1, le=10_000)
    per_page: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)

    def narrowing(self) -> dict[str, object]:
        """The filters beyond city and stay that are set, for "no hotel matches …"."""
        keys = ("district", "name", "star", "star_min", "price_min", "price_max")
        return {key: getattr(self, key) for key in keys if getattr(self, key) not in (None, "")}


class Alternative(BaseModel):
    """A hotel of the same grade nearby that can sell the stay, with its cheapest offer."""

    hotel_id: uuid.UUID
    hotel_name: str
    hotel_name_zh: str
    district: str
    star_grade: int
    distance_km: float | None  # None: one of the two hotels has no coordinates
    offer: Offer


class HotelAlternatives(BaseModel):
    """IN-3: why the asked-for hotel cannot sell the stay, and up to five that can."""

    hotel_id: uuid.UUID
    hotel_name: str
    star_grade: int
    check_in: date
    check_out: date
    rooms: int
    can_sell: bool
    reason: str
    alternatives: list[Alternative]


class District(BaseModel):
    """A district of the city searched, as the hotel data names it, to pick from (IN-2)."""

    name: str
    hotels: int


class SearchPage(SearchResult):
    """One page of offers with the total, and alternatives for the page's hotels that cannot
    sell the stay (IN-3). ``offers`` keeps its meaning: this page's offers. ``city`` is the
    city as the hotel data spells it, whatever the agent typed (北京, bei jing, Peking)."""

    filters: SearchFilters
    page: int
    per_page: int
    total: int
    alternatives: list[HotelAlternatives] = []
    districts: list[District] = []

    @computed_field  # type: ignore[prop-decorator]
    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def alternatives_for(self, hotel_id: uuid.UUID) -> HotelAlternatives | None:
        return next((a for a in self.alternatives if a.hotel_id == hotel_id), None)
