"""Complaints on the clock (CS-3, HR-12, IN-8, SL-5).

Filing is one transaction: the complaint, its first step, the audit row and
``members.complaint_routed`` (the department's internal form in intake, the SL-5 clocks in
metrics; due times from ``shared.complaint_clock``), plus ``members.complaint_filed`` when it
names a hotel (HR-12: contracts keeps it on the hotel's file). A major complaint sets the
member's IN-8 flag (``services.members.service.set_complaint``, whose ``member_updated``
reaches intake's caller panel) and owes an apology visit.

Each answer stops one clock with ``members.complaint_answered``: the department's findings
(typed in when phoned through, or intake's ``memo_answered``; the first findings are kept),
the member's progress answer, the member's final answer. Closing needs the final answer, the
apology visit of a major complaint, and an outcome; ``members.complaint_closed`` goes out only
for a hotel's complaint (contracts keeps only those). Closing leaves the IN-8 flag alone:
customer service clears it once compensation was given at the next booking.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Row, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.members import service as members
from services.members.complaints.models import complaint, complaint_hotel, complaint_step
from services.members.profile.models import member_booking
from services.members.settings import SCHEMA
from shared import audit
from shared.auth import Staff
from shared.clock import clock
from shared.complaint_clock import complaint_due, same_day_end
from shared.errors import Conflict, InvalidInput, NotFound, RuleViolated
from shared.events.members import (
    ComplaintAnsweredV1,
    ComplaintClosedV1,
    ComplaintFiledV1,
    ComplaintRoutedV1,
)
from shared.events.outbox import publish_many
from shared.i18n import N_, _
from shared.limits import BusinessDate, Text, Uuid, Version

Category = Literal[
    "room", "cleanliness", "service", "overbooking", "price", "booking_error", "confirmation",
    "other",
]  # fmt: skip
Severity = Literal["minor", "major"]
Department = Literal["hotel_resources", "confirmation", "finance", "customer_service", "booking"]
CATEGORY_NAMES: dict[str, str] = {
    "room": N_("Room"),
    "cleanliness": N_("Cleanliness"),
    "service": N_("Service"),
    "overbooking": N_("Overbooking"),
    "price": N_("Price"),
    "booking_error": N_("Booking error"),
    "confirmation": N_("Confirmation"),
    "other": N_("Other"),
}
SEVERITY_NAMES = {"minor": N_("Minor"), "major": N_("Major")}
DEPARTMENT_NAMES: dict[str, str] = {
    "hotel_resources": N_("Hotel resources"),
    "confirmation": N_("Confirmation desk"),
    "finance": N_("Finance"),
    "customer_service": N_("Customer service"),
    "booking": N_("Booking desk"),
}
STATUS_NAMES = {
    "open": N_("Open"),
    "findings": N_("Findings in"),
    "answered": N_("Answered"),
    "closed": N_("Closed"),
}
Answer = Text(2000, min_length=1)


class ComplaintIn(BaseModel):
    """What customer service records of a complaint (CS-3)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    member_id: Uuid | None = None
    complainant_name: Text(200, min_length=1)  # type: ignore[valid-type]
    contact_phone: Text(40) = ""  # type: ignore[valid-type]
    member_card: Text(40) = ""  # type: ignore[valid-type]
    booking_ref: Text(40) | None = None  # type: ignore[valid-type]
    hotel_id: Uuid | None = None
    category: Category
    severity: Severity
    summary: Text(2000, min_length=1)  # type: ignore[valid-type]
    department: Department


class AnswerIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    text: Answer  # type: ignore[valid-type]
    version: Version | None = None  # the version the desk saw; None from an event


class VisitIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    visit_on: BusinessDate
    note: Text(2000, min_length=1)  # type: ignore[valid-type]
    version: Version | None = None


class CloseIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    outcome: Text(2000, min_length=1)  # type: ignore[valid-type]
    version: Version | None = None


@dataclass(frozen=True)
class ClockState:
    """One SL-5 clock of a complaint as the list shows it."""

    stage: str  # department | progress | final
    due_at: datetime
    done_at: datetime | None
    state: str  # met | late | overdue | running | not_owed


