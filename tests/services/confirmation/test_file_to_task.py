"""Issue 15, CF-4: the desk chooses the task a reply is filed to, from the open tasks of the
bookings the reply names; a closed, unknown or mismatched task is refused readably and
changes nothing; every filing is audited with where the reply was before."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import text

from services.confirmation.models import HotelReply
from shared.clock import clock
from tests.services.confirmation.factories import beijing, deliver, envelope, place_booking
from tests.services.confirmation.helpers import DESK, mark_sent, queue_json
from tests.services.confirmation.test_change_tasks import modified

REF = "RLWX3MPTKA"


async def _new_and_change(sessionmaker: Any) -> None:
    """A booking sent to the hotel and then changed: two open tasks of one booking."""
    clock.set_now(beijing(2026, 3, 10, 9, 0))
    placed = await place_booking(
        sessionmaker, booking_ref=REF, check_in=date(2026, 3, 18), nights=2
    )
    await mark_sent(sessionmaker, REF)
    change = modified(placed, version=2, check_in=date(2026, 3, 18), check_out=date(2026, 3, 19))
    await deliver(sessionmaker, envelope(change, source="intake"))


async def _unmatched_reply(sessionmaker: Any, subject: str) -> uuid.UUID:
    reply_id = uuid.uuid4()
    async with sessionmaker() as session, session.begin():
        session.add(
            HotelReply(
                reply_id=reply_id,
                received_at=clock.now(),
                mail_from="someone@other.example",
                rcpt_to="replies@roomline.example",
                subject=subject,
                body_text="Confirmed, conf no. 5521.",
                raw=f"Subject: {subject}\r\n\r\n".encode(),
                unmatched_reason="not from the hotel",
            )
        )
    return reply_id


async def _tasks(desk: Any) -> dict[str, dict[str, Any]]:
    body = await queue_json(desk, state="all")
    return {item["kind"]: item for item in body["items"] if item["booking_ref"] == REF}


async def _filing(sessionmaker: Any, reply_id: uuid.UUID) -> tuple[Any, ...]:
    async with sessionmaker() as session:
        reply = await session.get(HotelReply, reply_id)
        assert reply is not None
        audits = await session.execute(
            text(
                "SELECT before, after FROM confirmation.audit_log"
                " WHERE entity = 'reply' AND entity_id = :id ORDER BY audit_id"
            ),
            {"id": str(reply_id)},
        )
        return reply.task_id, reply.matched_by, [tuple(row) for row in audits]


async def test_cf4_the_reply_page_lists_the_open_tasks_and_files_to_the_one_chosen(
    sessionmaker, login_as
) -> None:
    await _new_and_change(sessionmaker)
    reply_id = await _unmatched_reply(sessionmaker, f"Re: {REF} confirmed")
    desk = await login_as("cora", DESK)
    tasks = await _tasks(desk)
    new, change = tasks["new"]["task_id"], tasks["modify"]["task_id"]

    page = (await desk.page(f"/confirmation/replies/{reply_id}")).text
    assert f'<option value="{new}">{REF} · new · sent' in page
    assert f'<option value="{change}">{REF} · modification v2 · unsent' in page
    assert "The mail gives no. 5521." in page  # not filed yet: shown, not offered

    # By its ref alone the reply would go to the change (the latest task waiting); the desk
    # means the original booking's task.
    filed = await desk.post_form(
        f"/confirmation/replies/{reply_id}/file",
        {"task_id": new, "booking_ref": "", "back": "reply"},
    )
    assert filed.status_code == 303
    assert filed.headers["location"] == f"/confirmation/replies/{reply_id}?filed=1"
    task_id, matched_by, audits = await _filing(sessionmaker, reply_id)
    assert (str(task_id), matched_by) == (new, "desk")
    [(before, after)] = audits
    assert before == {"task_id": None, "booking_ref": None, "matched_by": None}
    assert after == {"task_id": new, "booking_ref": REF, "matched_by": "desk", "chosen": "task"}

    page = (await desk.page(f"/confirmation/replies/{reply_id}")).text
    assert "filed here now" in page
    assert f'action="/confirmation/tasks/{new}/confirm"' in page  # its number now offered

    by_api = await desk.post_json(f"/confirmation/api/replies/{reply_id}/file", {"task_id": change})
    assert by_api.status_code == 200 and by_api.json()["task_id"] == change


async def test_cf4_a_closed_unknown_or_mismatched_task_is_refused_and_changes_nothing(
    sessionmaker, login_as
) -> None:
    await _new_and_change(sessionmaker)
    reply_id = await _unmatched_reply(sessionmaker, f"Re: {REF}")
    desk = await login_as("cora", DESK)
    new = (await _tasks(desk))["new"]["task_id"]
    confirmed = await desk.post_json(
        f"/confirmation/api/tasks/{new}/confirm", {"confirmation_no": "C-1"}
    )
    assert confirmed.status_code == 200

    closed = await desk.post_form(
        f"/confirmation/replies/{reply_id}/file", {"task_id": new, "back": "reply"}
    )
    assert closed.status_code == 422
    assert f"The task of booking {REF} is closed; file the reply to an open task." in closed.text
    assert f'<option value="{new}"' not in closed.text  # only open tasks are offered

    unknown = await desk.post_json(
        f"/confirmation/api/replies/{reply_id}/file", {"task_id": str(uuid.uuid4())}
    )
    assert unknown.status_code == 422 and unknown.json()["fields"][0]["field"] == "task_id"
    other = await desk.post_json(
        f"/confirmation/api/replies/{reply_id}/file",
        {"task_id": (await _tasks(desk))["modify"]["task_id"], "booking_ref": "RLNQ8TMD4E"},
    )
    assert other.status_code == 422
    assert f"is booking {REF}, not RLNQ8TMD4E" in other.json()["detail"]
    garbage = await desk.post_form(
        f"/confirmation/replies/{reply_id}/file", {"task_id": "x" * 200, "back": "reply"}
    )
    assert garbage.status_code == 422 and "x" * 200 not in garbage.text

    assert await _filing(sessionmaker, reply_id) == (None, None, [])
