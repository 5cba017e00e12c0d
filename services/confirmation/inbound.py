"""Our own SMTP server for hotels' replies and faxes-to-email (CF-4).

Every mail is kept, raw, with its text and attachments, and matched to its confirmation task
by the booking ref in its subject, else its text, else the text of its PDF attachments. A
mail waits in the unmatched tray, with the reason, for the desk to file it when it names no
booking we know, names several (issue 14), or comes from an address not on file for the
booking's hotel (issue 14: see ``sender_on_file``). A mail whose Message-ID we already keep
is answered ``250`` and stored no second time (issue 14).

The server runs inside our own asyncio loop (``start_inbound_server``), so the all-in-one
process (``workers.run``), its own entry point (``workers.smtp_inbound``) and the tests share
one code path. A mail is answered ``250`` only once its row is committed; a database failure
answers ``451`` so the sender's server keeps the mail and tries again: nothing is lost
silently. Mails over ``inbound_max_bytes`` get ``552`` from aiosmtpd itself.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import case, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.confirmation.mail_parsing import (
    ADDRESS_MAX_CHARS,
    RCPT_MAX_CHARS,
    ParsedMail,
    booking_refs,
    clean_text,
    parse_mail,
)
from services.confirmation.models import (
    ConfirmationTask,
    HotelContact,
    HotelReply,
    ReplyAttachment,
)
from services.confirmation.settings import ConfirmationSettings
from shared.clock import clock
from shared.db import unit_of_work
from shared.observability import get_logger

log = get_logger("confirmation.inbound")

MatchedBy = Literal["subject", "body"]
# A reply belongs to the task the desk is still waiting on; only if none is open does it go
# to the booking's latest task (a late answer to a confirmed change, say).
WAITING_STATES = ("unsent", "sending", "sent")
# A mail naming more refs than this is not a reply about one booking: only these are looked up.
MAX_REFS_LOOKED_UP = 20
NO_REF_REASON = "邮件没有提到我们的订单号 / The mail names no booking we know"
_ADDRESS_SEPARATORS = re.compile(r"[,;\s]+")
# Free mail providers Chinese hotels (and everyone else) use: anyone can have an address
# there, so only the exact address on file counts, never the domain.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "163.com",
        "126.com",
        "yeah.net",
        "qq.com",
        "foxmail.com",
        "vip.qq.com",
        "vip.163.com",
        "sina.com",
        "sina.cn",
        "sohu.com",
        "aliyun.com",
        "139.com",
        "189.cn",
        "21cn.com",
        "tom.com",
        "gmail.com",
        "googlemail.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "yahoo.com.cn",
        "icloud.com",
        "me.com",
        "aol.com",
    }
)


async def task_for_ref(session: AsyncSession, booking_ref: str) -> ConfirmationTask | None:
    """The task a reply about ``booking_ref`` belongs to: the most recent one still waiting
    for the hotel, else the most recent one; None for a ref we do not know."""
    waiting_first = case((ConfirmationTask.state.in_(WAITING_STATES), 0), else_=1)
    return await session.scalar(
        select(ConfirmationTask)
        .where(ConfirmationTask.booking_ref == booking_ref.upper())
        .order_by(
            waiting_first,
            ConfirmationTask.created_at.desc(),
            ConfirmationTask.booking_version.desc(),
        )
        .limit(1)
    )


def _ref_candidates(mail: ParsedMail) -> list[tuple[str, MatchedBy]]:
    """Refs to try, in order: subject, then text, then PDF text. The schema knows only
    "subject" and "body"; a ref found in a PDF counts as "body" (the PDF is the body of a
    fax-to-email). Each ref once, where it was first seen; at most MAX_REFS_LOOKED_UP."""
    found: list[tuple[str, MatchedBy]] = [(ref, "subject") for ref in booking_refs(mail.subject)]
    found += [(ref, "body") for ref in booking_refs(mail.body_text)]
    found += [(ref, "body") for ref in booking_refs(mail.pdf_text)]
    first: dict[str, MatchedBy] = {}
    for ref, matched_by in found:
        first.setdefault(ref, matched_by)
    return list(first.items())[:MAX_REFS_LOOKED_UP]


@dataclass(frozen=True)
class Filing:
    """Where a received mail goes: a task (``matched_by`` says how) or the tray (``reason``)."""

    task: ConfirmationTask | None = None
    matched_by: MatchedBy | None = None
    reason: str = ""


def _address(text: str) -> str:
    return text.strip().strip("<>").strip().lower()


def _domain(address: str) -> str:
    return address.rpartition("@")[2] if "@" in address else ""


def hotel_addresses(contact: HotelContact | None) -> list[str]:
    """The addresses on file for a hotel (its ``email`` may list several)."""
    if contact is None or not contact.email:
        return []
    return [_address(a) for a in _ADDRESS_SEPARATORS.split(contact.email) if "@" in a]


def sender_on_file(senders: list[str], on_file: list[str], fax_gateway_domain: str) -> bool:
    """Whether any sender is one the hotel writes from (issue 14).

    An address on file matches exactly (case-insensitively); any address at the same domain
    matches too (a reply comes from whichever colleague is at the front desk), except at a
    public mail provider (163.com, qq.com …), where the domain says nothing about who writes.
    A fax-to-email comes from the fax gateway's domain (any address there: its format does
    not reliably carry the sending fax number). ``senders`` are the From header's address and
    the envelope sender; either may match. Neither is authenticated (no SPF/DKIM check here):
    this keeps misdirected mail off a booking, it does not stop a forger."""
    on_file_domains = {_domain(a) for a in on_file} - PUBLIC_MAIL_DOMAINS - {""}
    gateway = fax_gateway_domain.strip().lower()
    for sender in filter(None, map(_address, senders)):
        domain = _domain(sender)
        if sender in on_file or domain in on_file_domains or (gateway and domain == gateway):
            return True
    return False


def several_refs_reason(refs: list[str]) -> str:
    return f"邮件提到多个订单 / The mail names several bookings: {', '.join(refs)}"


def sender_reason(senders: list[str], ref: str, on_file: list[str]) -> str:
    shown = ", ".join(dict.fromkeys(filter(None, map(_address, senders)))) or "(no sender)"
    known = ", ".join(on_file) or "no email on file"
    return (
        f"发件人不是该酒店登记的地址 / Sender not on file for this hotel: {shown}"
        f" (booking {ref}; the hotel's address: {known})"
    )


async def decide_filing(
    session: AsyncSession, mail: ParsedMail, senders: list[str], fax_gateway_domain: str
) -> Filing:
    """The task a mail is filed on, or why it waits in the tray (CF-4, issue 14): it must
    name exactly one booking we have, and come from an address on file for its hotel."""
    candidates = _ref_candidates(mail)
    known: set[str] = set()
    if candidates:
        known = set(
            await session.scalars(
                select(ConfirmationTask.booking_ref)
                .where(ConfirmationTask.booking_ref.in_([ref for ref, _ in candidates]))
                .distinct()
            )
        )
    ours = [(ref, matched_by) for ref, matched_by in candidates if ref in known]
    if not ours:
        return Filing(reason=NO_REF_REASON)
    if len(ours) > 1:
        return Filing(reason=several_refs_reason([ref for ref, _ in ours]))
    ref, matched_by = ours[0]
    task = await task_for_ref(session, ref)
    if task is None:  # gone since the look-up above
        return Filing(reason=NO_REF_REASON)
    on_file = hotel_addresses(await session.get(HotelContact, task.hotel_id))
    if not sender_on_file(senders, on_file, fax_gateway_domain):
        return Filing(reason=sender_reason(senders, ref, on_file))
    return Filing(task=task, matched_by=matched_by)


async def store_reply(
    session: AsyncSession,
    *,
    raw: bytes,
    mail: ParsedMail,
    mail_from: str,
    rcpt_tos: list[str],
    received_at: datetime,
    fax_gateway_domain: str = "",
) -> HotelReply | None:
    """Keep one received mail and its attachments, filed to its task if it names exactly one
    of our bookings and comes from its hotel, else in the tray with the reason (CF-4, issue
    14). None, and nothing stored, for a Message-ID we already keep (a second delivery)."""
    if mail.message_id is not None and await session.scalar(
        select(HotelReply.reply_id).where(HotelReply.message_id == mail.message_id)
    ):
        return None
    filing = await decide_filing(session, mail, [mail.from_address, mail_from], fax_gateway_domain)
    task = filing.task
    values = {
        "reply_id": uuid.uuid4(),
        "received_at": received_at,
        "mail_from": clean_text(mail_from, ADDRESS_MAX_CHARS, one_line=True),
        "rcpt_to": clean_text(", ".join(rcpt_tos), RCPT_MAX_CHARS, one_line=True),
        "subject": mail.subject,
        "body_text": mail.body_text,
        "message_id": mail.message_id,
        "raw": raw,
        "task_id": task.task_id if task else None,
        "booking_ref": task.booking_ref if task else None,
        "matched_by": filing.matched_by,
        "matched_at": received_at if task else None,
        "unmatched_reason": filing.reason,
    }
    # Two deliveries of one mail at once: the unique index keeps the first, the other stores
    # nothing (and is answered 250 all the same).
    inserted = await session.scalar(
        insert(HotelReply)
        .values(**values)
        .on_conflict_do_nothing(
            index_elements=[HotelReply.message_id],
            index_where=HotelReply.message_id.is_not(None),
        )
        .returning(HotelReply.reply_id)
    )
    if inserted is None:
        return None
    session.add_all(
        ReplyAttachment(
            reply_id=inserted,
            filename=attachment.filename,
            content_type=attachment.content_type,
            size_bytes=len(attachment.content),
            content=attachment.content,
        )
        for attachment in mail.attachments
    )
    await session.flush()
    return HotelReply(**values)


def envelope_bytes(envelope: Envelope) -> bytes:
    """The mail as it came off the wire (we never ask aiosmtpd to decode it)."""
    if envelope.original_content is not None:
        return envelope.original_content
    content = envelope.content or b""
    return content if isinstance(content, bytes) else content.encode("utf-8", "surrogateescape")


class InboundHandler:
    """aiosmtpd handler: every mail to any recipient is a reply for the desk."""

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], fax_gateway_domain: str = ""
    ) -> None:
        self.sessionmaker = sessionmaker
        self.fax_gateway_domain = fax_gateway_domain

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope_bytes(envelope)
        # Parsing (and reading PDFs) is CPU work: keep it off the loop the web app shares.
        mail = await asyncio.to_thread(parse_mail, raw)
        try:
            async with unit_of_work(self.sessionmaker) as db:
                reply = await store_reply(
                    db,
                    raw=raw,
                    mail=mail,
                    mail_from=envelope.mail_from or "",
                    rcpt_tos=list(envelope.rcpt_tos),
                    received_at=clock.now(),
                    fax_gateway_domain=self.fax_gateway_domain,
                )
        except Exception as exc:
            # Any failure to keep the mail is temporary for the sender: it retries later.
            # The class only: a database error's text may quote the mail, personal data.
            log.error("inbound_mail_not_stored", error=exc.__class__.__name__, size_bytes=len(raw))
            return "451 try again later"
        if reply is None:
            # Sent again (a retry after a lost 250, or the hotel pressing send twice): we
            # keep the first; answering 250 stops the sender's server retrying.
            log.info("inbound_mail_duplicate", size_bytes=len(raw))
            return "250 OK"
        log.info(
            "inbound_mail_stored",
            reply_id=str(reply.reply_id),
            booking_ref=reply.booking_ref,
            matched_by=reply.matched_by,
            unmatched=bool(reply.unmatched_reason),
            attachments=len(mail.attachments),
            attachments_left_out=mail.attachments_left_out,
            size_bytes=len(raw),
        )
        return "250 OK"


def smtp_factory(
    settings: ConfirmationSettings, sessionmaker: async_sessionmaker[AsyncSession]
) -> Any:
    handler = InboundHandler(sessionmaker, settings.fax_gateway_domain)

    def make() -> SMTP:
        return SMTP(
            handler,
            data_size_limit=settings.inbound_max_bytes,
            # Chinese mail servers may use UTF-8 addresses.
            enable_SMTPUTF8=True,
            # Named here: the default asks the resolver for our FQDN, which can hang.
            hostname=settings.mail_from.rpartition("@")[2] or "roomline",
            ident="roomline inbound",
        )

    return make


async def start_inbound_server(
    settings: ConfirmationSettings, sessionmaker: async_sessionmaker[AsyncSession]
) -> asyncio.base_events.Server:
    """Listen for mail on ``inbound_smtp_host:inbound_smtp_port`` in the running loop; the
    caller closes the returned server."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        smtp_factory(settings, sessionmaker),
        host=settings.inbound_smtp_host,
        port=settings.inbound_smtp_port,
    )
    log.info(
        "inbound_smtp_listening",
        host=settings.inbound_smtp_host,
        port=settings.inbound_smtp_port,
        max_bytes=settings.inbound_max_bytes,
    )
    return server
