"""Bounded input at the confirmation desk (issue 14): a NUL in an archive filter, a date at the
edge of the calendar, a page number past any list, an over-long ref in a path or a filing
form: each a 422 naming the field (a readable page on the HTML routes), never a 500, and
nothing changed. Mail is not typed by us: a hotel's mail with NUL and other control
characters is kept, filed or in the tray, with each one shown as a visible mark."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from services.confirmation.mail_parsing import (
    SUBJECT_MAX_CHARS,
    TRUNCATION_MARK,
    clean_text,
    parse_mail,
)
from shared.clock import clock
from tests.services.confirmation.factories import place_booking, publish_hotel
from tests.services.confirmation.helpers import DESK
from tests.services.confirmation.inbound_support import (
    DESK_ADDRESS,
    HOTEL,
    audit_actions,
    hotel_mail,
    inbound_server,
    send,
    stored_attachments,
    stored_replies,
)
from tests.shared.test_input_bounds import unbounded_fields

REF = "RLHZQ3MPTA"
HOTEL_ID = uuid.UUID("7f1d2c3b-0000-4000-8000-000000000141")
# The PDF routes are being reworked with the order sheet's renderer (another change).
LEFT_TO_OTHERS = ("/admin/events/", "/order.pdf", "/customer.pdf")


async def _booking(sessionmaker) -> None:
    await publish_hotel(sessionmaker, hotel_id=HOTEL_ID, confirm_channel="email", email=HOTEL)
    await place_booking(
        sessionmaker, booking_ref=REF, hotel_id=HOTEL_ID, check_in=clock.today() + timedelta(3)
    )


def test_every_field_of_the_confirmation_api_has_a_bound() -> None:
    found = unbounded_fields("confirmation")
    assert [f for f in found if not any(part in f for part in LEFT_TO_OTHERS)] == []


@pytest.mark.parametrize("field", ["hotel", "booking_ref", "confirmation_no", "date_from"])
async def test_a_nul_in_an_archive_filter_is_422_naming_the_field(login_as, field: str) -> None:
    desk = await login_as("cora", DESK)
    api = await desk.get("/confirmation/api/archive", params={field: "RL\x00"})
    assert api.status_code == 422, api.text
    assert api.json()["fields"][0]["field"] == field
    page = await desk.page("/confirmation/archive", params={field: "\x00"})
    assert page.status_code == 422 and f"{field}: " in page.text


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "0001-01-01"}, "date_from"),
        ({"date_to": "9999-12-31"}, "date_to"),
        ({"date_from": "0001-01-01", "date_to": "0001-01-01"}, "date_from"),
        ({"booking_ref": REF, "date_to": "9999-12-31"}, "date_to"),
    ],
)
async def test_archive_dates_at_the_edges_of_the_calendar_are_422_naming_the_field(
    login_as, params: dict[str, str], field: str
) -> None:
    desk = await login_as("cora", DESK)
    api = await desk.get("/confirmation/api/archive", params=params)
    assert api.status_code == 422, api.text
    assert api.json()["fields"][0]["field"] == field
    assert "between" in api.json()["detail"]
    page = await desk.page("/confirmation/archive", params=params)
    assert page.status_code == 422
    assert f'href="#field-{field}"' in page.text and "Enter a date between" in page.text


@pytest.mark.parametrize(
    "path", ["/confirmation/api/archive", "/confirmation/api/tasks", "/confirmation/api/replies"]
)
async def test_a_huge_page_number_is_422_naming_page(login_as, path: str) -> None:
    desk = await login_as("cora", DESK)
    response = await desk.get(path, params={"page": 10**12})
    assert response.status_code == 422, response.text
    assert response.json()["fields"][0]["field"] == "page"


async def test_huge_page_numbers_on_the_pages_are_readable_422s(login_as) -> None:
    desk = await login_as("cora", DESK)
    for path in ("/confirmation/", "/confirmation/archive", "/confirmation/replies"):
        page = await desk.page(path, params={"page": 10**12})
        assert page.status_code == 422, path
        assert page.headers["content-type"].startswith("text/html") and "Page: " in page.text


async def test_over_long_or_hostile_path_and_notice_words_are_422(login_as) -> None:
    desk = await login_as("cora", DESK)
    long_ref = await desk.get(f"/confirmation/api/tasks/{'R' * 41}")
    assert long_ref.status_code == 422 and long_ref.json()["fields"][0]["field"] == "booking_ref"
    nul_ref = await desk.get("/confirmation/api/tasks/RL%00HZQ3MPTA")
    assert nul_ref.status_code == 422 and nul_ref.json()["fields"][0]["field"] == "booking_ref"
    action = await desk.post_json(f"/confirmation/api/tasks/{uuid.uuid4()}/{'x' * 65}", {})
    assert action.status_code == 422 and action.json()["fields"][0]["field"] == "action"
    notice = await desk.page("/confirmation/replies", params={"filed": "x" * 65})
    assert notice.status_code == 422 and "Filed: " in notice.text


async def test_filing_forms_refuse_bad_refs_with_a_readable_page_and_change_nothing(
    sessionmaker, login_as
) -> None:
    await _booking(sessionmaker)
    async with inbound_server(sessionmaker) as port:
        await send(port, hotel_mail("Your request", "Room ready."))
    [reply] = await stored_replies(sessionmaker)
    desk = await login_as("cora", DESK)
    for typed, expected in (("R" * 41, "booking_ref"), ("RL\x00HZQ3MPTA", "booking_ref")):
        refused = await desk.post_form(
            f"/confirmation/replies/{reply.reply_id}/file", {"booking_ref": typed}
        )
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("text/html")
        assert expected in refused.text
    api = await desk.post_json(
        f"/confirmation/api/replies/{reply.reply_id}/file", {"booking_ref": "R" * 41}
    )
    assert api.status_code == 422 and api.json()["fields"][0]["field"] == "booking_ref"
    [unchanged] = await stored_replies(sessionmaker)
    assert (unchanged.task_id, unchanged.filed_by) == (None, None)
    assert await audit_actions(sessionmaker, reply.reply_id) == []


async def test_a_mail_with_nul_bytes_is_filed_or_left_unmatched_without_an_error(
    sessionmaker, login_as
) -> None:
    await _booking(sessionmaker)
    about_ours = b"\r\n".join(
        [
            f"From: Front\x00Desk <{HOTEL}>".encode(),
            f"To: {DESK_ADDRESS}".encode(),
            b"Subject: Re:\x00" + REF.encode() + b" \x1b[31mconfirmed\x07",
            b"Message-ID: <nul-filed@peace-hotel.example>",
            b"Content-Type: text/plain; charset=utf-8",
            b"",
            b"Confirmation no.\x00 HX-1\x7f\x01",
        ]
    )
    about_nothing = b"\r\n".join(
        [
            f"From: {HOTEL}".encode(),
            f"To: {DESK_ADDRESS}".encode(),
            b"Subject: \x00\x00\x00",
            b"Message-ID: <nul\x00-tray@peace-hotel.example>",
            b"Content-Type: text/plain",
            b"",
            b"\x00" * 50,
        ]
    )
    with_attachment = hotel_mail(f"Scan\x07 {REF}", "Scan\x00 attached.")
    with_attachment.add_attachment(
        b"%PDF-1.4 \x00", maintype="application", subtype="pdf", filename="fax\x00.pdf"
    )
    async with inbound_server(sessionmaker) as port:
        answers = [await send(port, mail) for mail in (about_ours, about_nothing, with_attachment)]
    assert all(answer.startswith("OK") for _, answer in answers), answers

    filed, tray, scan = await stored_replies(sessionmaker)
    assert filed.booking_ref == REF and filed.matched_by == "subject"
    assert filed.subject == f"Re:\u2400{REF} \u241b[31mconfirmed\u2407"
    assert filed.body_text == "Confirmation no.\u2400 HX-1\u2421\u2401"
    assert b"\x00" in filed.raw  # the mail as it came stays downloadable
    assert tray.task_id is None and tray.subject == "\u2400\u2400\u2400"
    assert tray.body_text == "\u2400" * 50 and "\x00" not in (tray.message_id or "")
    assert scan.booking_ref == REF and scan.subject == f"Scan\u2407 {REF}"
    assert list(await stored_attachments(sessionmaker, scan.reply_id)) == ["fax\u2400.pdf"]

    desk = await login_as("cora", DESK)
    for path in (
        "/confirmation/replies",
        f"/confirmation/replies/{filed.reply_id}",
        f"/confirmation/replies/{tray.reply_id}",
    ):
        page = await desk.page(path)
        assert page.status_code == 200, path
        assert "\x00" not in page.text
    assert "\u2400\u2400\u2400" in (await desk.page("/confirmation/replies")).text
    listed = await desk.get("/confirmation/api/replies")
    assert listed.status_code == 200 and listed.json()["total"] == 3


def test_an_over_long_subject_is_cut_with_a_mark_and_a_short_one_is_not() -> None:
    long = parse_mail(hotel_mail("订" * 2_000 + f" {REF}").as_bytes())
    assert len(long.subject) == SUBJECT_MAX_CHARS and long.subject.endswith(TRUNCATION_MARK)
    assert long.subject.startswith("订" * 400)
    exact = parse_mail(hotel_mail("S" * SUBJECT_MAX_CHARS).as_bytes())
    assert exact.subject == "S" * SUBJECT_MAX_CHARS  # at the limit: nothing cut, no mark


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\x00b", "a\u2400b"),
        ("tab\tand\nline", "tab\tand\nline"),  # text, not control characters
        ("crlf\r\nline", "crlf\nline"),
        ("esc\x1b[0m", "esc\u241b[0m"),
        ("del\x7f", "del\u2421"),
        ("c1\x85", "c1\ufffd"),
        ("lone\ud800", "lone?"),
    ],
)
def test_clean_text_shows_each_control_character_as_a_mark(raw: str, shown: str) -> None:
    assert clean_text(raw) == shown


def test_clean_text_cuts_with_a_mark_within_the_limit() -> None:
    assert clean_text("x" * 30, 20) == "x" * (20 - len(TRUNCATION_MARK)) + TRUNCATION_MARK
    assert len(clean_text("x" * 30, 5)) == 5  # even a limit shorter than the mark holds
    assert clean_text("x" * 20, 20) == "x" * 20
