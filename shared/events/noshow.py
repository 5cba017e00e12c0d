"""Events the no-show desk's service (``noshow``) publishes: what really happened to each
booking's stay (NS-1 … NS-7), the contract payments and members are built on.

A booking's outcome moves through versions: a stay completed, or a no-show (provisional, then
final after the second check with the hotel, NS-5), and corrections between them (NS-3). Each
event carries the whole outcome as it now stands and ``outcome_version``, bumped under the
case's row lock in the transaction that publishes it, so a consumer that gets them twice or out
of order keeps the newest (``shared.events.ordering``). A correction is a new outcome that
names the one it replaces (``corrects_version``), never an edit of the old one.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from shared.events import Payload, event

NoShowFee = Literal["none", "first_night", "whole_stay", "percent"]


class StayedNight(BaseModel):
    night: date
    sell_minor: int = Field(ge=0)  # room revenue of the night, all rooms
    net_minor: int = Field(ge=0)  # what the hotel is owed for it, all rooms


class StayOutcome(Payload):
    """What every outcome event carries: the booking and the outcome as it now stands."""

    booking_id: uuid.UUID
    booking_ref: str = Field(min_length=1, max_length=40)
    booking_version: int = Field(ge=1)
    outcome_version: int = Field(ge=1)
    hotel_id: uuid.UUID
    member_card: str = Field(default="", max_length=40)
    agent_username: str = Field(default="", max_length=120)
    payment_mode: str = Field(max_length=40)
    currency: str = Field(min_length=3, max_length=3)
    check_in: date
    check_out: date
    rooms: int = Field(ge=1)
    recorded_by: str = Field(max_length=120)
    recorded_at: AwareDatetime
    # NS-3: the outcome version this one replaces (a correction); None for a first outcome.
    corrects_version: int | None = Field(default=None, ge=1)
    note: str = Field(default="", max_length=2000)

    def aggregate_key(self) -> str:
        return f"stay:{self.booking_id}"

    def own_aggregate_version(self) -> int:
        return self.outcome_version


@event
class StayCompletedV1(StayOutcome):
    """The guest stayed (NS-7, CS-5: points come from actual stays; PAY-4: the hotel's
    payable or our commission). ``nights`` are the nights actually stayed, each with its room
    revenue and net; a correction of a no-show (NS-3) is one of these with ``corrects_version``."""

    name = "noshow.stay_completed"
    version = 1

    nights: list[StayedNight] = Field(min_length=1, max_length=366)
    room_revenue_minor: int = Field(ge=0)
    net_minor: int = Field(ge=0)


@event
class NoShowRecordedV1(StayOutcome):
    """The guest did not come (NS-1). ``stage`` is ``provisional`` until the second check with
    the hotel, then ``final`` (NS-5); only a final no-show earns no points and may carry a fee
    (NS-7), under the contract terms the booking's hotel had (``no_show_fee``)."""

    name = "noshow.no_show_recorded"
    version = 1

    stage: Literal["provisional", "final"]
    reason_category: str = Field(default="", max_length=40)
    guaranteed: bool = False
    no_show_fee: NoShowFee = "none"
    no_show_fee_percent: int | None = Field(default=None, ge=1, le=100)
    fee_minor: int = Field(default=0, ge=0)


@event
class CaseOpenedV1(Payload):
    """SL-4: a booking is on the no-show worklist from the night audit, due within half a
    working day (NS-6)."""

    name = "noshow.case_opened"
    version = 1

    case_id: uuid.UUID
    booking_ref: str = Field(min_length=1, max_length=40)
    hotel_name: str = Field(max_length=300)
    business_date: date
    opened_at: AwareDatetime
    due_at: AwareDatetime


@event
class CaseFinishedV1(Payload):
    """SL-4: the case left the worklist (stayed, or a final no-show)."""

    name = "noshow.case_finished"
    version = 1

    case_id: uuid.UUID
    booking_ref: str = Field(min_length=1, max_length=40)
    outcome: Literal["stayed", "no_show"]
    finished_at: AwareDatetime
