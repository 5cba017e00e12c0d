"""Issue 7 acceptance, desk SLA (SL-3) through the real event pipeline: a booking placed in
intake's outbox reaches the confirmation desk as a task (its ``confirmation.task_opened`` goes
out in the same transaction), the relay carries that to the metrics service; once the clock
passes the task's deadline the booking is in /sla/api/breaches and /sla/metrics, and when the
desk records the hotel's confirmation (``confirmation.booking_confirmed``) it leaves both."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from shared.auth import Role
from shared.clock import clock
from shared.events.outbox import publish
from tests.services.confirmation.factories import beijing, booking_placed
from tests.services.confirmation.helpers import DESK, queue_json
from tests.support.pipeline import eventually, running_pipeline

REF = "RLSLA3333"


async def test_sl3_an_overdue_confirmation_shows_in_breaches_and_metrics_until_answered(
    login_as, sessionmaker
) -> None:
    placed_at = beijing(2026, 3, 10, 9, 0)
    clock.set_now(placed_at)
    # Check-in in five days: the deadline is placed + 24 h (CF-2), 2026-03-11 09:00.
    booking = booking_placed(
        check_in=clock.today() + timedelta(days=5), booking_ref=REF, handle_seconds=250
    )
    manager = await login_as("gm", Role.GENERAL_MANAGER)
    cora = await login_as("cora", DESK)

    async def overdue() -> list[str]:
        body = (await manager.get("/sla/api/breaches")).json()
        return [task["booking_ref"] for task in body["confirmation_overdue"]]

    async def gauge() -> str:
        return (await manager.get("/sla/metrics")).text  # type: ignore[no-any-return]

    async def task() -> dict[str, Any] | None:
        items = (await queue_json(cora))["items"]
        return items[0] if items else None

    async def projected() -> int:
        return (await manager.get("/sla/api/breaches")).json()["unsent"]  # type: ignore[no-any-return]

    async with running_pipeline(("confirmation", "metrics")):
        async with sessionmaker() as session, session.begin():  # as intake commits a booking
            await publish(session, schema="intake", payload=booking, occurred_at=placed_at)
        found = await eventually(task)
        assert await eventually(projected) == 1  # metrics knows the task, still unsent
        assert await overdue() == []
        assert "roomline_sla_confirmation_overdue 0.0" in await gauge()

        clock.set_now(beijing(2026, 3, 11, 9, 1))  # a minute past the deadline
        assert await overdue() == [REF]
        assert "roomline_sla_confirmation_overdue 1.0" in await gauge()

        path = f"/confirmation/api/tasks/{found['task_id']}"
        assert (await cora.post_json(f"{path}/claim", {})).status_code == 200
        answered = await cora.post_json(f"{path}/confirm", {"confirmation_no": "H-2026"})
        assert answered.status_code == 200, answered.text

        async def cleared() -> bool:
            return await overdue() == [] and "roomline_sla_confirmation_overdue 0.0" in (
                await gauge()
            )

        assert await eventually(cleared)
