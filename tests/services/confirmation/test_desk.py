"""The desk's work on a task: claims (CF-1), online verification (CF-5), the fax receipt check
(CF-7), the hotel's answer (CF-4, CF-3), the customer's confirmation (CF-6) and the SL-3 gauges."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import text

from services.confirmation.desk import customer_deadline
from shared.auth import Role
from shared.clock import clock
from tests.services.confirmation.factories import beijing, place_booking
from tests.services.confirmation.helpers import DESK, queue_json

RECEIPTS_OVERDUE = "roomline_confirmation_receipt_checks_overdue"


def _in(days: int) -> date:
    return clock.today() + timedelta(days=days)


async def _task_id(desk: Any, ref: str) -> str:
    body = await queue_json(desk, state="all")
    return str(next(item["task_id"] for item in body["items"] if item["booking_ref"] == ref))


async def _act(desk: Any, task_id: str, action: str, **body: str) -> Any:
    return await desk.post_json(f"/confirmation/api/tasks/{task_id}/{action}", body)


async def _outbox(sessionmaker: Any) -> list[tuple[str, dict[str, Any]]]:
    """What the desk's actions published (``task_opened`` comes with every task, issue 7)."""
    async with sessionmaker() as session:
        rows = await session.execute(
            text(
                "SELECT name, payload FROM confirmation.outbox"
                " WHERE name != 'confirmation.task_opened' ORDER BY occurred_at"
            )
        )
        return [(row[0], row[1]) for row in rows]


async def _audit_actions(sessionmaker: Any) -> list[str]:
    async with sessionmaker() as session:
        query = "SELECT action FROM confirmation.audit_log ORDER BY audit_id"
        rows = await session.scalars(text(query))
        return list(rows)


async def test_cf1_one_desk_user_at_a_time(login_as, sessionmaker) -> None:
    await place_booking(
        sessionmaker, booking_ref="RLCLAIM222", check_in=clock.today() + timedelta(3)
    )
    cora, dan = await login_as("cora", DESK), await login_as("dan", DESK)
    task_id = await _task_id(cora, "RLCLAIM222")
    claimed = await _act(cora, task_id, "claim")
    assert claimed.status_code == 200 and claimed.json()["claimed_by"] == "cora"
    refused = await _act(dan, task_id, "claim")
    assert refused.status_code == 409
    assert "cora is working on booking RLCLAIM222" in refused.json()["detail"]
    # Dan cannot act on it either, and nothing of his is written.
    assert (await _act(dan, task_id, "confirm", confirmation_no="H1")).status_code == 409
    assert (await queue_json(dan))["items"][0]["claimed_by"] == "cora"
    assert (await _act(cora, task_id, "release")).json()["claimed_by"] is None
    assert (await _act(dan, task_id, "claim")).json()["claimed_by"] == "dan"
    assert await _audit_actions(sessionmaker) == ["task.claim", "task.release", "task.claim"]


async def test_cf1_a_claim_left_for_twenty_minutes_lapses(login_as, sessionmaker) -> None:
    clock.set_now(beijing(2026, 3, 10, 9, 0))
    await place_booking(
        sessionmaker, booking_ref="RLLAPSE22", check_in=clock.today() + timedelta(3)
    )
    cora, dan = await login_as("cora", DESK), await login_as("dan", DESK)
    task_id = await _task_id(cora, "RLLAPSE22")
    await _act(cora, task_id, "claim")
    clock.set_now(beijing(2026, 3, 10, 9, 19))
    assert (await _act(dan, task_id, "claim")).status_code == 409
    clock.set_now(beijing(2026, 3, 10, 9, 21))
    assert (await _act(dan, task_id, "claim")).json()["claimed_by"] == "dan"


async def test_cf2_claim_next_takes_the_earliest_deadline_nobody_holds(
    login_as, sessionmaker
) -> None:
    clock.set_now(beijing(2026, 3, 10, 10, 0))
    await place_booking(
        sessionmaker, booking_ref="RLLATER22", check_in=clock.today() + timedelta(9)
    )
    await place_booking(sessionmaker, booking_ref="RLTODAY22", check_in=clock.today())
    cora, dan = await login_as("cora", DESK), await login_as("dan", DESK)
    first = await cora.post_form("/confirmation/claim-next", {})
    assert first.status_code == 303 and "/confirmation/tasks/" in first.headers["location"]
    await dan.post_form("/confirmation/claim-next", {})
    holders = {i["booking_ref"]: i["claimed_by"] for i in (await queue_json(cora))["items"]}
    assert holders == {"RLTODAY22": "cora", "RLLATER22": "dan"}
    nothing = await dan.post_form("/confirmation/claim-next", {})
    assert nothing.headers["location"].endswith("/confirmation/?saved=nothing-to-claim")


