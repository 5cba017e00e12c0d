"""``members.complaint_routed`` / ``_answered`` as customer service publishes them, for the
tests of their consumers (intake's memo, metrics' SL-5 clocks) that build events by hand."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from shared.complaint_clock import complaint_due
from shared.events import Envelope, envelope_for
from shared.events.members import AnswerStage, ComplaintAnsweredV1, ComplaintRoutedV1


def routed(filed_at: datetime, **overrides: Any) -> ComplaintRoutedV1:
    """A major complaint about a hotel filed and routed to hotel resources at ``filed_at``,
    with the due times the members service stamps (``complaint_due``)."""
    due = complaint_due(filed_at)
    fields: dict[str, Any] = {
        "complaint_id": uuid.uuid4(),
        "complaint_no": 7,
        "department": "hotel_resources",
        "hotel_name": "和平饭店 · Peace Hotel",
        "complainant_name": "王芳",
        "member_card": "M0001234",
        "booking_ref": "RL8K2M4Q",
        "category": "room",
        "severity": "major",
        "summary": "Room smelled of smoke; the front desk refused to change it.",
        "routed_by": "cathy",
        "filed_at": filed_at,
        "department_due_at": due["department"],
        "progress_due_at": due["progress"],
        "final_due_at": due["final"],
    }
    return ComplaintRoutedV1(**{**fields, **overrides})


def routed_envelope(payload: ComplaintRoutedV1) -> Envelope:
    return envelope_for(payload, source="members", occurred_at=payload.filed_at)


def answered(complaint: ComplaintRoutedV1, stage: AnswerStage, at: datetime) -> Envelope:
    payload = ComplaintAnsweredV1(complaint_id=complaint.complaint_id, stage=stage, answered_at=at)
    return envelope_for(payload, source="members", occurred_at=at)
