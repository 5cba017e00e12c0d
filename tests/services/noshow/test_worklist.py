"""The morning worklist (NS-1, NS-6) with the settable clock, and check-ins settling stays."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from services.noshow.checkins import CheckInRow, UnknownBooking, record_check_ins
from services.noshow.models import NoShowCase, StayBooking
from services.noshow.worklist import open_worklist
from shared.clock import clock
from shared.db import unit_of_work
from tests.services.noshow.factories import (
    beijing,
    confirmed_booking,
    deliver,
    outbox,
    placed,
)

YESTERDAY, TODAY = date(2026, 12, 6), date(2026, 12, 7)  # Sunday, Monday


async def _open_cases(sessionmaker) -> set[str]:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(StayBooking.booking_ref)
            .join(NoShowCase, NoShowCase.booking_id == StayBooking.booking_id)
            .where(NoShowCase.state == "open")
        )
        return set(rows)


async def test_ns1_worklist_at_six_lists_exactly_the_unreported_arrivals(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """NS-1 / NS-6: at 06:00 the confirmed arrivals of yesterday with no stayed check-in are
    listed, due half a working day later (09:00 + 4½ h); a stayed check-in, an unconfirmed
    booking and today's arrival are not; before 06:00 nothing is; a second run adds nothing.
    A stayed check-in at 06:05 takes its booking off the list and publishes its stay."""
    clock.set_now(beijing(2026, 12, 6, 12, 0))
    missing = await confirmed_booking(sessionmaker, check_in=YESTERDAY)
    said_no = await confirmed_booking(sessionmaker, check_in=YESTERDAY, nights=2, rooms=2)
    stayed = await confirmed_booking(sessionmaker, check_in=YESTERDAY)
    await confirmed_booking(sessionmaker, check_in=TODAY)
    unconfirmed = placed(check_in=YESTERDAY)
    assert await deliver(sessionmaker, unconfirmed, source="intake", version=1) == "handled"
    clock.set_now(beijing(2026, 12, 6, 23, 30))
    async with unit_of_work(sessionmaker) as session:
        await record_check_ins(
            session,
            rows=[
                CheckInRow(stayed.booking_ref, stayed=True),
                CheckInRow(said_no.booking_ref, stayed=False),
            ],
            source="desk",
            actor="nina",
        )

    async with unit_of_work(sessionmaker) as session:
        assert await open_worklist(session, beijing(2026, 12, 7, 5, 59)) == []
    clock.set_now(beijing(2026, 12, 7, 6, 0))
    async with unit_of_work(sessionmaker) as session:
        cases = await open_worklist(session, clock.now())
    assert {c.due_at for c in cases} == {beijing(2026, 12, 7, 13, 30)}
    assert await _open_cases(sessionmaker) == {missing.booking_ref, said_no.booking_ref}
    async with unit_of_work(sessionmaker) as session:
        assert await open_worklist(session, clock.now()) == []
    opened = await outbox(sessionmaker, "noshow.case_opened")
    assert sorted(e["booking_ref"] for e in opened) == sorted(
        [missing.booking_ref, said_no.booking_ref]
    )

    clock.set_now(beijing(2026, 12, 7, 6, 5))
    async with unit_of_work(sessionmaker) as session:
        await record_check_ins(
            session,
            rows=[CheckInRow(said_no.booking_ref, stayed=True, nights_stayed=1)],
            source="api",
            actor="hotel",
        )
    assert await _open_cases(sessionmaker) == {missing.booking_ref}
    completed = {e["booking_ref"]: e for e in await outbox(sessionmaker, "noshow.stay_completed")}
    assert set(completed) == {stayed.booking_ref, said_no.booking_ref}
    # Two rooms, one night stayed of two: one night's sell and net of both rooms.
    assert completed[said_no.booking_ref]["room_revenue_minor"] == 2 * 68800
    assert completed[said_no.booking_ref]["net_minor"] == 2 * 58480
    assert completed[said_no.booking_ref]["outcome_version"] == 1
    finished = await outbox(sessionmaker, "noshow.case_finished")
    assert [(e["booking_ref"], e["outcome"]) for e in finished] == [(said_no.booking_ref, "stayed")]


async def test_unknown_booking_refuses_the_whole_batch(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """The last guard: one unknown reference, nothing written."""
    clock.set_now(beijing(2026, 12, 6, 12, 0))
    known = await confirmed_booking(sessionmaker, check_in=YESTERDAY)
    with pytest.raises(UnknownBooking):
        async with unit_of_work(sessionmaker) as session:
            await record_check_ins(
                session,
                rows=[CheckInRow(known.booking_ref, True), CheckInRow("NOPE", True)],
                source="upload",
                actor="nina",
            )
    assert await outbox(sessionmaker, "noshow.stay_completed") == []
