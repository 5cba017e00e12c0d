"""Input and output shapes of booking changes (IN-5).

A change names the booking ``version`` the agent saw (optimistic concurrency) and always says
why: a reason in words and one of four categories, so managers can count agent errors apart
from guests changing their minds.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.intake.booking.schemas import BookingView
from services.intake.bounds import MAX_GUESTS, GuestName, Rooms, SeenVersion
from shared.i18n import N_
from shared.limits import BusinessDate

ReasonCategory = Literal["guest_request", "hotel_request", "agent_error", "other"]
REASON_CATEGORIES: dict[str, str] = {
    "guest_request": N_("Guest request"),
    "hotel_request": N_("Hotel request"),
    "agent_error": N_("Agent error"),
    "other": N_("Other"),
}
ChangeKind = Literal["modify", "cancel"]


class ChangeReason(BaseModel):
    """What every change carries: the version seen, and why (IN-5)."""

    # Unknown fields are refused: a client trying to change the hotel or rate plan here must
    # hear that it cannot (that is a new booking), not have it silently ignored.
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    version: SeenVersion
    reason: str = Field(min_length=1, max_length=1000)
    reason_category: ReasonCategory


class ModifyRequest(ChangeReason):
    """The fields to change; a field left out (None) keeps its value."""

    check_in: BusinessDate | None = None
    check_out: BusinessDate | None = None
    rooms: Rooms | None = None
    guest_names: list[GuestName] | None = Field(None, max_length=MAX_GUESTS)
    special_requests: str | None = Field(None, max_length=2000)
    arrival_time: str | None = Field(None, max_length=40)


class CancelRequest(ChangeReason):
    pass


class ChangeView(BaseModel):
    """One entry of a booking's history; ``before``/``after`` hold only what changed."""

    change_id: uuid.UUID
    booking_version: int
    kind: ChangeKind
    reason: str
    reason_category: ReasonCategory
    changed_by: str
    changed_at: datetime
    before: dict[str, Any]
    after: dict[str, Any]
    lines: list[str] = []  # the same, as sentences for the timeline


class ChangedBooking(BaseModel):
    booking: BookingView
    change: ChangeView


class ChangePage(BaseModel):
    items: list[ChangeView]
    total: int
    page: int
    page_size: int
