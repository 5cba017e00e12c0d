"""Events the confirmation desk's service (``confirmation``) publishes."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import Field

from shared.events import Payload, event


@event
class FullHouseV1(Payload):
    """The hotel refused a booking because it is full (CF-3). Hotel resources sets those
    nights' room status to full at once, so agents stop selling them."""

    name = "confirmation.full_house"
    version = 1

    booking_ref: str
    hotel_id: uuid.UUID
    room_type_id: uuid.UUID
    nights: list[date] = Field(min_length=1)
    reason: str = Field(min_length=1, max_length=2000)
    marked_by: str  # the confirmation desk user who recorded the hotel's answer
