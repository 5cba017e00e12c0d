"""Real SMTP servers on loopback for the sending tests: one that records what it receives,
one that refuses (a 550 at RCPT, or a 451 at DATA, for the first N tries or always), and one
that accepts the connection and never says a word (the client's timeout)."""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from shared.embedded import free_port


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    def attachments(self) -> list[tuple[str, str, bytes]]:
        """(filename, content type, bytes) of each attachment."""
        return [
            (part.get_filename() or "", part.get_content_type(), part.get_payload(decode=True))
            for part in self.message.iter_attachments()
        ]


class RecordingHandler:
    """aiosmtpd handler: records each accepted message; refuses as configured.

    ``refuse`` is the reply ("550 mailbox unavailable"), ``at`` where ("rcpt" or "data"),
    ``times`` how many tries are refused before it accepts (None: always).
    """

    def __init__(self, refuse: str | None = None, at: str = "rcpt", times: int | None = None):
        self.refuse, self.at, self.times_left = refuse, at, times
        self.messages: list[Received] = []
        self.refusals = 0
        self._lock = threading.Lock()

    def _refusal(self, stage: str) -> str | None:
        with self._lock:
            if self.refuse is None or stage != self.at:
                return None
            if self.times_left is not None:
                if self.times_left <= 0:
                    return None
                self.times_left -= 1
            self.refusals += 1
            return self.refuse

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        refused = self._refusal("rcpt")
        if refused:
            return refused
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        refused = self._refusal("data")
        if refused:
            return refused
        raw = envelope.original_content or envelope.content
        with self._lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), raw))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: RecordingHandler

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages


@contextmanager
def smtp_server(
    refuse: str | None = None, *, at: str = "rcpt", times: int | None = None
) -> Iterator[SmtpServer]:
    """An aiosmtpd server on a free loopback port (its own thread and loop)."""
    handler = RecordingHandler(refuse, at, times)
    port = free_port()
    # decode_data=False keeps the raw bytes, so the attachment is checked byte for byte.
    controller = Controller(handler, hostname="127.0.0.1", port=port, decode_data=False)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, handler)
    finally:
        controller.stop()


@asynccontextmanager
async def silent_server() -> AsyncIterator[int]:
    """A TCP server that accepts and never answers: an SMTP client waits for the greeting
    until its timeout. Yields the port."""
    held: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = int(server.sockets[0].getsockname()[1])
    try:
        yield port
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()
