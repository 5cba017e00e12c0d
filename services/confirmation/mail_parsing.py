"""Reading a hotel's reply mail: subject, text, attachments, and the booking ref (CF-4).

Hotels in China write from every mail client there is: subjects come RFC 2047-encoded in
GB2312 (often really GBK), UTF-8, or as raw 8-bit bytes; bodies come as text/plain or only as
HTML; a fax-to-email gateway sends a scan as a PDF with next to no text. Everything here is
best effort and never raises on a malformed mail: the mail is kept whatever we make of it.
"""

from __future__ import annotations

import io
import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.header import decode_header
from email.message import EmailMessage, Message
from email.utils import getaddresses
from html.parser import HTMLParser

from shared.booking_refs import find_booking_refs
from shared.observability import get_logger

log = get_logger("confirmation.inbound")

# Mail that says GB2312 is very often GBK; GB18030 decodes both (and is a superset).
_CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030"}
# PDFs are read for a ref only this far: a scanned fax has its ref on the first page.
PDF_PAGES_READ = 5
PREVIEW_LINES = 3

# Issue 14: what one mail may put into our tables, whatever it carries (the raw mail is kept
# whole, so nothing cut here is lost: the desk can download the .eml). The mail as a whole is
# bounded by ``inbound_max_bytes`` (552 from aiosmtpd).
SUBJECT_MAX_CHARS = 500
BODY_MAX_CHARS = 100_000
ADDRESS_MAX_CHARS = 320
RCPT_MAX_CHARS = 1_000
MESSAGE_ID_MAX_CHARS = 300
FILENAME_MAX_CHARS = 300
PREVIEW_MAX_CHARS = 400
# Attachments beyond these stay only in the raw mail.
MAX_ATTACHMENTS = 30
MAX_ATTACHMENT_BYTES = 15 * 1024 * 1024
# Only this many PDFs are read for a ref, and only this much of their text is searched.
PDFS_READ = 5
PDF_TEXT_MAX_CHARS = 100_000
# C0 controls but tab and newline, DEL, and C1 controls: PostgreSQL text cannot hold NUL,
# and the others only garble the desk's pages (or hide text in them). Each is replaced by a
# visible stand-in, so the desk sees that the mail carried something there (the raw mail
# keeps the original): its Unicode control picture (NUL as "␀", ESC as "␛", DEL as "␡"), or
# "\ufffd" for a C1 control, which has none.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# What ends a text cut at its limit, so nobody takes the stored text for the whole of it.
TRUNCATION_MARK = "…[truncated]"
_LINE_BREAKS = re.compile(r"\r\n?")
_ONE_LINE_SPACE = re.compile(r"[\t\n]+")


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    content: bytes


@dataclass
class ParsedMail:
    subject: str = ""
    body_text: str = ""
    message_id: str | None = None
    # The address in the From header (the envelope sender is the handler's to read).
    from_address: str = ""
    attachments: list[ParsedAttachment] = field(default_factory=list)
    # Attachments found beyond MAX_ATTACHMENTS or over MAX_ATTACHMENT_BYTES (not stored).
    attachments_left_out: int = 0
    # Text of the PDF attachments, for matching only (not stored).
    pdf_text: str = ""


def _control_picture(found: re.Match[str]) -> str:
    code = ord(found.group())
    if code < 0x20:
        return chr(0x2400 + code)
    return "\u2421" if code == 0x7F else "\ufffd"


def clean_text(text: str, limit: int | None = None, *, one_line: bool = False) -> str:
    """Text PostgreSQL will store: no NUL or other control characters (a NUL would fail the
    insert, and the sender would retry a mail we can never keep; each is shown as its control
    picture instead), no lone surrogates, line breaks as ``\\n`` (or spaces, ``one_line``),
    and at most ``limit`` characters, a cut text ending in TRUNCATION_MARK (issue 14)."""
    text = _LINE_BREAKS.sub("\n", text)
    if one_line:
        text = _ONE_LINE_SPACE.sub(" ", text)
    text = _CONTROL.sub(_control_picture, text)
    text = text.encode("utf-8", errors="replace").decode("utf-8")
    if limit is not None and len(text) > limit:
        kept = max(0, limit - len(TRUNCATION_MARK))
        return (text[:kept] + TRUNCATION_MARK)[:limit]
    return text


