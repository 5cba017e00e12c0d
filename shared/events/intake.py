"""Events the booking-agent service (``intake``) publishes."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel

from shared.events import Payload, event


class BookedNight(BaseModel):
    night: date
    net_minor: int
    sell_minor: int


@event
class BookingPlacedV1(Payload):
    """A committed booking (IN-4); prices are frozen into it."""

    name = "intake.booking_placed"
    version = 1

    booking_id: uuid.UUID
    booking_ref: str
    hotel_id: uuid.UUID
    hotel_name: str
    room_type_id: uuid.UUID
    room_type_name: str
    rate_plan_id: uuid.UUID
    rate_plan_name: str
    check_in: date
    check_out: date
    rooms: int
    guest_names: list[str]
    booker_name: str
    booker_phone: str
    payment_mode: str
    confirm_channel: str
    special_requests: str = ""
    currency: str
    nights: list[BookedNight]
    total_sell_minor: int
    urgent: bool
    reply_at_once: bool = False
    placed_at: datetime
    agent_username: str
    # Added compatibly (defaults): the rest of IN-4 for the hotel's order sheet, and IN-1's
    # handling start for the SLA layer.
    booker_company: str = ""
    member_card: str = ""
    arrival_time: str = ""
    handling_started_at: datetime | None = None
