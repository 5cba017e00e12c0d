"""The order sheet a hotel's front desk receives by fax or email (CF-1), and its cover text.

One sheet per task: a new booking (新预订), a modification (更改) or a cancellation (取消). It
carries everything IN-4 records about the stay, bilingual labels (the hotel's staff read
Chinese; overseas hotels read English, HR-14), the prices the payment arrangement allows
(``documents.price_basis``), for a change the old and new value of every changed field with
the reason (CF-8: what the desk read before sending is what the hotel reads), and a reply
box asking for the hotel's confirmation number quoting our booking ref, which is how a
reply finds its task again (CF-4).

The page is A4, black on white, 10pt or larger: it must survive a 200 dpi fax.

``customer_letter`` and ``sms_text`` (CF-6) live in ``customer_letter.py`` and are
re-exported here, so callers import every document from one place.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.confirmation.changes import reason_for_hotel
from services.confirmation.customer_letter import customer_letter, sms_text
from services.confirmation.documents import (
    COMPANY_EN,
    COMPANY_ZH,
    PAYMENT_LABELS,
    HotelFile,
    RenderedDocument,
    booking_facts,
    day,
    hotel_file,
    nights_of,
    price_basis,
    price_view,
    render_pdf,
    safe_filename,
    settings,
    shown,
)
from services.confirmation.models import ConfirmationTask
from shared.clock import clock

__all__ = ["RenderedDocument", "customer_letter", "order_sheet", "sms_text"]

# kind -> (Chinese, English, the Chinese name of the document)
KINDS = {
    "new": ("新预订", "New booking", "预订单"),
    "modify": ("更改", "Modification", "更改单"),
    "cancel": ("取消", "Cancellation", "取消单"),
}
# The fields a modification may change (intake's BookingModifiedV1.changed), in sheet order.
CHANGE_LABELS = {
    "check_in": "入住日期 / Check-in",
    "check_out": "离店日期 / Check-out",
    "rooms": "房间数 / Rooms",
    "guest_names": "客人姓名 / Guests",
    "arrival_time": "到店时间 / Arrival time",
    "special_requests": "特殊要求 / Special requests",
}


def _change_value(field: str, value: Any) -> str:
    if field in ("check_in", "check_out") and value:
        return day(str(value))
    return shown(value)


def change_rows(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, str]]:
    """One row per changed field: label, old value, new value (CF-8)."""
    fields = [f for f in CHANGE_LABELS if f in before or f in after]
    fields += sorted((before.keys() | after.keys()) - set(fields))
    return [
        {
            "label": CHANGE_LABELS.get(field, field.replace("_", " ")),
            "old": _change_value(field, before.get(field)),
            "new": _change_value(field, after.get(field)),
        }
        for field in fields
    ]


# The stay table's lines: two fields side by side, or one long field across the page, so a
# whole new booking fits one faxed page.
_LAYOUT = (
    ("guest_names",),
    ("room_type", "rate_plan"),
    ("check_in", "check_out"),
    ("nights", "rooms"),
    ("arrival_time", "member_card"),
    ("booker_name", "booker_company"),
    ("booker_phone",),
    ("payment",),
    ("special_requests",),
)


def stay_rows(task: ConfirmationTask, facts: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """The booking as it stands (IN-4), laid out in lines; a field a modification changed is
    marked (CF-8)."""
    changed = set(task.change_after) if task.kind == "modify" else set()
    fields = {
        "guest_names": ("客人姓名 / Guests", shown(task.guest_names)),
        "room_type": ("房型 / Room type", task.room_type_name),
        "rate_plan": ("价格计划 / Rate plan", task.rate_plan_name),
        "check_in": ("入住日期 / Check-in", day(task.check_in)),
        "check_out": ("离店日期 / Check-out", day(task.check_out)),
        "nights": ("晚数 / Nights", str(nights_of(task))),
        "rooms": ("房间数 / Rooms", str(task.rooms)),
        "arrival_time": ("到店时间 / Arrival", shown(facts.get("arrival_time"))),
        "member_card": ("会员卡号 / Member card", shown(facts.get("member_card"))),
        "booker_name": ("预订人 / Booker", shown(facts.get("booker_name"))),
        "booker_company": ("公司 / Company", shown(facts.get("booker_company"))),
        "booker_phone": ("联系电话 / Phone", shown(facts.get("booker_phone"))),
        "payment": ("付款方式 / Payment", PAYMENT_LABELS.get(task.payment_mode, task.payment_mode)),
        "special_requests": ("特殊要求 / Requests", shown(task.special_requests)),
    }
    return [
        [
            {
                "key": key,
                "label": fields[key][0],
                "value": fields[key][1],
                "changed": key in changed,
            }
            for key in line
        ]
        for line in _LAYOUT
    ]


def subject_of(task: ConfirmationTask, hotel: HotelFile) -> str:
    """E.g. "Booking RL1234 · modification v2 · 更改单 · 和平饭店": the ref comes first so the
    hotel's reply, which keeps the subject, is matched to its task (CF-4)."""
    _, kind_en, document_zh = KINDS[task.kind]
    version = f" v{task.booking_version}" if task.kind != "new" else ""
    kind = f"{kind_en.lower()}{version}"
    return " · ".join((f"Booking {task.booking_ref}", kind, document_zh, hotel.short_name))


