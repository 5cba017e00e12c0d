"""Matching bank entries to the payments we expect (PAY-5).

Automatic, after an import: an entry (or one detail of a batch) matches an open
``ExpectedPayment`` of the same direction (a credit is money ``in``, a debit ``out``), currency
and amount whose reference appears in the entry's text, case-insensitive. Exactly one candidate
is settled (``reconcile.match``: the ledger posting, once, and the statement it pays); none or
several leave the entry for a person. A reversal is never matched automatically, nor by
hand: the money went back.

By hand, on the manual-match screen: finance picks a candidate of the same amount, or ignores
the entry with a reason. Every manual action is audited.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments import reconcile
from services.payments.bank.models import BankEntry
from services.payments.expected import ExpectedPayment
from shared import audit
from shared.auth import Role, Staff, ensure_role
from shared.clock import clock
from shared.errors import Conflict, InvalidInput, NotFound
from shared.i18n import N_
from shared.money import exponent

MAX_CANDIDATES = 20
POOL = 2_000  # open expected payments read for one import or one screen


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


def mentions(text: str, reference: str) -> bool:
    """``reference`` stands in ``text`` as a whole token, whatever the case; banks wrap lines
    anywhere (MT940 at 65 characters), so a line break may split it."""
    ref = _folded(reference)
    if not ref:
        return False
    spelled = r"\s?".join(re.escape(char) for char in ref.replace(" ", ""))
    pattern = re.compile(rf"(?<![0-9a-z]){spelled}(?![0-9a-z])")
    return bool(pattern.search(_folded(text)))


def similarity(text: str, reference: str) -> float:
    """How like the reference the closest word of the text is (0 … 1)."""
    ref = _folded(reference)
    best = 0.0
    for word in {w for w in re.split(r"[\s/,;:]+", _folded(text)) if len(w) > 2}:
        alike = SequenceMatcher(None, ref, word)
        # The cheap upper bounds first: a screen compares the text with every open payment.
        if alike.real_quick_ratio() > best and alike.quick_ratio() > best:
            best = max(best, alike.ratio())
    return best


async def _open_pool(
    session: AsyncSession, currencies: Iterable[str], amounts: Iterable[int] | None = None
) -> list[ExpectedPayment]:
    query = select(ExpectedPayment).where(
        ExpectedPayment.status == "open", ExpectedPayment.currency.in_(set(currencies))
    )
    if amounts is not None:  # an automatic match needs the very amount (the open index's)
        query = query.where(ExpectedPayment.amount_minor.in_(set(amounts)))
    return list(await session.scalars(query.order_by(ExpectedPayment.created_at).limit(POOL)))


def _fits(entry: BankEntry, expected: ExpectedPayment) -> bool:
    return (
        expected.direction == entry.direction
        and expected.currency == entry.currency
        and expected.amount_minor == abs(entry.amount_minor)
    )


async def _settle(
    session: AsyncSession, entry: BankEntry, expected: ExpectedPayment, *, actor: str
) -> None:
    await reconcile.match(
        session,
        expected.expected_payment_id,
        bank_entry_id=entry.entry_id,
        booked_on=entry.booking_date,
        actor=actor,
    )
    entry.state = "matched"
    entry.expected_payment_id = expected.expected_payment_id
    entry.decided_by = actor
    entry.decided_at = clock.now()


async def auto_match(session: AsyncSession, entries: list[BankEntry], *, actor: str) -> int:
    """Settle each entry with exactly one candidate; the number settled."""
    waiting = [e for e in entries if e.state == "unmatched" and not e.reversal]
    currencies, amounts = {e.currency for e in waiting}, {abs(e.amount_minor) for e in waiting}
    pool = await _open_pool(session, currencies, amounts) if waiting else []
    settled = 0
    for entry in waiting:
        found = [x for x in pool if _fits(entry, x) and mentions(entry.reference, x.reference)]
        if len(found) != 1:
            continue  # none, or ambiguous: a person decides
        pool.remove(found[0])
        try:
            await _settle(session, entry, found[0], actor=actor)
        except Conflict:
            continue  # matched meanwhile by another import or by hand: this one waits
        settled += 1
    return settled


@dataclass(frozen=True)
class Candidate:
    expected: ExpectedPayment
    same_amount: bool
    reference_found: bool
    similarity: float


async def candidates(session: AsyncSession, entry: BankEntry) -> list[Candidate]:
    """Open expected payments of the entry's currency and direction whose amount is close
    (within 5 %, at least one unit) or whose reference is like a word of the entry's text."""
    amount = abs(entry.amount_minor)
    slack = max(amount // 20, 10 ** exponent(entry.currency))
    found = []
    for x in await _open_pool(session, [entry.currency]):
        if x.direction != entry.direction:
            continue
        alike = similarity(entry.reference, x.reference)
        close = abs(x.amount_minor - amount) <= slack
        if close or alike >= 0.7:
            found.append(
                Candidate(
                    x, x.amount_minor == amount, mentions(entry.reference, x.reference), alike
                )
            )
    found.sort(
        key=lambda c: (
            not c.same_amount,
            not c.reference_found,
            -c.similarity,
            abs(c.expected.amount_minor - amount),
        )
    )
    return found[:MAX_CANDIDATES]


async def _entry_to_decide(session: AsyncSession, entry_id: int) -> BankEntry:
    entry = await session.get(BankEntry, entry_id, with_for_update=True)
    if entry is None:
        raise NotFound(N_("There is no such bank entry."))
    if entry.state != "unmatched":
        raise Conflict(N_("This bank entry has been decided already."))
    return entry


async def match_by_hand(
    session: AsyncSession, *, entry_id: int, expected_payment_id: uuid.UUID, staff: Staff
) -> BankEntry:
    """Finance matches an entry to an expected payment of the same amount (PAY-5)."""
    ensure_role(staff, Role.FINANCE)
    entry = await _entry_to_decide(session, entry_id)
    if entry.reversal:
        raise Conflict(
            N_("A reversal is not matched: the money went back. Ignore it with a reason.")
        )
    expected = await session.get(ExpectedPayment, expected_payment_id)
    if expected is None or expected.status != "open":
        raise Conflict(N_("That expected payment is no longer open."), field="expected_payment_id")
    if not _fits(entry, expected):
        raise Conflict(
            N_("The entry and the expected payment differ in amount, currency or direction."),
            field="expected_payment_id",
        )
    await _settle(session, entry, expected, actor=staff.username)
    await audit.record(
        session,
        schema="payments",
        actor=staff,
        action="bank_entry_matched",
        entity="bank_entry",
        entity_id=entry.entry_id,
        before={"state": "unmatched"},
        after={
            "state": "matched",
            "expected_payment_id": str(expected_payment_id),
            "reference": expected.reference,
        },
    )
    return entry


MAX_REASON = 500


async def ignore(session: AsyncSession, *, entry_id: int, reason: str, staff: Staff) -> BankEntry:
    """Finance sets an entry aside (bank fees, a reversal, our own transfer), saying why."""
    ensure_role(staff, Role.FINANCE)
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput(N_("Say why this entry is ignored."), field="reason")
    if len(reason) > MAX_REASON:
        raise InvalidInput(N_("Use at most 500 characters."), field="reason")
    entry = await _entry_to_decide(session, entry_id)
    entry.state, entry.ignore_reason = "ignored", reason
    entry.decided_by, entry.decided_at = staff.username, clock.now()
    await audit.record(
        session,
        schema="payments",
        actor=staff,
        action="bank_entry_ignored",
        entity="bank_entry",
        entity_id=entry.entry_id,
        before={"state": "unmatched"},
        after={"state": "ignored", "reason": reason},
    )
    return entry
