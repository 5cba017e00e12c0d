"""Input and output shapes of the shift handover book (IN-6)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator

from shared.i18n import N_

EntryKind = Literal["note", "task"]
Priority = Literal["normal", "high", "urgent"]
# Labels marked for the catalog; pages translate them where shown (``{{ _(label) }}``).
ENTRY_KINDS: dict[str, str] = {"note": N_("Note"), "task": N_("Open task")}
PRIORITIES: dict[str, str] = {"normal": N_("Normal"), "high": N_("High"), "urgent": N_("Urgent")}


class EntryRequest(BaseModel):
    """A note or an open task one shift leaves for the next."""

    model_config = ConfigDict(str_strip_whitespace=True)

    kind: EntryKind = "note"
    body: str = Field(min_length=1, max_length=2000)
    booking_ref: str = Field("", max_length=12)
    priority: Priority = "normal"

    @field_validator("booking_ref")
    @classmethod
    def upper_case(cls, ref: str) -> str:
        return ref.upper()  # agents type references as they hear them: rl7k…


class DoneRequest(BaseModel):
    """Marking an open task done, with what was done."""

    model_config = ConfigDict(str_strip_whitespace=True)

    note: str = Field("", max_length=1000)


class ShiftView(BaseModel):
    name: str
    shift_date: date
    starts_at: datetime
    ends_at: datetime


class EntryView(BaseModel):
    entry_id: uuid.UUID
    handover_id: uuid.UUID
    kind: EntryKind
    body: str
    booking_ref: str
    priority: Priority
    written_by: str
    written_at: datetime
    done_by: str | None
    done_at: datetime | None
    done_note: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def is_open(self) -> bool:
        return self.kind == "task" and self.done_at is None


class AckView(BaseModel):
    username: str
    display_name: str
    acknowledged_at: datetime


class HandoverView(BaseModel):
    """What one shift handed to the next, and who of the next shift acknowledged it."""

    handover_id: uuid.UUID
    shift: str
    shift_date: date
    starts_at: datetime
    from_shift: str
    entries: list[EntryView]
    acks: list[AckView]
    overdue: bool  # nobody acknowledged it and its shift began longer ago than the grace

    @computed_field  # type: ignore[prop-decorator]
    @property
    def notes(self) -> int:
        return sum(1 for e in self.entries if e.kind == "note")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def open_tasks(self) -> int:
        return sum(1 for e in self.entries if e.is_open)

    def acknowledged_by(self, username: str) -> bool:
        return any(a.username == username for a in self.acks)


class DeskView(BaseModel):
    """The handover book as one person of the desk sees it now."""

    shift: ShiftView
    next_shift: ShiftView
    incoming: HandoverView | None  # handed to the shift now running
    acknowledged_by_me: bool
    outgoing: HandoverView | None  # what the shift now running leaves for the next
    open_tasks: list[EntryView]  # every task not done yet, whichever shift left it
    overdue: list[HandoverView]  # team leads only: handovers nobody acknowledged in time


class Banner(BaseModel):
    """The line at the top of the desk's pages: "Handover from the night shift: …"."""

    handover_id: uuid.UUID | None
    from_shift: str
    notes: int
    open_tasks: int
    overdue_handovers: int


class HistoryPage(BaseModel):
    items: list[HandoverView]
    page: int
    page_size: int
    total: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))
