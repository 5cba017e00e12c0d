"""One model for every bank statement format (PAY-5): what the importer stores and matches.

Amounts are integer minor units by the currency's exponent (``shared.money.exponent``), signed
as the account sees them: a credit (money in) positive, a debit negative. A reversal keeps the
sign its file gives (the camt ``CdtDbtInd`` / MT940 ``RC``/``RD`` mark), so opening plus the
entries gives the closing balance; it is only flagged, never matched automatically.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from shared.errors import InvalidInput
from shared.i18n import N_, gettext
from shared.money import Money, exponent


class Malformed(InvalidInput):
    """A file that is not a statement we can read: nothing is stored, and this says why.

    ``message`` is a catalog sentence (``N_``) with ``params``: the API reads it in English,
    the page in the reader's language."""

    def __init__(self, message: str, **params: Any) -> None:
        self.message, self.params = message, params
        super().__init__(message % params if params else message, field="file")

    @property
    def sentence(self) -> str:
        translated = gettext(self.message)
        return translated % self.params if self.params else translated


@dataclass(frozen=True)
class Notice:
    """A remark stored on a statement and shown with it: a catalog sentence and its values."""

    message: str
    params: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"message": self.message, "params": self.params}


@dataclass
class ParsedDetail:
    """One transaction of a batch entry (camt ``TxDtls``), its amount signed like the entry."""

    amount_minor: int
    reference: str = ""
    counterparty: str = ""
    bank_reference: str = ""


@dataclass
class ParsedEntry:
    amount_minor: int
    currency: str
    booking_date: date
    value_date: date | None = None
    reference: str = ""  # remittance text, end-to-end id, customer reference: what we search
    counterparty: str = ""
    bank_reference: str = ""
    reversal: bool = False
    details: list[ParsedDetail] = field(default_factory=list)


@dataclass
class ParsedStatement:
    account: str
    currency: str
    statement_id: str
    opening_minor: int
    closing_minor: int
    opening_date: date | None
    closing_date: date | None
    entries: list[ParsedEntry] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)

    def check_balance(self) -> None:
        """Opening plus the entries must give the closing balance; if not, say so (never fix)."""
        moved = sum(entry.amount_minor for entry in self.entries)
        if self.opening_minor + moved != self.closing_minor:
            shown = {
                "opening": _shown(self.opening_minor, self.currency),
                "entries": _shown(moved, self.currency),
                "expected": _shown(self.opening_minor + moved, self.currency),
                "closing": _shown(self.closing_minor, self.currency),
            }
            self.warnings.append(Notice(DOES_NOT_ADD_UP, shown))


DOES_NOT_ADD_UP = N_(
    "The balances do not add up: opening %(opening)s plus the entries %(entries)s gives "
    "%(expected)s, but the closing balance is %(closing)s."
)


@dataclass
class ParsedFile:
    format: str  # camt.053 or mt940
    statements: list[ParsedStatement]
    warnings: list[Notice] = field(default_factory=list)


def _shown(minor: int, currency: str) -> str:
    return Money(minor, currency).format()


def to_minor(amount: Decimal | str, currency: str) -> int:
    """``amount`` in minor units of ``currency``; more decimals than it has is malformed."""
    try:
        value = Decimal(str(amount).strip().replace(",", "."))
    except InvalidOperation as exc:
        raise Malformed(N_("%(amount)s is not an amount."), amount=str(amount)[:40]) from exc
    if not value.is_finite():
        raise Malformed(N_("%(amount)s is not an amount."), amount=str(amount)[:40])
    scaled = value.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise Malformed(
            N_("The amount %(amount)s has more decimals than %(currency)s allows."),
            amount=str(amount)[:40],
            currency=currency,
        )
    return int(scaled)


def clip(text: str | None, length: int) -> str:
    """Bank text as one line of at most ``length`` characters (files wrap it anywhere)."""
    return " ".join((text or "").split())[:length]
