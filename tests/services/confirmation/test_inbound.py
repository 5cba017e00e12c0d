"""Hotels' replies arrive at our SMTP server and are kept with their booking (CF-4).

Mail is sent over real SMTP on loopback, as a hotel's mail server sends it, to the server
``start_inbound_server`` runs in the test's loop; what it kept is read back from PostgreSQL.
"""

from __future__ import annotations

import asyncio
import base64
import uuid
from datetime import timedelta
from email import message_from_bytes, policy

import aiosmtplib
import pytest
from sqlalchemy import select, update

from services.confirmation import replies
from services.confirmation.mail_parsing import MAX_ATTACHMENTS, TRUNCATION_MARK, parse_mail
from services.confirmation.models import ConfirmationTask, HotelContact
from services.confirmation.settings import ConfirmationSettings
from shared.auth import Role
from shared.clock import clock
from shared.db import make_engine, make_sessionmaker
from shared.embedded import free_port
from tests.services.confirmation.factories import place_booking, publish_hotel
from tests.services.confirmation.helpers import DESK
from tests.services.confirmation.inbound_support import (
    DESK_ADDRESS,
    HOTEL,
    audit_actions,
    hotel_mail,
    inbound_server,
    pdf_saying,
    send,
    stored_attachments,
    stored_replies,
    wait_for_port,
)
from tests.support.servers import server_process
from workers.run import parse_args, wants_smtp
from workers.smtp_inbound import serve_inbound

REF = "RLHZQ3MPTA"
OTHER_REF = "RLNQ8TMD4E"
HOTEL_ID = uuid.UUID("7f1d2c3b-0000-4000-8000-000000000014")
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


async def _booking(sessionmaker, ref: str = REF, hotel_email: str = HOTEL) -> ConfirmationTask:
    """A booking at a hotel whose email on file is ``hotel_email`` (issue 14: only mail from
    the hotel is filed on its bookings)."""
    async with sessionmaker() as session:
        known = await session.get(HotelContact, HOTEL_ID)
    if known is None:
        await publish_hotel(
            sessionmaker, hotel_id=HOTEL_ID, confirm_channel="email", email=hotel_email
        )
    await place_booking(
        sessionmaker,
        booking_ref=ref,
        hotel_id=HOTEL_ID,
        check_in=clock.today() + timedelta(days=3),
    )
    async with sessionmaker() as session:
        tasks = await session.scalars(
            select(ConfirmationTask)
            .where(ConfirmationTask.booking_ref == ref)
            .order_by(ConfirmationTask.created_at.desc())
        )
        return next(iter(tasks))


async def test_cf4_a_reply_naming_the_booking_in_its_subject_is_kept_on_its_task(
    sessionmaker, login_as
) -> None:
    task = await _booking(sessionmaker)
    pdf = pdf_saying("Confirmation number HX-88812")
    message = hotel_mail(
        f"回复：订单 {REF} 已确认",
        "Dear colleague,\nconfirmed: HX-88812.\n",
        message_id="<reply-1@peace-hotel.example>",
    )
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename="确认单.pdf")
    message.add_attachment(PNG, maintype="image", subtype="png", filename="stamp.png")
    async with inbound_server(sessionmaker) as port:
        _, answer = await send(port, message)
    assert answer.startswith("OK")

    [reply] = await stored_replies(sessionmaker)
    assert (reply.task_id, reply.booking_ref, reply.matched_by) == (task.task_id, REF, "subject")
    assert reply.subject == f"回复：订单 {REF} 已确认"  # sent RFC 2047-encoded in UTF-8
    assert (reply.mail_from, reply.rcpt_to) == (HOTEL, DESK_ADDRESS)
    assert reply.body_text == "Dear colleague,\nconfirmed: HX-88812."
    assert reply.matched_at is not None and reply.filed_by is None
    kept = message_from_bytes(reply.raw, policy=policy.default)
    assert kept["Message-ID"] == "<reply-1@peace-hotel.example>"
    attachments = await stored_attachments(sessionmaker, reply.reply_id)
    assert set(attachments) == {"确认单.pdf", "stamp.png"}
    assert attachments["确认单.pdf"].content == pdf
    assert attachments["确认单.pdf"].content_type == "application/pdf"
    assert attachments["确认单.pdf"].size_bytes == len(pdf)
    assert (attachments["stamp.png"].content, attachments["stamp.png"].content_type) == (
        PNG,
        "image/png",
    )

    # The task page's list, the reply page and the download show the same mail.
    async with sessionmaker() as session:
        on_task = await replies.replies_for_task(session, task.task_id)
    assert [r.reply_id for r in on_task] == [reply.reply_id]
    assert {a.filename for a in on_task[0].attachments} == {"确认单.pdf", "stamp.png"}
    desk = await login_as("cora", DESK)
    page = (await desk.page(f"/confirmation/replies/{reply.reply_id}")).text
    assert f'<a href="/confirmation/tasks/{task.task_id}">{REF}</a>' in page
    assert "confirmed: HX-88812." in page and HOTEL in page
    pdf_id = attachments["确认单.pdf"].attachment_id
    link = f"/confirmation/replies/{reply.reply_id}/attachments/{pdf_id}"
    assert f'href="{link}"' in page
    downloaded = await desk.get(link)
    assert downloaded.status_code == 200
    assert downloaded.content == pdf
    assert downloaded.headers["content-type"] == "application/pdf"
    disposition = downloaded.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E7%A1%AE%E8%AE%A4%E5%8D%95.pdf" in disposition