async def test_cf4_confirmation_number_confirms_and_tells_intake(login_as, sessionmaker) -> None:
    clock.set_now(beijing(2026, 3, 10, 10, 0))
    placed = await place_booking(
        sessionmaker, booking_ref="RLCONF222", check_in=clock.today() + timedelta(5)
    )
    cora = await login_as("cora", DESK)
    task_id = await _task_id(cora, "RLCONF222")
    await _act(cora, task_id, "claim")
    assert (await _act(cora, task_id, "confirm", confirmation_no="  ")).status_code == 422
    done = await _act(cora, task_id, "confirm", confirmation_no="HX-88812")
    assert done.status_code == 200
    assert (done.json()["state"], done.json()["hotel_confirmation_no"]) == ("confirmed", "HX-88812")
    [(name, payload)] = await _outbox(sessionmaker)
    assert name == "confirmation.booking_confirmed"
    assert (payload["booking_id"], payload["hotel_confirmation_no"]) == (
        str(placed.booking_id),
        "HX-88812",
    )
    again = await _act(cora, task_id, "confirm", confirmation_no="OTHER")
    assert again.status_code == 409 and len(await _outbox(sessionmaker)) == 1
    page = (await cora.page(f"/confirmation/tasks/{task_id}")).text
    assert "HX-88812" in page and 'id="notice-state">pending' in page


async def test_cf3_full_house_publishes_the_nights_and_opens_the_customer_notice(
    login_as, sessionmaker
) -> None:
    clock.set_now(beijing(2026, 3, 10, 10, 0))
    placed = await place_booking(
        sessionmaker, booking_ref="RLFULL222", check_in=clock.today() + timedelta(5), nights=2
    )
    cora = await login_as("cora", DESK)
    task_id = await _task_id(cora, "RLFULL222")
    await _act(cora, task_id, "claim")
    assert (await _act(cora, task_id, "full-house", reason="")).status_code == 422
    done = await _act(cora, task_id, "full-house", reason="Hotel full: trade fair")
    assert done.json()["state"] == "full"
    [(name, payload)] = await _outbox(sessionmaker)
    assert name == "confirmation.full_house"
    assert payload["nights"] == [str(placed.check_in), str(placed.check_in + timedelta(days=1))]
    assert (payload["reason"], payload["room_type_id"]) == (
        "Hotel full: trade fair",
        str(placed.room_type_id),
    )
    page = (await cora.page(f"/confirmation/tasks/{task_id}")).text
    assert "Full-house notice" in page and "Hotel full: trade fair" in page


async def test_cf6_customer_deadline_same_day_one_hour_others_a_day() -> None:
    booked = beijing(2026, 3, 10, 23, 30)
    tomorrow, today = booked.date() + timedelta(days=1), booked.date()
    assert customer_deadline(
        booked_at=booked, check_in=today, reply_at_once=False, clock=clock
    ) == booked + timedelta(hours=1)
    assert customer_deadline(
        booked_at=booked, check_in=tomorrow, reply_at_once=False, clock=clock
    ) == booked + timedelta(hours=24)
    assert customer_deadline(
        booked_at=booked, check_in=tomorrow, reply_at_once=True, clock=clock
    ) == booked + timedelta(hours=1)


async def test_cf6_phone_confirmation_is_recorded_once(login_as, sessionmaker) -> None:
    await place_booking(
        sessionmaker, booking_ref="RLCALL222", check_in=clock.today() + timedelta(5),
        confirm_channel="phone",
    )  # fmt: skip
    cora = await login_as("cora", DESK)
    task_id = await _task_id(cora, "RLCALL222")
    await _act(cora, task_id, "claim")
    early = await _act(cora, task_id, "customer-call", note="told")
    assert early.status_code == 409 and "has not answered" in early.json()["detail"]
    await _act(cora, task_id, "confirm", confirmation_no="H-1")
    assert (await _act(cora, task_id, "customer-call", note="Told Mr Zhang")).status_code == 200
    assert (await _act(cora, task_id, "customer-call", note="again")).status_code == 409
    page = (await cora.page(f"/confirmation/tasks/{task_id}")).text
    assert "Told Mr Zhang" in page and 'id="notice-state">sent' in page


