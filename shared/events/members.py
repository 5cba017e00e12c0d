"""Events the customer-service service (``members``) publishes.

The members service is not built yet (issue 7); these contracts are fixed now so hotel
resources can keep complaints on the hotel's file (HR-12) from the day it publishes them.
Customer service files and closes complaints (CS-3); a complaint about a hotel names it.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import AwareDatetime, Field

from shared.events import Payload, event


@event
class ComplaintFiledV1(Payload):
    """A complaint about a hotel was recorded by customer service (CS-3, HR-12).

    ``member_card`` is empty when the complainant is a guest, not a member; ``booking_ref``
    is None when the complaint is about no one booking (e.g. the hotel's phone manner)."""

    name = "members.complaint_filed"
    version = 1

    complaint_id: uuid.UUID
    hotel_id: uuid.UUID
    complainant_name: str = Field(min_length=1, max_length=200)
    member_card: str = Field(default="", max_length=40)
    booking_ref: str | None = Field(default=None, max_length=40)
    # CS-3 files complaints by category; the categories are customer service's to choose
    # (room, service, overbooking, price, ...), so this is free text, not an enum.
    category: str = Field(min_length=1, max_length=60)
    severity: Literal["minor", "major"]  # major: an apology visit is due (CS-3)
    summary: str = Field(min_length=1, max_length=2000)
    filed_at: AwareDatetime


@event
class ComplaintClosedV1(Payload):
    """Customer service closed a complaint with its outcome (CS-3): what was found and done."""

    name = "members.complaint_closed"
    version = 1

    complaint_id: uuid.UUID
    outcome: str = Field(min_length=1, max_length=2000)
    closed_at: AwareDatetime


@event
class MemberUpdatedV1(Payload):
    """A member's record as the booking desk needs it, a full snapshot after each change
    (CS-1 profile and card changes; IN-8 the open major complaint that earns compensation).

    ``version`` rises with every change of the member, so a consumer keeps the highest it saw
    and ignores a late older snapshot. ``complaint_open`` with its ``complaint_note`` and
    ``complaint_on`` (the complaint's date) asks agents to offer compensation at the next
    booking; customer service clears it once compensation was given."""

    name = "members.member_updated"
    version = 1

    member_id: uuid.UUID
    version_no: int = Field(ge=1)
    card_no: str = Field(min_length=1, max_length=40)
    full_name: str = Field(min_length=1, max_length=120)  # ``name`` is the event's
    phones: list[str] = Field(default=[], max_length=5)
    level: str = Field(max_length=20)
    complaint_open: bool = False
    complaint_note: str = Field(default="", max_length=500)
    complaint_on: date | None = None
    updated_at: AwareDatetime

    def aggregate_key(self) -> str:
        return f"member:{self.member_id}"

    def own_aggregate_version(self) -> int:
        # Bumped by the UPDATE that writes the change (members.py), in the event's transaction.
        return self.version_no


Department = Literal["hotel_resources", "confirmation", "finance", "customer_service", "booking"]
AnswerStage = Literal["department", "progress", "final"]


@event
class ComplaintRoutedV1(Payload):
    """Customer service recorded a complaint (any complaint, about a hotel or not) and routed
    it to the responsible department (CS-3). Intake raises it as an internal form (IN-7) in
    that department's list; metrics starts its SL-5 clocks from the due times carried here
    (the members service computes them, so every consumer agrees on them).

    ``department_due_at``: the department's findings and remedy, 17:00 the day filed (the
    next day when filed at or after 17:00). ``progress_due_at`` / ``final_due_at``: filed
    + 12 h / + 24 h, owed unless the member had the final answer the same day."""

    name = "members.complaint_routed"
    version = 1

    complaint_id: uuid.UUID
    complaint_no: int = Field(ge=1)
    department: Department
    hotel_id: uuid.UUID | None = None
    hotel_name: str = Field(default="", max_length=300)
    complainant_name: str = Field(min_length=1, max_length=200)
    member_card: str = Field(default="", max_length=40)
    booking_ref: str | None = Field(default=None, max_length=40)
    category: str = Field(min_length=1, max_length=60)
    severity: Literal["minor", "major"]
    summary: str = Field(min_length=1, max_length=2000)
    routed_by: str = Field(min_length=1, max_length=120)
    filed_at: AwareDatetime
    department_due_at: AwareDatetime
    progress_due_at: AwareDatetime
    final_due_at: AwareDatetime


@event
class ComplaintAnsweredV1(Payload):
    """A step of the complaint's clock was met (SL-5): ``department`` the department's
    findings came back, ``progress`` the member had a progress answer, ``final`` the member
    had the final answer. Metrics stops the matching clock; a step announced twice keeps
    its first time."""

    name = "members.complaint_answered"
    version = 1

    complaint_id: uuid.UUID
    stage: AnswerStage
    answered_at: AwareDatetime
