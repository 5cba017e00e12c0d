"""Sending order sheets and customer confirmations as jobs with retries (CF-1, CF-4, CF-5,
CF-6, CF-7). Real PostgreSQL and Redis, real SMTP servers on loopback, a real arq worker."""

from __future__ import annotations

import io
import json
import stat
import uuid
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from arq import Retry
from arq.connections import ArqRedis, create_pool
from arq.worker import Worker
from pypdf import PdfReader
from sqlalchemy import select, text

from services.confirmation import sending
from services.confirmation.models import ConfirmationTask, CustomerNotice, OrderDispatch
from services.confirmation.settings import ConfirmationSettings
from services.confirmation.tasks import confirmation_send_worker_settings
from shared.auth import Staff
from shared.clock import clock
from shared.db import unit_of_work
from shared.queue import queue_name, redis_settings
from tests.services.confirmation.factories import place_booking, publish_hotel
from tests.services.confirmation.helpers import DESK
from tests.services.confirmation.smtp_support import silent_server, smtp_server

HOTEL_EMAIL = "fo@peace.example"
HOTEL_FAX = "+86 10 6512 0000"
HOTEL_CONFIRMATION_NO = "PH-7788"


# --- helpers ------------------------------------------------------------------------------------


def send_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: Any
) -> ConfirmationSettings:
    """The worker's settings, from the environment as in production."""
    values = {
        "ROOMLINE_EMAIL_TRANSPORT": "smtp",
        "ROOMLINE_SEND_BACKOFF_SECONDS": "0.05",
        "ROOMLINE_SEND_MAX_TRIES": "3",
        "ROOMLINE_SMTP_TIMEOUT_SECONDS": "1",
        "ROOMLINE_OUTBOX_DIR": str(tmp_path / "outbox"),
        **{f"ROOMLINE_{key.upper()}": str(value) for key, value in env.items()},
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return ConfirmationSettings()


async def booked_task(
    sessionmaker: Any, *, channel: str = "email", fax: str = HOTEL_FAX, **booking: Any
) -> ConfirmationTask:
    """A hotel on file and a booking at it, through the real event handlers."""
    hotel = await publish_hotel(
        sessionmaker,
        confirm_channel=channel,
        email=HOTEL_EMAIL if channel == "email" else "",
        fax=fax,
    )
    placed = await place_booking(
        sessionmaker, hotel_id=hotel.hotel_id, check_in=clock.today() + timedelta(days=5), **booking
    )
    return await task_by_ref(sessionmaker, placed.booking_ref)


async def task_by_ref(sessionmaker: Any, ref: str) -> ConfirmationTask:
    async with sessionmaker() as session:
        task = await session.scalar(
            select(ConfirmationTask).where(ConfirmationTask.booking_ref == ref)
        )
        assert task is not None
        return task


async def fresh_task(sessionmaker: Any, task_id: uuid.UUID) -> ConfirmationTask:
    async with sessionmaker() as session:
        task = await session.get(ConfirmationTask, task_id)
        assert task is not None
        return task


async def dispatches(sessionmaker: Any) -> list[OrderDispatch]:
    async with sessionmaker() as session:
        return list(await session.scalars(select(OrderDispatch).order_by(OrderDispatch.queued_at)))


async def events_named(sessionmaker: Any, name: str) -> list[dict[str, Any]]:
    async with sessionmaker() as session:
        rows = await session.execute(
            text("SELECT payload FROM confirmation.outbox WHERE name = :name"), {"name": name}
        )
        return [row[0] if isinstance(row[0], dict) else json.loads(row[0]) for row in rows]


async def jobs_waiting() -> int:
    settings = ConfirmationSettings()
    pool = await create_pool(redis_settings(settings.redis_url))
    try:
        return int(await pool.zcard(queue_name(sending.SEND_QUEUE, settings.queue_prefix)))
    finally:
        await pool.aclose()


async def run_worker(settings: ConfirmationSettings) -> None:
    """A real arq worker for the confirmation queue, until the queue (retries too) is empty."""
    worker = Worker(
        **{**confirmation_send_worker_settings(settings), "poll_delay": 0.05}, burst=True
    )
    try:
        await worker.main()
    finally:
        await worker.close()


async def queue_order(client: Any, task_id: uuid.UUID) -> dict[str, Any]:
    response = await client.post_json(f"/confirmation/api/tasks/{task_id}/send", {})
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


async def add_notice(
    sessionmaker: Any, task: ConfirmationTask, *, channel: str, contact: str
) -> None:
    """The hotel's confirmation and the customer's notice, as the desk's answer flow leaves
    them (CF-4, CF-6)."""
    async with unit_of_work(sessionmaker) as session:
        confirmed = await session.get(ConfirmationTask, task.task_id)
        assert confirmed is not None
        confirmed.state, confirmed.hotel_confirmation_no = "confirmed", HOTEL_CONFIRMATION_NO
        confirmed.answered_at, confirmed.answered_by = clock.now(), "cora"
        session.add(
            CustomerNotice(
                task_id=task.task_id,
                booking_ref=task.booking_ref,
                outcome="confirmed",
                channel=channel,
                contact=contact,
                deadline_at=clock.now() + timedelta(hours=1),
                state="pending",
                created_at=clock.now(),
            )
        )


# --- the hotel's order sheet ---------------------------------------------------------------------


async def test_cf1_order_sheet_reaches_the_hotel_by_email_with_the_pdf(
    login_as, sessionmaker, monkeypatch, tmp_path
) -> None:
    task = await booked_task(sessionmaker, channel="email")
    desk = await login_as("cora", DESK)
    with smtp_server() as server:
        settings = send_settings(monkeypatch, tmp_path, smtp_port=server.port)
        queued = await queue_order(desk, task.task_id)
        assert queued["state"] == "queued"
        assert (await fresh_task(sessionmaker, task.task_id)).state == "sending"
        await run_worker(settings)

    [mail] = server.messages
    assert mail.rcpt_tos == [HOTEL_EMAIL]
    assert mail.mail_from == settings.mail_from
    assert task.booking_ref in str(mail.message["Subject"])
    [(filename, content_type, pdf)] = mail.attachments()
    assert content_type == "application/pdf" and filename.endswith(".pdf")
    sheet = pdf_text(pdf)
    assert task.booking_ref in sheet
    assert "和平饭店" in sheet  # the hotel's Chinese name, from its file

    sent = await fresh_task(sessionmaker, task.task_id)
    assert (sent.state, sent.sent_channel, sent.receipt_due_at) == ("sent", "email", None)
    [dispatch] = await dispatches(sessionmaker)
    assert str(dispatch.dispatch_id) == queued["dispatch_id"]
    assert (dispatch.state, dispatch.attempts, dispatch.transport) == ("sent", 1, "smtp")
    assert dispatch.document == pdf  # CF-4: what the hotel got is on file
    assert dispatch.message_id == mail.message["Message-ID"]
    assert sent.sent_at == dispatch.sent_at
    [event] = await events_named(sessionmaker, "confirmation.order_sent")
    assert (event["booking_ref"], event["channel"], event["kind"]) == (
        task.booking_ref,
        "email",
        "new",
    )

    assert queued["status_url"] == f"/confirmation/api/dispatches/{dispatch.dispatch_id}"
    status = await desk.get(queued["status_url"])
    assert status.status_code == 200, status.text
    body = status.json()
    assert (body["state"], body["attempts"], body["last_error"]) == ("sent", 1, "")
    assert "document" not in body


async def test_cf7_fax_through_the_gateway_goes_to_digits_at_domain_and_sets_the_receipt_check(
    login_as, sessionmaker, monkeypatch, tmp_path
) -> None:
    task = await booked_task(sessionmaker, channel="fax")
    desk = await login_as("cora", DESK)
    with smtp_server() as server:
        settings = send_settings(
            monkeypatch, tmp_path, fax_transport="fax_gateway", smtp_port=server.port
        )
        # The desk's form: 303 back to the task page with "queued".
        response = await desk.post_form(f"/confirmation/tasks/{task.task_id}/send", {})
        assert response.status_code == 303, response.text
        assert response.headers["location"] == f"/confirmation/tasks/{task.task_id}?saved=queued"
        await run_worker(settings)

    [fax] = server.messages
    assert fax.rcpt_tos == [f"861065120000@{settings.fax_gateway_domain}"]
    [(_, content_type, pdf)] = fax.attachments()
    assert content_type == "application/pdf" and task.booking_ref in pdf_text(pdf)
    sent = await fresh_task(sessionmaker, task.task_id)
    assert (sent.state, sent.sent_channel) == ("sent", "fax")
    assert sent.sent_at is not None
    assert sent.receipt_due_at == sent.sent_at + timedelta(minutes=3)  # CF-7 / SL-6
    [event] = await events_named(sessionmaker, "confirmation.order_sent")
    assert event["receipt_due_at"] is not None
    [dispatch] = await dispatches(sessionmaker)
    assert (dispatch.channel, dispatch.transport, dispatch.address) == (
        "fax",
        "fax_gateway",
        HOTEL_FAX,
    )


async def _assert_gave_up(sessionmaker: Any, task_id: uuid.UUID, *, tries: int, says: str) -> None:
    """After the last try: the task is back in the queue with the reason, nothing sent."""
    task = await fresh_task(sessionmaker, task_id)
    assert task.state == "unsent"
    assert says in task.last_error and f"(after {tries} tries)" in task.last_error
    assert task.last_error_at is not None and task.sent_at is None
    [dispatch] = await dispatches(sessionmaker)
    assert (dispatch.state, dispatch.attempts) == ("failed", tries)
    assert dispatch.sent_at is None and dispatch.finished_at is not None
    assert await events_named(sessionmaker, "confirmation.order_sent") == []


async def test_cf1_a_refusing_mail_server_is_retried_then_the_task_returns_unsent(
    login_as, sessionmaker, monkeypatch, tmp_path
) -> None:
    task = await booked_task(sessionmaker, channel="email")
    desk = await login_as("cora", DESK)
    with smtp_server("550 mailbox unavailable") as server:
        settings = send_settings(monkeypatch, tmp_path, smtp_port=server.port)
        await queue_order(desk, task.task_id)
        await run_worker(settings)
    assert server.handler.refusals == 3 and server.messages == []
    await _assert_gave_up(sessionmaker, task.task_id, tries=3, says="550 mailbox unavailable")
    # Back in the queue: the desk may send it again.
    with smtp_server() as server:
        send_settings(monkeypatch, tmp_path, smtp_port=server.port)
        assert (await queue_order(desk, task.task_id))["state"] == "queued"


async def test_cf1_a_mail_server_that_never_answers_times_out_on_every_try(
    login_as, sessionmaker, monkeypatch, tmp_path
) -> None:
    task = await booked_task(sessionmaker, channel="email")
    desk = await login_as("cora", DESK)
    async with silent_server() as port:
        settings = send_settings(monkeypatch, tmp_path, smtp_port=port)
        await queue_order(desk, task.task_id)
        await run_worker(settings)
    await _assert_gave_up(sessionmaker, task.task_id, tries=3, says="timed out after 1 s")
    assert f"127.0.0.1:{port}" in (await fresh_task(sessionmaker, task.task_id)).last_error


async def test_cf1_refused_on_the_first_try_and_sent_on_the_second(
    login_as, sessionmaker, monkeypatch, tmp_path
) -> None:
    """The job itself, run as the worker runs it: a Retry with backoff, then success."""
    task = await booked_task(sessionmaker, channel="email")
    desk = await login_as("cora", DESK)
    with smtp_server("451 try again later", at="data", times=1) as server:
        settings = send_settings(
            monkeypatch, tmp_path, smtp_port=server.port, send_backoff_seconds=7
        )
        queued = await queue_order(desk, task.task_id)
        ctx = {"sessionmaker": sessionmaker, "settings": settings}
        with pytest.raises(Retry) as retry:
            await sending.send_dispatch(ctx, queued["dispatch_id"])
        assert retry.value.defer_score == 7000  # send_backoff_seconds × 2^0
        [dispatch] = await dispatches(sessionmaker)
        assert (dispatch.state, dispatch.attempts) == ("queued", 1)
        assert "451 try again later" in dispatch.last_error
        assert (await fresh_task(sessionmaker, task.task_id)).state == "sending"

        assert await sending.send_dispatch(ctx, queued["dispatch_id"]) == "sent"
        # Run again (a duplicate job): nothing is sent twice.
        assert await sending.send_dispatch(ctx, queued["dispatch_id"]) == "not queued"
    assert len(server.messages) == 1
    [dispatch] = await dispatches(sessionmaker)
    assert (dispatch.state, dispatch.attempts, dispatch.last_error) == ("sent", 2, "")
    assert (await fresh_task(sessionmaker, task.task_id)).state == "sent"
    assert len(await events_named(sessionmaker, "confirmation.order_sent")) == 1


def test_backoff_doubles_per_try_and_stops_at_ten_minutes() -> None:
    settings = ConfirmationSettings(send_backoff_seconds=10)
    assert [sending.backoff_seconds(settings, n) for n in (1, 2, 3, 7, 20)] == [
        10, 20, 40, 600, 600
    ]  # fmt: skip
    # arq's own limit stays above ours, so our count always ends a send.
    assert sending.job_settings(settings)["max_tries"] > settings.send_max_tries


# --- refusals at the desk ------------------------------------------------------------------------


async def test_cf5_an_online_booking_is_not_sent_before_the_guest_is_verified(
    login_as, sessionmaker
) -> None:
    task = await booked_task(sessionmaker, channel="email", source="online")
    desk = await login_as("cora", DESK)
    response = await desk.post_json(f"/confirmation/api/tasks/{task.task_id}/send", {})
    assert response.status_code == 409, response.text
    assert response.json()["rule"] == "CF-5" and "verify" in response.json()["detail"]
    assert await dispatches(sessionmaker) == [] and await jobs_waiting() == 0
    assert (await fresh_task(sessionmaker, task.task_id)).state == "unsent"

    verified = await desk.post_json(
        f"/confirmation/api/tasks/{task.task_id}/verify", {"note": "Guest confirmed the stay"}
    )
    assert verified.status_code == 200, verified.text
    assert (await queue_order(desk, task.task_id))["state"] == "queued"
    assert await jobs_waiting() == 1


async def test_cf1_a_task_held_by_someone_else_or_already_sending_is_refused(
    login_as, sessionmaker
) -> None:
    task = await booked_task(sessionmaker, channel="email")
    cora, dan = await login_as("cora", DESK), await login_as("dan", DESK)
    claimed = await cora.post_json(f"/confirmation/api/tasks/{task.task_id}/claim", {})
    assert claimed.status_code == 200, claimed.text

    refused = await dan.post_json(f"/confirmation/api/tasks/{task.task_id}/send", {})
    assert refused.status_code == 409 and "cora" in refused.json()["detail"]
    page = await dan.post_form(f"/confirmation/tasks/{task.task_id}/send", {})
    assert page.status_code == 409 and "cora is working on booking" in page.text
    assert await dispatches(sessionmaker) == [] and await jobs_waiting() == 0

    await queue_order(cora, task.task_id)
    again = await cora.post_json(f"/confirmation/api/tasks/{task.task_id}/send", {})
    assert again.status_code == 409 and "already being sent" in again.json()["detail"]
    assert len(await dispatches(sessionmaker)) == 1 and await jobs_waiting() == 1


async def test_cf1_a_lost_enqueue_is_picked_up_by_the_sweep(
    login_as, sessionmaker, monkeypatch, tmp_path
) -> None:
    """Redis was down when the desk committed: the dispatch waits queued until the sweep."""
    task = await booked_task(sessionmaker, channel="email")
    await login_as("cora", DESK)
    with smtp_server() as server:
        settings = send_settings(monkeypatch, tmp_path, smtp_port=server.port)
        clock.set_now(clock.now())
        async with unit_of_work(sessionmaker) as session:  # queued and committed, not enqueued
            locked = await session.get(ConfirmationTask, task.task_id, with_for_update=True)
            staff = Staff(1, "cora", "Cora", (DESK,), csrf_token="")
            await sending.queue_hotel_order(session, locked, staff=staff, settings=settings)
        redis: ArqRedis = await create_pool(redis_settings(settings.redis_url))
        try:
            ctx = {"sessionmaker": sessionmaker, "settings": settings, "redis": redis}
            assert await sending.sweep_dispatches(ctx) == 0  # too recent: its job may be coming
            clock.advance(timedelta(minutes=2))
            assert await sending.sweep_dispatches(ctx) == 1
            assert await sending.sweep_dispatches(ctx) == 0  # already queued: no second job
        finally:
            await redis.aclose()
        await run_worker(settings)
    assert len(server.messages) == 1
    assert (await fresh_task(sessionmaker, task.task_id)).state == "sent"


# --- other transports ----------------------------------------------------------------------------


async def test_folder_transport_writes_the_whole_message_with_its_attachment(
    login_as, sessionmaker, monkeypatch, tmp_path
) -> None:
    task = await booked_task(sessionmaker, channel="email")
    desk = await login_as("cora", DESK)
    settings = send_settings(monkeypatch, tmp_path, email_transport="folder")
    queued = await queue_order(desk, task.task_id)
    await run_worker(settings)

    day = clock.today().isoformat()
    eml = tmp_path / "outbox" / day / f"{task.booking_ref}-{queued['dispatch_id']}.eml"
    mail = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert mail["To"] == HOTEL_EMAIL and task.booking_ref in str(mail["Subject"])
    [attachment] = list(mail.iter_attachments())  # type: ignore[attr-defined]
    [dispatch] = await dispatches(sessionmaker)
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_payload(decode=True) == dispatch.document
    assert (dispatch.state, dispatch.transport) == ("sent", "folder")
    assert (await fresh_task(sessionmaker, task.task_id)).state == "sent"


def fake_sendfax(tmp_path: Path, *, exit_code: int = 0) -> Path:
    """A stand-in for HylaFAX's sendfax: records its arguments and the PDF it was given."""
    script = tmp_path / "sendfax"
    script.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$@" > "{tmp_path}/sendfax.args"\n'
        "for last; do :; done\n"
        f'cp "$last" "{tmp_path}/sendfax.pdf"\n'
        f"if [ {exit_code} -ne 0 ]; then echo 'modem busy on ttyS0' >&2; exit {exit_code}; fi\n"
        'echo "request id is 42 (group id 42) for host localhost (1 file)"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


async def test_cf7_hylafax_runs_sendfax_with_the_number_and_the_pdf(
    login_as, sessionmaker, monkeypatch, tmp_path
) -> None:
    task = await booked_task(sessionmaker, channel="fax")
    desk = await login_as("cora", DESK)
    script = fake_sendfax(tmp_path)
    settings = send_settings(monkeypatch, tmp_path, fax_transport="hylafax", sendfax_command=script)
    await queue_order(desk, task.task_id)
    await run_worker(settings)

    args = (tmp_path / "sendfax.args").read_text().split("\n")
    assert args[:3] == ["-n", "-d", "+861065120000"]
    [dispatch] = await dispatches(sessionmaker)
    assert (tmp_path / "sendfax.pdf").read_bytes() == dispatch.document
    assert (dispatch.state, dispatch.message_id) == ("sent", "hylafax:42")
    sent = await fresh_task(sessionmaker, task.task_id)
    assert sent.sent_at is not None and sent.receipt_due_at == sent.sent_at + timedelta(minutes=3)


async def test_cf1_a_failing_sendfax_puts_its_own_words_on_the_task(
    login_as, sessionmaker, monkeypatch, tmp_path
) -> None:
    task = await booked_task(sessionmaker, channel="fax")
    desk = await login_as("cora", DESK)
    script = fake_sendfax(tmp_path, exit_code=2)
    settings = send_settings(
        monkeypatch, tmp_path, fax_transport="hylafax", sendfax_command=script, send_max_tries=1
    )
    await queue_order(desk, task.task_id)
    await run_worker(settings)
    failed = await fresh_task(sessionmaker, task.task_id)
    assert failed.state == "unsent"
    assert failed.last_error == "sendfax failed (exit 2): modem busy on ttyS0 (after 1 try)"


# --- the customer's confirmation (CF-6) ---------------------------------------------------------


async def test_cf6_customer_confirmation_by_email_carries_the_letter(
    login_as, sessionmaker, monkeypatch, tmp_path
) -> None:
    task = await booked_task(sessionmaker, channel="email")
    await add_notice(sessionmaker, task, channel="email", contact="li.lei@example.com")
    desk = await login_as("cora", DESK)
    with smtp_server() as server:
        settings = send_settings(monkeypatch, tmp_path, smtp_port=server.port)
        response = await desk.post_form(
            f"/confirmation/tasks/{task.task_id}/customer-notice/send", {}
        )
        assert response.status_code == 303, response.text
        assert response.headers["location"].endswith("?saved=customer-queued")
        await run_worker(settings)

    [mail] = server.messages
    assert mail.rcpt_tos == ["li.lei@example.com"]
    [(_, content_type, pdf)] = mail.attachments()
    assert content_type == "application/pdf"
    letter = pdf_text(pdf)
    assert task.booking_ref in letter and HOTEL_CONFIRMATION_NO in letter
    async with sessionmaker() as session:
        notice = await session.scalar(select(CustomerNotice))
    assert notice is not None
    assert (notice.state, notice.sent_by) == ("sent", "cora") and notice.sent_at is not None
    [dispatch] = await dispatches(sessionmaker)
    assert (dispatch.audience, dispatch.state, dispatch.document) == ("customer", "sent", pdf)
    # The hotel's side is untouched: no order was sent by this.
    assert (await fresh_task(sessionmaker, task.task_id)).state == "confirmed"
    assert await events_named(sessionmaker, "confirmation.order_sent") == []


async def test_cf6_customer_confirmation_by_sms_is_written_to_the_folder(
    login_as, sessionmaker, monkeypatch, tmp_path
) -> None:
    task = await booked_task(sessionmaker, channel="email")
    await add_notice(sessionmaker, task, channel="sms", contact="+86 138 0013 8000")
    desk = await login_as("cora", DESK)
    settings = send_settings(monkeypatch, tmp_path)
    response = await desk.post_json(
        f"/confirmation/api/tasks/{task.task_id}/customer-notice/send", {}
    )
    assert response.status_code == 202, response.text
    await run_worker(settings)

    day = clock.today().isoformat()
    sms = tmp_path / "outbox" / day / f"{task.booking_ref}-{response.json()['dispatch_id']}.txt"
    content = sms.read_text()
    assert content.startswith("To: +86 138 0013 8000\n") and task.booking_ref in content
    [dispatch] = await dispatches(sessionmaker)
    assert (dispatch.channel, dispatch.state, dispatch.document) == ("sms", "sent", None)


async def test_cf6_a_phone_notice_is_recorded_not_sent(login_as, sessionmaker) -> None:
    task = await booked_task(sessionmaker, channel="email")
    await add_notice(sessionmaker, task, channel="phone", contact="+86 138 0013 8000")
    desk = await login_as("cora", DESK)
    response = await desk.post_json(
        f"/confirmation/api/tasks/{task.task_id}/customer-notice/send", {}
    )
    assert response.status_code == 422 and "record the call" in response.json()["detail"]
    assert await dispatches(sessionmaker) == [] and await jobs_waiting() == 0


async def test_cf6_customer_confirmation_that_keeps_failing_goes_back_to_pending(
    login_as, sessionmaker, monkeypatch, tmp_path
) -> None:
    task = await booked_task(sessionmaker, channel="email")
    await add_notice(sessionmaker, task, channel="email", contact="li.lei@example.com")
    desk = await login_as("cora", DESK)
    with smtp_server("550 no such user") as server:
        settings = send_settings(monkeypatch, tmp_path, smtp_port=server.port, send_max_tries=2)
        await desk.post_json(f"/confirmation/api/tasks/{task.task_id}/customer-notice/send", {})
        await run_worker(settings)
    async with sessionmaker() as session:
        notice = await session.scalar(select(CustomerNotice))
    assert notice is not None and notice.state == "pending" and notice.sent_at is None
    assert "550 no such user" in notice.last_error and "(after 2 tries)" in notice.last_error
    [dispatch] = await dispatches(sessionmaker)
    assert (dispatch.state, dispatch.attempts) == ("failed", 2)