CLOCK_NAMES = {
    "department": N_("Department findings"),
    "progress": N_("Progress answer"),
    "final": N_("Final answer"),
}


def clocks(row: Any, now: datetime) -> list[ClockState]:
    """The three clocks (CS-3, SL-5). A final answer the same day, or before a progress answer
    was due, means none was owed; a final answer after that, with no progress answer between,
    is the progress answer given late."""
    states = []
    for stage, due, done in (
        ("department", row.department_due_at, row.findings_at),
        ("progress", row.progress_due_at, row.progress_at),
        ("final", row.final_due_at, row.final_at),
    ):
        if stage == "progress" and done is None and row.final_at is not None:
            if row.final_at <= max(due, same_day_end(row.filed_at)):
                states.append(ClockState(stage, due, None, "not_owed"))
                continue
            done = row.final_at
        if done is not None:
            state = "met" if done <= due else "late"
        else:
            state = "overdue" if now > due else "running"
        states.append(ClockState(stage, due, done, state))
    return states


async def hotel_name_of(session: AsyncSession, hotel_id: uuid.UUID) -> str:
    name = await session.scalar(
        select(complaint_hotel.c.name).where(complaint_hotel.c.hotel_id == hotel_id)
    )
    if name is None:
        raise InvalidInput(_("Choose a hotel from the list."), field="hotel_id")
    return str(name)


async def _booked_hotel(session: AsyncSession, booking_ref: str) -> tuple[Any, str] | None:
    """HR-12: the hotel of the booking complained about, from the member bookings the
    profile package keeps (intake's booking events); None when that booking is not known."""
    found = (
        await session.execute(
            select(member_booking.c.hotel_id, member_booking.c.hotel_name)
            .where(func.upper(member_booking.c.booking_ref) == booking_ref.upper())
            .order_by(member_booking.c.updated_at.desc())
            .limit(1)
        )
    ).first()
    return None if found is None else (found.hotel_id, found.hotel_name)


async def _hotel(session: AsyncSession, data: ComplaintIn) -> tuple[Any, str]:
    """The hotel the complaint names: the one chosen, else the booking's, else none."""
    if data.hotel_id is not None:
        return data.hotel_id, await hotel_name_of(session, data.hotel_id)
    if data.booking_ref and (booked := await _booked_hotel(session, data.booking_ref)):
        return booked
    return None, ""


async def _member_details(session: AsyncSession, data: ComplaintIn) -> dict[str, Any]:
    if data.member_id is None:
        return {"member_card": data.member_card}
    try:
        found = await members.get_member(session, member_id=data.member_id)
    except NotFound as exc:
        raise InvalidInput(_("No such member."), field="member_id") from exc
    return {"member_card": found.card_no}


async def _step(
    session: AsyncSession, complaint_id: uuid.UUID, kind: str, actor: str, text: str
) -> None:
    await session.execute(
        insert(complaint_step).values(
            complaint_id=complaint_id, kind=kind, actor=actor, at=clock.now(), text=text
        )
    )


def _routed(row: Any) -> ComplaintRoutedV1:
    return ComplaintRoutedV1(
        complaint_id=row.complaint_id, complaint_no=row.complaint_no,
        department=row.department, hotel_id=row.hotel_id, hotel_name=row.hotel_name,
        complainant_name=row.complainant_name, member_card=row.member_card,
        booking_ref=row.booking_ref, category=row.category, severity=row.severity,
        summary=row.summary, routed_by=row.filed_by, filed_at=row.filed_at,
        department_due_at=row.department_due_at, progress_due_at=row.progress_due_at,
        final_due_at=row.final_due_at,
    )  # fmt: skip


def _filed(row: Any) -> ComplaintFiledV1:
    return ComplaintFiledV1(
        complaint_id=row.complaint_id, hotel_id=row.hotel_id,
        complainant_name=row.complainant_name, member_card=row.member_card,
        booking_ref=row.booking_ref, category=row.category, severity=row.severity,
        summary=row.summary, filed_at=row.filed_at,
    )  # fmt: skip


