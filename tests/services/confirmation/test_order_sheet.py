"""Order sheets for hotels and letters for customers, as PDFs (CF-1, CF-6, CF-8).

Bookings, hotels, contracts and changes arrive through the real event handlers; the PDFs come
from the real endpoints and renderer, and pypdf reads back the text a hotel or customer sees.
"""

from __future__ import annotations

import io
import re
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from services.confirmation.documents import render_html
from services.confirmation.models import ConfirmationTask
from services.confirmation.order_sheet import order_sheet, sheet_context, sms_text
from shared.auth import Role
from shared.clock import clock
from shared.db import unit_of_work
from shared.events.contracts import ContractEffectiveV1
from shared.events.intake import BookedNight, BookingCancelledV1, BookingModifiedV1
from tests.services.confirmation.factories import (
    beijing,
    deliver,
    envelope,
    place_booking,
    publish_hotel,
)
from tests.services.confirmation.helpers import DESK

CHECK_IN, CHECK_OUT = date(2026, 3, 20), date(2026, 3, 22)
NET, SELL = "CNY 584.80", "CNY 688.00"  # one room, one night (the factory's prices)


@pytest.fixture(autouse=True)
def _frozen_clock() -> None:
    clock.set_now(beijing(2026, 3, 10, 9, 0))


async def pdf_text(client: Any, path: str, **params: Any) -> str:
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


async def task_of(sessionmaker: Any, booking_ref: str, kind: str = "new") -> ConfirmationTask:
    async with sessionmaker() as session:
        task = await session.scalar(
            select(ConfirmationTask).where(
                ConfirmationTask.booking_ref == booking_ref, ConfirmationTask.kind == kind
            )
        )
    assert task is not None
    return task


async def sign_contract(sessionmaker: Any, hotel_id: uuid.UUID, arrangement: str) -> None:
    """The director signed the hotel's contract (HR-3) with this payment arrangement."""
    signed = ContractEffectiveV1(
        hotel_id=hotel_id,
        contract_id=uuid.uuid4(),
        version_id=uuid.uuid4(),
        version_no=1,
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
        payment_arrangement=arrangement,
    )
    assert await deliver(sessionmaker, envelope(signed, source="contracts")) == "handled"


async def booked_at_peace_hotel(sessionmaker: Any, ref: str, **booking: Any) -> Any:
    hotel = await publish_hotel(sessionmaker, fax="+86 10 6512 0000")
    values = {"check_in": CHECK_IN, "nights": 2, "rooms": 2, "guest_names": ["张伟", "Wang Fang"]}
    return await place_booking(
        sessionmaker, booking_ref=ref, hotel_id=hotel.hotel_id, **{**values, **booking}
    )


def _after_change(placed: Any, version: int, check_in: date, check_out: date) -> dict[str, Any]:
    """The booking as it stands after a change, as intake announces it (IN-5)."""
    stay = [check_in + timedelta(days=n) for n in range((check_out - check_in).days)]
    return {
        **placed.model_dump(
            include={"booking_id", "booking_ref", "hotel_id", "hotel_name", "room_type_id"}
            | {"room_type_name", "rate_plan_id", "rate_plan_name", "rooms", "booker_name"}
            | {"booker_phone", "payment_mode", "confirm_channel", "currency"}
        ),
        "change_id": uuid.uuid4(),
        "booking_version": version,
        "check_in": check_in,
        "check_out": check_out,
        "nights": [BookedNight(night=n, net_minor=58480, sell_minor=68800) for n in stay],
        "total_sell_minor": 68800 * len(stay) * placed.rooms,
        "urgent": False,
        "agent_username": "ana",
    }


