"""The ledger under random business (issue 17's acceptance test; PAY-1 … PAY-5, NS-3, NS-7).

A hypothesis state machine places bookings (prepaid and pay-at-hotel) through the real event
handlers, takes partial payments, completes stays, records provisional and final no-shows,
corrects outcomes (newer versions, also delivered twice and out of order), cancels bookings,
pays refunds, pays deposits and settles hotels through expected payments. After every step:

- ``balances.check`` is healthy: every transaction balances and the trial balance is zero;
- every account's balance in the ledger equals the balance a model kept here computes from the
  business rules alone (it never reads the ledger back);
- a cancelled booking's guest receivable is zero once its refund is due.

That direct SQL cannot unbalance, edit or delete the ledger is tested in
``test_ledger_guards.py`` (the database's triggers), not again here.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections import defaultdict
from collections.abc import Coroutine
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments import expected
from services.payments.bank.models import BankEntry, BankImport, BankStatement
from services.payments.handlers import HANDLERS
from services.payments.hotels import deposits
from services.payments.hotels.outcomes import refunds_payable
from services.payments.ledger import chart
from services.payments.ledger.balances import balances, check
from shared.auth import Role, Staff
from shared.clock import clock
from shared.db import make_engine, make_sessionmaker, unit_of_work
from shared.events import Envelope, envelope_for
from shared.events.consumer import apply_once
from tests.services.payments import hotels_support as events
from tests.support.infra import INFRA

T = TypeVar("T")
CNY = "CNY"
FAY = Staff(
    user_id=1, username="fay", display_name="Fay", roles=(Role.FINANCE.value,), csrf_token=""
)
RESET = """
DO $$
DECLARE r record;
BEGIN
  PERFORM set_config('session_replication_role', 'replica', true);
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'payments'
           AND tablename <> 'alembic_version' LOOP
    EXECUTE format('DELETE FROM payments.%I', r.tablename);
  END LOOP;
END $$"""


async def _bank_entry(session: AsyncSession, amount_minor: int, reference: str) -> int:
    """The line of a bank statement the expected payment is matched to (PAY-5)."""
    imported = BankImport(
        import_id=uuid.uuid4(), sha256=uuid.uuid4().hex, file_name="test.xml", format="camt053",
        statements=1, entries=1, imported_by="fay", imported_at=clock.now(),
    )  # fmt: skip
    statement = BankStatement(
        statement_id=uuid.uuid4(), import_id=imported.import_id, account="CN0001",
        currency=CNY, bank_statement_ref=reference, opening_minor=0, closing_minor=amount_minor,
    )  # fmt: skip
    session.add_all([imported, statement])
    await session.flush()
    entry = BankEntry(
        statement_id=statement.statement_id, line_no=1, amount_minor=amount_minor,
        currency=CNY, booking_date=clock.today(), reference=reference, state="matched",
    )  # fmt: skip
    session.add(entry)
    await session.flush()
    return entry.entry_id


def _commission(revenue: int, percent: Decimal) -> int:
    """PAY-4's commission in integers, rounded half up: ⌊revenue × hundredths / 10,000 + ½⌋."""
    hundredths = int(percent * 100)
    return (2 * revenue * hundredths + 10_000) // 20_000


@dataclass
class Hotel:
    hotel_id: uuid.UUID
    commission_percent: Decimal | None
    guaranteed: bool


@dataclass
class Booking:
    """The model's booking: what the business rules say its outcome leaves on the ledger."""

    event: Any  # BookingPlacedV1
    hotel: Hotel
    pay_at_hotel: bool
    payments: int = 0
    cancelled: bool = False
    applied_version: int = 0
    next_version: int = 1
    sent: list[Envelope] = field(default_factory=list)
    # The applied outcome's effect on each account; a newer outcome takes it off first.
    effect: dict[str, int] = field(default_factory=lambda: defaultdict(int))