async def file_complaint(session: AsyncSession, *, actor: Staff, data: ComplaintIn) -> Row[Any]:
    """CS-3: record and route a complaint; HR-12 and IN-8 follow from what it names."""
    now = clock.now()
    due = complaint_due(now)
    hotel_id, hotel_name = await _hotel(session, data)
    values = data.model_dump() | await _member_details(session, data) | {"hotel_id": hotel_id}
    row = (
        await session.execute(
            insert(complaint)
            .values(
                **values,
                complaint_id=uuid.uuid4(),
                hotel_name=hotel_name,
                status="open",
                filed_by=actor.username,
                filed_at=now,
                department_due_at=due["department"],
                progress_due_at=due["progress"],
                final_due_at=due["final"],
                findings="",
                findings_by="",
                progress_answer="",
                final_answer="",
                apology_visit_due=data.severity == "major",
                visit_note="",
                outcome="",
                closed_by="",
                version=1,
            )
            .returning(complaint)
        )
    ).one()
    await _step(session, row.complaint_id, "filed", actor.username, row.summary)
    await audit.record(
        session, schema=SCHEMA, actor=actor, action="complaint_filed", entity="complaint",
        entity_id=row.complaint_id, after=_audit_view(row),
    )  # fmt: skip
    payloads: list[Any] = [_routed(row)]
    if row.hotel_id is not None:
        payloads.append(_filed(row))  # HR-12
    await publish_many(session, schema=SCHEMA, payloads=payloads, occurred_at=now)
    if row.severity == "major" and row.member_id is not None:
        await _flag_member(session, actor, row)
    return row


async def _flag_member(session: AsyncSession, actor: Staff, row: Any) -> None:
    """IN-8: the agent offers compensation at the member's next booking."""
    note = _("Major complaint No. %(no)s: %(summary)s") % {
        "no": row.complaint_no,
        "summary": row.summary,
    }
    flag = members.ComplaintFlagIn(note=note[:500], complaint_on=clock.local(row.filed_at).date())
    await members.set_complaint(session, actor=actor, member_id=row.member_id, data=flag)


def _audit_view(row: Any) -> dict[str, Any]:
    return {
        key: (str(value) if isinstance(value, uuid.UUID | datetime | date) else value)
        for key, value in row._mapping.items()
    }


async def get_complaint(
    session: AsyncSession, complaint_id: uuid.UUID, *, lock: bool = False
) -> Row[Any]:
    query = select(complaint).where(complaint.c.complaint_id == complaint_id)
    row = (await session.execute(query.with_for_update() if lock else query)).first()
    if row is None:
        raise NotFound(_("No such complaint."))
    return row


async def steps_of(session: AsyncSession, complaint_id: uuid.UUID) -> list[Row[Any]]:
    rows = await session.execute(
        select(complaint_step)
        .where(complaint_step.c.complaint_id == complaint_id)
        .order_by(complaint_step.c.step_id)
    )
    return list(rows)


def _open_for_change(row: Any, seen: int | None) -> None:
    if row.status == "closed":
        raise Conflict(_("This complaint is closed."))
    if seen is not None and seen != row.version:
        raise Conflict(
            _("Someone else changed this complaint since you opened it; reload it."),
            field="version",
        )


async def _change(
    session: AsyncSession,
    row: Any,
    *,
    actor: Staff | str,
    kind: str,
    text: str,
    values: dict[str, Any],
    answered: str | None,
) -> Row[Any]:
    """Write one step of the complaint: the row, the thread, the audit, the clock's event."""
    now = clock.now()
    after = (
        await session.execute(
            update(complaint)
            .where(complaint.c.complaint_id == row.complaint_id)
            .values(**values, version=complaint.c.version + 1)
            .returning(complaint)
        )
    ).one()
    name = actor.username if isinstance(actor, Staff) else actor
    await _step(session, row.complaint_id, kind, name, text)
    await audit.record(
        session, schema=SCHEMA, actor=actor, action=f"complaint_{kind}", entity="complaint",
        entity_id=row.complaint_id, before={"status": row.status}, after={"status": after.status,
        "text": text},
    )  # fmt: skip
    if answered is not None:
        event = ComplaintAnsweredV1(
            complaint_id=row.complaint_id,
            stage=answered,  # type: ignore[arg-type]
            answered_at=values.get(f"{answered}_at") or values.get("findings_at") or now,
        )
        await publish_many(session, schema=SCHEMA, payloads=[event], occurred_at=now)
    return after


