"""The chart of accounts: what each account address means and which side it normally sits on.

An address is ``<kind>`` or ``<kind>:<party>`` (a booking, a hotel, a staff member). A balance
is the sum of the entries (debits positive); ``normal_balance`` turns it into the figure a
finance clerk reads (a payable's credit balance shows as a positive amount owed).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from shared.i18n import N_


class Side(StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"


@dataclass(frozen=True)
class AccountKind:
    code: str
    label: str
    side: Side


KINDS: dict[str, AccountKind] = {
    kind.code: kind
    for kind in (
        # Assets
        AccountKind("guest_receivable", N_("Guest receivable"), Side.DEBIT),
        AccountKind("commission_receivable", N_("Commission receivable"), Side.DEBIT),
        AccountKind("no_show_fee_receivable", N_("No-show fee receivable"), Side.DEBIT),
        AccountKind("deposit_held", N_("Deposit held by hotel"), Side.DEBIT),
        AccountKind("cash_on_hand", N_("Cash on hand"), Side.DEBIT),
        AccountKind("cash_with_finance", N_("Cash with finance"), Side.DEBIT),
        AccountKind("card_clearing", N_("Card payments clearing"), Side.DEBIT),
        AccountKind("bank", N_("Bank"), Side.DEBIT),
        # Liabilities
        AccountKind("hotel_payable", N_("Hotel payable"), Side.CREDIT),
        AccountKind("refunds_payable", N_("Refunds payable"), Side.CREDIT),
        # Revenue
        AccountKind("margin_revenue", N_("Margin revenue"), Side.CREDIT),
        AccountKind("commission_revenue", N_("Commission revenue"), Side.CREDIT),
        AccountKind("no_show_fee_income", N_("No-show fee income"), Side.CREDIT),
        # HR-14: the two sides of a currency conversion (one account per currency).
        AccountKind("fx_conversion", N_("Currency conversion"), Side.DEBIT),
        # Opening balances and manual adjustments signed by finance.
        AccountKind("equity", N_("Equity and adjustments"), Side.CREDIT),
    )
}


def kind_of(address: str) -> AccountKind:
    """The account kind of ``address``; a KeyError names an address outside the chart."""
    return KINDS[address.split(":", 1)[0]]


def address(kind: str, party: uuid.UUID | str | None = None) -> str:
    if kind not in KINDS:
        raise KeyError(f"no account kind {kind!r} in the chart")
    return kind if party is None else f"{kind}:{party}"


def shown(address_: str, balance_minor: int) -> int:
    """The balance as read on the account's normal side (a payable owed shows positive)."""
    return balance_minor if kind_of(address_).side is Side.DEBIT else -balance_minor


def guest_receivable(booking_id: uuid.UUID) -> str:
    return address("guest_receivable", booking_id)


def hotel_payable(hotel_id: uuid.UUID) -> str:
    return address("hotel_payable", hotel_id)


def commission_receivable(hotel_id: uuid.UUID) -> str:
    return address("commission_receivable", hotel_id)


def no_show_fee_receivable(hotel_id: uuid.UUID) -> str:
    return address("no_show_fee_receivable", hotel_id)


def deposit_held(hotel_id: uuid.UUID) -> str:
    return address("deposit_held", hotel_id)


def cash_on_hand(username: str) -> str:
    return address("cash_on_hand", username)
