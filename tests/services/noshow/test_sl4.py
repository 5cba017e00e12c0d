"""SL-4 through the real pipeline: the no-show desk's case events reach metrics, whose breach
list and Prometheus gauge show a case still open half a working day after the night audit and
drop it once the case is finished."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import text

from services.noshow.checkins import CheckInRow, record_check_ins
from services.noshow.worklist import open_worklist
from shared.auth import Role
from shared.clock import clock
from shared.db import unit_of_work
from tests.services.noshow.factories import beijing, confirmed_booking
from tests.support.pipeline import eventually, running_pipeline

GAUGE = re.compile(r"^roomline_sla_noshow_overdue (\S+)$", re.M)


async def test_sl4_open_case_past_half_a_working_day_is_a_breach_until_finished(
    login_as: Any, sessionmaker: Any
) -> None:
    """Opened Monday 06:00, due 13:30 (09:00 + 4½ h): at 13:31 it is in /sla/breaches and the
    gauge reads 1; the hotel's check-in finishes it and both go back to none."""
    clock.set_now(beijing(2026, 12, 6, 12, 0))
    booking = await confirmed_booking(sessionmaker, check_in=date(2026, 12, 6))
    manager = await login_as("gm", Role.GENERAL_MANAGER)

    async def breaching() -> list[str]:
        body = (await manager.get("/sla/api/breaches")).json()
        return [case["booking_ref"] for case in body["no_show_overdue"]]

    async def gauge() -> float:
        found = GAUGE.search((await manager.get("/sla/metrics")).text)
        return float(found.group(1)) if found else -1.0

    async with running_pipeline(("noshow", "metrics")):
        clock.set_now(beijing(2026, 12, 7, 6, 0))
        async with unit_of_work(sessionmaker) as session:
            await open_worklist(session, clock.now())
        clock.set_now(beijing(2026, 12, 7, 13, 29))

        async def projected() -> bool:
            return await _metrics_has_case(sessionmaker, booking.booking_ref)

        await eventually(projected)
        assert await breaching() == [] and await gauge() == 0.0  # not due yet
        clock.set_now(beijing(2026, 12, 7, 13, 31))
        assert await breaching() == [booking.booking_ref]
        assert await gauge() == 1.0
        page = await manager.page("/sla/breaches")
        assert f'<tr data-booking-ref="{booking.booking_ref}">' in page.text

        async with unit_of_work(sessionmaker) as session:
            await record_check_ins(
                session,
                rows=[CheckInRow(booking.booking_ref, stayed=True)],
                source="api",
                actor="hotel",
            )

        async def cleared() -> bool:
            return await breaching() == []

        await eventually(cleared)
        assert await gauge() == 0.0


async def _metrics_has_case(sessionmaker: Any, booking_ref: str) -> bool:
    async with sessionmaker() as session:
        found = await session.scalar(
            text("SELECT count(*) FROM metrics.noshow_case WHERE booking_ref = :ref"),
            {"ref": booking_ref},
        )
        return bool(found)