async def record_findings(
    session: AsyncSession,
    *,
    complaint_id: uuid.UUID,
    actor: Staff | str,
    data: AnswerIn,
    at: datetime | None = None,
) -> Row[Any]:
    """CS-3: the department's findings and remedy; the first findings are kept (a memo
    answered after they were phoned through changes nothing)."""
    row = await get_complaint(session, complaint_id, lock=True)
    if row.findings_at is not None:
        if data.version is not None:
            raise Conflict(_("The department's findings are already recorded."), field="text")
        return row
    _open_for_change(row, data.version)
    name = actor.username if isinstance(actor, Staff) else actor
    status = "findings" if row.status == "open" else row.status
    values = {"findings": data.text, "findings_at": at or clock.now(), "findings_by": name,
              "status": status}  # fmt: skip
    return await _change(
        session, row, actor=actor, kind="findings", text=data.text, values=values,
        answered="department",
    )  # fmt: skip


async def answer_member(
    session: AsyncSession,
    *,
    complaint_id: uuid.UUID,
    actor: Staff,
    stage: Literal["progress", "final"],
    data: AnswerIn,
) -> Row[Any]:
    """CS-3: the member's progress answer or final answer, each once."""
    row = await get_complaint(session, complaint_id, lock=True)
    _open_for_change(row, data.version)
    if getattr(row, f"{stage}_at") is not None:
        raise Conflict(_("This answer was already given."), field="text")
    if stage == "progress" and row.final_at is not None:
        raise Conflict(_("The final answer was already given."), field="text")
    values: dict[str, Any] = {f"{stage}_answer": data.text, f"{stage}_at": clock.now()}
    if stage == "final":
        values["status"] = "answered"
    return await _change(
        session, row, actor=actor, kind=stage, text=data.text, values=values, answered=stage
    )


async def record_visit(
    session: AsyncSession, *, complaint_id: uuid.UUID, actor: Staff, data: VisitIn
) -> Row[Any]:
    """CS-3: the apology visit of a major complaint was made."""
    row = await get_complaint(session, complaint_id, lock=True)
    _open_for_change(row, data.version)
    if not row.apology_visit_due:
        raise RuleViolated(_("Only a major complaint gets an apology visit."), rule="CS-3")
    if data.visit_on > clock.today():
        raise InvalidInput(_("The visit cannot be dated after today."), field="visit_on")
    if data.visit_on < clock.local(row.filed_at).date():
        raise InvalidInput(_("The visit cannot be before the complaint."), field="visit_on")
    values = {"visit_at": data.visit_on, "visit_note": data.note}
    text = f"{data.visit_on.isoformat()}: {data.note}"
    return await _change(
        session, row, actor=actor, kind="visit", text=text, values=values, answered=None
    )


async def close_complaint(
    session: AsyncSession, *, complaint_id: uuid.UUID, actor: Staff, data: CloseIn
) -> Row[Any]:
    """CS-3: closed with its outcome once the member had the final answer (and a major
    complaint its apology visit); HR-12: contracts hears of a hotel's complaint closing."""
    row = await get_complaint(session, complaint_id, lock=True)
    _open_for_change(row, data.version)
    if row.final_at is None:
        raise RuleViolated(_("Give the member the final answer before closing."), rule="CS-3")
    if row.apology_visit_due and row.visit_at is None:
        raise RuleViolated(_("Record the apology visit before closing."), rule="CS-3")
    now = clock.now()
    values = {"status": "closed", "outcome": data.outcome, "closed_by": actor.username,
              "closed_at": now}  # fmt: skip
    after = await _change(
        session, row, actor=actor, kind="closed", text=data.outcome, values=values, answered=None
    )
    if row.hotel_id is not None:
        closed = ComplaintClosedV1(
            complaint_id=row.complaint_id, outcome=data.outcome, closed_at=now
        )
        await publish_many(session, schema=SCHEMA, payloads=[closed], occurred_at=now)
    return after