def decode_bytes(raw: bytes, charset: str | None) -> str:
    """Bytes in a declared charset (or none); a wrong or unknown charset never raises."""
    name = _CHARSET_ALIASES.get((charset or "").lower(), charset or "")
    if name and name.lower() not in {"unknown-8bit", "us-ascii", "ascii"}:
        try:
            return raw.decode(name, errors="replace")
        except LookupError:
            pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # Undeclared 8-bit text from a Chinese mail client is GBK far more often than Latin-1.
        return raw.decode("gb18030", errors="replace")


def _undo_surrogates(text: str) -> str:
    """A header parsed from bytes keeps undeclared 8-bit bytes as surrogates; decode them."""
    if not any("\udc80" <= char <= "\udcff" for char in text):
        return text
    return decode_bytes(text.encode("utf-8", errors="surrogateescape"), None)


def decode_header_text(raw: str | None) -> str:
    """A header value with RFC 2047 words (or raw 8-bit bytes) as plain text, unfolded."""
    if not raw:
        return ""
    unfolded = re.sub(r"\r?\n[ \t]*", " ", str(raw))
    try:
        chunks = decode_header(unfolded)
    except Exception:  # a malformed encoded word: show the header as it came
        return _undo_surrogates(unfolded).strip()
    parts = [
        _undo_surrogates(chunk) if isinstance(chunk, str) else decode_bytes(chunk, charset)
        for chunk, charset in chunks
    ]
    return "".join(parts).strip()


