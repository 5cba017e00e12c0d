"""The shift handover book (IN-6): what one shift writes goes to the next, whose people each
acknowledge it; tasks are marked done once; a handover nobody acknowledged is overdue for the
team lead; bad input is refused naming the field and writes nothing."""

from __future__ import annotations

import asyncio
import re
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import text

from services.intake.handover import shifts
from services.intake.settings import IntakeSettings
from shared.auth import Role
from shared.clock import clock
from tests.services.intake.factories import seed_hotel
from tests.services.intake.helpers import booking_body

API = "/intake/api/handover"
NIGHT_OF_DEC_2 = date(2026, 12, 2)


def local(day: date, hh_mm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hh_mm), tzinfo=clock.business_tz)


async def table_counts(sessionmaker: Any) -> dict[str, int]:
    queries = {
        "handovers": "SELECT count(*) FROM intake.handover",
        "entries": "SELECT count(*) FROM intake.handover_entry",
        "acks": "SELECT count(*) FROM intake.handover_ack",
        "done": "SELECT count(*) FROM intake.handover_entry WHERE done_at IS NOT NULL",
        "audit": "SELECT count(*) FROM intake.audit_log WHERE entity LIKE 'handover%'",
    }
    async with sessionmaker() as session:
        return {k: int(await session.scalar(text(q)) or 0) for k, q in queries.items()}


