"""A member's complaint as an internal form (CS-3, IN-7, SL-5; issue 18).

Customer service routes each complaint to the responsible department with
``members.complaint_routed``; intake raises it here as a memo in that department's list, with
problem ``complaint``, due when the department's findings are due (``department_due_at``, 17:00
the day filed) and raised by the customer-service user who routed it (so they see it too).
The department answers it like any memo; ``service.respond`` then publishes
``intake.memo_answered`` with the complaint's id, and customer service records the answer as
the department's findings.

Once per complaint: the inbox drops a redelivered event, and ``memo.complaint_id`` is unique,
so the same complaint under a new event id inserts nothing either. The memo form's rules for
people (``MemoRequest``: a mismatch needs an existing booking's reference) do not apply: this
path writes the row itself from the validated event.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.memos.models import memo
from services.intake.settings import SCHEMA
from shared import audit
from shared.clock import clock
from shared.events import Envelope
from shared.events.intake import MemoRaisedV1
from shared.events.members import ComplaintRoutedV1
from shared.events.outbox import publish
from shared.i18n import N_, both
from shared.observability import get_logger

log = get_logger("intake.memos.complaints")

BOOKING_REF_WIDTH = memo.c.booking_ref.type.length or 12  # type: ignore[attr-defined]
RAISED_BY_WIDTH = memo.c.raised_by.type.length or 80  # type: ignore[attr-defined]

# The description is stored text that every desk reads, whatever its screen's language:
# each label is written in Chinese and English (``both``), like documents sent outside.
LABELS = {
    "complaint": N_("Member complaint #%(no)s"),
    "complainant": N_("Complainant"),
    "member_card": N_("Member card"),
    "hotel": N_("Hotel"),
    "booking": N_("Booking"),
    "category": N_("Category"),
    "severity": N_("Severity"),
    "summary": N_("Summary"),
}
SEVERITIES = {"minor": N_("minor"), "major": N_("major (apology visit)")}


def _label(key: str) -> str:
    return both(LABELS[key], "intake")


def describe(event: ComplaintRoutedV1) -> str:
    """The memo's description: who complained, about what, and how badly (CS-3)."""
    lines = [
        _label("complaint") % {"no": event.complaint_no},
        f"{_label('complainant')}: {event.complainant_name}",
    ]
    if event.member_card:
        lines.append(f"{_label('member_card')}: {event.member_card}")
    if event.hotel_name:
        lines.append(f"{_label('hotel')}: {event.hotel_name}")
    if event.booking_ref and not _fits(event.booking_ref):
        lines.append(f"{_label('booking')}: {event.booking_ref}")  # too long for the column
    lines += [
        f"{_label('category')}: {event.category}",
        f"{_label('severity')}: {both(SEVERITIES[event.severity], 'intake')}",
        f"{_label('summary')}: {event.summary}",
    ]
    return "\n".join(lines)


def _fits(booking_ref: str) -> bool:
    return len(booking_ref) <= BOOKING_REF_WIDTH


def _values(event: ComplaintRoutedV1) -> dict[str, Any]:
    ref = event.booking_ref or ""
    now = clock.now()
    return {
        "memo_id": uuid.uuid4(),
        "problem": "complaint",
        "booking_ref": ref.upper() if _fits(ref) else "",
        "description": describe(event),
        "department": event.department,
        "status": "open",
        "raised_by": event.routed_by[:RAISED_BY_WIDTH],
        "raised_at": now,
        "due_at": event.department_due_at,  # SL-5: findings by 17:00
        "updated_at": now,
        "complaint_id": event.complaint_id,
        "complaint_no": event.complaint_no,
    }


async def on_complaint_routed(session: AsyncSession, envelope: Envelope) -> None:
    """CS-3: raise the complaint's form in the department's list, once per complaint."""
    event = envelope.parse()
    assert isinstance(event, ComplaintRoutedV1)
    values = _values(event)
    memo_no = await session.scalar(
        insert(memo)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["complaint_id"])
        .returning(memo.c.memo_no)
    )
    if memo_no is None:
        log.info("complaint_memo_exists", complaint_id=str(event.complaint_id))
        return
    raised = MemoRaisedV1(
        memo_no=memo_no, **{k: v for k, v in values.items() if k in MemoRaisedV1.model_fields}
    )
    await publish(session, schema=SCHEMA, payload=raised, occurred_at=values["raised_at"])
    await audit.record(
        session,
        schema=SCHEMA,
        actor=f"members:{event.routed_by}",  # the customer-service user who routed it
        action="raise_for_complaint",
        entity="memo",
        entity_id=values["memo_id"],
        after={**raised.model_dump(mode="json"), "complaint_id": str(event.complaint_id)},
    )
