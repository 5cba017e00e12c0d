"""Hotels' replies for the demo's confirmation desk (CF-4), received through the inbound mail
code path: each mail is built as a hotel's mail server would send it, parsed by
``parse_mail`` and kept by ``store_reply``, the function the SMTP handler calls. Their fixed
Message-IDs make a second load store nothing (a mail we already keep is not kept twice).

Three wait in the unmatched tray, one for each reason the desk meets (no booking named,
several named, a sender not on file for the hotel); one is filed to its booking by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.confirmation.inbound import store_reply
from services.confirmation.mail_parsing import parse_mail
from services.confirmation.models import HotelReply
from services.confirmation.settings import ConfirmationSettings
from shared.clock import clock

INBOX = "confirm@roomline.example"
# The last mail the demo receives: once it is kept, the demo's desks are loaded.
LAST_MESSAGE_ID = "<demo-reply-stranger@163.com>"


@dataclass(frozen=True)
class DemoMail:
    message_id: str
    sender: str  # "Name <address>"
    subject: str
    body: str
    minutes_ago: int


def demo_mails(refs: dict[str, str]) -> list[DemoMail]:
    """The demo's replies; ``refs`` maps the demo's booking keys to their booking refs."""
    return [
        DemoMail(
            "<demo-reply-matched@fairmont.example>",
            "和平饭店预订部 Reservations <reservations@fairmont.example>",
            f"Re: 订单确认 Booking confirmation {refs['confirmed']}",
            f"您好！\n\n订单 {refs['confirmed']} 已确认，确认号 FPH2612-0457。\n"
            f"Booking {refs['confirmed']} is confirmed, our number FPH2612-0457.\n\n"
            "和平饭店 预订部",
            25,
        ),
        DemoMail(
            "<demo-reply-no-ref@jinjiang-jingan.example>",
            "锦江之星静安店 <frontdesk@jinjiang-jingan.example>",
            "回复：传真收到 / Re: your fax",
            "您好，昨晚收到贵司传真一份，第二页字迹不清，无法辨认客人姓名，请重新发送。\n"
            "Hello, your fax of last night arrived but page 2 is unreadable (guest name). "
            "Please send it again.\n\n前台 小王",
            40,
        ),
        DemoMail(
            "<demo-reply-several@cwsw.example>",
            "国贸大酒店 Reservations <reservations@cwsw.example>",
            f"Re: {refs['placed']} / {refs['cancelled']}",
            f"订单 {refs['placed']} 已安排；订单 {refs['cancelled']} 的取消已收到，请提供取消号。\n"
            f"Booking {refs['placed']} is arranged; we received the cancellation of "
            f"{refs['cancelled']}: which cancellation number shall we quote?",
            55,
        ),
        DemoMail(
            LAST_MESSAGE_ID,
            "李华 <lihua.hotel@163.com>",
            f"订单 {refs['tomorrow']} 已确认",
            f"订单 {refs['tomorrow']} 已确认，确认号 HB-88213。——李华（私人邮箱）\n"
            f"Booking {refs['tomorrow']} confirmed, number HB-88213. Li Hua (personal mail)",
            70,
        ),
    ]


def _raw(mail: DemoMail) -> bytes:
    message = EmailMessage()
    message["From"] = mail.sender
    message["To"] = INBOX
    message["Subject"] = mail.subject
    message["Message-ID"] = mail.message_id
    message["Date"] = format_datetime(clock.now() - timedelta(minutes=mail.minutes_ago))
    message.set_content(mail.body)
    return bytes(message)


async def kept(session: AsyncSession, message_id: str) -> bool:
    found = await session.scalar(
        select(HotelReply.reply_id).where(HotelReply.message_id == message_id)
    )
    return found is not None


async def receive_demo_mails(session: AsyncSession, refs: dict[str, str]) -> int:
    """Receive the demo's replies as the SMTP server would; returns how many were new."""
    gateway = ConfirmationSettings().fax_gateway_domain
    new = 0
    for mail in demo_mails(refs):
        raw = _raw(mail)
        envelope_from = mail.sender.rpartition("<")[2].rstrip(">")
        stored = await store_reply(
            session,
            raw=raw,
            mail=parse_mail(raw),
            mail_from=envelope_from,
            rcpt_tos=[INBOX],
            received_at=clock.now() - timedelta(minutes=mail.minutes_ago),
            fax_gateway_domain=gateway,
        )
        new += stored is not None
    return new
