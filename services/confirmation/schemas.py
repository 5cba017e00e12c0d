"""Input and output shapes of the confirmation API.

``status`` is the task's standing against its CF-2/CF-6 deadline at the moment of the request
(``overdue``, ``due-soon``, ``ok``); ``state`` is where the task is in the desk's work.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, StringConstraints

from shared.limits import Uuid, check_text

# "closed": nothing to send, the booking was cancelled before any order went (issue 15).
TaskState = Literal["unsent", "sending", "sent", "confirmed", "full", "closed"]
TaskStatus = Literal["overdue", "due-soon", "ok"]
# What the queue's state filter accepts: one state, "open" (still needing the desk's work,
# the default view) or "all".
StateFilter = Literal["open", "all", "unsent", "sending", "sent", "confirmed", "full", "closed"]
STATE_FILTERS: tuple[str, ...] = (
    "open", "all", "unsent", "sending", "sent", "confirmed", "full", "closed",
)  # fmt: skip
OPEN_STATES: tuple[str, ...] = ("unsent", "sending", "sent")
# CF-1 / SL-3: an order queued for sending is still unsent until the hotel's channel took it.
UNSENT_STATES: tuple[str, ...] = ("unsent", "sending")
# The hotel's channel an order goes by (CF-1); "" is any.
ChannelFilter = Literal["", "fax", "email"]

# Issue 14: every id in a path is a UUID, whose text is at most 36 characters.
PathId = Uuid
# A booking ref (RL + 8, see shared.booking_refs), with room to say what is wrong with a typo.
BookingRefText = Annotated[str, StringConstraints(max_length=40), AfterValidator(check_text)]
# The word a page shows after a redirect (?saved=claimed, ?filed=RL…): never more than this.
NoticeWord = Annotated[str, StringConstraints(max_length=64), AfterValidator(check_text)]


class TaskView(BaseModel):
    task_id: uuid.UUID
    booking_id: uuid.UUID
    kind: str
    booking_ref: str
    hotel_id: uuid.UUID
    hotel_name: str
    # How the hotel takes order sheets (fax or email), from hotel_contact; None until the
    # hotel's file has reached this service.
    hotel_channel: str | None
    room_type_name: str
    rate_plan_name: str
    check_in: date
    check_out: date
    nights: int
    rooms: int
    guest_names: list[str]
    payment_mode: str
    # How the customer wants their confirmation (CF-6): fax, phone, sms or email.
    confirm_channel: str
    special_requests: str
    urgent: bool
    booked_at: datetime
    deadline_at: datetime
    state: TaskState
    status: TaskStatus
    # IN-5 / CF-1: which version of the booking this task sends; for a modification or a
    # cancellation, what changed and why (CF-8: read before sending).
    booking_version: int = 1
    change_summary: str = ""
    change_reason: str = ""
    # The same, as data, for pages to word in the reader's language (issue 15): the fields as
    # they were and are, and the reason's category and the agent's note.
    change_before: dict[str, Any] = {}
    change_after: dict[str, Any] = {}
    change_category: str = ""
    change_note: str = ""
    # CF-1: who is working the task (None: free to claim).
    claimed_by: str | None = None
    # CF-5: an online booking waiting for its verification call.
    awaiting_verification: bool = False
    # Why the last send failed; the task is back in the queue with it.
    last_error: str = ""
    # CF-7 / SL-6: a fax sent and not yet checked by phone, and whether that is overdue.
    receipt_due_at: datetime | None = None
    receipt_overdue: bool = False
    hotel_confirmation_no: str | None = None
    close_reason: str = ""


class TaskPage(BaseModel):
    items: list[TaskView]
    total: int
    page: int
    page_size: int
    # Unsent tasks across the whole queue, whatever the filter (CF-1 / SL-3).
    unsent: int
    unsent_limit: int
    over_limit: bool
