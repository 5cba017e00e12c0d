"""Desk SLAs from other services' events (SL-2, SL-3, SL-6; SL-4/SL-5 clocks): the metrics
service's projection, its live breach lists (/sla/api/breaches, /sla/breaches), its gauges on
/sla/metrics, and the confirmation desk publishing the events the projection needs. SL-5's
breaches are in test_complaint_sla.py."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text

from services.metrics import desk_sla
from services.metrics.handlers import HANDLERS
from shared.auth import Role
from shared.clock import clock
from shared.complaint_clock import complaint_due
from shared.events import Payload
from shared.events.confirmation import (
    BookingConfirmedV1,
    FullHouseV1,
    OrderSentV1,
    ReceiptCheckedV1,
    TaskClosedV1,
    TaskOpenedV1,
)
from shared.events.consumer import apply_once
from tests.services.confirmation.factories import (
    beijing,
    booking_placed,
    envelope,
    place_booking,
)
from tests.services.confirmation.factories import deliver as to_confirmation
from tests.services.confirmation.helpers import DESK, queue_json

MANAGER = Role.GENERAL_MANAGER


async def deliver(sessionmaker: Any, payload: Payload, source: str = "confirmation") -> str:
    """Apply one event to the metrics service the way its worker does (inbox + handler)."""
    return await apply_once(
        sessionmaker,
        service="metrics",
        schema="metrics",
        handlers=HANDLERS,
        envelope=envelope(payload, source=source, occurred_at=clock.now()),
    )


def opened(task_id: uuid.UUID, ref: str, deadline_at: datetime) -> TaskOpenedV1:
    return TaskOpenedV1(
        task_id=task_id,
        booking_ref=ref,
        kind="new",
        hotel_name="和平饭店 · Peace Hotel",
        deadline_at=deadline_at,
        opened_at=clock.now(),
    )


def sent(task_id: uuid.UUID, ref: str, deadline_at: datetime, fax: bool = True) -> OrderSentV1:
    return OrderSentV1(
        task_id=task_id,
        booking_ref=ref,
        kind="new",
        channel="fax" if fax else "email",
        sent_at=clock.now(),
        deadline_at=deadline_at,
        receipt_due_at=clock.now() + timedelta(minutes=3) if fax else None,
    )


def confirmed(task_id: uuid.UUID | None, ref: str) -> BookingConfirmedV1:
    return BookingConfirmedV1(
        booking_id=uuid.uuid4(),
        booking_ref=ref,
        kind="new",
        booking_version=1,
        hotel_confirmation_no="H-881",
        confirmed_by="cora",
        confirmed_at=clock.now(),
        task_id=task_id,
    )


async def api(manager: Any) -> dict[str, Any]:
    response = await manager.get("/sla/api/breaches")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def scrape(manager: Any) -> str:
    return (await manager.get("/sla/metrics")).text  # type: ignore[no-any-return]


def refs(items: list[dict[str, Any]]) -> list[str]:
    return [item["booking_ref"] for item in items]


async def test_sl3_a_task_past_its_deadline_breaches_until_the_hotel_answers(
    login_as, sessionmaker
) -> None:
    """SL-3: overdue = deadline passed and no answer (confirmed or full). One task answered by
    confirmation, one by full house, one sent but unanswered (still overdue, not unsent)."""
    clock.set_now(beijing(2026, 3, 10, 9, 0))
    deadline = beijing(2026, 3, 10, 10, 0)
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for task_id, ref in ((a, "RLA"), (b, "RLB"), (c, "RLC")):
        assert await deliver(sessionmaker, opened(task_id, ref, deadline)) == "handled"
    await deliver(sessionmaker, sent(c, "RLC", deadline, fax=False))
    manager = await login_as("gm", MANAGER)
    before = await api(manager)
    assert before["confirmation_overdue"] == [] and before["unsent"] == 2
    assert "roomline_sla_confirmation_overdue 0.0" in await scrape(manager)
    assert "roomline_sla_confirmation_unsent 2.0" in await scrape(manager)

    clock.set_now(beijing(2026, 3, 10, 10, 1))
    late = await api(manager)
    assert refs(late["confirmation_overdue"]) == ["RLA", "RLB", "RLC"]
    assert [t["sent"] for t in late["confirmation_overdue"]] == [False, False, True]
    assert late["confirmation_overdue"][0]["overdue_minutes"] == 1
    assert "roomline_sla_confirmation_overdue 3.0" in await scrape(manager)

    await deliver(sessionmaker, confirmed(a, "RLA"))
    full = FullHouseV1(
        booking_ref="RLB",
        hotel_id=uuid.uuid4(),
        room_type_id=uuid.uuid4(),
        nights=[clock.today()],
        reason="Full",
        marked_by="cora",
        marked_at=clock.now(),
        task_id=b,
    )
    await deliver(sessionmaker, full)
    after = await api(manager)
    assert refs(after["confirmation_overdue"]) == ["RLC"] and after["unsent"] == 0
    assert "roomline_sla_confirmation_overdue 1.0" in await scrape(manager)


async def test_sl3_events_in_any_order_and_redelivered_count_once(login_as, sessionmaker) -> None:
    """Workers run jobs concurrently: the answer may be projected before the task's opening,
    the sending before both. The row still ends answered, and a redelivery changes nothing."""
    clock.set_now(beijing(2026, 3, 10, 9, 0))
    deadline = beijing(2026, 3, 10, 9, 30)
    task_id = uuid.uuid4()
    await deliver(sessionmaker, sent(task_id, "RLORDER", deadline, fax=False))
    await deliver(sessionmaker, confirmed(task_id, "RLORDER"))
    event = opened(task_id, "RLORDER", deadline)
    first = envelope(event, source="confirmation", occurred_at=clock.now())
    for expected in ("handled", "duplicate"):
        outcome = await apply_once(
            sessionmaker, service="metrics", schema="metrics", handlers=HANDLERS, envelope=first
        )
        assert outcome == expected
    clock.set_now(beijing(2026, 3, 10, 11, 0))
    body = await api(await login_as("gm", MANAGER))
    assert body["confirmation_overdue"] == [] and body["unsent"] == 0
    async with sessionmaker() as session:
        row = (await session.execute(text("SELECT * FROM metrics.desk_task"))).one()
    assert (row.booking_ref, row.answer, row.hotel_name) == (
        "RLORDER",
        "confirmed",
        "和平饭店 · Peace Hotel",
    )


async def test_sl3_an_answer_without_task_id_closes_the_bookings_open_task(
    login_as, sessionmaker
) -> None:
    """Events published before issue 7 carry no task_id: the answer closes the booking's open
    task of that kind."""
    clock.set_now(beijing(2026, 3, 10, 9, 0))
    await deliver(sessionmaker, opened(uuid.uuid4(), "RLOLD", beijing(2026, 3, 10, 9, 30)))
    clock.set_now(beijing(2026, 3, 10, 9, 45))
    manager = await login_as("gm", MANAGER)
    assert refs((await api(manager))["confirmation_overdue"]) == ["RLOLD"]
    await deliver(sessionmaker, confirmed(None, "RLOLD"))
    assert (await api(manager))["confirmation_overdue"] == []


async def test_sl6_a_fax_receipt_unchecked_three_minutes_after_sending_breaches(
    login_as, sessionmaker
) -> None:
    clock.set_now(beijing(2026, 3, 10, 9, 0))
    deadline = beijing(2026, 3, 11, 9, 0)
    fax, mail = uuid.uuid4(), uuid.uuid4()
    await deliver(sessionmaker, opened(fax, "RLFAX", deadline))
    await deliver(sessionmaker, opened(mail, "RLMAIL", deadline))
    await deliver(sessionmaker, sent(fax, "RLFAX", deadline))
    await deliver(sessionmaker, sent(mail, "RLMAIL", deadline, fax=False))
    manager = await login_as("gm", MANAGER)
    clock.set_now(beijing(2026, 3, 10, 9, 3))  # due exactly now: not yet late
    assert (await api(manager))["receipt_checks_overdue"] == []
    clock.set_now(beijing(2026, 3, 10, 9, 4))
    late = (await api(manager))["receipt_checks_overdue"]
    assert refs(late) == ["RLFAX"] and late[0]["late_minutes"] == 1
    assert "roomline_sla_receipt_checks_overdue 1.0" in await scrape(manager)
    checked = ReceiptCheckedV1(task_id=fax, booking_ref="RLFAX", checked_at=clock.now(), by="cora")
    await deliver(sessionmaker, checked)
    assert (await api(manager))["receipt_checks_overdue"] == []
    assert "roomline_sla_receipt_checks_overdue 0.0" in await scrape(manager)


async def test_sl2_bookings_over_five_minutes_today_and_the_handle_time_histogram(
    login_as, sessionmaker
) -> None:
    """SL-2: 300 s is within the band, 301 s breaches; yesterday's slow booking is not today's
    breach but stays in the histogram. Histogram: 200, 300, 301, 700 s → le=180: 0, le=240: 1,
    le=300: 2, le=420: 3, le=900: 4, sum 1501."""
    clock.set_now(beijing(2026, 3, 10, 9, 0))
    today, yesterday = beijing(2026, 3, 10, 8, 0), beijing(2026, 3, 9, 23, 0)
    for ref, placed, seconds in (
        ("RL200", today, 200),
        ("RL300", today, 300),
        ("RL301", today, 301),
        ("RL700", yesterday, 700),
        ("RLNONE", today, None),  # handle time unknown: neither breach nor observation
    ):
        booking = booking_placed(
            check_in=clock.today() + timedelta(days=3),
            booking_ref=ref,
            placed_at=placed,
            handle_seconds=seconds,
        )
        assert await deliver(sessionmaker, booking, source="intake") == "handled"
    manager = await login_as("gm", MANAGER)
    slow = (await api(manager))["handle_time_over_5min_today"]
    assert [(s["booking_ref"], s["handle_seconds"], s["agent_username"]) for s in slow] == [
        ("RL301", 301, "ana")
    ]
    metrics = await scrape(manager)
    assert "roomline_sla_handle_time_over_5min_today 1.0" in metrics
    for line in (
        'roomline_sla_booking_handle_seconds_bucket{le="180.0"} 0.0',
        'roomline_sla_booking_handle_seconds_bucket{le="240.0"} 1.0',
        'roomline_sla_booking_handle_seconds_bucket{le="300.0"} 2.0',
        'roomline_sla_booking_handle_seconds_bucket{le="420.0"} 3.0',
        'roomline_sla_booking_handle_seconds_bucket{le="+Inf"} 4.0',
        "roomline_sla_booking_handle_seconds_count 4.0",
        "roomline_sla_booking_handle_seconds_sum 1501.0",
    ):
        assert line in metrics


async def test_breach_page_shows_each_rule(login_as, sessionmaker) -> None:
    clock.set_now(beijing(2026, 3, 10, 9, 0))
    await deliver(sessionmaker, opened(uuid.uuid4(), "RLPAGE", beijing(2026, 3, 10, 8, 0)))
    page = await (await login_as("gm", MANAGER)).page("/sla/breaches")
    assert page.status_code == 200
    assert '<tr data-booking-ref="RLPAGE">' in page.text
    assert "Unsent: 1 of at most 15" in page.text
    assert "No booking call took over 5 minutes today." in page.text
    assert "Every complaint is within its clock" in page.text  # SL-5, issue 18
    assert "Every no-show case is within half a working day." in page.text  # SL-4, issue 16
    lead = await login_as("tl", Role.TEAM_LEAD)
    assert (await lead.get("/sla/api/breaches")).status_code == 200
    agent = await login_as("ana", Role.AGENT)
    assert (await agent.get("/sla/api/breaches")).status_code == 403


def test_sl4_no_show_clock_counts_half_a_working_day() -> None:
    """09:00–18:00 working day, 4½ h: 10:00 → 14:30; 16:00 → 2 h today + 2½ h → 11:30 next
    day; 20:00 → starts 09:00 next day → 13:30; 07:00 → 13:30 the same day."""
    due = desk_sla.no_show_due
    assert due(beijing(2026, 3, 10, 10, 0)) == beijing(2026, 3, 10, 14, 30)
    assert due(beijing(2026, 3, 10, 16, 0)) == beijing(2026, 3, 11, 11, 30)
    assert due(beijing(2026, 3, 10, 20, 0)) == beijing(2026, 3, 11, 13, 30)
    assert due(beijing(2026, 3, 10, 7, 0)) == beijing(2026, 3, 10, 13, 30)


def test_sl5_complaint_clocks() -> None:
    """Filed 10:00 → department by 17:00 that day; filed 17:30 → 17:00 next day; progress
    +12 h, final +24 h."""
    morning = complaint_due(beijing(2026, 3, 10, 10, 0))
    assert morning == {
        "department": beijing(2026, 3, 10, 17, 0),
        "progress": beijing(2026, 3, 10, 22, 0),
        "final": beijing(2026, 3, 11, 10, 0),
    }
    assert complaint_due(beijing(2026, 3, 10, 17, 30))["department"] == beijing(2026, 3, 11, 17, 0)


async def _outbox(sessionmaker: Any, name: str) -> list[dict[str, Any]]:
    async with sessionmaker() as session:
        rows = await session.execute(
            text("SELECT payload FROM confirmation.outbox WHERE name = :name ORDER BY occurred_at"),
            {"name": name},
        )
        return [row[0] for row in rows]


async def test_confirmation_publishes_task_opened_once_and_receipt_checked(
    login_as, sessionmaker
) -> None:
    """The desk's side: a task insert publishes ``confirmation.task_opened`` with its deadline
    in the same transaction; a redelivered booking inserts nothing and publishes nothing. The
    fax receipt check publishes ``confirmation.receipt_checked``; answers carry the task id."""
    clock.set_now(beijing(2026, 3, 10, 10, 0))
    booking = await place_booking(
        sessionmaker, booking_ref="RLPUB2222", check_in=clock.today() + timedelta(5)
    )
    again = envelope(booking, source="intake", occurred_at=booking.placed_at)
    assert await to_confirmation(sessionmaker, again) == "handled"  # new event id, same task
    [event] = await _outbox(sessionmaker, "confirmation.task_opened")
    cora = await login_as("cora", DESK)
    [item] = (await queue_json(cora))["items"]
    assert event["task_id"] == str(item["task_id"]) and event["booking_ref"] == "RLPUB2222"
    assert datetime.fromisoformat(event["deadline_at"]) == beijing(2026, 3, 11, 10, 0)
    task_id = item["task_id"]
    path = f"/confirmation/api/tasks/{task_id}"
    await cora.post_json(f"{path}/claim", {})
    async with sessionmaker() as session:  # as the send job leaves a faxed task (CF-7)
        await session.execute(
            text(
                "UPDATE confirmation.confirmation_task SET state = 'sent', sent_at = :now,"
                " sent_channel = 'fax', receipt_due_at = :due"
            ),
            {"now": clock.now(), "due": clock.now() + timedelta(minutes=3)},
        )
        await session.commit()
    checked = await cora.post_json(f"{path}/receipt-check", {"contact": "Ms Li"})
    assert checked.status_code == 200, checked.text
    [receipt] = await _outbox(sessionmaker, "confirmation.receipt_checked")
    assert (receipt["task_id"], receipt["by"]) == (str(task_id), "cora")
    answered = await cora.post_json(f"{path}/confirm", {"confirmation_no": "H-77"})
    assert answered.status_code == 200, answered.text
    [answer] = await _outbox(sessionmaker, "confirmation.booking_confirmed")
    assert answer["task_id"] == str(task_id)


async def test_sl3_a_task_closed_with_nothing_to_send_is_neither_unsent_nor_overdue(
    login_as, sessionmaker
) -> None:
    """Issue 15 (CF-1): a booking cancelled before anything was sent closes its tasks; the
    projection takes ``confirmation.task_closed`` as the task's end."""
    clock.set_now(beijing(2026, 3, 10, 9, 0))
    task_id = uuid.uuid4()
    await deliver(sessionmaker, opened(task_id, "RLGONE", beijing(2026, 3, 10, 9, 30)))
    clock.set_now(beijing(2026, 3, 10, 9, 45))
    manager = await login_as("gm", MANAGER)
    before = await api(manager)
    assert refs(before["confirmation_overdue"]) == ["RLGONE"] and before["unsent"] == 1
    closed = TaskClosedV1(
        task_id=task_id,
        booking_ref="RLGONE",
        kind="new",
        reason="nothing_to_send",
        closed_at=clock.now(),
    )
    assert await deliver(sessionmaker, closed) == "handled"
    after = await api(manager)
    assert after["confirmation_overdue"] == [] and after["unsent"] == 0
