"""Issue 16: the stay's outcome from the no-show desk on intake's booking (NS-3, NS-5, NS-7),
through intake's real handlers with ``apply_once``. Only a higher ``outcome_version`` replaces
the outcome, so events delivered twice or out of order leave the newest; every version is an
entry in the booking's history."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text

from shared.auth import Role
from shared.clock import clock
from shared.events import Envelope, envelope_for
from shared.events.noshow import NoShowRecordedV1, StayCompletedV1, StayedNight
from tests.services.intake.changes_support import place
from tests.services.intake.factories import apply, seed_hotel
from tests.services.intake.helpers import Sessionmaker
from tests.services.intake.outcomes_support import handle_again

NOTE = "Guest checked in late; the night audit missed him"


def _common(booking: dict[str, Any], version: int, corrects: int | None) -> dict[str, Any]:
    return {
        "booking_id": uuid.UUID(booking["booking_id"]),
        "booking_ref": booking["booking_ref"],
        "booking_version": booking["version"],
        "outcome_version": version,
        "hotel_id": uuid.UUID(booking["hotel_id"]),
        "payment_mode": booking["payment_mode"],
        "currency": "CNY",
        "check_in": date.fromisoformat(booking["check_in"]),
        "check_out": date.fromisoformat(booking["check_out"]),
        "rooms": booking["rooms"],
        "recorded_by": "nora",
        "recorded_at": clock.now() + timedelta(minutes=version),
        "corrects_version": corrects,
    }


def _envelope(payload: NoShowRecordedV1 | StayCompletedV1) -> Envelope:
    return envelope_for(
        payload,
        source="noshow",
        occurred_at=payload.recorded_at,
        aggregate_version=payload.outcome_version,
    )


def no_show(booking: dict[str, Any], version: int, stage: str, fee: int = 0) -> Envelope:
    payload = NoShowRecordedV1(
        **_common(booking, version, None),
        stage=stage,
        reason_category="changed_plans",
        fee_minor=fee,
        no_show_fee="first_night" if fee else "none",
    )
    return _envelope(payload)


def stayed(booking: dict[str, Any], version: int, corrects: int | None = None) -> Envelope:
    nights = [
        StayedNight(night=date.fromisoformat(n["night"]), sell_minor=68800, net_minor=58480)
        for n in booking["nights"]
    ]
    payload = StayCompletedV1(
        **{**_common(booking, version, corrects), "note": NOTE if corrects else ""},
        nights=nights,
        room_revenue_minor=68800 * len(nights),
        net_minor=58480 * len(nights),
    )
    return _envelope(payload)


async def _outcome(sessionmaker: Sessionmaker, booking_id: str) -> tuple[Any, ...] | None:
    async with sessionmaker() as session:
        row = (
            await session.execute(
                text(
                    "SELECT outcome, stage, corrected, outcome_version FROM intake.stay_outcome"
                    " WHERE booking_id = :id"
                ),
                {"id": booking_id},
            )
        ).first()
    return None if row is None else tuple(row)


async def _entries(sessionmaker: Sessionmaker, booking_id: str) -> list[int]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            text(
                "SELECT outcome_version FROM intake.stay_outcome_entry WHERE booking_id = :id"
                " ORDER BY outcome_version"
            ),
            {"id": booking_id},
        )
        return list(rows)


async def test_each_outcome_shows_on_the_booking_and_in_its_history(login_as, sessionmaker) -> None:
    """NS-5: provisional, then final after the second check; NS-3: corrected to stayed."""
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    booking = await place(agent, seeded, clock.today() + timedelta(days=3))
    url = f"/intake/bookings/{booking['booking_ref']}"
    page = await agent.page(url)
    assert (
        "Stay outcome" not in page.text and "No changes since the booking was placed." in page.text
    )

    assert await apply(sessionmaker, no_show(booking, 1, "provisional")) == "handled"
    page = await agent.page(url)
    assert 'data-stay-outcome="no_show_provisional"' in page.text
    assert (
        "No-show, provisional" in page.text
        and "Awaiting the second check with the hotel." in page.text
    )
    assert "No changes since the booking was placed." not in page.text  # the history has one

    assert await apply(sessionmaker, no_show(booking, 2, "final", fee=68800)) == "handled"
    page = await agent.page(url)
    assert 'data-stay-outcome="no_show_final"' in page.text and "data-corrected" not in page.text
    assert "No-show fee CN¥688.00" in page.text

    assert await apply(sessionmaker, stayed(booking, 3, corrects=2)) == "handled"
    page = await agent.page(url)
    assert 'data-stay-outcome="stayed"' in page.text and "data-corrected" in page.text
    assert "2 night(s) stayed, room revenue CN¥1,376.00" in page.text and NOTE in page.text
    assert "corrects outcome 2" in page.text
    for version, outcome in ((3, "stayed"), (2, "no_show_final"), (1, "no_show_provisional")):
        assert f'data-outcome="{outcome}" data-outcome-version="{version}"' in page.text
    history = await agent.page(f"{url}/history")
    assert history.text.count('data-kind="stay_outcome"') == 3

    switched = await agent.post_form("/language", {"locale": "zh_CN", "next": url})
    assert switched.status_code == 303
    chinese = await agent.page(url)
    for zh in ("入住结果：", "已入住", "已更正", "实住 2 晚", "NO-SHOW（待核实）", "更正结果 2"):
        assert zh in chinese.text, zh
    assert "Stay outcome" not in chinese.text and "Stayed" not in chinese.text


async def test_events_twice_or_out_of_order_leave_the_newest_outcome(
    login_as, sessionmaker
) -> None:
    """NS-3: the correction (version 3) arrives first; the older ones are kept in the history
    but never undo it, however often they come."""
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    booking = await place(agent, seeded, clock.today() + timedelta(days=3))
    provisional = no_show(booking, 1, "provisional")
    final = no_show(booking, 2, "final")
    corrected = stayed(booking, 3, corrects=2)

    for event in (corrected, final, provisional):
        assert await apply(sessionmaker, event) == "handled"
        assert await _outcome(sessionmaker, booking["booking_id"]) == ("stayed", None, True, 3)
    for event in (provisional, final, corrected):
        assert await apply(sessionmaker, event) == "duplicate"
        await handle_again(sessionmaker, event)  # past the inbox: the handler alone
    assert await _outcome(sessionmaker, booking["booking_id"]) == ("stayed", None, True, 3)
    assert await _entries(sessionmaker, booking["booking_id"]) == [1, 2, 3]
    # Only the outcome that became current is audited, once.
    async with sessionmaker() as session:
        audited = await session.scalar(
            text(
                "SELECT count(*) FROM intake.audit_log WHERE action = 'stay_outcome'"
                " AND entity_id = :ref"
            ),
            {"ref": booking["booking_ref"]},
        )
    assert audited == 1

    # In order, each newer one wins.
    other = await place(agent, seeded, clock.today() + timedelta(days=5))
    await apply(sessionmaker, no_show(other, 1, "provisional"))
    assert await _outcome(sessionmaker, other["booking_id"]) == ("no_show", "provisional", False, 1)
    await apply(sessionmaker, no_show(other, 2, "final"))
    assert await _outcome(sessionmaker, other["booking_id"]) == ("no_show", "final", False, 2)


async def test_an_outcome_for_a_booking_intake_does_not_know_changes_nothing(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    booking = await place(agent, seeded, clock.today() + timedelta(days=3))
    unknown = {**booking, "booking_id": str(uuid.uuid4()), "booking_ref": "RL-NOSUCH"}
    assert await apply(sessionmaker, no_show(unknown, 1, "provisional")) == "handled"
    async with sessionmaker() as session:
        for table in ("stay_outcome", "stay_outcome_entry"):
            assert await session.scalar(text(f"SELECT count(*) FROM intake.{table}")) == 0