class _TextOfHtml(HTMLParser):
    """HTML to readable text: script and style dropped, blocks on their own lines."""

    BLOCKS = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "table", "hr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "head"}:
            self._skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "head"}:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self.BLOCKS or tag == "td":
            self.parts.append("\n" if tag != "td" else " ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextOfHtml()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # HTMLParser is lenient; this is belt and braces for odd input
        return re.sub(r"<[^>]+>", " ", html)
    lines = (re.sub(r"[ \t\xa0]+", " ", line).strip() for line in "".join(parser.parts).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    # Lines end in CRLF on the wire; the desk's pages and searches want plain newlines.
    text = decode_bytes(payload, part.get_content_charset()).replace("\r\n", "\n")
    return html_to_text(text) if part.get_content_type() == "text/html" else text.strip()


def _body_part(message: EmailMessage) -> Message | None:
    try:
        return message.get_body(preferencelist=("plain", "html"))
    except Exception:
        return None


def _filename(part: Message, index: int) -> str:
    raw = part.get_filename()
    name = decode_header_text(raw) if raw else ""
    if not name:
        extension = mimetypes.guess_extension(part.get_content_type()) or ".bin"
        name = f"attachment-{index}{extension}"
    return clean_text(name, FILENAME_MAX_CHARS, one_line=True)


def _leaves(part: Message) -> Iterator[Message]:
    """The parts a mail is made of; an attached mail counts as one part, not its insides."""
    if part.get_content_type() == "message/rfc822" or not part.is_multipart():
        yield part
        return
    for sub in part.get_payload():
        if isinstance(sub, Message):
            yield from _leaves(sub)


def _is_attachment(part: Message, body: Message | None) -> bool:
    if part is body:
        return False
    disposition = (part.get_content_disposition() or "").lower()
    if disposition == "attachment" or part.get_filename():
        return True
    # Unnamed text parts are the other alternatives of the body; anything else (an inline
    # scan, an attached mail) is a document the desk may need.
    return part.get_content_maintype() != "text"


def _attachment_bytes(part: Message) -> bytes:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        return inner.as_bytes() if isinstance(inner, Message) else b""
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _attachments(message: EmailMessage, body: Message | None) -> tuple[list[ParsedAttachment], int]:
    """The attachments we store (at most MAX_ATTACHMENTS, each at most MAX_ATTACHMENT_BYTES)
    and how many were left out (they stay in the raw mail)."""
    kept: list[ParsedAttachment] = []
    left_out = 0
    parts = (part for part in _leaves(message) if _is_attachment(part, body))
    for index, part in enumerate(parts, start=1):
        if len(kept) >= MAX_ATTACHMENTS:
            left_out += 1
            continue
        content = _attachment_bytes(part)
        if len(content) > MAX_ATTACHMENT_BYTES:
            left_out += 1
            continue
        kept.append(
            ParsedAttachment(
                filename=_filename(part, index),
                content_type=clean_text(part.get_content_type(), 120, one_line=True),
                content=content,
            )
        )
    return kept, left_out


def is_pdf(attachment: ParsedAttachment) -> bool:
    return attachment.content_type == "application/pdf" or attachment.filename.lower().endswith(
        ".pdf"
    )


def pdf_text(content: bytes) -> str:
    """The text of a PDF's first pages; "" for a scan without text or a broken file."""
    from pypdf import PdfReader  # imported here: only mails with PDFs pay for it

    try:
        reader = PdfReader(io.BytesIO(content))
        pages = reader.pages[:PDF_PAGES_READ]
        return "\n".join(page.extract_text() or "" for page in pages)
    except Exception as exc:  # pypdf raises many kinds on broken files; the mail still counts
        log.info("inbound_pdf_unreadable", error=exc.__class__.__name__)
        return ""


def parse_mail(raw: bytes) -> ParsedMail:
    """Everything the desk reads from a mail; never raises (a mail that cannot be parsed is
    still kept, raw, with an empty text)."""
    try:
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        raw_headers = dict((name.lower(), value) for name, value in message.raw_items())
        body = _body_part(message)
        attachments, left_out = _attachments(message, body)
        body_text = _part_text(body) if body is not None else ""
    except Exception as exc:
        log.warning("inbound_mail_unparsable", error=exc.__class__.__name__)
        return ParsedMail()
    message_id = clean_text(
        decode_header_text(raw_headers.get("message-id")), MESSAGE_ID_MAX_CHARS, one_line=True
    ).strip()
    pdfs = [a for a in attachments if is_pdf(a)][:PDFS_READ]
    return ParsedMail(
        subject=clean_text(
            decode_header_text(raw_headers.get("subject")), SUBJECT_MAX_CHARS, one_line=True
        ),
        body_text=clean_text(body_text, BODY_MAX_CHARS),
        message_id=message_id or None,
        from_address=header_address(raw_headers.get("from")),
        attachments=attachments,
        attachments_left_out=left_out,
        pdf_text="\n".join(pdf_text(a.content) for a in pdfs)[:PDF_TEXT_MAX_CHARS],
    )


def header_address(raw: str | None) -> str:
    """The first address in a From header (``Name <addr>``), or ""; never raises."""
    if not raw:
        return ""
    try:
        found = [address for _, address in getaddresses([decode_header_text(raw)]) if address]
    except Exception:
        return ""
    return clean_text(found[0], ADDRESS_MAX_CHARS, one_line=True).strip() if found else ""


def booking_refs(text: str) -> list[str]:
    """The booking refs in ``text``, first seen first, upper-cased, without repeats."""
    return find_booking_refs(text)


# CF-4: the hotel's confirmation number, as hotels write it: "确认号：HC-77812", "确认号码为
# 123456", "Confirmation No. 8812", "Conf# AB12", "our number HC-77812". Only a label we know
# counts (a bare number could be a phone, a price or a date); the desk accepts it or types
# another. Numbers are 3-40 of letters, digits, "-" and "/", with at least one digit.
_NUMBER_LABEL = re.compile(
    r"(?:确认(?:号码|编号|单号|号|码)"
    r"|\b(?:hotel\s+)?conf(?:irmation)?\.?\s*(?:no\.?|number|num\.?|code|#)"
    r"|\bour\s+(?:number|no\.?|ref(?:erence)?(?:\s+no\.?)?))"
    r"\s*(?:is\b|:|：|为|是|=|#)?\s*"
    r"(?P<number>[A-Za-z0-9][A-Za-z0-9/-]{2,39})",
    re.IGNORECASE,
)
NUMBERS_OFFERED = 3


def confirmation_numbers(*texts: str) -> list[str]:
    """The hotel's confirmation numbers a reply names (CF-4), first seen first, without
    repeats and never one of our own booking refs; at most NUMBERS_OFFERED."""
    found: list[str] = []
    for text in texts:
        ours = set(find_booking_refs(text))
        for match in _NUMBER_LABEL.finditer(text):
            number = match.group("number").strip("-/")
            if number.upper() in ours or not any(char.isdigit() for char in number):
                continue
            if number not in found:
                found.append(number)
    return found[:NUMBERS_OFFERED]


def preview(text: str, lines: int = PREVIEW_LINES) -> str:
    """The first non-blank lines of a mail's text, for the tray."""
    kept = [line.strip() for line in text.splitlines() if line.strip()]
    return "\n".join(kept[:lines])[:PREVIEW_MAX_CHARS]