async def test_cf1_order_sheet_names_booking_hotel_guests_and_stay(login_as, sessionmaker) -> None:
    await booked_at_peace_hotel(
        sessionmaker,
        "RLSHEET01",
        booker_company="中信集团",
        member_card="M8800123",
        arrival_time="22:30",
        special_requests="无烟房 non-smoking",
    )
    task = await task_of(sessionmaker, "RLSHEET01")
    desk = await login_as("cora", DESK)

    response = await desk.get(f"/confirmation/tasks/{task.task_id}/order.pdf")
    text = await pdf_text(desk, f"/confirmation/tasks/{task.task_id}/order.pdf")

    assert response.headers["content-disposition"] == 'inline; filename="RLSHEET01-order-new.pdf"'
    for expected in (
        "RLSHEET01", "和平饭店", "Peace Hotel", "+86 10 6512 0000", "张伟", "Wang Fang",
        "2026-03-20", "2026-03-22", "新预订 / New booking", "中信集团", "M8800123", "22:30",
        "无烟房",
    ):  # fmt: skip
        assert expected in text, expected
    assert (  # the reply line wraps in the box
        "请回传酒店确认号，并注明我司订单号 RLSHEET01"
        " / Please reply with your confirmation number, quoting RLSHEET01"
    ) in " ".join(text.split())
    assert re.search(r"晚数 / Nights\s+2\s+房间数 / Rooms\s+2", text)


async def test_cf1_order_sheet_document_has_ref_in_subject_body_and_name(sessionmaker) -> None:
    await booked_at_peace_hotel(sessionmaker, "RLSHEET02")
    task = await task_of(sessionmaker, "RLSHEET02")
    async with sessionmaker() as session:
        document = await order_sheet(session, task)
    assert document.filename == "RLSHEET02-order-new.pdf"
    assert document.subject == "Booking RLSHEET02 · new booking · 预订单 · 和平饭店"
    assert "quoting our booking ref RLSHEET02" in document.body
    assert "注明我司预订号 RLSHEET02" in document.body
    assert "RLSHEET02" in PdfReader(io.BytesIO(document.content)).pages[0].extract_text()


@pytest.mark.parametrize("payment_mode", ["prepaid", "corporate_monthly"])
async def test_cf1_pay4_we_pay_the_hotel_so_the_sheet_shows_net_prices(
    login_as, sessionmaker, payment_mode: str
) -> None:
    await booked_at_peace_hotel(sessionmaker, "RLNET01", payment_mode=payment_mode)
    task = await task_of(sessionmaker, "RLNET01")
    text = await pdf_text(
        await login_as("cora", DESK), f"/confirmation/tasks/{task.task_id}/order.pdf"
    )
    assert "Net price (roomline pays the hotel)" in text
    assert re.search(rf"2026-03-20 周五 Fri {NET} 2 CNY 1,169.60", text)
    assert re.search(r"合计 / Total CNY 2,339.20", text)  # 2 nights × 2 rooms × 584.80
    assert "688.00" not in text and "1,376.00" not in text  # never the sell price


@pytest.mark.parametrize("arrangement", [None, "net_prepaid"])
async def test_cf1_pay4_guest_pays_at_hotel_so_the_sheet_shows_sell_prices(
    login_as, sessionmaker, arrangement: str | None
) -> None:
    placed = await booked_at_peace_hotel(sessionmaker, "RLSELL01", payment_mode="pay_at_hotel")
    if arrangement:
        await sign_contract(sessionmaker, placed.hotel_id, arrangement)
    task = await task_of(sessionmaker, "RLSELL01")
    text = await pdf_text(
        await login_as("cora", DESK), f"/confirmation/tasks/{task.task_id}/order.pdf"
    )
    assert "the guest pays at the hotel" in text
    assert re.search(rf"2026-03-21 周六 Sat {SELL} 2 CNY 1,376.00", text)
    assert "合计 / Total CNY 2,752.00" in text
    assert "584.80" not in text  # our net price stays ours


async def test_cf1_pay4_commission_contract_sheet_prints_no_prices(login_as, sessionmaker) -> None:
    placed = await booked_at_peace_hotel(sessionmaker, "RLCOMM01", payment_mode="pay_at_hotel")
    # The contract arrives after the booking: the sheet reads it when it is rendered.
    await sign_contract(sessionmaker, placed.hotel_id, "pay_at_hotel_commission")
    task = await task_of(sessionmaker, "RLCOMM01")
    text = await pdf_text(
        await login_as("cora", DESK), f"/confirmation/tasks/{task.task_id}/order.pdf"
    )
    assert "房价由客人前台支付 / Guest pays at the hotel" in text
    assert "CNY" not in text and "合计" not in text


