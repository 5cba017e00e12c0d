"""How an order sheet or a customer's confirmation leaves the building (CF-1, CF-6).

Every channel picks a transport from ``ConfirmationSettings``:

- ``smtp`` (email): an RFC 5322 message built with ``email.message.EmailMessage``, the PDF
  attached as ``application/pdf``, sent with aiosmtplib to ``smtp_host:smtp_port`` (STARTTLS
  and login when configured). The Message-ID is ours, so the hotel's reply can be matched.
- ``fax_gateway`` (fax): the same mail to ``<digits of the fax number>@<fax_gateway_domain>``;
  email-to-fax gateways print the PDF attachment as the fax's pages.
- ``hylafax`` (fax): ``<sendfax_command> -n -d <number> <pdf file>``; a non-zero exit is a
  failure carrying sendfax's own words.
- ``folder`` (email, fax, sms; the development default): writes
  ``<outbox_dir>/<yyyy-mm-dd>/<booking_ref>-<dispatch id>.eml`` (the whole MIME message with its
  attachment) or, for an SMS, a ``.txt`` with the number and the text.

Every failure is a ``SendFailed`` whose reason a desk user can read and act on.
"""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import tempfile
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Protocol

import aiosmtplib

from services.confirmation.settings import ConfirmationSettings
from shared.clock import clock

# sendfax prints "request id is 42 (group id 42) for host localhost (1 file)".
_SENDFAX_JOB_RE = re.compile(r"request id is (\d+)")


