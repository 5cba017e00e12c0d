"""ISO 20022 camt.053 (bank-to-customer statement), versions .001.02 and later (PAY-5).

Read with ``defusedxml`` (no entity expansion, no external DTDs). Every element is looked up in
the file's own namespace, so .001.02 (``BIC``, ``AmtDtls/TxAmt``, ``Dbtr/Nm``) and later
versions (``BICFI``, ``TxDtls/Amt``, ``Dbtr/Pty/Nm``) read the same.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from services.payments.bank.parsers.model import (
    Malformed,
    Notice,
    ParsedDetail,
    ParsedEntry,
    ParsedFile,
    ParsedStatement,
    clip,
    to_minor,
)
from shared.clock import clock
from shared.i18n import N_

NAMESPACE = re.compile(r"^\{urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.(\d{2})\}Document$")
REFERENCE_LENGTH = 1000
NAME_LENGTH = 300
BANK_REF_LENGTH = 120


class _Tree:
    """Path lookups in one namespace: ``find(el, "Acct/Id/IBAN")``."""

    def __init__(self, namespace: str) -> None:
        self.ns = namespace

    def _path(self, path: str) -> str:
        return "/".join(f"{{{self.ns}}}{part}" for part in path.split("/"))

    def find(self, element: Element, path: str) -> Element | None:
        return element.find(self._path(path))

    def all(self, element: Element, path: str) -> list[Element]:
        return element.findall(self._path(path))

    def text(self, element: Element, *paths: str) -> str:
        for path in paths:
            found = self.find(element, path)
            if found is not None and (found.text or "").strip():
                return (found.text or "").strip()
        return ""


def parse(content: bytes) -> ParsedFile:
    try:
        root = ElementTree.fromstring(content)
    except DefusedXmlException as exc:  # entity expansion, external references: never read
        raise Malformed(
            N_("The XML file declares entities or a DTD, which are not accepted.")
        ) from exc
    except (ElementTree.ParseError, ValueError) as exc:
        raise Malformed(
            N_("The file is not well-formed XML: %(why)s."), why=str(exc)[:200]
        ) from exc
    found = NAMESPACE.match(root.tag)
    if not found:
        raise Malformed(
            N_("The XML file is not a camt.053 statement (its root is %(root)s)."),
            root=root.tag[:120],
        )
    if int(found.group(1)) < 2:
        raise Malformed(N_("camt.053 versions before .001.02 are not read."))
    tree = _Tree(root.tag[1:].split("}")[0])
    report = tree.find(root, "BkToCstmrStmt")
    statements = tree.all(report, "Stmt") if report is not None else []
    if not statements:
        raise Malformed(N_("The camt.053 file holds no statement (Stmt)."))
    return ParsedFile("camt.053", [_statement(tree, s, n) for n, s in enumerate(statements, 1)])


def _balance(tree: _Tree, stmt: Element, codes: tuple[str, ...]) -> Element | None:
    for code in codes:
        for balance in tree.all(stmt, "Bal"):
            if tree.text(balance, "Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry") == code:
                return balance
    return None


def _signed(tree: _Tree, element: Element, where: str, currency: str) -> int:
    amount = tree.find(element, "Amt")
    if amount is None or not (amount.text or "").strip():
        raise Malformed(N_("%(where)s has no amount (Amt)."), where=where)
    minor = to_minor(amount.text or "", amount.get("Ccy") or currency)
    indicator = tree.text(element, "CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        raise Malformed(N_("%(where)s has no credit or debit mark (CdtDbtInd)."), where=where)
    return minor if indicator == "CRDT" else -minor


def _day(tree: _Tree, element: Element | None, path: str) -> date | None:
    if element is None:
        return None
    text = tree.text(element, f"{path}/Dt", f"{path}/DtTm")
    if not text:
        return None
    try:
        if "T" not in text:
            return date.fromisoformat(text[:10])
        # A moment with its offset is the business's local day (BookgDt/DtTm in UTC).
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return clock.local(moment).date() if moment.tzinfo else moment.date()
    except ValueError as exc:
        raise Malformed(N_("%(date)s is not a date."), date=text[:40]) from exc


def _statement(tree: _Tree, stmt: Element, number: int) -> ParsedStatement:
    ident = tree.text(stmt, "Id") or str(number)
    where = f"Stmt {ident[:60]}"
    opening = _balance(tree, stmt, ("OPBD", "PRCD"))
    closing = _balance(tree, stmt, ("CLBD",))
    if opening is None:
        raise Malformed(N_("%(where)s has no opening balance (OPBD or PRCD)."), where=where)
    if closing is None:
        raise Malformed(N_("%(where)s has no closing balance (CLBD)."), where=where)
    amount = tree.find(opening, "Amt")
    currency = tree.text(stmt, "Acct/Ccy") or (amount.get("Ccy", "") if amount is not None else "")
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise Malformed(N_("%(where)s names no currency."), where=where)
    statement = ParsedStatement(
        account=clip(tree.text(stmt, "Acct/Id/IBAN", "Acct/Id/Othr/Id"), 70) or "?",
        currency=currency,
        statement_id=clip(ident, 120),
        opening_minor=_signed(tree, opening, where, currency),
        closing_minor=_signed(tree, closing, where, currency),
        opening_date=_day(tree, opening, "Dt"),
        closing_date=_day(tree, closing, "Dt"),
    )
    for n, ntry in enumerate(tree.all(stmt, "Ntry"), 1):
        status = tree.text(ntry, "Sts/Cd", "Sts")
        if status and status != "BOOK":
            # Pending and information entries are not in the balances.
            statement.warnings.append(
                Notice(
                    N_("Entry %(number)s is not booked (%(status)s) and was left out."),
                    {"number": str(n), "status": status[:10]},
                )
            )
            continue
        statement.entries.append(_entry(tree, ntry, f"{where}, Ntry {n}", currency, statement))
    statement.check_balance()
    return statement


def _party(tree: _Tree, txd: Element, credit: bool) -> str:
    # Money in: who paid (the debtor); money out: who was paid (the creditor).
    role = "Dbtr" if credit else "Cdtr"
    return tree.text(txd, f"RltdPties/{role}/Nm", f"RltdPties/{role}/Pty/Nm")


def _remittance(tree: _Tree, txd: Element) -> list[str]:
    texts = [(u.text or "").strip() for u in tree.all(txd, "RmtInf/Ustrd")]
    texts += [(r.text or "").strip() for r in tree.all(txd, "RmtInf/Strd/CdtrRefInf/Ref")]
    texts += [tree.text(txd, "Refs/EndToEndId"), tree.text(txd, "AddtlTxInf")]
    return [t for t in texts if t and t != "NOTPROVIDED"]


def _detail_amount(tree: _Tree, txd: Element, currency: str) -> int | None:
    for path in ("Amt", "AmtDtls/TxAmt/Amt", "AmtDtls/InstdAmt/Amt"):
        found = tree.find(txd, path)
        if found is not None and (found.text or "").strip():
            if found.get("Ccy", currency) != currency:
                continue  # an amount in another currency is not what the account moved
            return to_minor(found.text or "", currency)
    return None


def _entry(
    tree: _Tree, ntry: Element, where: str, currency: str, statement: ParsedStatement
) -> ParsedEntry:
    amount = _signed(tree, ntry, where, currency)
    amt = tree.find(ntry, "Amt")
    entry_ccy = (amt.get("Ccy") if amt is not None else None) or currency
    booked = _day(tree, ntry, "BookgDt") or _day(tree, ntry, "ValDt")
    if booked is None:
        raise Malformed(N_("%(where)s has no booking date (BookgDt)."), where=where)
    txds = [t for d in tree.all(ntry, "NtryDtls") for t in tree.all(d, "TxDtls")]
    credit = amount > 0
    texts = [tree.text(ntry, "AddtlNtryInf")]
    entry = ParsedEntry(
        amount_minor=amount,
        currency=entry_ccy,
        booking_date=booked,
        value_date=_day(tree, ntry, "ValDt"),
        counterparty=clip(_party(tree, txds[0], credit), NAME_LENGTH) if len(txds) == 1 else "",
        bank_reference=clip(tree.text(ntry, "AcctSvcrRef", "NtryRef"), BANK_REF_LENGTH),
        reversal=tree.text(ntry, "RvslInd").lower() in ("true", "1"),
    )
    if len(txds) == 1:
        texts += _remittance(tree, txds[0])
    elif txds:
        details = [
            ParsedDetail(
                amount_minor=0,
                reference=clip(" ".join(_remittance(tree, t)), REFERENCE_LENGTH),
                counterparty=clip(_party(tree, t, credit), NAME_LENGTH),
                bank_reference=clip(tree.text(t, "Refs/AcctSvcrRef", "Refs/TxId"), 120),
            )
            for t in txds
        ]
        amounts = [_detail_amount(tree, t, entry_ccy) for t in txds]
        sign = 1 if credit else -1
        if all(a is not None for a in amounts) and sum(amounts) == abs(amount):  # type: ignore[arg-type]
            for detail, part in zip(details, amounts, strict=True):
                detail.amount_minor = sign * (part or 0)
            entry.details = details
        else:
            # Not split: without an amount each, a detail cannot be matched on its own.
            texts += [d.reference for d in details]
            statement.warnings.append(
                Notice(
                    N_(
                        "The batch in %(where)s was not split: its details do not carry "
                        "amounts that add up to the entry."
                    ),
                    {"where": where},
                )
            )
    entry.reference = clip(" ".join(t for t in texts if t), REFERENCE_LENGTH)
    return entry
