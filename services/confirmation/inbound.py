"""Our own SMTP server for hotels' replies and faxes-to-email (CF-4).

Every mail is kept, raw, with its text and attachments, and matched to its confirmation task
by the booking ref in its subject, else its text, else the text of its PDF attachments. A
mail without a ref we know waits in the unmatched tray for the desk to file it.

The server runs inside our own asyncio loop (``start_inbound_server``), so the all-in-one
process (``workers.run``), its own entry point (``workers.smtp_inbound``) and the tests share
one code path. A mail is answered ``250`` only once its row is committed; a database failure
answers ``451`` so the sender's server keeps the mail and tries again: nothing is lost
silently. Mails over ``inbound_max_bytes`` get ``552`` from aiosmtpd itself.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Any, Literal

from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.confirmation.mail_parsing import ParsedMail, booking_refs, clean_text, parse_mail
from services.confirmation.models import ConfirmationTask, HotelReply, ReplyAttachment
from services.confirmation.settings import ConfirmationSettings
from shared.clock import clock
from shared.db import unit_of_work
from shared.observability import get_logger

log = get_logger("confirmation.inbound")

MatchedBy = Literal["subject", "body"]
# A reply belongs to the task the desk is still waiting on; only if none is open does it go
# to the booking's latest task (a late answer to a confirmed change, say).
WAITING_STATES = ("unsent", "sending", "sent")


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
    fax-to-email)."""
    found: list[tuple[str, MatchedBy]] = [(ref, "subject") for ref in booking_refs(mail.subject)]
    found += [(ref, "body") for ref in booking_refs(mail.body_text)]
    found += [(ref, "body") for ref in booking_refs(mail.pdf_text)]
    return found


async def match_task(
    session: AsyncSession, mail: ParsedMail
) -> tuple[ConfirmationTask, MatchedBy] | None:
    """The first ref in the mail that names a booking we have, with where it was found."""
    tried: set[str] = set()
    for ref, matched_by in _ref_candidates(mail):
        if ref in tried:
            continue
        tried.add(ref)
        task = await task_for_ref(session, ref)
        if task is not None:
            return task, matched_by
    return None


async def store_reply(
    session: AsyncSession,
    *,
    raw: bytes,
    mail: ParsedMail,
    mail_from: str,
    rcpt_tos: list[str],
    received_at: datetime,
) -> HotelReply:
    """Keep one received mail and its attachments, matched to its task if we can (CF-4)."""
    matched = await match_task(session, mail)
    task, matched_by = matched if matched else (None, None)
    reply = HotelReply(
        reply_id=uuid.uuid4(),
        received_at=received_at,
        mail_from=clean_text(mail_from)[:320],
        rcpt_to=clean_text(", ".join(rcpt_tos)),
        subject=mail.subject,
        body_text=mail.body_text,
        message_id=mail.message_id,
        raw=raw,
        task_id=task.task_id if task else None,
        booking_ref=task.booking_ref if task else None,
        matched_by=matched_by,
        matched_at=received_at if task else None,
    )
    session.add(reply)
    # The attachments reference the reply: flush it first (no relationship to order them).
    await session.flush()
    session.add_all(
        ReplyAttachment(
            reply_id=reply.reply_id,
            filename=attachment.filename,
            content_type=attachment.content_type,
            size_bytes=len(attachment.content),
            content=attachment.content,
        )
        for attachment in mail.attachments
    )
    await session.flush()
    return reply


def envelope_bytes(envelope: Envelope) -> bytes:
    """The mail as it came off the wire (we never ask aiosmtpd to decode it)."""
    if envelope.original_content is not None:
        return envelope.original_content
    content = envelope.content or b""
    return content if isinstance(content, bytes) else content.encode("utf-8", "surrogateescape")


class InboundHandler:
    """aiosmtpd handler: every mail to any recipient is a reply for the desk."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker

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
                )
        except Exception as exc:
            # Any failure to keep the mail is temporary for the sender: it retries later.
            # The class only: a database error's text may quote the mail, personal data.
            log.error("inbound_mail_not_stored", error=exc.__class__.__name__, size_bytes=len(raw))
            return "451 try again later"
        log.info(
            "inbound_mail_stored",
            reply_id=str(reply.reply_id),
            booking_ref=reply.booking_ref,
            matched_by=reply.matched_by,
            attachments=len(mail.attachments),
            size_bytes=len(raw),
        )
        return "250 OK"


def smtp_factory(
    settings: ConfirmationSettings, sessionmaker: async_sessionmaker[AsyncSession]
) -> Any:
    handler = InboundHandler(sessionmaker)

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
