"""Monthly settlement statements (PAY-4, PAY-5): generate, approve (maker-checker), reject,
and settle when the bank match posts.

- ``generate``: finance or the collect desk; a draft for the same hotel, month and currency is
  replaced; once approved, a regeneration makes a new revision and supersedes the old one
  (its netting reversed, its expected payment cancelled) unless it is settled, in which case
  the new revision carries only transactions not on the settled one.
- ``approve``: a FINANCE user who did not make it (PAY-5). Approval nets the month's accounts
  into one (``settlement_netting``: the receivables into the payable when we pay, everything
  into ``commission_receivable:<hotel>`` when the hotel pays), so one expected payment, with
  the statement's reference, clears it: one bank transfer, one match. Zero net: settled at once.
- ``reject``: with a reason, back to draft (an approved one's netting is reversed).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments import expected as expected_payments
from services.payments.expected import ExpectedPayment
from services.payments.ledger import chart
from services.payments.ledger.postings import Leg, Posting, post, reverse
from services.payments.models import PayBooking, PayHotel
from services.payments.settlement.ledger_read import (
    LineData,
    Totals,
    active_hotels,
    month_lines,
    totals_of,
)
from services.payments.settlement.models import SettlementLine, SettlementStatement
from shared import audit
from shared.auth import Role, Staff, ensure_role
from shared.clock import clock
from shared.dates import month_range
from shared.db import unit_of_work
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.i18n import N_
from shared.limits import parse_month

SCHEMA = "payments"
STATES = {
    "draft": N_("Draft"),
    "approved": N_("Approved"),
    "settled": N_("Settled"),
    "superseded": N_("Superseded"),
}
# An expected payment's status as the statement page shows it.
EXPECTED_STATUS = {
    "open": N_("awaiting the bank"),
    "matched": N_("matched at the bank"),
    "cancelled": N_("cancelled"),
}
ZERO_NOTE = N_("Nothing to pay or collect: settled on approval.")


def reference_for(hotel_id: uuid.UUID, month: date, revision: int, currency: str, home: str) -> str:
    """``RLS-202611-1A2B3C4D``; another currency than the hotel's and later revisions add a
    suffix (``-USD``, ``-R2``), so each hotel, month, currency and revision has its own."""
    reference = f"RLS-{month:%Y%m}-{hotel_id.hex[:8].upper()}"
    if currency != home:
        reference += f"-{currency}"
    return reference + (f"-R{revision}" if revision > 1 else "")


async def _hotel(session: AsyncSession, hotel_id: uuid.UUID) -> tuple[str, str]:
    """The hotel's name and home currency (a booking's hotel name until contracts tells)."""
    hotel = await session.get(PayHotel, hotel_id)
    if hotel is not None and hotel.name:
        return hotel.name, hotel.currency
    name = await session.scalar(
        select(PayBooking.hotel_name).where(PayBooking.hotel_id == hotel_id).limit(1)
    )
    return name or str(hotel_id), hotel.currency if hotel else "CNY"


def _snapshot(statement: SettlementStatement) -> dict[str, object]:
    return {
        "reference": statement.reference,
        "state": statement.state,
        "net_minor": statement.net_minor,
        "currency": statement.currency,
    }


async def _lock(session: AsyncSession, hotel_id: uuid.UUID, month: date, currency: str) -> None:
    """One generation at a time per hotel, month and currency (two clicks make one draft)."""
    key = f"settlement:{hotel_id}:{month}:{currency}"
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})


async def generate_one(
    session: AsyncSession, hotel_id: uuid.UUID, month: date, currency: str, actor: Staff | str
) -> SettlementStatement | None:
    """The hotel's statement for ``month`` in ``currency``; None when nothing is left to state."""
    first, following = month_range(month)
    await _lock(session, hotel_id, first, currency)
    lines = await month_lines(session, hotel_id, currency, first, following)
    if not lines:
        return None
    totals = totals_of(lines)  # raises if the lines do not add up to the totals
    existing = list(
        await session.scalars(
            select(SettlementStatement)
            .where(
                SettlementStatement.hotel_id == hotel_id,
                SettlementStatement.month == first,
                SettlementStatement.currency == currency,
            )
            .order_by(SettlementStatement.revision.desc())
            .with_for_update()
        )
    )
    maker = actor.username if isinstance(actor, Staff) else actor
    statement = next((s for s in existing if s.state == "draft"), None)
    before = _snapshot(statement) if statement else None
    if statement is None:
        name, home = await _hotel(session, hotel_id)
        revision = (existing[0].revision + 1) if existing else 1
        statement = SettlementStatement(
            statement_id=uuid.uuid4(),
            reference=reference_for(hotel_id, first, revision, currency, home),
            hotel_id=hotel_id,
            hotel_name=name[:300],
            currency=currency,
            month=first,
            revision=revision,
            state="draft",
            note="",
            approvals=0,
            rejected_reason="",
        )
        session.add(statement)
        for old in existing:
            if old.state == "approved":
                await _undo_approval(session, old, maker)
                old.state = "superseded"
                old.superseded_by = statement.statement_id
    else:
        await session.execute(
            delete(SettlementLine).where(SettlementLine.statement_id == statement.statement_id)
        )
        statement.rejected_by, statement.rejected_at, statement.rejected_reason = None, None, ""
    _fill(statement, totals, maker)
    await session.flush()
    session.add_all(_line_rows(statement.statement_id, lines))
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action="statement_generated",
        entity="settlement_statement",
        entity_id=statement.statement_id,
        before=before,
        after={**_snapshot(statement), "lines": len(lines)},
    )
    return statement


