"""Issue 15 (CF-1, CF-8): a booking cancelled before anything about it was sent closes its
tasks with "nothing to send" instead of leaving unsent ones; a booking the hotel already has
still gets its cancellation task (the notice to the hotel), as before. Idempotent, and right
whatever order the booking's events arrive in."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import text

from shared.clock import clock
from tests.services.confirmation.factories import (
    beijing,
    booking_placed,
    deliver,
    envelope,
    place_booking,
)
from tests.services.confirmation.helpers import DESK, mark_sent, queue_json
from tests.services.confirmation.test_change_tasks import cancelled, modified


async def _tasks(sessionmaker: Any, ref: str) -> dict[str, tuple[str, str]]:
    async with sessionmaker() as session:
        rows = await session.execute(
            text(
                "SELECT kind, state, close_reason FROM confirmation.confirmation_task"
                " WHERE booking_ref = :ref"
            ),
            {"ref": ref},
        )
        return {row.kind: (row.state, row.close_reason) for row in rows}


async def _published(sessionmaker: Any, name: str) -> list[dict[str, Any]]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            text("SELECT payload FROM confirmation.outbox WHERE name = :name"), {"name": name}
        )
        return list(rows)


async def test_cf1_cancelled_before_anything_was_sent_closes_every_task(
    sessionmaker, login_as
) -> None:
    clock.set_now(beijing(2026, 3, 10, 9, 0))
    placed = await place_booking(sessionmaker, check_in=date(2026, 3, 18), nights=2)
    change = modified(placed, version=2, check_in=date(2026, 3, 18), check_out=date(2026, 3, 19))
    await deliver(sessionmaker, envelope(change, source="intake"))
    cancel = cancelled(placed, version=3)
    await deliver(sessionmaker, envelope(cancel, source="intake"))

    closed = ("closed", "nothing_to_send")
    assert await _tasks(sessionmaker, placed.booking_ref) == {
        "new": closed,
        "modify": closed,
        "cancel": closed,
    }
    # SL-3: the tasks announced open are announced closed; the cancellation never opened.
    closings = await _published(sessionmaker, "confirmation.task_closed")
    assert sorted(c["kind"] for c in closings) == ["modify", "new"]
    assert {c["reason"] for c in closings} == {"nothing_to_send"}
    opened = await _published(sessionmaker, "confirmation.task_opened")
    assert sorted(o["kind"] for o in opened) == ["modify", "new"]

    desk = await login_as("cora", DESK)
    body = await queue_json(desk)
    assert body["unsent"] == 0 and placed.booking_ref not in [
        i["booking_ref"] for i in body["items"]
    ]
    new = next(i for i in (await queue_json(desk, state="closed"))["items"] if i["kind"] == "new")
    assert new["close_reason"] == "nothing_to_send"
    page = (await desk.page(f"/confirmation/tasks/{new['task_id']}")).text
    assert "Nothing to send: the booking was cancelled before any order" in page
    assert 'id="claim-task"' not in page
    refused = await desk.post_json(f"/confirmation/api/tasks/{new['task_id']}/send", {})
    assert refused.status_code == 409 and "nothing to send" in refused.json()["detail"]

    # The same cancellation again, under another event id: nothing changes.
    assert await deliver(sessionmaker, envelope(cancel, source="intake")) == "handled"
    assert len(await _published(sessionmaker, "confirmation.task_closed")) == 2
    assert len(await _tasks(sessionmaker, placed.booking_ref)) == 3


async def test_cf1_a_booking_the_hotel_has_still_gets_its_cancellation_task(
    sessionmaker,
) -> None:
    clock.set_now(beijing(2026, 3, 10, 9, 0))
    placed = await place_booking(sessionmaker, check_in=date(2026, 3, 18), nights=2)
    await mark_sent(sessionmaker, placed.booking_ref)
    await deliver(sessionmaker, envelope(cancelled(placed, version=2), source="intake"))

    assert await _tasks(sessionmaker, placed.booking_ref) == {
        "new": ("sent", ""),
        "cancel": ("unsent", ""),
    }
    assert await _published(sessionmaker, "confirmation.task_closed") == []


async def test_cf1_a_booking_announced_after_its_cancellation_is_recorded_closed(
    sessionmaker,
) -> None:
    """Workers run events concurrently: the cancellation may be handled first."""
    clock.set_now(beijing(2026, 3, 10, 9, 0))
    placed = booking_placed(check_in=date(2026, 3, 18), nights=2)
    await deliver(sessionmaker, envelope(cancelled(placed, version=2), source="intake"))
    await deliver(sessionmaker, envelope(placed, source="intake", occurred_at=placed.placed_at))

    closed = ("closed", "nothing_to_send")
    assert await _tasks(sessionmaker, placed.booking_ref) == {"new": closed, "cancel": closed}
    assert await _published(sessionmaker, "confirmation.task_opened") == []