async def test_cf4_a_ref_only_in_the_text_in_any_case_matches_by_body(sessionmaker) -> None:
    task = await _booking(sessionmaker)
    async with inbound_server(sessionmaker) as port:
        await send(port, hotel_mail("Booking confirmation", f"We confirm {REF.lower()}, thanks."))
    [reply] = await stored_replies(sessionmaker)
    assert (reply.task_id, reply.booking_ref, reply.matched_by) == (task.task_id, REF, "body")


async def test_cf4_a_gb2312_subject_is_decoded_and_an_html_body_read_as_text(
    sessionmaker,
) -> None:
    task = await _booking(sessionmaker)
    subject = "预订确认：和平饭店"
    html = (
        "<html><head><style>p {}</style></head>"
        f"<body><p>确认号 88812</p><p>订单 <b>{REF}</b></p></body></html>"
    )
    raw = b"\r\n".join(
        [
            f"From: {HOTEL}".encode(),
            f"To: {DESK_ADDRESS}".encode(),
            b"Subject: =?GB2312?B?" + base64.b64encode(subject.encode("gb2312")) + b"?=",
            b"MIME-Version: 1.0",
            b"Content-Type: text/html; charset=GB2312",
            b"Content-Transfer-Encoding: base64",
            b"",
            base64.encodebytes(html.encode("gb2312")).replace(b"\n", b"\r\n"),
        ]
    )
    async with inbound_server(sessionmaker) as port:
        await send(port, raw)
    [reply] = await stored_replies(sessionmaker)
    assert reply.subject == subject
    assert reply.body_text == f"确认号 88812\n\n订单 {REF}"  # paragraphs, tags and style gone
    assert (reply.task_id, reply.matched_by) == (task.task_id, "body")


async def test_cf4_raw_8bit_subjects_and_nul_bytes_do_not_stop_a_mail_being_kept(
    sessionmaker,
) -> None:
    task = await _booking(sessionmaker)
    raw = b"\r\n".join(
        [
            f"From: {HOTEL}".encode(),
            f"To: {DESK_ADDRESS}".encode(),
            b"Subject: " + "确认 ".encode("gbk") + REF.encode(),  # no RFC 2047: bare GBK
            b"Content-Type: text/plain",
            b"",
            b"line\x00one",
        ]
    )
    async with inbound_server(sessionmaker) as port:
        await send(port, raw)
    [reply] = await stored_replies(sessionmaker)
    assert (reply.subject, reply.body_text) == (f"确认 {REF}", "line\u2400one")  # NUL shown as ␀
    assert (reply.task_id, reply.matched_by) == (task.task_id, "subject")
    assert b"line\x00one" in reply.raw  # the raw mail is kept exactly


