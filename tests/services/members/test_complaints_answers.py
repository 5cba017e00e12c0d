"""A complaint's answers and close (CS-3, HR-12, SL-5): the department's findings (from
intake's memo answer, or typed in), the member's progress and final answers, each announced
as members.complaint_answered with its stage; the close publishes members.complaint_closed
only for a hotel's complaint; and the weekly/monthly summary (CS-3) with its workbook."""

from __future__ import annotations

import io
import uuid

from openpyxl import load_workbook

from shared.auth import Role
from shared.clock import clock
from shared.events.intake import MemoAnsweredV1
from tests.services.members.complaints_support import (
    PAGES,
    beijing,
    count,
    deliver,
    file,
    new_member,
    outbox,
    publish_hotel,
)


def memo_answer(complaint_id: str, reply: str = "客房部已维修空调，赠送果盘") -> MemoAnsweredV1:
    return MemoAnsweredV1(
        memo_id=uuid.uuid4(), memo_no=7, department="hotel_resources",
        complaint_id=uuid.UUID(complaint_id), reply=reply, answered_by="zhao",
        answered_at=clock.now(),
    )  # fmt: skip


async def test_cs3_memo_answered_records_findings_once_and_stops_the_department_clock(
    login_as, sessionmaker
) -> None:
    """CS-3 / SL-5: intake.memo_answered for the complaint's form becomes its findings and
    members.complaint_answered(stage=department); a second answer keeps the first findings."""
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    clock.set_now(beijing(2026, 12, 7, 10, 0))
    filed = await file(desk)
    clock.set_now(beijing(2026, 12, 7, 15, 0))

    assert (
        await deliver(sessionmaker, memo_answer(filed["complaint_id"]), source="intake")
        == "handled"
    )
    await deliver(sessionmaker, memo_answer(filed["complaint_id"], "第二次回复"), source="intake")

    found = (await desk.get(f"/members/api/complaints/{filed['complaint_id']}")).json()
    assert found["findings"] == "客房部已维修空调，赠送果盘" and found["status"] == "findings"
    [answered] = await outbox(sessionmaker, "members.complaint_answered")
    assert answered["stage"] == "department" and answered["complaint_id"] == filed["complaint_id"]
    page = await desk.get(f"{PAGES}/{filed['complaint_id']}")
    assert "客房部已维修空调" in page.text and "zhao" in page.text


async def test_in7_memo_answered_without_a_complaint_is_ignored(sessionmaker) -> None:
    """IN-7: an ordinary internal form's answer is not a complaint's findings."""
    memo = MemoAnsweredV1(
        memo_id=uuid.uuid4(), memo_no=8, department="finance", reply="ok",
        answered_by="qian", answered_at=clock.now(),
    )  # fmt: skip
    assert await deliver(sessionmaker, memo, source="intake") == "handled"
    assert await count(sessionmaker, "SELECT count(*) FROM members.outbox") == 0


async def test_sl5_answers_publish_their_stages_and_close_tells_contracts_of_a_hotel(
    login_as, sessionmaker
) -> None:
    """SL-5 / HR-12: findings typed in, progress and final answers each publish their stage;
    closing a hotel's complaint publishes members.complaint_closed with the outcome."""
    hotel_id = await publish_hotel(sessionmaker)
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    filed = await file(desk, hotel_id=str(hotel_id))
    base = f"{PAGES}/{filed['complaint_id']}"

    for action, text in [("findings", "空调已修"), ("progress", "正在处理"), ("final", "已解决")]:
        version = (await desk.get(f"/members/api/complaints/{filed['complaint_id']}")).json()[
            "version"
        ]
        response = await desk.post_form(f"{base}/{action}", {"text": text, "version": version})
        assert response.status_code == 303, response.text
    closed = await desk.post_form(f"{base}/close", {"outcome": "赔偿一晚房费"})
    assert closed.status_code == 303, closed.text

    stages = [e["stage"] for e in await outbox(sessionmaker, "members.complaint_answered")]
    assert stages == ["department", "progress", "final"]
    [event] = await outbox(sessionmaker, "members.complaint_closed")
    assert event["complaint_id"] == filed["complaint_id"] and event["outcome"] == "赔偿一晚房费"