class Ledger(RuleBasedStateMachine):
    """One example: a clean payments schema, then random steps (see the module docstring)."""

    loop: asyncio.AbstractEventLoop
    sessionmaker: Any

    def __init__(self) -> None:
        super().__init__()
        self.run(self._reset())
        self.expected: dict[str, int] = defaultdict(int)  # account -> balance, debits positive
        self.bookings: list[Booking] = []
        self.hotels: list[Hotel] = []
        self.counter = itertools.count(1)

    # --- plumbing -----------------------------------------------------------------------

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    async def _reset(self) -> None:
        async with unit_of_work(self.sessionmaker) as session:
            await session.execute(text(RESET))

    def _deliver(self, envelope: Envelope) -> None:
        self.run(
            apply_once(self.sessionmaker, service="payments", schema="payments",
                       handlers=HANDLERS, envelope=envelope)
        )  # fmt: skip

    def _envelope(self, payload: Any, version: int) -> Envelope:
        return envelope_for(
            payload, source="tests", occurred_at=clock.now(), aggregate_version=version
        )

    def _move(
        self, debit: str, credit: str, amount: int, into: dict[str, int] | None = None
    ) -> None:
        for book in [self.expected] if into is None else [self.expected, into]:
            book[debit] += amount
            book[credit] -= amount

    # --- rules --------------------------------------------------------------------------

    @initialize(
        commission=st.decimals(min_value=0, max_value=30, places=2),
        guaranteed=st.booleans(),
        deposit=st.integers(min_value=0, max_value=60_000),
    )
    def sign_hotels(self, commission: Decimal, guaranteed: bool, deposit: int) -> None:
        """A prepaid hotel holding our deposit (PAY-3) and a pay-at-hotel one on commission
        (PAY-4), each with a booking placed."""
        for percent in (None, commission):
            hotel_id = self.run(
                events.hotel(self.sessionmaker, commission_percent=percent, guaranteed=guaranteed)
            )
            self.hotels.append(Hotel(hotel_id, percent, guaranteed))
            self._place(self.hotels[-1], percent is not None, 100_000, 15)
        if deposit:
            self.pay_deposit(0, deposit)

    @rule(
        hotel=st.integers(min_value=0, max_value=1),
        pay_at_hotel=st.booleans(),
        sell=st.integers(min_value=1, max_value=200_000),
        margin_percent=st.integers(min_value=0, max_value=40),
    )
    def place_booking(self, hotel: int, pay_at_hotel: bool, sell: int, margin_percent: int) -> None:
        self._place(self.hotels[hotel], pay_at_hotel, sell, margin_percent)

    def _place(self, hotel: Hotel, pay_at_hotel: bool, sell: int, margin_percent: int) -> None:
        mode = "pay_at_hotel" if pay_at_hotel else "prepaid"
        net = sell * (100 - margin_percent) // 100
        placed = events.placed(hotel.hotel_id, payment_mode=mode, sell_minor=sell, net_minor=net)
        self._deliver(self._envelope(placed, 1))
        self.bookings.append(Booking(placed, hotel, pay_at_hotel))

    def _pick(self, data: st.DataObject, *, live: bool = False) -> Booking:
        pool = [b for b in self.bookings if not (live and b.cancelled)]
        return data.draw(st.sampled_from(pool))

    @precondition(lambda self: any(not b.cancelled for b in self.bookings))
    @rule(data=st.data(), amount=st.integers(min_value=1, max_value=100_000))
    def take_payment(self, data: st.DataObject, amount: int) -> None:
        """PAY-1: money taken on the booking's slip (partial payments welcome)."""
        booking = self._pick(data, live=True)
        booking_id = booking.event.booking_id

        async def paid() -> None:
            async with unit_of_work(self.sessionmaker) as session:
                await events.pay(session, booking_id, amount, next(self.counter))

        self.run(paid())
        booking.payments += amount
        self._move("bank", chart.guest_receivable(booking_id), amount)

    @precondition(lambda self: bool(self.bookings))
    @rule(
        data=st.data(),
        what=st.sampled_from(["stayed", "stayed", "provisional", "final"]),
        revenue=st.integers(min_value=0, max_value=200_000),
        net_percent=st.integers(min_value=50, max_value=110),
        fee=st.integers(min_value=0, max_value=60_000),
        order=st.sampled_from(["once", "twice", "skip_then_late"]),
    )
    def record_outcome(
        self, data: st.DataObject, what: str, revenue: int, net_percent: int, fee: int, order: str
    ) -> None:
        """A stay outcome or its correction (NS-3); ``twice`` delivers it again with a new
        event id, ``skip_then_late`` sends a newer version first and this one after it."""
        booking = self._pick(data)
        version = booking.next_version
        event = self._outcome(booking, version, what, revenue, revenue * net_percent // 100, fee)
        if order == "skip_then_late":
            newer = self._outcome(booking, version + 1, what, revenue, revenue // 2, fee)
            self._send(booking, newer)
            self._send(booking, event)  # late: older than what is applied, changes nothing
            booking.next_version = version + 2
            return
        self._send(booking, event)
        if order == "twice":
            self._deliver(self._envelope(event, version))
        booking.next_version = version + 1

    @precondition(lambda self: any(b.sent for b in self.bookings))
    @rule(data=st.data())
    def redeliver(self, data: st.DataObject) -> None:
        """An envelope the queue delivers again: the inbox drops it, nothing moves."""
        booking = data.draw(st.sampled_from([b for b in self.bookings if b.sent]))
        self._deliver(data.draw(st.sampled_from(booking.sent)))

    @precondition(lambda self: any(not b.cancelled for b in self.bookings))
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        booking = self._pick(data, live=True)
        booking.cancelled = True
        gone = events.cancelled(booking.event, version=2)
        self._deliver(self._envelope(gone, 2))
        self._undo(booking)
        guest = chart.guest_receivable(booking.event.booking_id)
        paid = -self.expected[guest]
        if paid > 0:
            self._move(guest, refunds_payable(booking.event.booking_id), paid)

    @precondition(lambda self: any(b.cancelled or b.applied_version for b in self.bookings))
    @rule(
        data=st.data(),
        share=st.integers(min_value=1, max_value=100),
        by=st.sampled_from(["bank", "cash"]),
    )
    def pay_refund(self, data: st.DataObject, share: int, by: str) -> None:
        booking = self._pick(data)
        account = refunds_payable(booking.event.booking_id)
        owed = -self.expected[account]
        if owed <= 0:
            return
        amount = max(1, owed * share // 100)

        async def paid() -> None:
            async with unit_of_work(self.sessionmaker) as session:
                await deposits.pay_refund(
                    session, booking.event.booking_ref, amount_minor=amount, method=by,  # type: ignore[arg-type]
                    request_id=uuid.uuid4(), staff=FAY,
                )  # fmt: skip

        self.run(paid())
        self._move(account, deposits.REFUND_FROM[by], amount)

    @rule(hotel_index=st.integers(min_value=0, max_value=1), amount=st.integers(1, 40_000))
    def pay_deposit(self, hotel_index: int, amount: int) -> None:
        """PAY-3: our deposit placed with the hotel."""
        hotel = self.hotels[hotel_index]
        deposit = deposits.DepositInput(amount, clock.today(), "", uuid.uuid4())

        async def paid() -> None:
            async with unit_of_work(self.sessionmaker) as session:
                await deposits.record_deposit(session, hotel.hotel_id, deposit, FAY)

        self.run(paid())
        self._move(chart.deposit_held(hotel.hotel_id), "bank", amount)

    @rule(hotel_index=st.integers(min_value=0, max_value=1), share=st.integers(1, 100))
    def settle_hotel(self, hotel_index: int, share: int) -> None:
        """PAY-4/5: we pay part of what we owe the hotel; it pays part of its commission;
        each through an expected payment matched at the bank."""
        hotel = self.hotels[hotel_index]
        payable = chart.hotel_payable(hotel.hotel_id)
        receivable = chart.commission_receivable(hotel.hotel_id)
        owed_by_us, owed_to_us = -self.expected[payable], self.expected[receivable]
        for direction, account, amount in (
            ("out", payable, owed_by_us),
            ("in", receivable, owed_to_us),
        ):
            part = amount * share // 100
            if part <= 0:
                continue
            self.run(self._settle(hotel, direction, account, part))
            debit, credit = (account, "bank") if direction == "out" else ("bank", account)
            self._move(debit, credit, part)

    async def _settle(self, hotel: Hotel, direction: str, account: str, amount: int) -> None:
        async with unit_of_work(self.sessionmaker) as session:
            reference = f"ST{next(self.counter)}"
            owed = await expected.expect(
                session, direction=direction, currency=CNY, amount_minor=amount,
                reference=reference, source="statement", source_id=uuid.uuid4(),
                clears_account=account, hotel_id=hotel.hotel_id,
            )  # fmt: skip
            signed = amount if direction == "in" else -amount
            entry = await _bank_entry(session, signed, reference)
            await expected.settle(
                session, owed.expected_payment_id, bank_entry_id=entry,
                booked_on=clock.today(), actor="fay",
            )  # fmt: skip

    # --- the model's business rules (PAY-3, PAY-4, NS-3, NS-7) ----------------------------

    def _outcome(
        self, booking: Booking, version: int, what: str, revenue: int, net: int, fee: int
    ) -> Any:
        if what == "stayed":
            return events.stayed(booking.event, version, revenue=revenue, net=net)
        guaranteed = booking.hotel.guaranteed
        return events.no_show(booking.event, version, stage=what, fee=fee, guaranteed=guaranteed)

    def _send(self, booking: Booking, event: Any) -> None:
        envelope = self._envelope(event, event.outcome_version)
        booking.sent.append(envelope)
        self._deliver(envelope)
        if booking.cancelled or event.outcome_version <= booking.applied_version:
            return  # a cancelled booking's outcome, or one older than the applied: nothing
        booking.applied_version = event.outcome_version
        self._undo(booking)
        self._apply(booking, event)

    def _undo(self, booking: Booking) -> None:
        """NS-3: the applied outcome's postings are reversed."""
        for account, amount in booking.effect.items():
            self.expected[account] -= amount
        booking.effect = defaultdict(int)

    def _apply(self, booking: Booking, event: Any) -> None:
        ids, hotel = booking.event, booking.hotel
        guest, effect = chart.guest_receivable(ids.booking_id), booking.effect
        stayed = hasattr(event, "room_revenue_minor")
        if stayed and booking.pay_at_hotel:
            if hotel.commission_percent is not None:
                commission = _commission(event.room_revenue_minor, hotel.commission_percent)
                self._move(
                    chart.commission_receivable(hotel.hotel_id),
                    "commission_revenue",
                    commission,
                    effect,
                )
        elif stayed:
            revenue, net = event.room_revenue_minor, event.net_minor
            self._move(guest, chart.hotel_payable(hotel.hotel_id), net, effect)
            self._move(guest, "margin_revenue", revenue - net, effect)
            deposit = self.expected[chart.deposit_held(hotel.hotel_id)]
            drawn = max(0, min(net, deposit))
            self._move(
                chart.hotel_payable(hotel.hotel_id),
                chart.deposit_held(hotel.hotel_id),
                drawn,
                effect,
            )
        elif event.stage == "final" and booking.pay_at_hotel:
            if event.guaranteed:
                self._move(
                    chart.no_show_fee_receivable(hotel.hotel_id),
                    "no_show_fee_income",
                    event.fee_minor,
                    effect,
                )
        elif event.stage == "final":
            self._move(guest, "no_show_fee_income", event.fee_minor, effect)
            beyond = -self.expected[guest]
            if beyond > 0:
                self._move(guest, refunds_payable(ids.booking_id), beyond, effect)

    # --- invariants ---------------------------------------------------------------------

    @invariant()
    def ledger_matches_the_model(self) -> None:
        async def read() -> tuple[bool, dict[str, int]]:
            async with self.sessionmaker() as session:
                healthy = (await check(session)).healthy
                found = {b.account: b.balance_minor for b in await balances(session)}
                return healthy, found

        healthy, found = self.run(read())
        assert healthy, "the ledger does not balance"
        model = {account: amount for account, amount in self.expected.items() if amount}
        assert {a: m for a, m in found.items() if m} == model
        for booking in self.bookings:
            if booking.cancelled:
                assert found.get(chart.guest_receivable(booking.event.booking_id), 0) == 0


def test_random_business_keeps_the_ledger_balanced_and_true() -> None:
    """40 examples of up to 40 steps; well under a minute against the test database."""
    loop = asyncio.new_event_loop()
    engine = make_engine(INFRA.database_url, pool_size=2)
    Ledger.loop, Ledger.sessionmaker = loop, make_sessionmaker(engine)
    try:
        run_state_machine_as_test(
            Ledger,
            settings=settings(
                max_examples=40, stateful_step_count=40, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )  # fmt: skip
    finally:
        loop.run_until_complete(engine.dispose())
        loop.close()