def _fill(statement: SettlementStatement, totals: Totals, maker: str) -> None:
    for name in (
        "payables_minor",
        "commission_minor",
        "no_show_fee_minor",
        "receivables_minor",
        "deposit_drawn_minor",
        "net_minor",
    ):
        setattr(statement, name, getattr(totals, name))
    statement.made_by = maker
    statement.made_at = clock.now()


def _line_rows(statement_id: uuid.UUID, lines: list[LineData]) -> list[SettlementLine]:
    return [
        SettlementLine(
            statement_id=statement_id,
            transaction_id=line.transaction_id,
            effective_on=line.effective_on,
            kind=line.kind,
            booking_ref=line.booking_ref,
            memo=line.memo[:500],
            payable_minor=line.payable_minor,
            commission_minor=line.commission_minor,
            no_show_fee_minor=line.no_show_fee_minor,
            deposit_minor=line.deposit_minor,
        )
        for line in lines
    ]


async def generate(
    session: AsyncSession, staff: Staff, month: date, hotel_id: uuid.UUID | None = None
) -> list[SettlementStatement]:
    """PAY-5: the month's statements of one hotel (each currency it moved in) or of every
    hotel with activity; finance or the collect desk."""
    ensure_role(staff, Role.FINANCE, Role.COLLECT_DESK)
    return await generate_month(session, month, actor=staff, hotel_id=hotel_id)


async def generate_month(
    session: AsyncSession,
    month: date,
    *,
    actor: Staff | str,
    hotel_id: uuid.UUID | None = None,
) -> list[SettlementStatement]:
    first, following = month_range(month)
    pairs = [
        pair
        for pair in await active_hotels(session, first, following)
        if hotel_id is None or pair[0] == hotel_id
    ]
    made = []
    for hotel, currency in pairs:
        statement = await generate_one(session, hotel, first, currency, actor)
        if statement is not None:
            made.append(statement)
    if hotel_id is not None and not made:
        raise InvalidInput(
            N_("Nothing new to state for this hotel in this month."), field="hotel_id"
        )
    return made


async def load(
    session: AsyncSession, statement_id: uuid.UUID, *, lock: bool = False
) -> SettlementStatement:
    statement = await session.get(SettlementStatement, statement_id, with_for_update=lock)
    if statement is None:
        raise NotFound(N_("No such statement."))
    return statement


def _netting_legs(statement: SettlementStatement) -> list[Leg]:
    """Legs that leave the month's whole net on one account: the payable when we pay (or
    nothing is due), ``commission_receivable`` when the hotel pays (module docstring)."""
    hotel = statement.hotel_id
    payable = chart.hotel_payable(hotel)
    moved = {  # each account's movement in the month, debits positive
        payable: -(statement.payables_minor - statement.deposit_drawn_minor),
        chart.commission_receivable(hotel): statement.commission_minor,
        chart.no_show_fee_receivable(hotel): statement.no_show_fee_minor,
    }
    target = payable if statement.net_minor >= 0 else chart.commission_receivable(hotel)
    legs = [
        Leg(account=account, currency=statement.currency, amount_minor=-amount)
        for account, amount in moved.items()
        if account != target and amount
    ]
    moved_away = sum(leg.amount_minor for leg in legs)
    if moved_away:
        legs.append(Leg(account=target, currency=statement.currency, amount_minor=-moved_away))
    return legs if len(legs) >= 2 else []


async def approve(
    session: AsyncSession, statement_id: uuid.UUID, staff: Staff
) -> SettlementStatement:
    """PAY-5: finance approves a draft it did not make; the money is then expected at the bank."""
    ensure_role(staff, Role.FINANCE)
    statement = await load(session, statement_id, lock=True)
    if statement.made_by == staff.username:
        raise Forbidden(N_("You made this statement: another finance user must approve it."))
    if statement.state != "draft":
        raise Conflict(N_("Only a draft statement can be approved."))
    before = _snapshot(statement)
    statement.approvals += 1
    legs = _netting_legs(statement)
    if legs:
        posted = await post(
            session,
            Posting(
                idempotency_key=f"statement:{statement.statement_id}:approval:{statement.approvals}",
                kind="settlement_netting",
                legs=legs,
                hotel_id=statement.hotel_id,
                memo=f"statement {statement.reference}",
            ),
            actor=staff.username,
        )
        statement.netting_transaction_id = posted.transaction_id
    statement.state, statement.approved_by, statement.approved_at = (
        "approved",
        staff.username,
        clock.now(),
    )
    if statement.net_minor == 0:
        statement.state, statement.settled_at, statement.note = "settled", clock.now(), ZERO_NOTE
    else:
        await _expect(session, statement)
    await audit.record(
        session,
        schema=SCHEMA,
        actor=staff,
        action="statement_approved",
        entity="settlement_statement",
        entity_id=statement.statement_id,
        before=before,
        after=_snapshot(statement),
    )
    return statement


