"""Events the hotel-resources service (``contracts``) publishes.

Every one of them updates a projection of the hotel elsewhere (intake's inventory, prices,
restrictions and conditions; confirmation's contacts and terms), so all of them belong to the
aggregate ``hotel:<id>`` and the outbox numbers them per hotel (issue 12): a consumer row is
always written by events of one hotel, so the number it keeps compares with the next one's.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from shared.events import Payload, event
from shared.events.noshow import NoShowFee


class HotelEvent(Payload):
    """An event about one hotel, ordered among that hotel's events by the outbox's counter."""

    hotel_id: uuid.UUID

    def aggregate_key(self) -> str:
        return f"hotel:{self.hotel_id}"


class RoomTypeInfo(BaseModel):
    room_type_id: uuid.UUID
    name: str


class RatePlanInfo(BaseModel):
    rate_plan_id: uuid.UUID
    room_type_id: uuid.UUID
    name: str
    payment_mode: str


@event
class HotelPublishedV1(HotelEvent):
    """A hotel's file as agents and the confirmation desk need it; a full snapshot each time."""

    name = "contracts.hotel_published"
    version = 1

    name_zh: str
    name_en: str
    city: str
    district: str = ""
    address: str = ""
    star_grade: int
    currency: str
    confirm_channel: str
    fax: str = ""
    email: str = ""
    phone: str = ""
    sellable: bool = True
    latitude: float | None = None
    longitude: float | None = None
    facilities: list[str] = []
    room_types: list[RoomTypeInfo]
    rate_plans: list[RatePlanInfo]


class NightAllotment(BaseModel):
    night: date
    rooms: int


@event
class AllotmentSetV1(HotelEvent):
    """The rooms the hotel holds for us on each night (HR-2); absolute numbers, not deltas."""

    name = "contracts.allotment_set"
    version = 1

    room_type_id: uuid.UUID
    nights: list[NightAllotment]


class NightPrice(BaseModel):
    night: date
    net_minor: int
    sell_minor: int


@event
class RatesPublishedV1(HotelEvent):
    """Per-night net and sell prices of one rate plan (HR-4: sell is never below net)."""

    name = "contracts.rates_published"
    version = 1

    rate_plan_id: uuid.UUID
    room_type_id: uuid.UUID
    currency: str
    nights: list[NightPrice]


class ImportedRooms(BaseModel):
    """One room type's imported allotments: ``rooms[i]`` on ``nights[i]`` (parallel arrays,
    about a third of the JSON of one object per night)."""

    room_type_id: uuid.UUID
    nights: list[date]
    rooms: list[int]


class ImportedPrices(BaseModel):
    """One rate plan's imported prices, parallel arrays like ``ImportedRooms``."""

    rate_plan_id: uuid.UUID
    room_type_id: uuid.UUID
    currency: str
    nights: list[date]
    net_minor: list[int]
    sell_minor: list[int]


@event
class RatesImportedV1(HotelEvent):
    """A rate sheet's allotments and prices of one hotel (issue 19), applied by consumers in
    one statement per table; same meaning as ``AllotmentSetV1`` and ``RatesPublishedV1`` for
    each night it names (absolute rooms, HR-2; sell never below net, HR-4)."""

    name = "contracts.rates_imported"
    version = 1

    allotments: list[ImportedRooms] = []
    prices: list[ImportedPrices] = []


@event
class RecommendationApprovedV1(HotelEvent):
    """The director approved a hotel as recommended for a month (HR-6): agents see it first."""

    name = "contracts.recommendation_approved"
    version = 1

    city: str
    month: date


class NightRestriction(BaseModel):
    """The full set of restrictions of one night (absolute, not a delta)."""

    night: date
    release_days: int = 0
    min_stay: int = 1
    closed_to_arrival: bool = False
    closed_to_departure: bool = False
    stop_sell: bool = False
    room_status: Literal["available", "on_request", "full"] = "available"


@event
class RestrictionsSetV1(HotelEvent):
    """Sales restrictions of a room type per night (HR-2 room status, IN-2): release days,
    minimum stay, closed to arrival / departure, stop-sell and room status. Each night carries
    all its values, so consumers replace their copy of that night."""

    name = "contracts.restrictions_set"
    version = 1

    room_type_id: uuid.UUID
    nights: list[NightRestriction]


class HotelCondition(BaseModel):
    kind: str  # "room_nights" (a monthly threshold) or "commission_tier"
    threshold: int
    commission_percent: float | None = None
    note: str = ""

    def summary(self) -> str:
        """How agents read the condition (HR-8); the same words on every desk."""
        if self.kind == "commission_tier":
            text = f"{self.commission_percent:g}% commission from {self.threshold} room nights"
        else:
            text = f"at least {self.threshold} room nights a month"
        return f"{text} ({self.note})" if self.note else text


@event
class ConditionsPublishedV1(HotelEvent):
    """All of a hotel's conditions (HR-8), a full list each time; agents see them on the hotel."""

    name = "contracts.conditions_published"
    version = 1

    conditions: list[HotelCondition]


@event
class ContractEffectiveV1(HotelEvent):
    """A contract version a director signed (HR-3): from now on the hotel may be sold on the
    nights of its validity. A later supplement of the same contract replaces the range."""

    name = "contracts.contract_effective"
    version = 1

    contract_id: uuid.UUID
    version_id: uuid.UUID
    version_no: int
    valid_from: date
    valid_to: date
    payment_arrangement: str
    cancellation_terms: str = ""
    # Issue 16, added compatibly (an event without them means what an old contract meant):
    # what a final no-show costs (NS-7) and what a pay-at-hotel stay earns us (PAY-4).
    guaranteed: bool = False
    no_show_fee: NoShowFee = "none"
    no_show_fee_percent: int | None = Field(default=None, ge=1, le=100)
    commission_percent: Decimal | None = None  # pay-at-hotel stays only
    monthly_settlement: bool = False
    # Issue 17, added compatibly: the deposit the hotel holds of ours (PAY-3), in the hotel's
    # currency's minor units; 0 for a hotel without one.
    deposit_held_minor: int = Field(default=0, ge=0)