# What the cover asks back. A cancellation gets a number too (hotels call it a cancellation
# number); the desk records it like any confirmation number (CF-4).
_ASK = ("请核对后回传贵酒店确认号", "your confirmation number")
_ASK_CANCEL = ("请取消该预订，并回传取消确认号", "your cancellation confirmation number")


def cover_body(task: ConfirmationTask, hotel: HotelFile) -> str:
    """The e-mail text or fax cover: what is attached and what we ask back (CF-1, CF-4)."""
    kind_zh, kind_en, _ = KINDS[task.kind]
    ref = task.booking_ref
    stay = (
        f"{shown(task.guest_names)} · {task.room_type_name} × {task.rooms} · "
        f"{task.check_in.isoformat()} → {task.check_out.isoformat()} · "
        f"{nights_of(task)} 晚 nights"
    )
    ask_zh, ask_en = _ASK_CANCEL if task.kind == "cancel" else _ASK
    return "\n".join(
        [
            f"{hotel.name_zh or hotel.name_en} 预订部：",
            f"您好！附件为我司{kind_zh}单，预订号 {ref}：",
            f"  {stay}",
            f"{ask_zh}，并注明我司预订号 {ref}。",
            "",
            f"Dear reservations team of {hotel.name_en or hotel.name_zh},",
            f"Attached is our order sheet ({kind_en.lower()}) for booking {ref}:",
            f"  {stay}",
            f"Please reply with {ask_en}, quoting our booking ref {ref}.",
            f"Reply to {settings().mail_from}.",
            "",
            f"{COMPANY_ZH} / {COMPANY_EN}",
        ]
    )


async def sheet_context(session: AsyncSession, task: ConfirmationTask) -> dict[str, Any]:
    """Everything the order sheet template prints."""
    hotel = await hotel_file(session, task)
    facts = await booking_facts(session, task)
    basis = price_basis(task.payment_mode, hotel.arrangement)
    kind_zh, kind_en, document_zh = KINDS[task.kind]
    return {
        "task": task,
        "change_reason": reason_for_hotel(task) if task.kind != "new" else "",
        "hotel": hotel,
        "kind_zh": kind_zh,
        "kind_en": kind_en,
        "document_zh": document_zh,
        "company_zh": COMPANY_ZH,
        "company_en": COMPANY_EN,
        "sent_on": clock.local(task.sent_at or clock.now()).strftime("%Y-%m-%d %H:%M"),
        "on_request": task.kind == "new" and facts.get("status") == "requested",
        "rows": stay_rows(task, facts),
        # A cancellation owes nobody anything: it prints the stay, not its prices.
        "prices": price_view(facts, task.rooms, basis) if task.kind != "cancel" else None,
        "changes": change_rows(task.change_before, task.change_after),
        "reply_to": settings().mail_from,
    }


async def order_sheet(session: AsyncSession, task: ConfirmationTask) -> RenderedDocument:
    """Render the task's order sheet for its hotel (CF-1, CF-8)."""
    context = await sheet_context(session, task)
    stem = f"{task.booking_ref}-order-{task.kind}"
    if task.kind != "new":
        stem += f"-v{task.booking_version}"
    filename = safe_filename(stem)
    return RenderedDocument(
        content=await render_pdf("order_sheet.html", context, name=filename),
        filename=filename,
        subject=subject_of(task, context["hotel"]),
        body=cover_body(task, context["hotel"]),
    )
