"""CS-4: cards applied for online are mailed daily (300–400 letters a day) so members hold
them within a week: the daily batch, its PDF (letters, then label sheets) and CSV, marked
mailed once, and the late flag two days after joining."""

from __future__ import annotations

import csv
import io
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pypdf import PdfReader

from services.members.cards import letters
from services.members.cards.mailing import make_today_batch_job
from shared.auth import Role
from shared.clock import clock
from tests.services.members.cards_support import add_members, member_row, scalar

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=SHANGHAI)
CARDS = "/members/cards"


async def test_cs4_batch_takes_online_joiners_with_a_complete_address_once(
    login_as, sessionmaker
) -> None:
    """CS-4: online joiners with address, postcode and city enter; desk joiners and those with
    an incomplete address do not (listed as address missing); nobody is batched twice."""
    clock.set_now(NOW)
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    await add_members(
        sessionmaker,
        [
            member_row("M100001", name="王芳"),
            member_row("M100002", joined_via="desk"),
            member_row("M100003", postcode=""),
            member_row("M100004", city="  "),
        ],
    )
    made = await desk.post_form(f"{CARDS}/batches", {})
    assert made.status_code == 303 and made.headers["location"].endswith("/cards?made=1")
    cards = await scalar(sessionmaker, "SELECT string_agg(card_no, ',') FROM members.card_mailing")
    assert cards == "M100001"
    assert await scalar(sessionmaker, "SELECT letters FROM members.card_batch") == 1
    page = await desk.page(CARDS)
    missing = page.text[page.text.index('id="missing"') : page.text.index('id="batches"')]
    assert "M100003" in missing and "M100004" in missing and "M100002" not in missing

    again = await desk.post_form(f"{CARDS}/batches", {})
    assert again.headers["location"].endswith("/cards?made=0")
    assert await scalar(sessionmaker, "SELECT count(*) FROM members.card_mailing") == 1
    assert await scalar(sessionmaker, "SELECT count(*) FROM members.card_batch") == 1


async def test_cs4_a_later_joiner_goes_into_the_same_days_batch_until_it_is_mailed(
    login_as, sessionmaker
) -> None:
    """CS-4: one batch per business day; making it again adds later joiners; once mailed,
    refused (409) and the joiner waits for tomorrow's batch, which the 09:00 job makes."""
    clock.set_now(NOW)
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    await add_members(sessionmaker, [member_row("M200001")])
    await desk.post_form(f"{CARDS}/batches", {})
    await add_members(sessionmaker, [member_row("M200002")])
    await desk.post_form(f"{CARDS}/batches", {})
    assert await scalar(sessionmaker, "SELECT letters FROM members.card_batch") == 2
    assert (
        await scalar(sessionmaker, "SELECT count(DISTINCT batch_id) FROM members.card_mailing") == 1
    )

    mailed = await desk.post_form(f"{CARDS}/batches/1/mailed", {})
    assert mailed.status_code == 303
    await add_members(sessionmaker, [member_row("M200003")])
    refused = await desk.post_form(f"{CARDS}/batches", {})
    assert refused.status_code == 409 and "already marked mailed" in refused.text
    assert await scalar(sessionmaker, "SELECT count(*) FROM members.card_mailing") == 2

    clock.set_now(NOW + timedelta(days=1))
    assert await make_today_batch_job({"sessionmaker": sessionmaker}) == 1
    batch = await scalar(
        sessionmaker,
        "SELECT b.batch_no FROM members.card_mailing m JOIN members.card_batch b USING (batch_id)"
        " WHERE m.card_no = 'M200003'",
    )
    assert batch == 2