async def _expect(session: AsyncSession, statement: SettlementStatement) -> ExpectedPayment:
    pays = statement.net_minor > 0
    hotel = statement.hotel_id
    return await expected_payments.expect(
        session,
        direction="out" if pays else "in",
        currency=statement.currency,
        amount_minor=abs(statement.net_minor),
        reference=statement.reference,
        source="statement",
        source_id=statement.statement_id,
        clears_account=chart.hotel_payable(hotel) if pays else chart.commission_receivable(hotel),
        hotel_id=hotel,
    )


async def _undo_approval(session: AsyncSession, statement: SettlementStatement, actor: str) -> None:
    """An approved statement back out: its open expected payment cancelled, its netting
    reversed. Refused once the bank has matched it (it is settled then)."""
    expectations = list(
        await session.scalars(
            select(ExpectedPayment)
            .where(
                ExpectedPayment.source == "statement",
                ExpectedPayment.source_id == statement.statement_id,
            )
            .with_for_update()
        )
    )
    if any(e.status == "matched" for e in expectations):
        raise Conflict(N_("The bank has already matched this statement's payment."))
    for expectation in expectations:
        if expectation.status == "open":
            expectation.status = "cancelled"
    if statement.netting_transaction_id is not None:
        await reverse(
            session,
            statement.netting_transaction_id,
            actor=actor,
            memo=f"statement {statement.reference} withdrawn",
        )
        statement.netting_transaction_id = None


async def reject(
    session: AsyncSession, statement_id: uuid.UUID, staff: Staff, reason: str
) -> SettlementStatement:
    """Finance sends a statement back to draft with a reason (an approved one too, until the
    bank matched it)."""
    ensure_role(staff, Role.FINANCE)
    statement = await load(session, statement_id, lock=True)
    if statement.made_by == staff.username:
        raise Forbidden(N_("You made this statement: another finance user must review it."))
    if statement.state not in ("draft", "approved"):
        raise Conflict(N_("Only a draft or approved statement can be rejected."))
    before = _snapshot(statement)
    if statement.state == "approved":
        await _undo_approval(session, statement, staff.username)
    statement.state, statement.approved_by, statement.approved_at = "draft", None, None
    statement.rejected_by, statement.rejected_at = staff.username, clock.now()
    statement.rejected_reason = reason[:500]
    await audit.record(
        session,
        schema=SCHEMA,
        actor=staff,
        action="statement_rejected",
        entity="settlement_statement",
        entity_id=statement.statement_id,
        before=before,
        after={**_snapshot(statement), "reason": statement.rejected_reason},
    )
    return statement


async def on_payment_matched(session: AsyncSession, expected: ExpectedPayment) -> None:
    """The bank matched a statement's expected payment: the statement is paid or collected."""
    if expected.source != "statement":
        return
    statement = await session.get(SettlementStatement, expected.source_id, with_for_update=True)
    if statement is None or statement.state != "approved":
        return
    still_open = await session.scalar(
        select(func.count())
        .select_from(ExpectedPayment)
        .where(
            ExpectedPayment.source == "statement",
            ExpectedPayment.source_id == statement.statement_id,
            ExpectedPayment.status == "open",
            ExpectedPayment.expected_payment_id != expected.expected_payment_id,
        )
    )
    if still_open:
        return
    before = _snapshot(statement)
    statement.state, statement.settled_at = "settled", clock.now()
    await audit.record(
        session,
        schema=SCHEMA,
        actor=expected.matched_by or "bank",
        action="statement_settled",
        entity="settlement_statement",
        entity_id=statement.statement_id,
        before=before,
        after={**_snapshot(statement), "expected_payment_id": str(expected.expected_payment_id)},
    )


def month_or_last(text: str) -> date:
    """A ``YYYY-MM`` already checked by ``MonthText``, or last month when blank."""
    return parse_month(text) if text else last_month(clock.today())


async def statements_of(
    session: AsyncSession, month: date, state: str = "", q: str = ""
) -> list[SettlementStatement]:
    """A month's statements, by hotel name then newest revision first (500 at most)."""
    query = select(SettlementStatement).where(SettlementStatement.month == month)
    if state:
        query = query.where(SettlementStatement.state == state)
    if q:
        query = query.where(SettlementStatement.hotel_name.icontains(q, autoescape=True))
    order = (SettlementStatement.hotel_name, SettlementStatement.revision.desc())
    return list(await session.scalars(query.order_by(*order).limit(500)))


def last_month(today: date) -> date:
    """The first day of the month before ``today``'s."""
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


async def generate_last_month_job(ctx: dict[str, Any]) -> int:
    """Cron, 02:00 on the 1st: last month's drafts for every hotel with activity."""
    async with unit_of_work(ctx["sessionmaker"]) as session:
        made = await generate_month(session, last_month(clock.today()), actor="cron")
    return len(made)