async def test_cf4_a_fax_to_email_is_matched_by_the_text_of_its_pdf_and_a_broken_pdf_is_kept(
    sessionmaker,
) -> None:
    task = await _booking(sessionmaker)
    scan = pdf_saying(f"Fax reply: booking {REF} confirmed, no. 77120")
    message = hotel_mail("Fax from +86 21 6411 0000", "You have received a fax.")
    broken = b"%PDF-1.4 not really"
    message.add_attachment(broken, maintype="application", subtype="pdf", filename="broken.pdf")
    message.add_attachment(scan, maintype="application", subtype="pdf", filename="fax.pdf")
    async with inbound_server(sessionmaker) as port:
        await send(port, message)
    [reply] = await stored_replies(sessionmaker)
    # The schema knows "subject", "body" and "desk": a PDF is the body of a fax-to-email.
    assert (reply.task_id, reply.booking_ref, reply.matched_by) == (task.task_id, REF, "body")
    attachments = await stored_attachments(sessionmaker, reply.reply_id)
    assert attachments["broken.pdf"].content == broken
    assert attachments["fax.pdf"].content == scan


async def test_cf4_a_reply_goes_to_the_task_still_waiting_else_the_latest(sessionmaker) -> None:
    older = await _booking(sessionmaker)
    await asyncio.sleep(0.01)  # created_at orders them (the database's now())
    newer = await _booking(sessionmaker)
    assert older.task_id != newer.task_id
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(ConfirmationTask)
            .where(ConfirmationTask.task_id == newer.task_id)
            .values(state="confirmed")
        )
    async with inbound_server(sessionmaker) as port:
        await send(port, hotel_mail(f"Re: {REF}"))
        async with sessionmaker() as session, session.begin():
            await session.execute(
                update(ConfirmationTask)
                .where(ConfirmationTask.task_id == older.task_id)
                .values(state="confirmed")
            )
        await send(port, hotel_mail(f"Re: {REF} again"))
    first, second = await stored_replies(sessionmaker)
    assert first.task_id == older.task_id  # the one the desk still waits on
    assert second.task_id == newer.task_id  # none waiting: the most recent


async def test_cf4_mail_without_a_known_ref_waits_in_the_tray_and_the_desk_files_it(
    sessionmaker, login_as
) -> None:
    task = await _booking(sessionmaker)
    no_ref = hotel_mail("Your request", "Room ready for Mr Wang.\nLine two\nLine three\nLine four")
    no_ref.add_attachment(PNG, maintype="image", subtype="png", filename="scan.png")
    async with inbound_server(sessionmaker) as port:
        await send(port, no_ref)
        await send(port, hotel_mail("Re: RLZZZZZZZZ", "A booking we never made."))
        await send(port, hotel_mail(f"Order x{REF}9", "Not a whole word."))
    stored = await stored_replies(sessionmaker)
    assert [r.task_id for r in stored] == [None, None, None]
    assert [r.booking_ref for r in stored] == [None, None, None]

    desk = await login_as("cora", DESK)
    tray = (await desk.page("/confirmation/replies")).text
    assert "Unmatched replies (3)" in tray
    assert "Your request" in tray and HOTEL in tray and "scan.png" in tray
    assert "Room ready for Mr Wang.\nLine two\nLine three" in tray
    assert "Line four" not in tray  # only the first lines
    api = (await desk.get("/confirmation/api/replies", params={"unmatched": "true"})).json()
    assert api["total"] == 3 and api["items"][0]["subject"] == f"Order x{REF}9"  # newest first

    reply_id = stored[0].reply_id
    filed = await desk.post_form(
        f"/confirmation/replies/{reply_id}/file", {"booking_ref": f" {REF.lower()} "}
    )
    assert filed.status_code == 303
    assert filed.headers["location"] == f"/confirmation/replies?filed={REF}"
    [moved] = [r for r in await stored_replies(sessionmaker) if r.reply_id == reply_id]
    assert (moved.task_id, moved.booking_ref) == (task.task_id, REF)
    assert (moved.matched_by, moved.filed_by) == ("desk", "cora")
    assert await audit_actions(sessionmaker, reply_id) == [("cora", "reply.file")]
    tray = (await desk.page(f"/confirmation/replies?filed={REF}")).text
    assert f"Reply filed to booking {REF}." in tray
    assert "Your request" not in tray and "Unmatched replies (2)" in tray
    async with sessionmaker() as session:
        assert [r.reply_id for r in await replies.replies_for_task(session, task.task_id)] == [
            reply_id
        ]