async def test_cs4_a_batch_is_marked_mailed_once_and_audited(login_as, sessionmaker) -> None:
    """CS-4: the second "mark mailed" is refused (409) and changes nothing."""
    clock.set_now(NOW)
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    await add_members(sessionmaker, [member_row("M300001")])
    await desk.post_form(f"{CARDS}/batches", {})
    first = await desk.post_form(f"{CARDS}/batches/1/mailed", {})
    assert first.status_code == 303
    mailed_at = await scalar(sessionmaker, "SELECT mailed_at FROM members.card_batch")
    clock.set_now(NOW + timedelta(hours=1))
    second = await desk.post_form(f"{CARDS}/batches/1/mailed", {})
    assert second.status_code == 409 and "already marked mailed" in second.text
    assert await scalar(sessionmaker, "SELECT mailed_at FROM members.card_batch") == mailed_at
    audited = "SELECT count(*) FROM members.audit_log WHERE action = 'card_batch_mailed'"
    assert await scalar(sessionmaker, audited) == 1
    assert (await desk.post_form(f"{CARDS}/batches/9/mailed", {})).status_code == 404


async def test_cs4_not_mailed_two_days_after_joining_is_flagged_late(
    login_as, sessionmaker
) -> None:
    """CS-4: an online member with no mailed batch at joined_on + 2 is flagged at the top."""
    clock.set_now(NOW)
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    joined = NOW.date() - timedelta(days=1)
    await add_members(
        sessionmaker,
        [
            member_row("M400001", joined_on=joined),
            member_row("M400002", joined_on=joined, address=""),
            member_row("M400003", joined_on=joined, joined_via="desk"),
        ],
    )
    await desk.post_form(f"{CARDS}/batches", {})

    def late(html: str) -> str:
        return html[html.index('id="late"') : html.index('id="today"')]

    assert "M4000" not in late((await desk.page(CARDS)).text)  # joined_on + 1: not yet
    clock.set_now(NOW + timedelta(days=1))  # joined_on + 2
    shown = late((await desk.page(CARDS)).text)
    assert "M400001" in shown and "in batch 1, not yet mailed" in shown and "card late" in shown
    assert "M400002" in shown and "address missing" in shown
    assert "M400003" not in shown
    await desk.post_form(f"{CARDS}/batches/1/mailed", {})
    shown = late((await desk.page(CARDS)).text)
    assert "M400001" not in shown and "M400002" in shown


async def test_cs4_a_days_350_letters_print_as_one_pdf_and_one_csv(login_as, sessionmaker) -> None:
    """CS-4 (300–400 letters a day): 350 letters, one page each, then 15 label sheets of 24;
    the letter shows the member's name and card, the label the address; the CSV has 350 rows
    after its header, UTF-8 with a byte-order mark."""
    clock.set_now(NOW)
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    rows = [member_row(f"M5{n:05d}", name=f"Member {n}", postcode=f"1{n:05d}") for n in range(350)]
    rows[7].update(name="Zhang Wei", address="88 Jianguo Road, Unit 3-1203", city="Beijing")
    await add_members(sessionmaker, rows)
    await desk.post_form(f"{CARDS}/batches", {})

    started = time.perf_counter()
    pdf = await desk.get(f"{CARDS}/batches/1.pdf")
    seconds = time.perf_counter() - started
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) == 350 + letters.label_pages(350) == 365
    letter = reader.pages[7].extract_text()  # ordered by postcode: the eighth
    assert "Zhang Wei" in letter and "M500007" in letter
    assert letter.index("欢迎") < letter.index("Welcome")  # Chinese first, then English
    label = reader.pages[350].extract_text()
    assert "88 Jianguo Road" in label and "100007" in label and "Zhang Wei" in label
    print(f"350-letter batch PDF: {seconds:.1f} s")

    started = time.perf_counter()
    got = await desk.get(f"{CARDS}/batches/1.csv")
    csv_seconds = time.perf_counter() - started
    assert got.status_code == 200 and got.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert table[0] == ["姓名 / Name", "地址 / Address", "城市 / City", "邮编 / Postcode",
                        "会员卡号 / Card number"]  # fmt: skip
    assert len(table) == 351
    assert table[8] == ["Zhang Wei", "88 Jianguo Road, Unit 3-1203", "Beijing", "100007", "M500007"]
    print(f"350-row CSV: {csv_seconds:.2f} s")


async def test_cs4_card_mailing_is_customer_service_work(login_as) -> None:
    """CS-4: an agent may not make or read batches."""
    agent = await login_as("ana", Role.AGENT)
    assert (await agent.page(CARDS)).status_code == 403
    assert (await agent.post_form(f"{CARDS}/batches", {})).status_code == 403
