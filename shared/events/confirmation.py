"""Events the confirmation desk's service (``confirmation``) publishes."""

from __future__ import annotations

import uuid
from datetime import date, datetime

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
    # Added compatibly: intake sets the booking full with the reason in its remarks.
    booking_id: uuid.UUID | None = None
    marked_at: datetime | None = None
    # Added compatibly, issue 7: the task the answer closes, for the SL-3 projection.
    task_id: uuid.UUID | None = None


@event
class BookingConfirmedV1(Payload):
    """The hotel confirmed a task's booking, new or changed, with its confirmation number
    (CF-4); the agent sees the booking confirmed."""

    name = "confirmation.booking_confirmed"
    version = 1

    booking_id: uuid.UUID
    booking_ref: str
    kind: str  # new, modify or cancel: which of the booking's tasks the hotel confirmed
    booking_version: int
    hotel_confirmation_no: str = Field(min_length=1, max_length=60)
    confirmed_by: str
    confirmed_at: datetime
    # Added compatibly, issue 7: the task the answer closes, for the SL-3 projection.
    task_id: uuid.UUID | None = None


@event
class OrderSentV1(Payload):
    """An order sheet reached the hotel's channel (CF-1); for a fax the receipt check is due
    at ``receipt_due_at`` (CF-7). For the service-level layer (SL-3, SL-6)."""

    name = "confirmation.order_sent"
    version = 1

    task_id: uuid.UUID
    booking_ref: str
    kind: str
    channel: str
    sent_at: datetime
    deadline_at: datetime
    receipt_due_at: datetime | None = None


@event
class TaskOpenedV1(Payload):
    """A booking, change or cancellation became a task on the confirmation desk (CF-1) with
    its deadline (CF-2, CF-6). For the service-level layer: SL-3 counts from here."""

    name = "confirmation.task_opened"
    version = 1

    task_id: uuid.UUID
    booking_ref: str
    kind: str  # new, modify or cancel
    hotel_name: str
    deadline_at: datetime
    opened_at: datetime
    booking_id: uuid.UUID | None = None
    booking_version: int = 1


@event
class TaskClosedV1(Payload):
    """A task closed without the hotel's answer (issue 15): ``nothing_to_send`` when its
    booking was cancelled before any order about it was sent (CF-1, CF-8). For the
    service-level layer: the task is no longer unsent or overdue (SL-3)."""

    name = "confirmation.task_closed"
    version = 1

    task_id: uuid.UUID
    booking_ref: str
    kind: str
    reason: str
    closed_at: datetime


@event
class ReceiptCheckedV1(Payload):
    """Someone at the hotel confirmed by phone that the fax arrived (CF-7); SL-6 wants this
    within 3 minutes of sending."""

    name = "confirmation.receipt_checked"
    version = 1

    task_id: uuid.UUID
    booking_ref: str
    checked_at: datetime
    by: str  # the confirmation desk user who called