async def night_writes(night_agent: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """At 02:00 on 3 December (the night shift of the 2nd) a note and an open task."""
    clock.set_now(local(date(2026, 12, 3), "02:00"))
    note = await night_agent.post_json(
        f"{API}/entries",
        {"kind": "note", "body": "Hilton Beijing fax line down until 10:00", "priority": "high"},
    )
    task = await night_agent.post_json(
        f"{API}/entries", {"kind": "task", "body": "Call Mr Zhang back about his late arrival"}
    )
    assert note.status_code == 201, note.text
    assert task.status_code == 201, task.text
    return note.json(), task.json()


# --- shifts ----------------------------------------------------------------------------------


def test_in6_shifts_run_from_one_start_to_the_next_in_the_business_time_zone() -> None:
    settings = IntakeSettings()
    night = shifts.shift_at(local(date(2026, 12, 3), "02:00"), settings)
    assert (night.name, night.shift_date) == ("night", NIGHT_OF_DEC_2)
    assert night.starts_at == local(NIGHT_OF_DEC_2, "23:00")
    assert night.ends_at == local(date(2026, 12, 3), "07:00")
    morning = shifts.following(night, settings)
    assert (morning.name, morning.starts_at) == ("morning", local(date(2026, 12, 3), "07:00"))
    assert shifts.shift_at(local(date(2026, 12, 3), "06:59"), settings).name == "night"
    assert shifts.shift_at(local(date(2026, 12, 3), "15:00"), settings).name == "evening"
    assert shifts.preceding(morning, settings) == night


def test_in6_shift_start_times_come_from_settings() -> None:
    settings = IntakeSettings(
        shift_morning_start=time(8, 0), shift_evening_start=time(16, 30), shift_night_start=time(0)
    )
    at = shifts.shift_at(local(date(2026, 12, 3), "23:59"), settings)
    assert (at.name, at.shift_date) == ("evening", date(2026, 12, 3))
    assert at.ends_at == local(date(2026, 12, 4), "00:00")
    night = shifts.shift_at(local(date(2026, 12, 4), "07:59"), settings)
    assert (night.name, night.starts_at) == ("night", local(date(2026, 12, 4), "00:00"))


# --- writing, acknowledging, marking done ----------------------------------------------------


async def test_in6_what_the_night_shift_writes_goes_to_the_morning_shift(
    login_as, sessionmaker
) -> None:
    night_agent = await login_as("lina", Role.AGENT)
    note, task = await night_writes(night_agent)

    desk = (await night_agent.get(API)).json()
    assert desk["shift"]["name"] == "night" and desk["next_shift"]["name"] == "morning"
    assert desk["incoming"] is None
    outgoing = desk["outgoing"]
    assert (outgoing["shift"], outgoing["from_shift"]) == ("morning", "night")
    assert [e["entry_id"] for e in outgoing["entries"]] == [note["entry_id"], task["entry_id"]]
    assert (outgoing["notes"], outgoing["open_tasks"]) == (1, 1)
    assert note["priority"] == "high" and task["priority"] == "normal"
    assert [t["entry_id"] for t in desk["open_tasks"]] == [task["entry_id"]]
    counts = await table_counts(sessionmaker)
    assert counts == {"handovers": 1, "entries": 2, "acks": 0, "done": 0, "audit": 2}


async def test_in6_morning_agent_sees_the_banner_and_acknowledges_once(
    login_as, sessionmaker
) -> None:
    night_agent = await login_as("lina", Role.AGENT)
    morning_agent = await login_as("wang", Role.AGENT)
    await night_writes(night_agent)
    clock.set_now(local(date(2026, 12, 3), "07:05"))

    banner = await morning_agent.page("/intake/handover/banner")
    assert banner.status_code == 200
    said = " ".join(re.sub(r"<[^>]+>", " ", banner.text).split())
    assert "Handover from the night shift: 1 note, 1 open task" in said
    handover_id = (await morning_agent.get(API)).json()["incoming"]["handover_id"]

    first = await morning_agent.post_json(f"{API}/{handover_id}/acknowledgements", {})
    clock.advance(timedelta(minutes=5))
    again = await morning_agent.post_json(f"{API}/{handover_id}/acknowledgements", {})

    assert first.status_code == 200, first.text
    assert first.json() == again.json()  # the first acknowledgement stands
    assert first.json()["username"] == "wang"
    assert first.json()["acknowledged_at"].startswith("2026-12-02T23:05")  # UTC
    assert (await morning_agent.page("/intake/handover/banner")).status_code == 204
    seen_by_night = (await night_agent.get(f"{API}/history")).json()["items"][0]
    assert [a["username"] for a in seen_by_night["acks"]] == ["wang"]
    counts = await table_counts(sessionmaker)
    assert counts["acks"] == 1 and counts["audit"] == 3  # two entries, one acknowledgement


async def test_in6_a_handover_cannot_be_acknowledged_before_its_shift_begins(
    login_as, sessionmaker
) -> None:
    night_agent = await login_as("lina", Role.AGENT)
    await night_writes(night_agent)
    outgoing = (await night_agent.get(API)).json()["outgoing"]
    before = await table_counts(sessionmaker)

    early = await night_agent.post_json(f"{API}/{outgoing['handover_id']}/acknowledgements", {})

    assert early.status_code == 409
    assert early.json()["rule"] == "IN-6" and "2026-12-03 07:00" in early.json()["detail"]
    assert await table_counts(sessionmaker) == before


async def test_in6_a_task_is_marked_done_once_with_who_when_and_what(
    login_as, sessionmaker
) -> None:
    night_agent = await login_as("lina", Role.AGENT)
    morning_agent = await login_as("wang", Role.AGENT)
    lead = await login_as("zhao", Role.TEAM_LEAD)
    note, task = await night_writes(night_agent)
    clock.set_now(local(date(2026, 12, 3), "09:40"))

    done = await morning_agent.post_json(
        f"{API}/tasks/{task['entry_id']}/done", {"note": "Called, arrives 23:00"}
    )
    twice = await lead.post_json(f"{API}/tasks/{task['entry_id']}/done", {"note": "me too"})
    on_note = await lead.post_json(f"{API}/tasks/{note['entry_id']}/done", {})

    assert done.status_code == 200, done.text
    assert done.json()["done_by"] == "wang" and done.json()["done_note"] == "Called, arrives 23:00"
    assert done.json()["done_at"].startswith("2026-12-03T01:40") and not done.json()["is_open"]
    assert (
        twice.status_code == 409
        and "already marked done by wang at 2026-12-03 09:40" in (twice.json()["detail"])
    )
    assert on_note.status_code == 409 and "note" in on_note.json()["detail"]
    desk = (await lead.get(API)).json()
    assert desk["open_tasks"] == [] and desk["incoming"]["open_tasks"] == 0
    counts = await table_counts(sessionmaker)
    assert counts["done"] == 1 and counts["audit"] == 3


async def test_in6_unacknowledged_handover_is_overdue_for_the_team_lead_after_the_grace(
    login_as,
) -> None:
    night_agent = await login_as("lina", Role.AGENT)
    lead = await login_as("zhao", Role.TEAM_LEAD)
    await night_writes(night_agent)

    clock.set_now(local(date(2026, 12, 3), "07:29"))  # default grace: 30 minutes
    assert (await lead.get(API)).json()["overdue"] == []
    clock.set_now(local(date(2026, 12, 3), "07:31"))
    overdue = (await lead.get(API)).json()["overdue"]
    banner = await lead.page("/intake/handover/banner")
    agents_view = (await night_agent.get(API)).json()

    assert [(h["shift"], h["shift_date"]) for h in overdue] == [("morning", "2026-12-03")]
    assert overdue[0]["overdue"] is True
    assert "1 handover not acknowledged" in banner.text
    assert agents_view["overdue"] == []  # the overdue list is the team lead's
    await lead.post_json(f"{API}/{overdue[0]['handover_id']}/acknowledgements", {})
    assert (await lead.get(API)).json()["overdue"] == []


# --- refusals --------------------------------------------------------------------------------


async def test_in6_bad_entries_are_422_naming_the_field_and_write_nothing(
    login_as, sessionmaker
) -> None:
    agent = await login_as("lina", Role.AGENT)
    bad = {
        "body": {"kind": "note", "body": "   "},
        "kind": {"kind": "memo", "body": "x"},
        "priority": {"body": "x", "priority": "asap"},
        "booking_ref": {"body": "x", "booking_ref": "RL99999999"},
    }
    for field, body in bad.items():
        response = await agent.post_json(f"{API}/entries", body)
        assert response.status_code == 422, (field, response.text)
        assert response.json()["fields"][0]["field"] == field, response.json()
    assert await table_counts(sessionmaker) == dict.fromkeys(
        ("handovers", "entries", "acks", "done", "audit"), 0
    )


async def test_in6_entry_may_name_a_booking_we_hold(login_as, sessionmaker) -> None:
    clock.set_now(local(date(2026, 12, 3), "02:00"))
    seeded = await seed_hotel(sessionmaker)
    agent = await login_as("lina", Role.AGENT)
    placed = await agent.post_json(
        "/intake/api/bookings", booking_body(seeded, clock.today() + timedelta(days=3))
    )
    ref = placed.json()["booking_ref"]

    entry = await agent.post_json(
        f"{API}/entries", {"kind": "task", "body": "Guest wants a crib", "booking_ref": ref.lower()}
    )

    assert entry.status_code == 201, entry.text
    assert entry.json()["booking_ref"] == ref


async def test_in6_other_desks_get_403_and_change_nothing(login_as, sessionmaker) -> None:
    night_agent = await login_as("lina", Role.AGENT)
    note, _ = await night_writes(night_agent)
    desk = await login_as("chen", Role.CONFIRMATION_DESK)
    before = await table_counts(sessionmaker)
    for response in (
        await desk.get(API),
        await desk.page("/intake/handover"),
        await desk.post_json(f"{API}/entries", {"body": "x"}),
        await desk.post_json(f"{API}/{note['handover_id']}/acknowledgements", {}),
    ):
        assert response.status_code == 403
    assert await table_counts(sessionmaker) == before


# --- pages -----------------------------------------------------------------------------------


async def test_in6_handover_page_form_writes_and_refuses_with_a_readable_message(
    login_as, sessionmaker
) -> None:
    clock.set_now(local(date(2026, 12, 3), "02:00"))
    agent = await login_as("lina", Role.AGENT)
    page = await agent.page("/intake/handover")
    assert page.status_code == 200
    assert "night shift" in page.text and "Write for the morning shift" in page.text
    assert 'name="csrf_token"' in page.text and "No open tasks" in page.text

    refused = await agent.post_form("/intake/handover/entries", {"kind": "task", "body": ""})
    assert refused.status_code == 422
    assert '<a href="#field-body">Text</a> — Fill this in.' in refused.text
    assert (await table_counts(sessionmaker))["entries"] == 0

    written = await agent.post_form(
        "/intake/handover/entries",
        {"kind": "task", "priority": "urgent", "body": "Chase Peace Hotel's fax"},
    )
    assert written.status_code == 303 and written.headers["location"].endswith("saved=written")
    shown = await agent.page(written.headers["location"])
    assert (
        "Written for the next shift." in shown.text and "Chase Peace Hotel&#39;s fax" in shown.text
    )
    assert "Open tasks (1)" in shown.text


async def test_in6_every_desk_page_carries_the_banner_slot(login_as) -> None:
    agent = await login_as("lina", Role.AGENT)
    search = await agent.page("/intake/")
    assert search.status_code == 200
    assert 'data-src="/intake/handover/banner"' in search.text


async def test_in6_history_is_paged_newest_shift_first(login_as) -> None:
    agent = await login_as("lina", Role.AGENT)
    start = local(date(2026, 12, 1), "08:00")
    for n in range(12):  # one entry in each of twelve shifts: twelve handovers
        clock.set_now(start + timedelta(hours=8 * n))
        response = await agent.post_json(f"{API}/entries", {"body": f"shift {n}"})
        assert response.status_code == 201

    first = (await agent.get(f"{API}/history")).json()
    second = (await agent.get(f"{API}/history", params={"page": 2})).json()
    page = await agent.page("/intake/handover/history", params={"page": 2})

    assert first["total"] == 12 and first["pages"] == 2
    assert [h["entries"][0]["body"] for h in first["items"]][:2] == ["shift 11", "shift 10"]
    assert [h["entries"][0]["body"] for h in second["items"]] == ["shift 1", "shift 0"]
    assert page.status_code == 200 and "Page 2 of 2" in page.text and "shift 0" in page.text
    assert (await agent.get(f"{API}/history", params={"page": 0})).status_code == 422


async def test_in6_acknowledge_and_done_forms_on_the_page_work_as_posted(
    login_as, sessionmaker
) -> None:
    night_agent = await login_as("lina", Role.AGENT)
    morning_agent = await login_as("wang", Role.AGENT)
    await night_writes(night_agent)
    clock.set_now(local(date(2026, 12, 3), "07:10"))
    page = (await morning_agent.page("/intake/handover")).text
    actions = re.findall(r'<form method="post" action="([^"]+)"', page)
    acknowledge = next(a for a in actions if a.endswith("/acknowledge"))
    done = next(a for a in actions if a.endswith("/done"))

    acked = await morning_agent.post_form(acknowledge, {})
    finished = await morning_agent.post_form(done, {"note": "Called him"})
    again = await morning_agent.post_form(done, {"note": "Called him twice"})

    assert acked.status_code == 303 and finished.status_code == 303
    assert again.status_code == 409 and "already marked done by wang" in again.text
    shown = (await morning_agent.page("/intake/handover")).text
    assert "You acknowledged it" in shown
    assert "Acknowledged by Wang (wang) at 2026-12-03 07:10" in shown
    assert "Done by wang" in shown and "Called him" in shown
    counts = await table_counts(sessionmaker)
    assert (counts["acks"], counts["done"]) == (1, 1)


async def test_in6_racing_writers_share_one_handover_and_racing_done_clicks_count_once(
    login_as, sessionmaker
) -> None:
    clock.set_now(local(date(2026, 12, 3), "02:00"))
    agents = [await login_as(name, Role.AGENT) for name in ("lina", "wang", "chen", "zhou")]
    written = await asyncio.gather(
        *(
            a.post_json(f"{API}/entries", {"kind": "task", "body": f"task {n}"})
            for n, a in enumerate(agents)
        )
    )
    assert [w.status_code for w in written] == [201] * 4
    assert len({w.json()["handover_id"] for w in written}) == 1
    task = written[0].json()["entry_id"]

    clicks = await asyncio.gather(
        *(a.post_json(f"{API}/tasks/{task}/done", {"note": "done"}) for a in agents)
    )

    assert sorted(c.status_code for c in clicks) == [200, 409, 409, 409]
    counts = await table_counts(sessionmaker)
    assert (counts["handovers"], counts["entries"], counts["done"]) == (1, 4, 1)


async def test_in6_handover_book_in_chinese_from_the_catalog(login_as) -> None:
    """Issue 15: with the Chinese locale cookie the handover book and its banner speak the
    desk's terms (交接班, 早班/夜班, 未完成任务), and none of the English is left."""
    night_agent = await login_as("lina", Role.AGENT)
    morning_agent = await login_as("wang", Role.AGENT)
    await night_writes(night_agent)
    clock.set_now(local(date(2026, 12, 3), "07:05"))
    morning_agent.http.cookies.set("roomline_locale", "zh_CN")

    banner = await morning_agent.page("/intake/handover/banner")
    said = " ".join(re.sub(r"<[^>]+>", " ", banner.text).split())
    assert "夜班交接： 1 条备注，1 项未完成任务" in said and "确认已阅" in said, said
    page = await morning_agent.page("/intake/handover")

    assert page.status_code == 200
    for chinese in (
        '<html lang="zh-CN">',
        "<h1>交接班本</h1>",
        "当前：2026-12-03 <strong>早班</strong>",
        "夜班交给本班的内容",
        "尚未确认",
        "写给中班",
        "未完成任务（1）",
        "<strong>未完成</strong>",
        "处理结果",
        "标记完成",
        ">普通</td>",
        '<span class="tag">高</span>',
    ):
        assert chinese in page.text, chinese
    for english in (
        "Shift handover book",
        "Handed to this shift",
        "Write for the",
        "Open tasks",
        "Mark done",
        "morning shift",
        "night shift",
    ):
        assert english not in page.text, english