async def test_cf4_filing_to_an_unknown_ref_is_refused_and_changes_nothing(
    sessionmaker, login_as
) -> None:
    await _booking(sessionmaker)
    async with inbound_server(sessionmaker) as port:
        await send(port, hotel_mail("Your request", "Room ready."))
    [reply] = await stored_replies(sessionmaker)
    desk = await login_as("cora", DESK)
    refused = await desk.post_form(
        f"/confirmation/replies/{reply.reply_id}/file", {"booking_ref": "RLNQ8TMD4E"}
    )
    assert refused.status_code == 422
    assert "No booking RLNQ8TMD4E at the confirmation desk" in refused.text
    assert 'value="RLNQ8TMD4E"' in refused.text  # what was typed stays in its form
    by_api = await desk.post_json(
        f"/confirmation/api/replies/{reply.reply_id}/file", {"booking_ref": "RLNQ8TMD4E"}
    )
    assert by_api.status_code == 422
    assert by_api.json()["fields"][0]["field"] == "booking_ref"
    [unchanged] = await stored_replies(sessionmaker)
    assert (unchanged.task_id, unchanged.booking_ref, unchanged.matched_by) == (None, None, None)
    assert unchanged.filed_by is None
    assert await audit_actions(sessionmaker, reply.reply_id) == []


async def test_cf4_an_empty_tray_says_so(login_as) -> None:
    tray = (await (await login_as("cora", DESK)).page("/confirmation/replies")).text
    assert "No unmatched replies" in tray and "Unmatched replies (0)" in tray


async def test_cf4_replies_pages_refuse_an_agent(login_as) -> None:
    agent = await login_as("ana", Role.AGENT)
    for path in ("/confirmation/replies", "/confirmation/api/replies"):
        assert (await agent.get(path)).status_code == 403, path


async def test_cf4_an_oversized_mail_is_refused_with_552_and_nothing_is_kept(
    sessionmaker,
) -> None:
    big = hotel_mail(f"Scan {REF}")
    big.add_attachment(PNG * 20, maintype="image", subtype="png", filename="scan.png")
    async with inbound_server(sessionmaker, inbound_max_bytes=8_000) as port:
        with pytest.raises(aiosmtplib.SMTPResponseException) as refused:
            await send(port, big)
        assert refused.value.code == 552
        assert await stored_replies(sessionmaker) == []
        await send(port, hotel_mail("Small one"))  # the server still takes mail that fits
    assert [r.subject for r in await stored_replies(sessionmaker)] == ["Small one"]


async def test_cf4_a_database_failure_answers_451_so_the_hotel_server_retries(
    sessionmaker,
) -> None:
    nowhere = make_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/x", pool_size=1)
    try:
        async with inbound_server(make_sessionmaker(nowhere)) as port:
            with pytest.raises(aiosmtplib.SMTPResponseException) as deferred:
                await send(port, hotel_mail(f"Re: {REF}"))
    finally:
        await nowhere.dispose()
    assert deferred.value.code == 451
    assert "try again later" in deferred.value.message


async def test_cf4_workers_run_serves_inbound_smtp(sessionmaker) -> None:
    task = await _booking(sessionmaker)
    port = free_port()
    env = {"ROOMLINE_INBOUND_SMTP_PORT": str(port)}
    with server_process(web=False, workers=False, relay=False, env=env):
        await wait_for_port(port)
        _, answer = await send(port, hotel_mail(f"Re: {REF}", "Confirmed."))
    assert answer.startswith("OK")
    [reply] = await stored_replies(sessionmaker)
    assert (reply.task_id, reply.matched_by) == (task.task_id, "subject")


