"""CS-3 / SL-5 as the complaint list shows each clock: the member answered the same day needs
no progress answer, nor does one answered before the progress answer was due; a final answer
after that, with no progress answer between, is the progress answer given late."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

from services.members.complaints.service import clocks
from shared.complaint_clock import complaint_due
from tests.services.confirmation.factories import beijing


def _row(filed_at: datetime, **done: datetime | None) -> SimpleNamespace:
    due = complaint_due(filed_at)
    return SimpleNamespace(
        filed_at=filed_at,
        department_due_at=due["department"],
        progress_due_at=due["progress"],
        final_due_at=due["final"],
        findings_at=done.get("findings_at"),
        progress_at=done.get("progress_at"),
        final_at=done.get("final_at"),
    )


def _states(row: SimpleNamespace, now: datetime) -> dict[str, str]:
    return {clock.stage: clock.state for clock in clocks(row, now)}


def test_cs3_a_final_answer_the_same_day_owes_no_progress_answer() -> None:
    filed = beijing(2026, 12, 3, 10, 0)
    row = _row(filed, findings_at=filed + timedelta(hours=5), final_at=filed + timedelta(hours=13))
    # 23:00 the same day: past the 12 hours, but the member had the final answer that day.
    assert _states(row, filed + timedelta(days=2)) == {
        "department": "met",
        "progress": "not_owed",
        "final": "met",
    }


def test_sl5_a_final_answer_before_progress_was_due_owes_none() -> None:
    filed = beijing(2026, 12, 3, 18, 0)  # progress due 06:00, final 18:00 the next day
    row = _row(filed, final_at=beijing(2026, 12, 4, 5, 0))
    assert _states(row, beijing(2026, 12, 4, 12, 0))["progress"] == "not_owed"


def test_sl5_a_late_final_with_no_progress_between_is_the_progress_answer_late() -> None:
    filed = beijing(2026, 12, 3, 18, 0)
    row = _row(filed, final_at=beijing(2026, 12, 4, 9, 0))
    states = _states(row, beijing(2026, 12, 4, 12, 0))
    assert states["progress"] == "late" and states["final"] == "met"
    assert states["department"] == "running"  # 17:00 the next day, the findings still owed


def test_sl5_no_answer_past_due_is_overdue() -> None:
    filed = beijing(2026, 12, 3, 18, 0)
    states = _states(_row(filed), beijing(2026, 12, 4, 6, 1))
    assert states == {"department": "running", "progress": "overdue", "final": "running"}
