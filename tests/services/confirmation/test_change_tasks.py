"""CF-1 / IN-5: every modification and cancellation becomes a task of its own kind, with the
CF-2 deadline judged on the booking's check-in from the moment of the change, and what
changed and why for the desk to read before sending (CF-8)."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from shared.clock import clock
from shared.events.intake import BookedNight, BookingCancelledV1, BookingModifiedV1
from tests.services.confirmation.factories import beijing, deliver, envelope, place_booking
from tests.services.confirmation.helpers import (
    DESK,
    mark_sent,
    queue_json,
    queue_page,
    task_count,
)


def _fields(placed: Any, version: int, check_in: date, check_out: date) -> dict[str, Any]:
    stay = [check_in + timedelta(days=n) for n in range((check_out - check_in).days)]
    return {
        **placed.model_dump(
            include={"booking_id", "booking_ref", "hotel_id", "hotel_name", "room_type_id"}
            | {"room_type_name", "rate_plan_id", "rate_plan_name", "rooms", "guest_names"}
            | {"booker_name", "booker_phone", "payment_mode", "confirm_channel", "currency"}
        ),
        "change_id": uuid.uuid4(),
        "booking_version": version,
        "check_in": check_in,
        "check_out": check_out,
        "nights": [BookedNight(night=n, net_minor=58480, sell_minor=68800) for n in stay],
        "total_sell_minor": 68800 * len(stay) * placed.rooms,
        "urgent": False,
        "agent_username": "ana",
    }


def modified(placed: Any, *, version: int, check_in: date, check_out: date) -> BookingModifiedV1:
    before = {"check_in": placed.check_in.isoformat(), "check_out": placed.check_out.isoformat()}
    return BookingModifiedV1(
        **_fields(placed, version, check_in, check_out),
        status="placed",
        changed=["check_in", "check_out"],
        before=before,
        after={"check_in": check_in.isoformat(), "check_out": check_out.isoformat()},
        reason="Flight moved",
        reason_category="guest_request",
        modified_at=clock.now(),
    )


def cancelled(placed: Any, *, version: int) -> BookingCancelledV1:
    return BookingCancelledV1(
        **_fields(placed, version, placed.check_in, placed.check_out),
        reason="Hotel closed for repairs",
        reason_category="hotel_request",
        cancelled_at=clock.now(),
    )


def _task(body: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(item for item in body["items"] if item["kind"] == kind)


async def test_cf1_cf2_a_modification_is_a_task_due_on_the_earlier_check_in(
    login_as, sessionmaker
) -> None:
    clock.set_now(beijing(2026, 3, 10, 9, 0))
    placed = await place_booking(sessionmaker, check_in=date(2026, 3, 20), nights=2)
    clock.set_now(beijing(2026, 3, 10, 15, 0))
    # Moved up to tomorrow: "check-in tomorrow, confirmed the same day" (CF-2).
    change = modified(placed, version=2, check_in=date(2026, 3, 11), check_out=date(2026, 3, 12))
    assert await deliver(sessionmaker, envelope(change, source="intake")) == "handled"

    body = await queue_json(await login_as("cora", DESK))

    task = _task(body, "modify")
    assert datetime.fromisoformat(task["deadline_at"]) == beijing(2026, 3, 11, 0, 0)
    assert task["booking_version"] == 2 and task["check_in"] == "2026-03-11"
    assert "check-in 2026-03-20 → 2026-03-11" in task["change_summary"]
    assert task["change_reason"] == "Guest request: Flight moved"
    assert {item["kind"] for item in body["items"]} == {"new", "modify"}


async def test_cf2_a_modification_moving_the_stay_later_is_due_on_the_old_check_in(
    login_as, sessionmaker
) -> None:
    clock.set_now(beijing(2026, 3, 10, 9, 0))
    placed = await place_booking(sessionmaker, check_in=date(2026, 3, 10), nights=1)
    clock.set_now(beijing(2026, 3, 10, 9, 30))
    # The guest arrives today no longer: the hotel holds tonight's room until it hears.
    change = modified(placed, version=2, check_in=date(2026, 3, 25), check_out=date(2026, 3, 26))
    await deliver(sessionmaker, envelope(change, source="intake"))

    task = _task(await queue_json(await login_as("cora", DESK)), "modify")

    assert datetime.fromisoformat(task["deadline_at"]) == beijing(2026, 3, 10, 10, 30)


async def test_cf1_cf2_a_cancellation_is_a_task_and_each_change_is_one_task_once(
    login_as, sessionmaker
) -> None:
    clock.set_now(beijing(2026, 3, 10, 9, 0))
    placed = await place_booking(sessionmaker, check_in=date(2026, 3, 18), nights=2)
    first = modified(placed, version=2, check_in=date(2026, 3, 18), check_out=date(2026, 3, 19))
    for event in (first, first):  # the same change announced twice under two event ids
        await deliver(sessionmaker, envelope(event, source="intake"))
    await mark_sent(sessionmaker, placed.booking_ref)  # the hotel has the booking
    clock.set_now(beijing(2026, 3, 10, 11, 0))
    await deliver(sessionmaker, envelope(cancelled(placed, version=3), source="intake"))

    body = await queue_json(await login_as("cora", DESK))

    assert await task_count(sessionmaker) == 3
    task = _task(body, "cancel")
    assert datetime.fromisoformat(task["deadline_at"]) == beijing(2026, 3, 11, 11, 0)  # +24 h
    assert task["change_reason"] == "Hotel request: Hotel closed for repairs"
    assert task["booking_version"] == 3


async def test_cf1_the_queue_page_shows_each_task_with_its_kind_and_what_changed(
    login_as, sessionmaker
) -> None:
    placed = await place_booking(sessionmaker, check_in=clock.today() + timedelta(days=9))
    change = modified(
        placed,
        version=2,
        check_in=placed.check_in + timedelta(days=1),
        check_out=placed.check_out + timedelta(days=1),
    )
    await deliver(sessionmaker, envelope(change, source="intake"))
    await mark_sent(sessionmaker, placed.booking_ref)
    await deliver(sessionmaker, envelope(cancelled(placed, version=3), source="intake"))

    html = await queue_page(await login_as("cora", DESK), state="all")

    kinds = re.findall(r'<td data-kind="(\w+)">', html)
    assert sorted(kinds) == ["cancel", "modify", "new"]
    for title in ('class="tag kind">new<', ">modification<", ">cancellation<"):
        assert title in html
    assert "Guest request: Flight moved" in html and "cancel the whole stay" in html
