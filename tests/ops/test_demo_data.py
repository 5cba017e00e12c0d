"""``make run``'s demo: every desk has work, and loading it again changes nothing.

The loader runs as ``workers.local`` runs it (users, hotels, then the desks' work with the
relay and workers running in-process); the desks are then read as their people read them,
logged in with the demo passwords, through the all-in-one app's API and pages.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import text

from migrations import SERVICES
from services.noshow.worklist import open_worklist
from shared.clock import clock
from shared.db import unit_of_work
from tests.support.clients import StaffClient
from workers import demo, demo_desks, demo_members

# Every table the demo's desks write, and every service's outbox (no event twice).
TABLES = (
    "intake.booking",
    "intake.booking_form",
    "intake.special_price",
    "intake.booking_change",
    "intake.group_account",
    "intake.group_booking",
    "intake.group_room",
    "intake.member",
    "members.member",
    "members.points_move",
    "members.redemption",
    "members.complaint",
    "intake.memo",
    "confirmation.confirmation_task",
    "confirmation.customer_notice",
    "confirmation.hotel_reply",
    "contracts.night_restriction",
    "contracts.free_room_grant",
    "contracts.free_room_use",
    "noshow.stay_booking",
    "noshow.no_show_case",
    *(f"{schema}.outbox" for schema in SERVICES),
)


async def _counts(sessionmaker: Any) -> dict[str, int]:
    async with sessionmaker() as session:
        return {
            table: int(await session.scalar(text(f"SELECT count(*) FROM {table}")) or 0)
            for table in TABLES
        }


async def _login(http: Any, username: str) -> StaffClient:
    return await StaffClient(await http()).login(username, demo.demo_password(username))


async def _refs(sessionmaker: Any) -> dict[str, dict[str, Any]]:
    """The demo bookings by their demo key (``demo:<key>``)."""
    async with sessionmaker() as session:
        rows = await session.execute(
            text("SELECT * FROM intake.booking WHERE idempotency_key LIKE 'demo:%'")
        )
        return {row.idempotency_key.removeprefix("demo:"): dict(row._mapping) for row in rows}


async def _noshow_arrival(sessionmaker: Any, booking_ref: str) -> tuple[str, Any]:
    async with sessionmaker() as session:
        row = (
            await session.execute(
                text("SELECT status, check_in FROM noshow.stay_booking WHERE booking_ref = :ref"),
                {"ref": booking_ref},
            )
        ).one()
        return row.status, row.check_in


async def test_demo_fills_every_desk_and_loads_once(sessionmaker, http) -> None:
    await demo.load_demo(sessionmaker)
    first = await _counts(sessionmaker)
    await demo.load_demo(sessionmaker)  # make run a second time: skipped
    assert await _counts(sessionmaker) == first
    assert await demo_desks.load_demo_desks(sessionmaker, force=True)  # every step again
    assert await _counts(sessionmaker) == first

    today = clock.today()
    demo_bookings = await _refs(sessionmaker)
    assert set(demo_bookings) == {spec.key for spec in demo_desks.DEMO_BOOKINGS}
    ref = {key: booking["booking_ref"] for key, booking in demo_bookings.items()}

    # The booking desk: each state, read back as the agent reads a booking.
    agent = await _login(http, "agent")
    seen = {}
    for key, booking_ref in ref.items():
        response = await agent.get(f"/intake/api/bookings/{booking_ref}")
        assert response.status_code == 200, response.text
        seen[key] = response.json()
    assert {key: b["status"] for key, b in seen.items()} == {
        "placed": "placed",
        "tomorrow": "placed",
        "same_day": "placed",
        "same_day_confirmed": "confirmed",
        "confirmed": "confirmed",
        "on_request": "requested",
        "special_pending": "awaiting_price_approval",
        "special_rejected": "price_rejected",
        "modified": "placed",
        "cancelled": "cancelled",
        "full": "full",
    }
    assert seen["confirmed"]["hotel_confirmation_no"] == "FPH2612-0457"
    assert seen["modified"]["version"] == 2 and seen["cancelled"]["version"] == 2
    assert seen["on_request"]["on_request"] is True
    assert seen["same_day"]["urgent"] and seen["same_day"]["check_in"] == today.isoformat()
    assert seen["placed"]["member_card"] and seen["confirmed"]["member_card"]
    assert all(b["handle_seconds"] and b["call_id"] for b in seen.values())  # IN-1
    assert {b["agent_username"] for b in seen.values()} == {"agent", "agent2"}
    search = await agent.page("/intake/")
    assert f'data-full-house="{ref["full"]}"' in search.text  # CF-3: call the customer
    caller = await agent.get("/intake/api/callers", params={"phone": "136 4444 5555"})
    assert caller.json()["prompts"], caller.text  # IN-8: the complaint's compensation

    # Groups: the corporate account, one group placed and one unfinished draft (IN-9).
    accounts = (await agent.get("/intake/api/group-accounts")).json()
    assert accounts["total"] == 1
    worklist = (await agent.get("/intake/api/groups", params={"status": "all"})).json()
    statuses = Counter(group["status"] for group in worklist["groups"])
    assert statuses == {"placed": 1, "draft": 1}
    assert any(group["unfinished"] for group in worklist["groups"])
    assert "Yuanjing" in (await agent.page("/intake/groups")).text

    # The team lead's record of each agent (IN-12) and the pricing desk's queue (IN-11).
    lead = await _login(http, "teamlead")
    team = (await lead.get("/intake/api/team", params={"period": "day"})).json()
    assert {a["agent_username"] for a in team["agents"]} == {"agent", "agent2"}
    director = await _login(http, "director")
    approvals = await director.page("/contracts/approvals")  # HR-3: an amendment to sign
    assert approvals.text.count("/versions/") == 1 and "China World Summit Wing" in approvals.text
    pending = (await director.get("/intake/api/special-prices")).json()
    assert [item["booking_ref"] for item in pending["items"]] == [ref["special_pending"]]

    # The confirmation desk: open tasks of every kind, deadlines of CF-2, the answered ones.
    desk = await _login(http, "confirm")
    queue = (await desk.get("/confirmation/api/tasks", params={"state": "all"})).json()
    tasks = queue["items"]
    assert Counter((t["kind"], t["state"]) for t in tasks) == {
        ("new", "unsent"): 6,  # 4 single bookings, the modified one's and the group's
        ("modify", "unsent"): 1,
        # Cancelled before anything was sent: both tasks closed, nothing to send (issue 15).
        ("new", "closed"): 1,
        ("cancel", "closed"): 1,
        ("new", "confirmed"): 2,
        ("new", "full"): 1,
    }
    assert queue["unsent"] == 7 and not queue["over_limit"]
    same_day = next(t for t in tasks if t["booking_ref"] == ref["same_day"])
    booked, deadline = (datetime.fromisoformat(same_day[k]) for k in ("booked_at", "deadline_at"))
    assert deadline - booked == timedelta(hours=1)  # CF-2 / CF-6: same day, one hour
    assert ref["same_day"] in (await desk.page("/confirmation/")).text

    # Hotels' replies: three in the unmatched tray, one filed to its booking (CF-4).
    tray = (await desk.get("/confirmation/api/replies", params={"unmatched": "true"})).json()
    assert tray["total"] == 3
    assert all(item["unmatched_reason"] for item in tray["items"])
    replies = (await desk.get("/confirmation/api/replies")).json()
    assert [r["booking_ref"] for r in replies["items"] if r["task_id"]] == [ref["confirmed"]]
    assert "lihua.hotel@163.com" in (await desk.page("/confirmation/replies")).text

    # Customer service: the members, one with a major complaint (IN-8), three who joined
    # online today waiting for the card mailing (CS-4), points carried over (CS-5), a
    # redemption for the general manager (CS-2), a complaint routed to hotel resources (CS-3).
    service = await _login(http, "service")
    found = (await service.get("/members/api/members")).json()
    assert found["total"] == len(demo_desks.DEMO_MEMBERS) + len(demo_members.ONLINE_JOINERS)
    assert [m["name"] for m in found["members"] if m["complaint_open"]] == ["郑浩"]
    assert "郑浩" in (await service.page("/members/")).text
    assert "M80078901" in (await service.page("/members/cards")).text  # its address missing
    complaints = (await service.page("/members/complaints")).text
    assert "王秀英" in complaints
    manager_view = await _login(http, "manager")
    approvals = (await manager_view.page("/members/rewards/approvals")).text
    assert "马超" in approvals and "M80012345" in approvals
    resources = await _login(http, "resources")
    memos = (await resources.get("/intake/api/memos")).json()
    assert [m["problem"] for m in memos["items"]] == ["complaint"]

    # The general manager: a contract's free rooms, one request the director approved (HR-9).
    manager = await _login(http, "manager")
    free = await manager.page("/contracts/free-rooms")
    assert "Fairmont Peace Hotel" in free.text and "director approved" in free.text

    # The no-show desk (issue 16, NS-1): intake refuses past nights, so the demo has no stay
    # that has passed and the worklist is empty at load time. Its arrival confirmed for today
    # is in the desk's read model, and the next morning, once the night audit's time has
    # passed, the worklist's cron job opens its case (run here as the cron runs it).
    arrival = ref["same_day_confirmed"]
    assert await _noshow_arrival(sessionmaker, arrival) == ("confirmed", today)
    noshow = await _login(http, "noshow")
    assert "Nothing on the worklist." in (await noshow.page("/noshow/")).text
    morning = datetime.combine(today + timedelta(days=1), time(8, 30), clock.business_tz)
    clock.set_now(morning)
    try:
        async with unit_of_work(sessionmaker) as session:
            opened = await open_worklist(session, clock.now())
        assert len(opened) == 1  # the unconfirmed same-day booking is not the desk's (NS-1)
        noshow = await _login(http, "noshow")
        assert f'data-booking-ref="{arrival}"' in (await noshow.page("/noshow/")).text
    finally:
        clock.set_now(None)