async def test_cf8_modification_sheet_shows_old_and_new_values(login_as, sessionmaker) -> None:
    placed = await booked_at_peace_hotel(sessionmaker, "RLMOD01", booker_company="中信集团")
    change = BookingModifiedV1(
        **_after_change(placed, 2, date(2026, 3, 21), date(2026, 3, 23)),
        guest_names=["张伟", "李娜"],
        status="placed",
        changed=["check_in", "check_out", "guest_names"],
        before={"check_in": "2026-03-20", "check_out": "2026-03-22", "guest_names": ["张伟"]},
        after={
            "check_in": "2026-03-21",
            "check_out": "2026-03-23",
            "guest_names": ["张伟", "李娜"],
        },
        reason="航班改期 flight moved",
        reason_category="guest_request",
        modified_at=clock.now(),
    )
    assert await deliver(sessionmaker, envelope(change, source="intake")) == "handled"
    task = await task_of(sessionmaker, "RLMOD01", kind="modify")
    desk = await login_as("cora", DESK)

    response = await desk.get(f"/confirmation/tasks/{task.task_id}/order.pdf")
    text = await pdf_text(desk, f"/confirmation/tasks/{task.task_id}/order.pdf")

    assert 'filename="RLMOD01-order-modify-v2.pdf"' in response.headers["content-disposition"]
    assert "更改 / Modification · 更改单" in text and "版本 / Version 2" in text
    assert "更改内容 / Changes" in text
    assert re.search(r"Check-in 2026-03-20 周五 Fri ▶ 2026-03-21 周六 Sat", text)
    assert re.search(r"Check-out 2026-03-22 周日 Sun ▶ 2026-03-23 周一 Mon", text)
    assert re.search(r"Guests 张伟 ▶ 张伟, 李娜", text)
    assert "Guest request: 航班改期 flight moved" in text
    assert "中信集团" in text  # the company comes from the placement: changes do not carry it
    # Old values struck, new ones marked for the front desk's eye.
    async with sessionmaker() as session:
        html = render_html("order_sheet.html", await sheet_context(session, task))
    assert "<td><del>2026-03-20 周五 Fri</del></td>" in html
    assert '<td class="changed">2026-03-21 周六 Sat</td>' in html


async def test_cf1_cancellation_sheet_says_so(login_as, sessionmaker) -> None:
    placed = await booked_at_peace_hotel(sessionmaker, "RLCXL01")
    cancel = BookingCancelledV1(
        **_after_change(placed, 2, CHECK_IN, CHECK_OUT),
        guest_names=placed.guest_names,
        reason="行程取消 trip called off",
        reason_category="guest_request",
        cancelled_at=clock.now(),
    )
    assert await deliver(sessionmaker, envelope(cancel, source="intake")) == "handled"
    task = await task_of(sessionmaker, "RLCXL01", kind="cancel")
    text = await pdf_text(
        await login_as("cora", DESK), f"/confirmation/tasks/{task.task_id}/order.pdf"
    )
    assert "取消 / CANCELLATION" in text
    assert "Please cancel the whole stay below" in text and "trip called off" in text
    assert "Cancelled stay" in text and "2026-03-20" in text and "张伟" in text
    assert "CNY" not in text  # nothing to pay on a cancelled stay


async def test_cf1_document_previews_need_the_desk_role(login_as, sessionmaker) -> None:
    await booked_at_peace_hotel(sessionmaker, "RLROLE01")
    task = await task_of(sessionmaker, "RLROLE01")
    agent = await login_as("ana", Role.AGENT)
    desk = await login_as("cora", DESK)
    for document in ("order.pdf", "customer.pdf?outcome=full"):
        assert (
            await agent.get(f"/confirmation/tasks/{task.task_id}/{document}")
        ).status_code == 403
        missing = await desk.get(f"/confirmation/tasks/{uuid.uuid4()}/{document}")
        assert (missing.status_code, missing.json()["error"]) == (404, "not_found")
    bad = await desk.get(f"/confirmation/tasks/{task.task_id}/customer.pdf?outcome=maybe")
    assert bad.status_code == 422


async def _answered(sessionmaker: Any, ref: str, **answer: Any) -> ConfirmationTask:
    """The hotel's answer as the desk records it (the reply flow's own tests cover that)."""
    async with unit_of_work(sessionmaker) as session:
        task = await session.scalar(
            select(ConfirmationTask).where(ConfirmationTask.booking_ref == ref)
        )
        assert task is not None
        for field, value in answer.items():
            setattr(task, field, value)
    return task


