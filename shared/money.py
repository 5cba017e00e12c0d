"""Money as integer minor units plus an ISO 4217 currency; never floats."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Minor-unit exponents of the currencies roomline trades in (HR-14); default is 2.
_EXPONENTS = {"JPY": 0, "KRW": 0, "VND": 0}


def exponent(currency: str) -> int:
    return _EXPONENTS.get(currency, 2)


@dataclass(frozen=True, slots=True)
class Money:
    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise ValueError(f"currency must be a 3-letter ISO code, got {self.currency!r}")
        if not isinstance(self.amount_minor, int):
            raise TypeError("amount_minor must be an int")

    @classmethod
    def parse(cls, text: str, currency: str) -> Money:
        """Parse a decimal string typed by a person ("688.50") into minor units."""
        try:
            value = Decimal(text.strip())
        except (InvalidOperation, AttributeError) as exc:
            raise ValueError(f"not an amount: {text!r}") from exc
        scaled = value.scaleb(exponent(currency)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        if scaled != value.scaleb(exponent(currency)):
            raise ValueError(f"too many decimal places for {currency}: {text!r}")
        return cls(int(scaled), currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot mix {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def __mul__(self, times: int) -> Money:
        return Money(self.amount_minor * times, self.currency)

    def format(self) -> str:
        places = exponent(self.currency)
        value = Decimal(self.amount_minor).scaleb(-places)
        return f"{self.currency} {value:,.{places}f}"

    def __str__(self) -> str:
        return self.format()