def test_workers_run_starts_smtp_only_for_confirmation_and_unless_told_not_to(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert wants_smtp(parse_args([])) is True
    assert wants_smtp(parse_args(["--no-smtp"])) is False
    assert wants_smtp(parse_args(["--services", "intake,contracts"])) is False
    monkeypatch.setenv("ROOMLINE_INBOUND_SMTP_ENABLED", "false")
    assert wants_smtp(parse_args([])) is False


async def test_a_taken_port_stops_the_standalone_server_but_not_the_all_in_one() -> None:
    settings = ConfirmationSettings(inbound_smtp_host="127.0.0.1", inbound_smtp_port=free_port())
    holder = await asyncio.start_server(lambda r, w: None, "127.0.0.1", settings.inbound_smtp_port)
    try:
        with pytest.raises(OSError):
            await serve_inbound(asyncio.Event(), settings=settings, required=True)
        # In workers.run the failure is logged and the part waits for the common stop, so
        # the web app and workers keep running; a stop already given returns at once.
        stop = asyncio.Event()
        stop.set()
        assert await serve_inbound(stop, settings=settings, required=False) is None
    finally:
        holder.close()
        await holder.wait_closed()


# Issue 14: a mail is filed on a booking only if it names that one booking and comes from the
# hotel; otherwise it waits in the tray with the reason. One mail is kept once. What a mail
# puts into our tables is bounded and cleaned.


async def test_mail_from_a_sender_not_on_file_for_the_hotel_waits_with_the_reason(
    sessionmaker, login_as
) -> None:
    task = await _booking(sessionmaker)
    stranger = "someone@elsewhere.example"
    colleague = "FrontDesk@PEACE-HOTEL.example"  # same domain, other mailbox, other case
    fax = "fax-861065120000@fax.roomline.example"  # the fax gateway's fax-to-email
    async with inbound_server(sessionmaker) as port:
        await send(port, hotel_mail(f"Re: {REF}", "Confirmed!", sender=stranger), sender=stranger)
        await send(port, hotel_mail(f"Re: {REF} ok", sender=colleague), sender=colleague)
        await send(port, hotel_mail(f"Fax {REF}", sender=fax), sender=fax)
    held, from_colleague, from_fax = await stored_replies(sessionmaker)
    assert (held.task_id, held.booking_ref, held.matched_by) == (None, None, None)
    assert held.unmatched_reason.startswith(
        "发件人不是该酒店登记的地址 / Sender not on file for this hotel: someone@elsewhere.example"
    )
    assert f"booking {REF}" in held.unmatched_reason and HOTEL in held.unmatched_reason
    assert (from_colleague.task_id, from_colleague.unmatched_reason) == (task.task_id, "")
    assert (from_fax.task_id, from_fax.unmatched_reason) == (task.task_id, "")

    desk = await login_as("cora", DESK)
    tray = (await desk.page("/confirmation/replies")).text
    assert "Unmatched replies (1)" in tray
    assert "Sender not on file for this hotel: someone@elsewhere.example" in tray
    page = (await desk.page(f"/confirmation/replies/{held.reply_id}")).text
    assert "Sender not on file for this hotel" in page
    # The desk, having checked, files it by hand as before.
    filed = await desk.post_form(
        f"/confirmation/replies/{held.reply_id}/file", {"booking_ref": REF}
    )
    assert filed.status_code == 303
    [moved] = [r for r in await stored_replies(sessionmaker) if r.reply_id == held.reply_id]
    assert (moved.task_id, moved.matched_by, moved.filed_by) == (task.task_id, "desk", "cora")


async def test_at_a_public_mail_provider_only_the_exact_address_on_file_counts(
    sessionmaker,
) -> None:
    task = await _booking(sessionmaker, hotel_email="PeaceHotel.BJ@163.com")
    anyone = "someone@163.com"
    async with inbound_server(sessionmaker) as port:
        await send(port, hotel_mail(f"Re: {REF}", sender=anyone), sender=anyone)
        hotel = "peacehotel.bj@163.com"
        await send(port, hotel_mail(f"Re: {REF}", sender=hotel), sender=hotel)
    held, filed = await stored_replies(sessionmaker)
    assert held.task_id is None
    assert "Sender not on file for this hotel: someone@163.com" in held.unmatched_reason
    assert (filed.task_id, filed.matched_by) == (task.task_id, "subject")


async def test_mail_naming_several_bookings_waits_with_the_reason(sessionmaker, login_as) -> None:
    await _booking(sessionmaker)
    await _booking(sessionmaker, ref=OTHER_REF)
    async with inbound_server(sessionmaker) as port:
        await send(port, hotel_mail(f"Re: {REF}", f"Also confirmed: {OTHER_REF.lower()}."))
        # A ref we never made beside ours is not a second booking: filed as before.
        await send(port, hotel_mail(f"Re: {REF}", "Our own ref: RLZZZZZZZZ."))
    both, one = await stored_replies(sessionmaker)
    assert (both.task_id, both.booking_ref, both.matched_by) == (None, None, None)
    assert both.unmatched_reason == (
        f"邮件提到多个订单 / The mail names several bookings: {REF}, {OTHER_REF}"
    )
    assert (one.booking_ref, one.unmatched_reason) == (REF, "")
    tray = (await (await login_as("cora", DESK)).page("/confirmation/replies")).text
    assert f"The mail names several bookings: {REF}, {OTHER_REF}" in tray


async def test_the_same_mail_delivered_twice_is_kept_once_and_answered_250(
    sessionmaker,
) -> None:
    task = await _booking(sessionmaker)
    same = "<twice-1@peace-hotel.example>"
    async with inbound_server(sessionmaker) as port:
        _, first = await send(port, hotel_mail(f"Re: {REF}", message_id=same))
        _, again = await send(port, hotel_mail(f"Re: {REF}", message_id=same))
        # At the same moment, twice: the unique index decides, not the look-up before it.
        racing = hotel_mail("Re: no ref", message_id="<race@peace-hotel.example>")
        raced = await asyncio.gather(send(port, racing), send(port, racing))
        await send(port, hotel_mail(f"Re: {REF}", message_id="<other@peace-hotel.example>"))
    assert first.startswith("OK") and again.startswith("OK")
    assert all(answer.startswith("OK") for _, answer in raced)
    stored = await stored_replies(sessionmaker)
    assert sorted(r.message_id or "" for r in stored) == [
        "<other@peace-hotel.example>",
        "<race@peace-hotel.example>",
        same,
    ]
    assert [r.task_id for r in stored if r.message_id == same] == [task.task_id]


async def test_nul_and_control_characters_are_shown_as_marks_and_long_text_is_cut_with_a_mark(
    sessionmaker,
) -> None:
    task = await _booking(sessionmaker)
    raw = b"\r\n".join(
        [
            f"From: {HOTEL}".encode(),
            f"To: {DESK_ADDRESS}".encode(),
            b"Subject: Re:\x00 " + REF.encode() + b" \x1b[31mok\x07",
            b"Message-ID: <nul-1@peace-hotel.example>",
            b"Content-Type: text/plain; charset=utf-8",
            b"",
            b"\r\n".join([b"x" * 49] * 3_000),  # 150,000 characters of text
        ]
    )
    long_subject = hotel_mail("S" * 2_000 + f" {REF}")
    async with inbound_server(sessionmaker) as port:
        await send(port, raw)
        await send(port, long_subject)
    nul, long = await stored_replies(sessionmaker)
    # Issue 14: each control character is replaced by its visible control picture.
    assert nul.subject == f"Re:\u2400 {REF} \u241b[31mok\u2407"
    assert (nul.task_id, nul.matched_by) == (task.task_id, "subject")
    assert len(nul.body_text) == 100_000 and nul.body_text.endswith(TRUNCATION_MARK)
    assert b"\x00" in nul.raw and len(nul.raw) > 150_000  # the raw mail is kept whole
    assert long.subject == "S" * (500 - len(TRUNCATION_MARK)) + TRUNCATION_MARK


def test_attachments_beyond_the_cap_stay_only_in_the_raw_mail() -> None:
    message = hotel_mail(f"Scans {REF}")
    for number in range(MAX_ATTACHMENTS + 5):
        message.add_attachment(PNG, maintype="image", subtype="png", filename=f"p{number}.png")
    mail = parse_mail(message.as_bytes())
    assert len(mail.attachments) == MAX_ATTACHMENTS
    assert mail.attachments_left_out == 5
    assert mail.attachments[0].filename == "p0.png"
