"""IN-5 / CF-1 end to end: a booking shortened and another cancelled by agents reach the
confirmation desk's queue as tasks of their kind, through the real pipeline (intake.outbox →
relay → arq → confirmation handler → inbox), and leave contracts' ranking (HR-11). Nothing was
sent to the hotel yet, so the cancelled booking's tasks close with nothing to send (issue 15)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import text

from shared.auth import Role
from shared.clock import clock
from tests.services.intake.changes_support import cancel, days, modify, place
from tests.services.intake.factories import seed_hotel
from tests.support.pipeline import eventually, running_pipeline


async def _tasks(desk: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """(booking ref, kind) -> task, over every state."""
    response = await desk.get("/confirmation/api/tasks", params={"state": "all"})
    assert response.status_code == 200, response.text
    return {(t["booking_ref"], t["kind"]): t for t in response.json()["items"]}


async def _sold_nights(sessionmaker: Any, booking_id: str) -> int:
    async with sessionmaker() as session:
        found = await session.scalar(
            text("SELECT count(*) FROM contracts.sold_night WHERE booking_id = :id"),
            {"id": booking_id},
        )
        return int(found or 0)


async def test_in5_cf1_a_shortened_and_a_cancelled_booking_reach_the_desk_as_their_kind(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    desk = await login_as("cora", Role.CONFIRMATION_DESK)
    stay = days(clock.today() + timedelta(days=6), 3)

    async with running_pipeline(("confirmation", "contracts")):
        shortened = await place(agent, seeded, stay[0], nights=3)
        dropped = await place(agent, seeded, stay[0], nights=2)
        refs = (shortened["booking_ref"], dropped["booking_ref"])
        await eventually(lambda: _has(desk, [(r, "new") for r in refs]))
        await eventually(lambda: _sold_is(sessionmaker, shortened["booking_id"], 3))
        await eventually(lambda: _sold_is(sessionmaker, dropped["booking_id"], 2))
        assert (await modify(agent, shortened, check_out=stay[2])).status_code == 200
        assert (await cancel(agent, dropped)).status_code == 200
        tasks = await eventually(lambda: _has(desk, [(refs[0], "modify"), (refs[1], "cancel")]))
        await eventually(lambda: _sold_is(sessionmaker, shortened["booking_id"], 2))
        await eventually(lambda: _sold_is(sessionmaker, dropped["booking_id"], 0))

    modified, cancelled = tasks[(refs[0], "modify")], tasks[(refs[1], "cancel")]
    assert modified["check_out"] == stay[2].isoformat() and modified["booking_version"] == 2
    assert f"check-out {stay[2] + timedelta(days=1)} → {stay[2]}" in modified["change_summary"]
    assert cancelled["change_reason"] == "Hotel request: Hotel closed"
    states = {key: (t["state"], t["close_reason"]) for key, t in tasks.items()}
    assert {states[(refs[0], kind)] for kind in ("new", "modify")} == {("unsent", "")}
    assert {states[(refs[1], kind)] for kind in ("new", "cancel")} == {
        ("closed", "nothing_to_send")
    }
    page = await desk.page("/confirmation/", params={"state": "all"})
    cells = dict(re.findall(r'<td data-kind="(\w+)"><a [^>]*>(RL\w+)', page.text))
    assert cells["modify"] == refs[0] and cells["cancel"] == refs[1]
    assert ">modification<" in page.text and ">cancellation<" in page.text


async def _has(desk: Any, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Any] | None:
    tasks = await _tasks(desk)
    return tasks if all(key in tasks for key in keys) else None


async def _sold_is(sessionmaker: Any, booking_id: str, nights: int) -> bool:
    return await _sold_nights(sessionmaker, booking_id) == nights