class SendFailed(Exception):
    """A send that did not happen, with a reason the desk can read (shown on the task)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Message:
    """One document to one address. ``reference`` (booking ref and dispatch id) names the
    file the folder transport writes; ``message_id`` is kept on the dispatch (CF-4)."""

    to: str
    subject: str
    body: str
    message_id: str
    reference: str
    attachment: bytes | None = None
    attachment_name: str | None = None
    attachment_type: str = "application/pdf"


class Transport(Protocol):
    name: str

    async def send(self, message: Message) -> str:
        """Send ``message``; returns the id the far side knows it by. Raises SendFailed."""
        ...


def mime_message(message: Message, *, mail_from: str, to: str | None = None) -> EmailMessage:
    """The message as RFC 5322 mail with the document attached."""
    mail = EmailMessage()
    mail["From"] = mail_from
    mail["To"] = to or message.to
    mail["Subject"] = message.subject
    mail["Date"] = format_datetime(clock.now())
    mail["Message-ID"] = message.message_id
    mail.set_content(message.body)
    if message.attachment is not None:
        maintype, _, subtype = message.attachment_type.partition("/")
        mail.add_attachment(
            message.attachment,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=message.attachment_name or "document.pdf",
        )
    return mail


def fax_digits(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())


def dial_string(number: str) -> str:
    """A fax number for sendfax: digits, keeping a leading + (HylaFAX's dial rules turn a
    canonical +number into what the local exchange needs)."""
    digits = fax_digits(number)
    return f"+{digits}" if number.strip().startswith("+") else digits


class SmtpTransport:
    """Mail through the SMTP relay (or, as a fax gateway, to ``<digits>@<domain>``)."""

    name = "smtp"

    def __init__(self, settings: ConfirmationSettings, *, who: str = "mail server") -> None:
        self.settings = settings
        self.who = who

    def recipient(self, message: Message) -> str:
        return message.to

    async def send(self, message: Message) -> str:
        settings = self.settings
        recipient = self.recipient(message)
        mail = mime_message(message, mail_from=settings.mail_from, to=recipient)
        try:
            await aiosmtplib.send(
                mail,
                sender=settings.mail_from,
                recipients=[recipient],
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username or None,
                password=settings.smtp_password or None,
                start_tls=settings.smtp_starttls,
                timeout=settings.smtp_timeout_seconds,
            )
        except aiosmtplib.SMTPException as exc:
            raise SendFailed(self._reason(exc, recipient)) from exc
        except OSError as exc:  # refused connection, unreachable host
            raise SendFailed(f"could not reach the {self.who} at {self._where}: {exc}") from exc
        return message.message_id

    @property
    def _where(self) -> str:
        return f"{self.settings.smtp_host}:{self.settings.smtp_port}"

    def _reason(self, exc: aiosmtplib.SMTPException, recipient: str) -> str:
        if isinstance(exc, aiosmtplib.SMTPTimeoutError):
            seconds = f"{self.settings.smtp_timeout_seconds:g}"
            return f"timed out after {seconds} s talking to the {self.who} at {self._where}"
        if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
            refused = exc.recipients[0]
            return f"{self.who} refused {recipient}: {refused.code} {refused.message}"
        if isinstance(exc, aiosmtplib.SMTPResponseException):
            return f"{self.who} refused: {exc.code} {exc.message}"
        if isinstance(exc, aiosmtplib.SMTPConnectError):
            return f"could not reach the {self.who} at {self._where}: {exc}"
        return f"{self.who} error: {exc}"


class FaxGatewayTransport(SmtpTransport):
    """Email-to-fax: the gateway dials the number in the address and prints the PDF."""

    name = "fax_gateway"

    def __init__(self, settings: ConfirmationSettings) -> None:
        super().__init__(settings, who="fax gateway")

    def recipient(self, message: Message) -> str:
        digits = fax_digits(message.to)
        if not digits:
            raise SendFailed(f"no fax number in {message.to!r}")
        return f"{digits}@{self.settings.fax_gateway_domain}"


class HylafaxTransport:
    """A HylaFAX spool: ``sendfax -n -d <number> <pdf>`` (-n: no cover page)."""

    name = "hylafax"

    def __init__(self, settings: ConfirmationSettings) -> None:
        self.settings = settings

    async def send(self, message: Message) -> str:
        if message.attachment is None:
            raise SendFailed("a fax needs a document to send")
        with tempfile.TemporaryDirectory(prefix="roomline-fax-") as folder:
            pdf = Path(folder) / (message.attachment_name or "order.pdf")
            pdf.write_bytes(message.attachment)
            stdout = await self._run(dial_string(message.to), pdf)
        found = _SENDFAX_JOB_RE.search(stdout)
        return f"hylafax:{found.group(1)}" if found else message.message_id

    async def _run(self, number: str, pdf: Path) -> str:
        command = [*shlex.split(self.settings.sendfax_command), "-n", "-d", number, str(pdf)]
        try:
            process = await asyncio.create_subprocess_exec(
                *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
            )
        except OSError as exc:
            raise SendFailed(f"could not run {command[0]}: {exc}") from exc
        try:
            async with asyncio.timeout(self.settings.sendfax_timeout_seconds):
                out, err = await process.communicate()
        except TimeoutError as exc:
            process.kill()
            await process.wait()
            seconds = f"{self.settings.sendfax_timeout_seconds:g}"
            raise SendFailed(f"sendfax did not finish within {seconds} s") from exc
        if process.returncode != 0:
            said = err.decode(errors="replace").strip() or out.decode(errors="replace").strip()
            raise SendFailed(f"sendfax failed (exit {process.returncode}): {said[:300]}")
        return out.decode(errors="replace")


class FolderTransport:
    """Development and fallback: the message as a file under ``outbox_dir``, by date."""

    name = "folder"

    def __init__(self, settings: ConfirmationSettings, *, channel: str) -> None:
        self.settings = settings
        self.channel = channel

    async def send(self, message: Message) -> str:
        folder = Path(self.settings.outbox_dir) / clock.today().isoformat()
        if self.channel == "sms":
            path = folder / f"{message.reference}.txt"
            content = f"To: {message.to}\n\n{message.body}\n".encode()
        else:
            path = folder / f"{message.reference}.eml"
            content = bytes(mime_message(message, mail_from=self.settings.mail_from))
        try:
            await asyncio.to_thread(_write_whole, path, content)
        except OSError as exc:
            raise SendFailed(f"could not write {path}: {exc}") from exc
        return message.message_id


def _write_whole(path: Path, content: bytes) -> None:
    """Write then rename, so whoever watches the folder never picks up half a message."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".part")
    partial.write_bytes(content)
    os.replace(partial, path)


def transport_name(channel: str, settings: ConfirmationSettings) -> str:
    """Which transport ``settings`` choose for a channel (email, fax or sms)."""
    names = {
        "email": settings.email_transport,
        "fax": settings.fax_transport,
        "sms": settings.sms_transport,
    }
    if channel not in names:
        raise ValueError(f"no transport for channel {channel!r}")
    return names[channel]


def transport_for(channel: str, settings: ConfirmationSettings) -> Transport:
    name = transport_name(channel, settings)
    if name == "smtp":
        return SmtpTransport(settings)
    if name == "fax_gateway":
        return FaxGatewayTransport(settings)
    if name == "hylafax":
        return HylafaxTransport(settings)
    return FolderTransport(settings, channel=channel)