async def test_cf6_customer_letter_has_confirmation_number_and_sell_total_only(
    login_as, sessionmaker
) -> None:
    await booked_at_peace_hotel(sessionmaker, "RLCUST01", payment_mode="prepaid")
    task = await _answered(
        sessionmaker, "RLCUST01", state="confirmed", hotel_confirmation_no="PH-778812"
    )
    desk = await login_as("cora", DESK)

    response = await desk.get(f"/confirmation/tasks/{task.task_id}/customer.pdf")
    text = await pdf_text(
        desk, f"/confirmation/tasks/{task.task_id}/customer.pdf", outcome="confirmed"
    )

    assert 'filename="RLCUST01-customer-confirmed.pdf"' in response.headers["content-disposition"]
    for expected in (
        "预订确认 / Booking confirmation",
        "RLCUST01",
        "PH-778812",
        "和平饭店",
        "张伟",
    ):
        assert expected in text, expected
    assert "合计 / Total CNY 2,752.00" in text  # 2 nights × 2 rooms × 688.00
    assert "584.80" not in text and "2,339.20" not in text and "Net" not in text


async def test_cf6_letter_is_bilingual_whatever_the_senders_screen_language(
    login_as, sessionmaker
) -> None:
    """Issue 15: documents sent outside print "中文 / English" from the catalogs, the same
    whether the desk works in Chinese or English."""
    await booked_at_peace_hotel(sessionmaker, "RLBOTH01", payment_mode="prepaid")
    task = await _answered(
        sessionmaker, "RLBOTH01", state="confirmed", hotel_confirmation_no="PH-1"
    )
    desk = await login_as("cora", DESK)
    texts = []
    for locale in ("zh_CN", "en"):
        desk.http.cookies.set("roomline_locale", locale)
        path = f"/confirmation/tasks/{task.task_id}/customer.pdf"
        texts.append(" ".join((await pdf_text(desk, path, outcome="confirmed")).split()))
    assert texts[0] == texts[1]
    for expected in (
        "日期 / Date:",
        "订单号 / Booking ref",
        "酒店确认号 / Hotel confirmation no.",
        "尊敬的 Li Lei： / Dear Li Lei,",
        "您的预订已获酒店确认，入住时请出示订单号或酒店确认号。 / Your booking is confirmed",
        "住宿信息 / Your stay",
        "房费 / Room charges",
        "日期 / Night 每间 / Per room 间数 / Rooms 金额 / Amount",
        "合计 / Total CNY 2,752.00",
        "如有疑问请回复 confirm@roomline.example，并注明订单号 RLBOTH01。 / Questions? Reply to",
    ):
        assert expected in texts[0], expected


async def test_cf6_full_letter_gives_the_reason_and_promises_a_call(login_as, sessionmaker) -> None:
    await booked_at_peace_hotel(sessionmaker, "RLFULL01")
    task = await _answered(
        sessionmaker, "RLFULL01", state="full", full_reason="会议包房 conference"
    )
    desk = await login_as("cora", DESK)
    text = await pdf_text(desk, f"/confirmation/tasks/{task.task_id}/customer.pdf", outcome="full")
    assert "满房通知 / The hotel is full" in text and "RLFULL01" in text
    assert "会议包房 conference" in text
    assert "will call you shortly" in text
    assert "CNY" not in text  # nothing is owed


async def test_cf6_no_confirmed_letter_before_the_hotel_confirmed(login_as, sessionmaker) -> None:
    await booked_at_peace_hotel(sessionmaker, "RLEARLY1")
    task = await task_of(sessionmaker, "RLEARLY1")
    desk = await login_as("cora", DESK)
    response = await desk.get(f"/confirmation/tasks/{task.task_id}/customer.pdf")
    assert response.status_code == 409
    assert "has not confirmed booking RLEARLY1" in response.json()["detail"]


async def test_cf6_sms_carries_the_ref_and_the_confirmation_number(sessionmaker) -> None:
    await booked_at_peace_hotel(sessionmaker, "RLSMS01")
    task = await _answered(sessionmaker, "RLSMS01", hotel_confirmation_no="PH-1")
    confirmed, full = sms_text(task, "confirmed"), sms_text(task, "full")
    assert (
        confirmed
        == "【roomline】预订RLSMS01已确认：和平饭店，3月20日入住2晚，2间，酒店确认号PH-1。"
    )
    assert "RLSMS01" in full and "满房" in full
    assert len(confirmed) <= 160 and len(full) <= 160
