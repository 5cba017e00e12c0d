"""Input and output shapes of internal communication forms (IN-7)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, computed_field, field_validator

from shared.i18n import N_, _

# What a person may raise; "complaint" forms come only from customer service's
# ``members.complaint_routed`` (CS-3), so the form and the API refuse it.
RaisableProblem = Literal[
    "price_mismatch", "guest_name_mismatch", "company_mismatch", "room_count_mismatch", "other"
]
Problem = Literal[RaisableProblem, "complaint"]
Department = Literal["hotel_resources", "confirmation", "finance", "customer_service", "booking"]
Status = Literal["open", "in_progress", "answered", "closed"]

# Labels marked for the catalog; pages translate them where shown (``{{ _(label) }}``).
PROBLEMS: dict[str, str] = {
    "price_mismatch": N_("Price mismatch"),
    "guest_name_mismatch": N_("Guest name mismatch"),
    "company_mismatch": N_("Company mismatch"),
    "room_count_mismatch": N_("Room count mismatch"),
    "other": N_("Other"),
}
RAISABLE_PROBLEMS: dict[str, str] = dict(PROBLEMS)
PROBLEMS["complaint"] = N_("Member complaint")
DEPARTMENTS: dict[str, str] = {
    "hotel_resources": N_("Hotel resources"),
    "confirmation": N_("Confirmation desk"),
    "finance": N_("Finance / payments"),
    "customer_service": N_("Customer service"),
    "booking": N_("Booking"),
}
STATUSES: dict[str, str] = {
    "open": N_("Open"),
    "in_progress": N_("In progress"),
    "answered": N_("Department answered"),
    "closed": N_("Closed"),
}
ACTIVE_STATUSES = ("open", "in_progress")  # the department still owes an answer


class MemoRequest(BaseModel):
    """A special problem raised for a department (IN-7)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    problem: RaisableProblem
    department: Department
    booking_ref: str = Field("", max_length=12, validate_default=True)
    description: str = Field(min_length=1, max_length=4000)
    due_in_hours: int | None = Field(None, ge=1, le=24 * 14)

    @field_validator("booking_ref")
    @classmethod
    def needed_for_a_mismatch(cls, ref: str, info: ValidationInfo) -> str:
        # A mismatch is always between a booking and something else: name the booking.
        problem = info.data.get("problem")
        if not ref and problem is not None and problem != "other":
            raise ValueError(_("a mismatch needs the booking reference it concerns"))
        return ref.upper()


class ReplyRequest(BaseModel):
    """A reply in the memo's thread, a status change, or both."""

    model_config = ConfigDict(str_strip_whitespace=True)

    status: Status | None = None
    body: str = Field("", max_length=4000, validate_default=True)

    @field_validator("body")
    @classmethod
    def something_to_say(cls, body: str, info: ValidationInfo) -> str:
        if not body and info.data.get("status") is None:
            raise ValueError(_("write a reply or choose a new status"))
        return body


class ReplyView(BaseModel):
    reply_id: uuid.UUID
    author: str
    body: str
    status_from: str | None
    status_to: str | None
    written_at: datetime


class MemoView(BaseModel):
    memo_id: uuid.UUID
    memo_no: int
    problem: Problem
    booking_ref: str
    description: str
    department: Department
    status: Status
    owner_username: str | None
    raised_by: str
    raised_at: datetime
    due_at: datetime
    answered_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime
    complaint_id: uuid.UUID | None = None  # CS-3: raised for this member's complaint
    complaint_no: int | None = None
    overdue: bool
    replies: list[ReplyView] = []


class MemoPage(BaseModel):
    items: list[MemoView]
    page: int
    page_size: int
    total: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))
