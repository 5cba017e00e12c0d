"""SWIFT MT940 (customer statement message) through the maintained ``mt940`` package (PAY-5).

A file may hold several messages (statements), with or without SWIFT blocks or ``-``
separators, and banks wrap ``:86:`` anywhere (a continuation line may be just ``-``). The file
is cut at each ``:20:`` tag and every message is read on its own, so each keeps its own
``:60F:``/``:60M:`` opening and ``:62F:``/``:62M:`` closing balance.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import mt940

from services.payments.bank.parsers.model import (
    Malformed,
    ParsedEntry,
    ParsedFile,
    ParsedStatement,
    clip,
    to_minor,
)
from shared.i18n import N_


class _Number(mt940.tags.StatementNumber):
    """``:28C:`` that tolerates a stray line under it (ING writes ``0000`` then ``0``): the
    statement number is informative only."""

    pattern = mt940.tags.StatementNumber.pattern.replace("$", r"(?:\n[^\n]*)*$")


class _Line(mt940.tags.Statement):
    """``:61:`` whose supplementary details run over several lines (ING's ``/TRCD/``)."""

    pattern = mt940.tags.Statement.pattern.replace(
        r"(\n?(?P<extra_details>.*))?", r"(\n?(?P<extra_details>[\s\S]*))?"
    )


# The package's own extension point (``Transactions(tags=...)``), not a rewrite of the file.
TAGS: dict[int | str, mt940.tags.Tag] = {28: _Number(), 61: _Line()}
MESSAGE_START = re.compile(r"^:20:", re.M)
NAME = re.compile(r"/NAME/([^/]+)")
REFERENCE_LENGTH = 1000


def looks_like(text: str) -> bool:
    return (bool(MESSAGE_START.search(text)) and ":61:" in text) or bool(
        re.search(r"^:6[02][FM]:", text, re.M)
    )


def decode(content: bytes) -> str:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("latin-1")  # older bank exports; every byte is a character
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse(content: bytes) -> ParsedFile:
    text = decode(content)
    starts = [m.start() for m in MESSAGE_START.finditer(text)]
    if not starts:
        raise Malformed(N_("The MT940 file has no statement: no :20: tag was found."))
    messages = [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    return ParsedFile("mt940", [_statement(m, n) for n, m in enumerate(messages, 1)])


def _read(message: str, number: int) -> mt940.models.Transactions:
    read = mt940.models.Transactions(tags=TAGS)
    try:
        read.parse(message.strip())
    except Exception as exc:  # the package raises plain errors for a field it cannot read
        tag = exc.args[1] if len(exc.args) == 3 else None
        if tag is not None and getattr(tag, "id", None):
            raise Malformed(
                N_(
                    "Statement %(number)s of the MT940 file cannot be read: its :%(tag)s: field "
                    "%(value)s does not follow the format."
                ),
                number=str(number),
                tag=str(tag.id)[:4],
                value=repr(str(exc.args[2])[:80]),
            ) from exc
        raise Malformed(
            N_("Statement %(number)s of the MT940 file cannot be read: %(why)s."),
            number=str(number),
            why=str(exc)[:200],
        ) from exc
    return read


def _balance(data: dict[str, Any], kind: str) -> Any:
    return data.get(f"final_{kind}_balance") or data.get(f"intermediate_{kind}_balance")


def _signed_balance(balance: Any, currency: str) -> int:
    minor = to_minor(abs(balance.amount.amount), currency)
    return -minor if balance.status == "D" else minor


def _statement(message: str, number: int) -> ParsedStatement:
    read = _read(message, number)
    data = read.data
    opening, closing = _balance(data, "opening"), _balance(data, "closing")
    if not data.get("account_identification"):
        raise Malformed(N_("Statement %(number)s has no :25: account."), number=str(number))
    if opening is None:
        raise Malformed(
            N_("Statement %(number)s has no :60F: or :60M: opening balance."), number=str(number)
        )
    if closing is None:
        raise Malformed(
            N_("Statement %(number)s has no :62F: or :62M: closing balance."), number=str(number)
        )
    currency = str(opening.amount.currency)
    statement = ParsedStatement(
        account=clip(str(data["account_identification"]).split(" ")[0], 70),
        currency=currency,
        statement_id=clip(
            "/".join(str(data[k]) for k in ("statement_number", "sequence_number") if data.get(k))
            or str(data.get("transaction_reference") or number),
            120,
        ),
        opening_minor=_signed_balance(opening, currency),
        closing_minor=_signed_balance(closing, currency),
        opening_date=_as_date(opening.date),
        closing_date=_as_date(closing.date),
    )
    statement.entries = [_entry(t.data, currency) for t in read]
    statement.check_balance()
    return statement


def _as_date(value: Any) -> date | None:
    return date(value.year, value.month, value.day) if value is not None else None


def _entry(tx: dict[str, Any], currency: str) -> ParsedEntry:
    status = str(tx.get("status") or "")
    # C and RD bring money in; D and RC take it out (RC: a credit reversed).
    magnitude = to_minor(abs(tx["amount"].amount), currency)
    amount = magnitude if status in ("C", "RD") else -magnitude
    details = str(tx.get("transaction_details") or "")
    customer = str(tx.get("customer_reference") or "")
    texts = [t for t in (details, "" if customer == "NONREF" else customer) if t]
    booked = _as_date(tx.get("entry_date") or tx.get("date"))
    if booked is None:
        raise Malformed(N_("An MT940 entry has no date."))
    name = NAME.search(details.replace("\n", ""))
    return ParsedEntry(
        amount_minor=amount,
        currency=currency,
        booking_date=booked,
        value_date=_as_date(tx.get("date")),
        reference=clip(" ".join(texts), REFERENCE_LENGTH),
        counterparty=clip(name.group(1) if name else "", 300),
        bank_reference=clip(str(tx.get("bank_reference") or tx.get("id") or ""), 120),
        reversal=status.startswith("R"),
    )
