"""Posting to the ledger: one balanced transaction per request, once per idempotency key.

Modelled on TigerBeetle's transfers and Formance's postings: a transaction is immutable, a
correction is a reversing transaction (``reverse``), never an edit, and the same key posted
again — ten times at once, or after a crash — answers the transaction already written. The key's
unique index decides the race: the losers wait for the winner's commit, find its row and
compare what they asked for (a different request under the same key is a 409, not a silent
second meaning).

One round trip per posting: the transaction row and its entries go in one statement (a
data-modifying CTE); the database's deferred trigger checks the balance at commit.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field, WithJsonSchema, field_validator, model_validator
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.ledger.chart import KINDS
from services.payments.ledger.models import ADDRESS_PATTERN, LedgerEntry, LedgerTransaction
from shared.clock import clock
from shared.errors import Conflict, NotFound
from shared.limits import MONEY_HARD_MAX_MINOR, BusinessDate, Text, at_most

Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", min_length=3, max_length=3)]
Address = Annotated[str, Field(pattern=ADDRESS_PATTERN, min_length=1, max_length=120)]
Amount = Annotated[int, Field(ge=-MONEY_HARD_MAX_MINOR, le=MONEY_HARD_MAX_MINOR)]
# HR-14: 1 base = rate quote, e.g. 4.9 THB to the CNY; 21 characters hold 10 integer digits
# and 10 decimals.
Rate = Annotated[
    Decimal,
    at_most(21, "a rate"),
    Field(gt=0, le=Decimal("1000000"), max_digits=20, decimal_places=10),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0, "maximum": 1000000},
                {"type": "string", "maxLength": 21, "pattern": r"^\d{1,7}(\.\d{1,10})?$"},
            ]
        }
    ),
]

Kind = Literal[
    "payment_taken",  # PAY-1: money taken on a collect-on-behalf slip
    "cash_handover",  # PAY-2: the desk's cash counted into finance
    "stay_prepaid",  # PAY-4: a prepaid stay: hotel's net payable, our margin
    "stay_commission",  # PAY-4: a pay-at-hotel stay: the hotel owes commission
    "no_show_fee",  # NS-7: a final no-show's fee
    "refund_due",  # a cancellation or no-show: what the guest paid is owed back
    "refund_paid",
    "deposit_paid",  # PAY-3: our deposit placed with a hotel
    "deposit_drawdown",  # PAY-3: a prepaid stay paid out of the deposit
    "settlement_paid",  # PAY-4/5: a month's statement paid to the hotel
    "settlement_collected",  # PAY-4/5: a hotel's payment to us, matched at the bank
    "settlement_netting",  # PAY-4/5: an approved statement nets the month's accounts
    "bank_receipt",  # PAY-5: money received at the bank against a booking
    "adjustment",  # a manual journal signed by finance
    "reversal",
]


class Leg(BaseModel):
    """One entry: ``amount_minor`` positive debits the account, negative credits it."""

    account: Address
    currency: Currency
    amount_minor: Amount

    @field_validator("account")
    @classmethod
    def _in_chart(cls, value: str) -> str:
        if value.split(":", 1)[0] not in KINDS:
            raise ValueError(f"no account kind {value.split(':', 1)[0]!r} in the chart")
        return value

    @field_validator("amount_minor")
    @classmethod
    def _not_zero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("an entry of zero is not an entry")
        return value


class Fx(BaseModel):
    """HR-14: the rate a two-currency transaction used: 1 ``base`` = ``rate`` ``quote``."""

    base: Currency
    quote: Currency
    rate: Rate


class Posting(BaseModel):
    idempotency_key: Text(200, min_length=1)  # type: ignore[valid-type]
    kind: Kind
    legs: list[Leg] = Field(min_length=2, max_length=50)
    booking_id: uuid.UUID | None = None
    booking_ref: Text(40) | None = None  # type: ignore[valid-type]
    hotel_id: uuid.UUID | None = None
    memo: Text(500) = ""  # type: ignore[valid-type]
    effective_on: BusinessDate | None = None
    fx: Fx | None = None

    @model_validator(mode="after")
    def _balanced(self) -> Posting:
        totals: dict[str, int] = defaultdict(int)
        for leg in self.legs:
            totals[leg.currency] += leg.amount_minor
        off = {currency: total for currency, total in totals.items() if total}
        if off:
            detail = ", ".join(f"{currency} {total:+d}" for currency, total in sorted(off.items()))
            raise ValueError(f"debits and credits differ: {detail}")
        if len(totals) > 2:
            raise ValueError("a transaction converts between two currencies at most")
        if len(totals) == 2 and (self.fx is None or {self.fx.base, self.fx.quote} != set(totals)):
            raise ValueError("entries in two currencies need the rate used between them (fx)")
        return self

    def request_hash(self) -> str:
        """What the request means, without its key: the same key must mean the same thing."""
        body = self.model_dump(mode="json", exclude={"idempotency_key"})
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Posted:
    transaction_id: uuid.UUID
    created: bool  # False: the key had been posted already, this is that transaction


def transfer(debit: str, credit: str, amount_minor: int, currency: str) -> list[Leg]:
    """The two legs moving ``amount_minor`` from ``credit`` to ``debit``."""
    return [
        Leg(account=debit, currency=currency, amount_minor=amount_minor),
        Leg(account=credit, currency=currency, amount_minor=-amount_minor),
    ]


_INSERT = text(
    """
    WITH posted AS (
        INSERT INTO payments.ledger_transaction (
            transaction_id, idempotency_key, request_hash, kind, booking_id, booking_ref,
            hotel_id, reverses_id, memo, effective_on, fx_base, fx_quote, fx_rate, posted_by)
        VALUES (:transaction_id, :key, :hash, :kind, :booking_id, :booking_ref, :hotel_id,
                :reverses_id, :memo, :effective_on, :fx_base, :fx_quote, :fx_rate, :actor)
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING transaction_id)
    INSERT INTO payments.ledger_entry (transaction_id, account, currency, amount_minor)
    SELECT posted.transaction_id, leg.account, leg.currency, leg.amount_minor
    FROM posted,
         unnest(CAST(:accounts AS text[]), CAST(:currencies AS text[]),
                CAST(:amounts AS bigint[])) AS leg(account, currency, amount_minor)
    RETURNING transaction_id
    """
)


async def post(
    session: AsyncSession,
    posting: Posting,
    *,
    actor: str,
    reverses_id: uuid.UUID | None = None,
) -> Posted:
    """Write ``posting`` once; a repeat of its key answers the first transaction."""
    transaction_id = uuid.uuid4()
    request_hash = posting.request_hash()
    written = await session.execute(
        _INSERT,
        {
            "transaction_id": transaction_id,
            "key": posting.idempotency_key,
            "hash": request_hash,
            "kind": posting.kind,
            "booking_id": posting.booking_id,
            "booking_ref": posting.booking_ref,
            "hotel_id": posting.hotel_id,
            "reverses_id": reverses_id,
            "memo": posting.memo,
            "effective_on": posting.effective_on or clock.today(),
            "fx_base": posting.fx.base if posting.fx else None,
            "fx_quote": posting.fx.quote if posting.fx else None,
            "fx_rate": posting.fx.rate if posting.fx else None,
            "actor": actor,
            "accounts": [leg.account for leg in posting.legs],
            "currencies": [leg.currency for leg in posting.legs],
            "amounts": [leg.amount_minor for leg in posting.legs],
        },
    )
    if written.first() is not None:
        return Posted(transaction_id, created=True)
    earlier = (
        await session.execute(
            select(LedgerTransaction.transaction_id, LedgerTransaction.request_hash).where(
                LedgerTransaction.idempotency_key == posting.idempotency_key
            )
        )
    ).one()
    if earlier.request_hash != request_hash:
        raise Conflict(
            f"idempotency key {posting.idempotency_key!r} was used for a different posting",
            field="idempotency_key",
        )
    return Posted(earlier.transaction_id, created=False)


async def legs_of(session: AsyncSession, transaction_id: uuid.UUID) -> list[Leg]:
    rows = await session.execute(
        select(LedgerEntry.account, LedgerEntry.currency, LedgerEntry.amount_minor)
        .where(LedgerEntry.transaction_id == transaction_id)
        .order_by(LedgerEntry.entry_id)
    )
    return [Leg(account=a, currency=c, amount_minor=m) for a, c, m in rows]


async def reverse(
    session: AsyncSession,
    transaction_id: uuid.UUID,
    *,
    actor: str,
    memo: str = "",
    effective_on: date | None = None,
) -> Posted:
    """Cancel ``transaction_id`` with its mirror image, exactly once (its key is the id)."""
    original = await session.get(LedgerTransaction, transaction_id)
    if original is None:
        raise NotFound(f"no ledger transaction {transaction_id}")
    if original.reverses_id is not None:
        raise Conflict("a reversal is not reversed; post the correction instead")
    mirrored = [
        Leg(account=leg.account, currency=leg.currency, amount_minor=-leg.amount_minor)
        for leg in await legs_of(session, transaction_id)
    ]
    fx = (
        Fx(base=original.fx_base, quote=original.fx_quote, rate=original.fx_rate)
        if original.fx_rate is not None and original.fx_base and original.fx_quote
        else None
    )
    posting = Posting(
        idempotency_key=f"reverse:{transaction_id}",
        kind="reversal",
        legs=mirrored,
        booking_id=original.booking_id,
        booking_ref=original.booking_ref,
        hotel_id=original.hotel_id,
        memo=memo or f"reverses {original.kind}",
        effective_on=effective_on,
        fx=fx,
    )
    return await post(session, posting, actor=actor, reverses_id=transaction_id)