async def test_cs3_close_without_hotel_publishes_no_closed_event_and_keeps_the_in8_flag(
    login_as, sessionmaker
) -> None:
    """CS-3 / IN-8: a major complaint needs its final answer and apology visit before the
    close; closing a complaint that names no hotel tells contracts nothing; the member's
    compensation flag stays until compensation is given."""
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    member = await new_member(desk)
    filed = await file(desk, member_id=member["member_id"], severity="major")
    base = f"{PAGES}/{filed['complaint_id']}"

    early = await desk.post_form(f"{base}/close", {"outcome": "已处理"})
    assert early.status_code == 409 and "final answer before closing" in early.text
    assert (await desk.post_form(f"{base}/final", {"text": "已道歉"})).status_code == 303
    no_visit = await desk.post_form(f"{base}/close", {"outcome": "已处理"})
    assert no_visit.status_code == 409 and "apology visit before closing" in no_visit.text
    bad_visit = await desk.post_form(f"{base}/visit", {"visit_on": "2999-01-01", "note": "x"})
    assert bad_visit.status_code == 422
    today = clock.today().isoformat()
    assert (
        await desk.post_form(f"{base}/visit", {"visit_on": today, "note": "经理上门致歉"})
    ).status_code == 303
    assert (await desk.post_form(f"{base}/close", {"outcome": "已处理"})).status_code == 303

    assert await outbox(sessionmaker, "members.complaint_closed") == []
    fetched = (await desk.get(f"/members/api/members/{member['member_id']}")).json()
    assert fetched["complaint_open"] is True
    page = await desk.get(base)
    assert "经理上门致歉" in page.text and "已处理" in page.text


async def test_cs3_answer_twice_or_stale_version_is_refused(login_as, sessionmaker) -> None:
    """CS-3: an answer is given once; a form from an older version of the complaint is refused
    (two desks), and nothing is written by the refused post."""
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    filed = await file(desk)
    base = f"{PAGES}/{filed['complaint_id']}"
    assert (
        await desk.post_form(f"{base}/progress", {"text": "处理中", "version": 1})
    ).status_code == 303

    stale = await desk.post_form(f"{base}/final", {"text": "已解决", "version": 1})
    again = await desk.post_form(f"{base}/progress", {"text": "再次", "version": 2})
    empty = await desk.post_form(f"{base}/final", {"version": 2})

    assert stale.status_code == 409 and again.status_code == 409 and empty.status_code == 422
    assert len(await outbox(sessionmaker, "members.complaint_answered")) == 1


async def test_cs3_summary_counts_by_category_and_clock_for_the_gm(login_as, sessionmaker) -> None:
    """CS-3: the weekly summary counts the week's complaints by category and severity and
    how each clock was kept; the general manager reads it and its Excel workbook."""
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    clock.set_now(beijing(2026, 12, 7, 9, 0))  # a Monday
    first = await file(desk, category="room", severity="major")
    await file(desk, category="room")
    await file(desk, category="price")
    clock.set_now(beijing(2026, 12, 7, 16, 0))
    await desk.post_form(f"{PAGES}/{first['complaint_id']}/findings", {"text": "查明"})
    clock.set_now(beijing(2026, 12, 14, 9, 0))  # the next week: not counted
    await file(desk, category="price")
    gm = await login_as("boss", Role.GENERAL_MANAGER)

    page = await gm.get(f"{PAGES}/summary?period=week&on=2026-12-09")
    book = await gm.get(f"{PAGES}/summary.xlsx?period=week&on=2026-12-09")

    assert page.status_code == 200 and "complaints-chart" in page.text
    assert "2026-12-07" in page.text and "2026-12-13" in page.text
    sheet = load_workbook(io.BytesIO(book.content)).worksheets[0]
    rows = {row[0]: row[1:] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Room"] == (1, 1, 2) and rows["Price"] == (1, 0, 1)
    kept = load_workbook(io.BytesIO(book.content)).worksheets[1]
    clocks = {row[0]: row[1:] for row in kept.iter_rows(min_row=2, values_only=True)}
    assert clocks["Department findings"][:3] == (1, 0, 2)  # met, late, overdue
    assert (await gm.get(f"{PAGES}/summary?period=month&on=2026-12-09")).status_code == 200
    assert (await gm.get(PAGES)).status_code == 403  # the worklist is customer service's
