"""A real inbound SMTP server on loopback for tests, and reading back what it stored (CF-4)."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import aiosmtplib
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.confirmation.inbound import start_inbound_server
from services.confirmation.models import HotelReply, ReplyAttachment
from services.confirmation.settings import ConfirmationSettings
from shared.embedded import free_port

Sessionmaker = async_sessionmaker[AsyncSession]
HOTEL = "reservations@peace-hotel.example"
DESK_ADDRESS = "replies@roomline.example"


@asynccontextmanager
async def inbound_server(sessionmaker: Sessionmaker, **overrides: Any) -> AsyncIterator[int]:
    """Our SMTP server on a free loopback port in this test's loop; yields the port."""
    settings = ConfirmationSettings(
        inbound_smtp_host="127.0.0.1", inbound_smtp_port=free_port(), **overrides
    )
    server = await start_inbound_server(settings, sessionmaker)
    try:
        yield settings.inbound_smtp_port
    finally:
        server.close()
        await server.wait_closed()


def hotel_mail(
    subject: str, body: str = "", *, sender: str = HOTEL, message_id: str | None = None
) -> EmailMessage:
    """A mail as the hotel writes it; each one its own Message-ID unless one is given (a
    mail sent twice keeps its Message-ID, and is stored once: issue 14)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = DESK_ADDRESS
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="peace-hotel.example")
    message.set_content(body or "Dear colleague,\nplease see attached.\n")
    return message


async def send(port: int, message: EmailMessage | bytes, *, sender: str = HOTEL) -> Any:
    """Send as a hotel's mail server does; returns aiosmtplib's (responses, message)."""
    return await aiosmtplib.send(
        message,
        hostname="127.0.0.1",
        port=port,
        sender=sender,
        recipients=[DESK_ADDRESS],
        start_tls=False,
        use_tls=False,
        timeout=30,
    )


async def stored_replies(sessionmaker: Sessionmaker) -> list[HotelReply]:
    async with sessionmaker() as session:
        return list(await session.scalars(select(HotelReply).order_by(HotelReply.received_at)))


async def stored_attachments(
    sessionmaker: Sessionmaker, reply_id: object
) -> dict[str, ReplyAttachment]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(ReplyAttachment).where(ReplyAttachment.reply_id == reply_id)
        )
        return {row.filename: row for row in rows}


async def audit_actions(sessionmaker: Sessionmaker, entity_id: object) -> list[tuple[str, str]]:
    async with sessionmaker() as session:
        rows = await session.execute(
            text(
                "SELECT actor, action FROM confirmation.audit_log"
                " WHERE entity = 'reply' AND entity_id = :id ORDER BY audit_id"
            ),
            {"id": str(entity_id)},
        )
        return [(row.actor, row.action) for row in rows]


async def wait_for_port(port: int, seconds: float = 60) -> None:
    """Until something listens on the loopback port (a server process starting up)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        await asyncio.sleep(0.2)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port}")


def pdf_saying(words: str) -> bytes:
    """A real PDF with ``words`` as text, made the way our order sheets are (WeasyPrint)."""
    from weasyprint import HTML

    return bytes(HTML(string=f"<p>{words}</p>").write_pdf())
