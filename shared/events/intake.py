"""Events the booking-agent service (``intake``) publishes."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from shared.events import Payload, event


class BookedNight(BaseModel):
    night: date
    net_minor: int
    sell_minor: int


class BookingFields(BaseModel):
    """A booking's own fields (IN-4), one list for the events' snapshot and intake's view of
    a booking (``services.intake.booking.schemas.BookingView`` adds what only intake shows)."""

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
    total_sell_minor: int
    urgent: bool
    agent_username: str


class BookingSnapshot(BookingFields, Payload):
    """What every booking event carries of the booking as it stands (IN-4): a consumer
    handling them out of order still has the whole booking."""

    nights: list[BookedNight]

    def aggregate_key(self) -> str:
        """Issue 12: a booking's events are ordered by the booking's own version."""
        return f"booking:{self.booking_id}"


@event
class BookingPlacedV1(BookingSnapshot):
    """A committed booking (IN-4); prices are frozen into it."""

    name = "intake.booking_placed"
    version = 1

    reply_at_once: bool = False
    placed_at: datetime
    # Added compatibly (defaults): the rest of IN-4 for the hotel's order sheet, and IN-1's
    # handling start for the SLA layer.
    booker_company: str = ""
    member_card: str = ""
    arrival_time: str = ""
    handling_started_at: datetime | None = None
    # Added compatibly, issue 5. "placed": rooms taken from our allotment; "requested": on
    # request (HR-2), no allotment taken, the confirmation desk must ask the hotel first.
    status: str = "placed"
    # CF-6: the fax number, email or phone the customer's confirmation goes to.
    confirm_contact: str = ""
    # IN-1 / SL-2: the telephony's call id (when known) and the seconds to commit.
    call_id: str | None = None
    handle_seconds: int | None = None
    # CF-5: "phone" (taken by an agent) or "online" (the guest booked on the web site; the
    # confirmation desk calls the guest to verify before sending it to the hotel).
    source: str = "phone"

    def own_aggregate_version(self) -> int:
        return 1  # a booking is placed at version 1; every change bumps it (IN-5)


# --- changes after placement (IN-5) --------------------------------------------------------
# Both carry the whole booking as it stands after the change, so a consumer that handles them
# out of order (workers run jobs concurrently) still has everything it needs; ``booking_version``
# orders them (1 is the placement). It is also the envelope's ``aggregate_version``: intake
# bumps it under the booking's row lock, in the transaction that publishes the event.


@event
class BookingModifiedV1(BookingSnapshot):
    """A booking changed (IN-5): ``before``/``after`` hold only what changed; ``nights`` are
    the booking's per-night prices now (kept nights frozen, new ones at the sell price of the
    change)."""

    name = "intake.booking_modified"
    version = 1

    change_id: uuid.UUID
    booking_version: int
    status: str
    arrival_time: str = ""
    changed: list[str]
    before: dict[str, Any]
    after: dict[str, Any]
    reason: str
    reason_category: str
    modified_at: datetime

    def own_aggregate_version(self) -> int:
        return self.booking_version


@event
class BookingCancelledV1(BookingSnapshot):
    """A booking cancelled (IN-5); ``nights`` are the nights it held, now released."""

    name = "intake.booking_cancelled"
    version = 1

    change_id: uuid.UUID
    booking_version: int
    reason: str
    reason_category: str
    cancelled_at: datetime

    def own_aggregate_version(self) -> int:
        return self.booking_version


# --- internal communication forms (IN-7) ---------------------------------------------------


@event
class MemoRaisedV1(Payload):
    """A special problem raised as an internal communication form and routed to a department
    (IN-7). No service consumes it yet; the departments read their forms on intake's pages."""

    name = "intake.memo_raised"
    version = 1

    memo_id: uuid.UUID
    memo_no: int
    # price_mismatch, guest_name_mismatch, company_mismatch, room_count_mismatch, other, or
    # complaint (raised by intake itself for members.complaint_routed, CS-3)
    problem: str
    department: str  # hotel_resources, confirmation, finance, customer_service or booking
    booking_ref: str
    description: str
    raised_by: str
    raised_at: datetime
    due_at: datetime


@event
class MemoAnsweredV1(Payload):
    """A department answered an internal form (IN-7). ``complaint_id`` is set when the form
    was raised for a member's complaint (``members.complaint_routed``): the members service
    records the answer as the department's findings (CS-3, SL-5)."""

    name = "intake.memo_answered"
    version = 1

    memo_id: uuid.UUID
    memo_no: int
    department: str
    complaint_id: uuid.UUID | None = None
    reply: str
    answered_by: str
    answered_at: datetime
