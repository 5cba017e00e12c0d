"""The customer's confirmation (CF-6): a bilingual letter (PDF, for email or fax) and an SMS.

Outcome ``confirmed``: the hotel confirmed, and the letter carries its confirmation number,
the stay and what the customer pays: sell prices only, never our net price (that is between
us and the hotel, PAY-4). Outcome ``full``: the hotel is full (CF-3); the letter says so
politely with the hotel's reason and promises a call with alternatives nearby (IN-3), and
shows no amounts because nothing is owed.

For a change or a cancellation "confirmed" means the hotel accepted the change; the title
says which, and a cancellation shows no amounts either.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.confirmation.documents import (
    COMPANY_EN,
    COMPANY_ZH,
    HotelFile,
    RenderedDocument,
    booking_facts,
    day,
    hotel_file,
    nights_of,
    price_view,
    render_pdf,
    safe_filename,
    settings,
    shown,
)
from services.confirmation.models import ConfirmationTask
from shared.clock import clock
from shared.errors import Conflict, InvalidInput

OUTCOMES = ("confirmed", "full")
_TITLES = {
    ("new", "confirmed"): ("预订确认", "Booking confirmation"),
    ("modify", "confirmed"): ("更改确认", "Change confirmed"),
    ("cancel", "confirmed"): ("取消确认", "Cancellation confirmed"),
}
_FULL_TITLE = ("满房通知", "The hotel is full")
# IN-4 payment modes as the customer reads them.
CUSTOMER_PAYMENT = {
    "prepaid": "预付，由 roomline 代收 / Prepaid through roomline",
    "corporate_monthly": "公司月结 / Billed to your company monthly",
    "pay_at_hotel": "到店前台支付 / Pay at the hotel front desk",
}
SMS_LIMIT = 160


def _title(task: ConfirmationTask, outcome: str) -> tuple[str, str]:
    return _FULL_TITLE if outcome == "full" else _TITLES[(task.kind, outcome)]


def _check(task: ConfirmationTask, outcome: str) -> None:
    if outcome not in OUTCOMES:
        raise InvalidInput(f"Outcome must be one of {', '.join(OUTCOMES)}.", field="outcome")
    if outcome == "confirmed" and not task.hotel_confirmation_no:
        raise Conflict(
            f"The hotel has not confirmed booking {task.booking_ref} yet: record its "
            "confirmation number before writing to the customer."
        )  # CF-4, CF-6


def stay_rows(task: ConfirmationTask, hotel: HotelFile, facts: dict[str, Any]) -> list[Any]:
    hotel_name = " · ".join(n for n in (hotel.name_zh, hotel.name_en) if n)
    return [
        ("酒店 / Hotel", hotel_name or task.hotel_name),
        ("酒店电话 / Hotel phone", shown(hotel.phone)),
        ("客人姓名 / Guests", shown(task.guest_names)),
        ("房型 / Room type", f"{task.room_type_name} · {task.rate_plan_name}"),
        ("房间数 / Rooms", str(task.rooms)),
        ("入住日期 / Check-in", day(task.check_in)),
        ("离店日期 / Check-out", day(task.check_out)),
        ("晚数 / Nights", str(nights_of(task))),
        ("到店时间 / Arrival time", shown(facts.get("arrival_time"))),
        ("特殊要求 / Special requests", shown(task.special_requests)),
        ("付款方式 / Payment", CUSTOMER_PAYMENT.get(task.payment_mode, task.payment_mode)),
    ]


def letter_body(task: ConfirmationTask, outcome: str, hotel: HotelFile, booker: str) -> str:
    """The e-mail text or fax cover that goes with the letter."""
    ref, stay = task.booking_ref, f"{task.check_in.isoformat()} → {task.check_out.isoformat()}"
    if outcome == "full":
        zh = (
            f"很抱歉，{hotel.short_name} 在 {stay} 已满房，预订 {ref} 未能确认。"
            "我们的预订员将尽快致电，为您推荐附近同级酒店。"
        )
        en = (
            f"We are sorry: {hotel.name_en or hotel.short_name} is full for {stay}, so booking "
            f"{ref} could not be confirmed. An agent will call you shortly with alternatives."
        )
    else:
        number = task.hotel_confirmation_no
        zh = f"您的预订 {ref}（{hotel.short_name}，{stay}）已获酒店确认，酒店确认号 {number}。"
        en = (
            f"Your booking {ref} at {hotel.name_en or hotel.short_name} ({stay}) is confirmed "
            f"by the hotel; its confirmation number is {number}."
        )
    sign = f"{COMPANY_ZH} / {COMPANY_EN}"
    return "\n".join([f"尊敬的 {booker}：", zh, "", f"Dear {booker},", en, "", sign])


async def customer_letter(
    session: AsyncSession, task: ConfirmationTask, outcome: str
) -> RenderedDocument:
    """Render the customer's confirmation or full-house notice (CF-6)."""
    _check(task, outcome)
    hotel = await hotel_file(session, task)
    facts = await booking_facts(session, task)
    title_zh, title_en = _title(task, outcome)
    booker = str(facts.get("booker_name") or "客户 Customer")
    shows_amounts = outcome == "confirmed" and task.kind != "cancel"
    body = letter_body(task, outcome, hotel, booker)
    context = {
        "task": task,
        "outcome": outcome,
        "title_zh": title_zh,
        "title_en": title_en,
        "booker": booker,
        "company_zh": COMPANY_ZH,
        "company_en": COMPANY_EN,
        "dated": clock.local().strftime("%Y-%m-%d %H:%M"),
        "rows": stay_rows(task, hotel, facts),
        # Sell prices only: the customer never sees our net price (PAY-4).
        "prices": price_view(facts, task.rooms, "sell") if shows_amounts else None,
        "reply_to": settings().mail_from,
    }
    stem = f"{task.booking_ref}-customer-{outcome}"
    if task.kind != "new":
        stem += f"-{task.kind}-v{task.booking_version}"
    filename = safe_filename(stem)
    return RenderedDocument(
        content=await render_pdf("customer_letter.html", context, name=filename),
        filename=filename,
        subject=" · ".join(
            (f"Booking {task.booking_ref}", title_en.lower(), title_zh, hotel.short_name)
        ),
        body=body,
    )


def sms_text(task: ConfirmationTask, outcome: str) -> str:
    """The customer's confirmation as one SMS, Chinese, with the booking ref (CF-6)."""
    _check(task, outcome)
    # The task's hotel name is "中文名 · English name"; the Chinese half is enough by SMS.
    hotel = task.hotel_name.partition(" · ")[0].strip()[:24]
    arrival = f"{task.check_in.month}月{task.check_in.day}日"
    if outcome == "full":
        text = (
            f"【roomline】抱歉，{hotel}{arrival}起满房，预订{task.booking_ref}未能确认。"
            "我们将尽快致电为您推荐其他酒店。"
        )
    elif task.kind == "cancel":
        text = f"【roomline】预订{task.booking_ref}已取消，酒店确认号{task.hotel_confirmation_no}。"
    else:
        text = (
            f"【roomline】预订{task.booking_ref}已确认：{hotel}，{arrival}入住{nights_of(task)}晚，"
            f"{task.rooms}间，酒店确认号{task.hotel_confirmation_no}。"
        )
    return text[:SMS_LIMIT]
