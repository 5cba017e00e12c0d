"""SL-5 / CS-3 in metrics (issue 18): customer service's complaint events build each
complaint's clocks; what is past due and unanswered at a stage shows in /sla/api/breaches,
/sla/breaches and the gauge ``roomline_sla_complaints_overdue{stage}``. Events are built here
and applied with the metrics service's real handlers (``apply_once``), as its worker does."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import text

from services.metrics.handlers import HANDLERS
from shared.auth import Role
from shared.clock import clock
from shared.events import Envelope
from shared.events.consumer import apply_once
from shared.events.members import ComplaintRoutedV1
from tests.services.confirmation.factories import beijing
from tests.support import complaint_events
from tests.support.complaint_events import answered

MANAGER = Role.GENERAL_MANAGER


def routed(filed_at: datetime, complaint_no: int = 7) -> ComplaintRoutedV1:
    return complaint_events.routed(filed_at, complaint_no=complaint_no)


async def deliver(sessionmaker: Any, event: ComplaintRoutedV1 | Envelope) -> str:
    """Apply one event to metrics the way its worker does (inbox + handler)."""
    if isinstance(event, ComplaintRoutedV1):
        event = complaint_events.routed_envelope(event)
    return await apply_once(
        sessionmaker, service="metrics", schema="metrics", handlers=HANDLERS, envelope=event
    )


async def overdue(manager: Any) -> list[tuple[int, str]]:
    """(complaint no, stage) breaching now, from the JSON breach list."""
    response = await manager.get("/sla/api/breaches")
    assert response.status_code == 200, response.text
    return [(c["complaint_no"], c["stage"]) for c in response.json()["complaints_overdue"]]


async def gauge(manager: Any, stage: str) -> float:
    pattern = rf'^roomline_sla_complaints_overdue\{{stage="{stage}"\}} (\S+)$'
    found = re.search(pattern, (await manager.get("/sla/metrics")).text, re.M)
    return float(found.group(1)) if found else -1.0


async def test_sl5_filed_at_1630_the_department_owes_findings_by_1700(
    login_as, sessionmaker
) -> None:
    """SL-5 / CS-3: filed 16:30, the department's findings are due 17:00: nothing at 16:59,
    a department breach at 17:01 in the JSON, the page and the gauge; the answer stops it."""
    complaint = routed(beijing(2026, 3, 10, 16, 30))
    await deliver(sessionmaker, complaint)
    manager = await login_as("gm", MANAGER)

    clock.set_now(beijing(2026, 3, 10, 16, 59))
    assert await overdue(manager) == []
    assert await gauge(manager, "department") == 0.0

    clock.set_now(beijing(2026, 3, 10, 17, 1))
    assert await overdue(manager) == [(7, "department")]
    assert await gauge(manager, "department") == 1.0
    assert await gauge(manager, "progress") == 0.0 and await gauge(manager, "final") == 0.0
    page = await manager.page("/sla/breaches")
    assert '<tr data-complaint-no="7" data-stage="department">' in page.text
    assert "Department findings (by 17:00)" in page.text

    await deliver(sessionmaker, answered(complaint, "department", beijing(2026, 3, 10, 17, 5)))
    clock.set_now(beijing(2026, 3, 10, 17, 10))
    assert await overdue(manager) == []
    assert await gauge(manager, "department") == 0.0


async def test_sl5_filed_at_1800_progress_by_0600_and_final_by_1800_next_day(
    login_as, sessionmaker
) -> None:
    """SL-5 / CS-3: filed 18:00 (after 17:00: department by 17:00 the next day), progress is
    due 06:00 and the final answer 18:00 the next day; each breach appears after its time,
    not before, and its answer stops it."""
    complaint = routed(beijing(2026, 3, 10, 18, 0))
    await deliver(sessionmaker, complaint)
    manager = await login_as("gm", MANAGER)

    clock.set_now(beijing(2026, 3, 11, 5, 59))
    assert await overdue(manager) == []
    clock.set_now(beijing(2026, 3, 11, 6, 1))
    assert await overdue(manager) == [(7, "progress")]
    assert await gauge(manager, "progress") == 1.0

    await deliver(sessionmaker, answered(complaint, "progress", beijing(2026, 3, 11, 6, 30)))
    await deliver(sessionmaker, answered(complaint, "department", beijing(2026, 3, 11, 16, 0)))
    clock.set_now(beijing(2026, 3, 11, 17, 59))
    assert await overdue(manager) == []
    clock.set_now(beijing(2026, 3, 11, 18, 1))
    assert await overdue(manager) == [(7, "final")]
    assert await gauge(manager, "final") == 1.0 and await gauge(manager, "progress") == 0.0

    await deliver(sessionmaker, answered(complaint, "final", beijing(2026, 3, 11, 18, 30)))
    assert await overdue(manager) == []
    assert await gauge(manager, "final") == 0.0


async def test_sl5_a_final_answer_the_same_day_owes_no_progress_answer(
    login_as, sessionmaker
) -> None:
    """CS-3: "the member gets an answer the same day, else a progress answer within 12 hours":
    filed 18:00 and answered finally at 22:00, no progress breach at 06:01 nor later; the
    department still owes its findings by 17:00 the next day."""
    complaint = routed(beijing(2026, 3, 10, 18, 0))
    await deliver(sessionmaker, complaint)
    await deliver(sessionmaker, answered(complaint, "final", beijing(2026, 3, 10, 22, 0)))
    manager = await login_as("gm", MANAGER)

    clock.set_now(beijing(2026, 3, 11, 6, 1))
    assert await overdue(manager) == []
    clock.set_now(beijing(2026, 3, 11, 17, 1))
    assert await overdue(manager) == [(7, "department")]


async def test_sl5_events_twice_or_out_of_order_keep_the_first_answer(
    login_as, sessionmaker
) -> None:
    """SL-5: an answer before its routing is kept; the same answer again (same event id) is
    a duplicate; the stage announced again (new event ids, earlier then later) keeps its
    earliest time, and a second routing of the complaint changes nothing."""
    complaint = routed(beijing(2026, 3, 10, 9, 0))
    first = answered(complaint, "department", beijing(2026, 3, 10, 15, 0))
    assert await deliver(sessionmaker, first) == "handled"
    assert await deliver(sessionmaker, complaint) == "handled"
    assert await deliver(sessionmaker, first) == "duplicate"
    earlier_again = answered(complaint, "department", beijing(2026, 3, 10, 14, 0))
    assert await deliver(sessionmaker, earlier_again) == "handled"
    later = answered(complaint, "department", beijing(2026, 3, 10, 16, 0))
    assert await deliver(sessionmaker, later) == "handled"
    assert await deliver(sessionmaker, complaint) == "handled"  # a new envelope, same complaint

    async with sessionmaker() as session:
        rows = (
            await session.execute(
                text(
                    "SELECT complaint_no, department_at, final_due_at FROM metrics.complaint_clock"
                )
            )
        ).all()
    assert len(rows) == 1
    assert rows[0].complaint_no == 7 and rows[0].final_due_at == beijing(2026, 3, 11, 9, 0)
    assert rows[0].department_at == beijing(2026, 3, 10, 14, 0)  # the earliest, not the last

    clock.set_now(beijing(2026, 3, 10, 17, 1))
    assert await overdue(await login_as("gm", MANAGER)) == []


async def test_sl5_breach_list_orders_by_due_time_and_dashboard_shows_it(
    login_as, sessionmaker
) -> None:
    """SL-5: two complaints breaching, the most overdue first; the SLA dashboard (where SL-4
    shows) lists them too; a desk user without the SLA role is refused the list."""
    older = routed(beijing(2026, 3, 10, 9, 0), complaint_no=3)
    newer = routed(beijing(2026, 3, 10, 11, 0), complaint_no=4)
    for complaint in (newer, older):
        await deliver(sessionmaker, complaint)
    clock.set_now(beijing(2026, 3, 10, 22, 0))  # progress of #3 due 21:00, #4 at 23:00
    manager = await login_as("gm", MANAGER)
    assert await overdue(manager) == [(3, "department"), (4, "department"), (3, "progress")]
    assert await gauge(manager, "department") == 2.0 and await gauge(manager, "progress") == 1.0
    dashboard = await manager.page("/sla/")
    assert dashboard.status_code == 200
    assert '<tr data-complaint-no="4" data-stage="department">' in dashboard.text
    agent = await login_as("ana", Role.AGENT)
    assert (await agent.get("/sla/api/breaches")).status_code == 403