async def test_cf5_online_booking_is_verified_before_sending(login_as, sessionmaker) -> None:
    await place_booking(
        sessionmaker, booking_ref="RLWEB2222", check_in=clock.today() + timedelta(5),
        source="online",
    )  # fmt: skip
    await place_booking(
        sessionmaker, booking_ref="RLPHONE22", check_in=clock.today() + timedelta(5)
    )
    cora = await login_as("cora", DESK)
    flags = {
        i["booking_ref"]: i["awaiting_verification"] for i in (await queue_json(cora))["items"]
    }
    assert flags == {"RLWEB2222": True, "RLPHONE22": False}
    web, phone = await _task_id(cora, "RLWEB2222"), await _task_id(cora, "RLPHONE22")
    await _act(cora, phone, "claim")
    assert (await _act(cora, phone, "verify", note="ok")).status_code == 409
    assert (await _act(cora, web, "verify", note=" ")).status_code == 422
    verified = await _act(cora, web, "verify", note="Guest confirmed the dates")
    assert verified.json()["verified_by"] == "cora"
    assert (await queue_json(cora))["items"][0]["awaiting_verification"] is False


async def test_cf7_receipt_check_only_after_a_fax_and_overdue_after_three_minutes(
    login_as, sessionmaker
) -> None:
    clock.set_now(beijing(2026, 3, 10, 10, 0))
    await place_booking(
        sessionmaker, booking_ref="RLFAX2222", check_in=clock.today() + timedelta(5)
    )
    cora = await login_as("cora", DESK)
    task_id = await _task_id(cora, "RLFAX2222")
    await _act(cora, task_id, "claim")
    assert (await _act(cora, task_id, "receipt-check", contact="Ms Li")).status_code == 409
    async with sessionmaker() as session:  # as the send job leaves a faxed task (CF-7)
        await session.execute(
            text(
                "UPDATE confirmation.confirmation_task SET state = 'sent', sent_at = :now,"
                " sent_channel = 'fax', receipt_due_at = :due"
            ),
            {"now": clock.now(), "due": clock.now() + timedelta(minutes=3)},
        )
        await session.commit()
    [item] = (await queue_json(cora))["items"]
    assert item["receipt_due_at"] is not None and item["receipt_overdue"] is False
    clock.set_now(beijing(2026, 3, 10, 10, 4))
    assert (await queue_json(cora))["items"][0]["receipt_overdue"] is True
    assert "fax receipt check overdue" in (await cora.page("/confirmation/")).text
    assert (
        "roomline_confirmation_receipt_checks_overdue 1.0"
        in (await cora.get("/confirmation/metrics")).text
    )
    checked = await _act(cora, task_id, "receipt-check", contact="Ms Li, front desk")
    assert checked.json()["receipt_checked_by"] == "cora"
    [item] = (await queue_json(cora))["items"]
    assert (item["receipt_due_at"], item["receipt_overdue"]) == (None, False)
    assert (
        "roomline_confirmation_receipt_checks_overdue 0.0"
        in (await cora.get("/confirmation/metrics")).text
    )


async def test_sl3_sixteen_unsent_raise_the_metric_alert_fifteen_do_not(
    login_as, sessionmaker
) -> None:
    for n in range(15):
        await place_booking(
            sessionmaker, booking_ref=f"RLM{n:03d}X", check_in=clock.today() + timedelta(3)
        )
    desk = await login_as("cora", DESK)
    metrics = (await desk.get("/confirmation/metrics")).text
    assert "roomline_confirmation_unsent_orders 15.0" in metrics
    assert "roomline_confirmation_unsent_over_limit 0.0" in metrics
    await place_booking(sessionmaker, booking_ref="RLM016X", check_in=_in(3))
    metrics = (await desk.get("/confirmation/metrics")).text
    assert "roomline_confirmation_unsent_orders 16.0" in metrics
    assert "roomline_confirmation_unsent_over_limit 1.0" in metrics


async def test_task_page_and_actions_need_the_desk_role(login_as, sessionmaker) -> None:
    await place_booking(
        sessionmaker, booking_ref="RLROLE222", check_in=clock.today() + timedelta(3)
    )
    desk, agent = await login_as("cora", DESK), await login_as("ana", Role.AGENT)
    task_id = await _task_id(desk, "RLROLE222")
    assert (await agent.page(f"/confirmation/tasks/{task_id}")).status_code == 403
    assert (await _act(agent, task_id, "claim")).status_code == 403
    assert (await desk.page(f"/confirmation/tasks/{task_id}")).status_code == 200
    assert await _audit_actions(sessionmaker) == []
