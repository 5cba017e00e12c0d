"""Bank statement parsers (PAY-5): camt.053 (XML) and MT940 into one model (``model``)."""

from __future__ import annotations

from services.payments.bank.parsers import camt053, mt940
from services.payments.bank.parsers.model import Malformed, ParsedFile
from shared.i18n import N_

__all__ = ["Malformed", "ParsedFile", "parse"]


def parse(content: bytes) -> ParsedFile:
    """The statements of a camt.053 or MT940 file; ``Malformed`` says why one is refused."""
    head = content.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise Malformed(N_("The file is empty."))
    if head.startswith(b"<"):
        return camt053.parse(content)
    if b"\x00" not in head[:4096] and mt940.looks_like(mt940.decode(content)):
        return mt940.parse(content)
    raise Malformed(N_("The file is neither a camt.053 (XML) nor an MT940 statement."))
