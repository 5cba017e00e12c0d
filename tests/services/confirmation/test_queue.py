"""The confirmation queue fed by intake's and contracts' events (CF-1, CF-2, CF-6)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from shared.clock import clock
from tests.services.confirmation.factories import (
    beijing,
    booking_placed,
    deliver,
    envelope,
    place_booking,
    publish_hotel,
)
from tests.services.confirmation.helpers import (
    DESK,
    deadline_of,
    page_rows,
    queue_json,
    queue_page,
    refs,
    statuses,
    task_count,
)


async def test_cf2_acceptance_deadlines_order_and_status_follow_the_beijing_clock(
    login_as, sessionmaker
) -> None:
    clock.set_now(beijing(2026, 3, 10, 10, 0))
    await place_booking(sessionmaker, booking_ref="TODAY1", check_in=date(2026, 3, 10))
    clock.set_now(beijing(2026, 3, 10, 12, 0))
    await place_booking(sessionmaker, booking_ref="NEXTMONTH", check_in=date(2026, 4, 10))
    clock.set_now(beijing(2026, 3, 10, 23, 30))
    await place_booking(sessionmaker, booking_ref="TOMORROW", check_in=date(2026, 3, 11))
    desk = await login_as("cora", DESK)

    body = await queue_json(desk)
    assert deadline_of(body, "TODAY1") == beijing(2026, 3, 10, 11, 0)
    assert deadline_of(body, "TOMORROW") == beijing(2026, 3, 11, 0, 0)
    assert deadline_of(body, "NEXTMONTH") == beijing(2026, 3, 11, 12, 0)
    assert refs(body) == ["TODAY1", "TOMORROW", "NEXTMONTH"]
    assert statuses(body) == {"TODAY1": "overdue", "TOMORROW": "due-soon", "NEXTMONTH": "ok"}
    html = await queue_page(desk)
    assert page_rows(html) == [("TODAY1", "overdue"), ("TOMORROW", "due-soon"), ("NEXTMONTH", "")]
    assert "2026-03-11 00:00" in html  # the deadline in Beijing time

    clock.set_now(beijing(2026, 3, 11, 0, 1))  # past TOMORROW's deadline
    assert statuses(await queue_json(desk))["TOMORROW"] == "overdue"
    assert ("TOMORROW", "overdue") in page_rows(await queue_page(desk))

    clock.set_now(beijing(2026, 3, 11, 11, 40))  # 20 minutes before NEXTMONTH's deadline
    assert statuses(await queue_json(desk))["NEXTMONTH"] == "due-soon"
    assert page_rows(await queue_page(desk))[-1] == ("NEXTMONTH", "due-soon")


async def test_cf6_reply_at_once_moves_the_deadline_to_one_hour(login_as, sessionmaker) -> None:
    clock.set_now(beijing(2026, 3, 10, 9, 0))
    await place_booking(
        sessionmaker, booking_ref="ASAP", check_in=date(2026, 5, 1), reply_at_once=True
    )
    body = await queue_json(await login_as("cora", DESK))
    assert deadline_of(body, "ASAP") == beijing(2026, 3, 10, 10, 0)


async def test_cf1_the_same_event_delivered_twice_creates_one_task(sessionmaker) -> None:
    booking = booking_placed(check_in=clock.today() + timedelta(days=3))
    event = envelope(booking, source="intake")
    assert await deliver(sessionmaker, event) == "handled"
    assert await deliver(sessionmaker, event) == "duplicate"
    # The same booking announced again under a new event id: UNIQUE (booking_id, kind) holds.
    assert await deliver(sessionmaker, envelope(booking, source="intake")) == "handled"
    assert await task_count(sessionmaker) == 1


async def test_cf1_task_carries_the_booking_for_the_order_sheet(login_as, sessionmaker) -> None:
    hotel = await publish_hotel(sessionmaker, confirm_channel="email", email="fo@peace.example")
    booking = await place_booking(
        sessionmaker,
        check_in=clock.today() + timedelta(days=5),
        nights=3,
        rooms=2,
        hotel_id=hotel.hotel_id,
        guest_names=["Wang Fang", "Zhang Wei"],
        special_requests="Non-smoking, high floor",
    )
    desk = await login_as("cora", DESK)
    response = await desk.get(f"/confirmation/api/tasks/{booking.booking_ref.lower()}")
    assert response.status_code == 200
    task = response.json()
    assert task["booking_id"] == str(booking.booking_id)
    assert (task["kind"], task["state"], task["nights"], task["rooms"]) == ("new", "unsent", 3, 2)
    assert task["guest_names"] == ["Wang Fang", "Zhang Wei"]
    assert task["special_requests"] == "Non-smoking, high floor"
    assert (task["hotel_channel"], task["confirm_channel"]) == ("email", "phone")
    assert datetime.fromisoformat(task["booked_at"]) == booking.placed_at


async def test_cf1_unknown_booking_ref_is_404(login_as) -> None:
    response = await (await login_as("cora", DESK)).get("/confirmation/api/tasks/NOPE42")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


async def test_cf1_newer_hotel_snapshot_wins_and_a_stale_one_is_ignored(
    login_as, sessionmaker
) -> None:
    # Issue 12: the hotel's event version decides, not the time; the late one is later too.
    now = clock.now()
    hotel = await publish_hotel(sessionmaker, confirm_channel="fax", occurred_at=now, version=1)
    await publish_hotel(
        sessionmaker, hotel_id=hotel.hotel_id, confirm_channel="email", occurred_at=now, version=3
    )
    await publish_hotel(
        sessionmaker,
        hotel_id=hotel.hotel_id,
        confirm_channel="fax",
        occurred_at=now + timedelta(minutes=5),
        version=2,
    )
    booking = await place_booking(sessionmaker, check_in=clock.today(), hotel_id=hotel.hotel_id)
    desk = await login_as("cora", DESK)
    task = (await desk.get(f"/confirmation/api/tasks/{booking.booking_ref}")).json()
    assert task["hotel_channel"] == "email"


async def test_cf2_queue_filters_by_hotel_name_and_state(login_as, sessionmaker) -> None:
    later = clock.today() + timedelta(days=7)
    await place_booking(sessionmaker, booking_ref="PEACE1", check_in=later)
    await place_booking(
        sessionmaker, booking_ref="KUNLUN1", check_in=later, hotel_name="昆仑饭店 · Kunlun Hotel"
    )
    desk = await login_as("cora", DESK)
    assert refs(await queue_json(desk, hotel="kunlun")) == ["KUNLUN1"]
    assert refs(await queue_json(desk, hotel="和平")) == ["PEACE1"]
    assert refs(await queue_json(desk, hotel="100%")) == []
    assert len(refs(await queue_json(desk, state="unsent"))) == 2
    assert refs(await queue_json(desk, state="confirmed")) == []
    html = await queue_page(desk, hotel="kunlun")
    assert [ref for ref, _ in page_rows(html)] == ["KUNLUN1"]
    bad = await desk.get("/confirmation/api/tasks", params={"state": "lost"})
    assert bad.status_code == 422


async def test_cf2_queue_pages_fifty_tasks_at_a_time_in_deadline_order(
    login_as, sessionmaker
) -> None:
    start = beijing(2026, 3, 10, 8, 0)
    for n in range(52):
        clock.set_now(start + timedelta(minutes=n))
        await place_booking(sessionmaker, booking_ref=f"P{n:03d}", check_in=date(2026, 4, 1))
    desk = await login_as("cora", DESK)
    first, second = await queue_json(desk), await queue_json(desk, page=2)
    assert (first["total"], first["page_size"], len(first["items"])) == (52, 50, 50)
    assert refs(first) + refs(second) == [f"P{n:03d}" for n in range(52)]
    html = await queue_page(desk)
    assert "Page 1 of 2" in html and "page=2" in html
