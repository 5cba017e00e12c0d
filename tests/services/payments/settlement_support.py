"""A small ledger for the settlement tests (PAY-4, PAY-5), built by posting as the hotel side
would: a prepaid stay, commission on a pay-at-hotel stay, a no-show fee and a draw-down on a
deposit, for one hotel in October and November 2026 and a second hotel in November. No tests
here: the other ``test_settlement_*`` modules import it."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from services.payments.ledger import chart
from services.payments.ledger.postings import Leg, Posting, post, transfer
from services.payments.models import PayHotel
from shared.db import unit_of_work

PEACE = uuid.UUID("1a2b3c4d-0000-4000-8000-000000000001")
HILTON = uuid.UUID("5e6f7a8b-0000-4000-8000-000000000002")
OCTOBER, NOVEMBER = date(2026, 10, 1), date(2026, 11, 1)
PEACE_NAME = "上海和平饭店 Peace Hotel"

# What the months add up to (minor units): see ``seed_ledger``.
OCTOBER_TOTALS = {
    "payables_minor": 58480,
    "deposit_drawn_minor": 30000,
    "commission_minor": 5000,
    "no_show_fee_minor": 20000,
    "receivables_minor": 25000,
    "net_minor": 3480,  # 58480 - 30000 - 25000: we pay the hotel
}
NOVEMBER_TOTALS = {
    "payables_minor": 40000,
    "deposit_drawn_minor": 0,
    "commission_minor": 12000,
    "no_show_fee_minor": 35000,
    "receivables_minor": 47000,
    "net_minor": -7000,  # the hotel pays us
}


def stay_prepaid(key: str, hotel: uuid.UUID, on: date, sell: int, net: int) -> Posting:
    booking = uuid.uuid4()
    return Posting(
        idempotency_key=key,
        kind="stay_prepaid",
        legs=[
            Leg(account=chart.guest_receivable(booking), currency="CNY", amount_minor=sell),
            Leg(account=chart.hotel_payable(hotel), currency="CNY", amount_minor=-net),
            Leg(account="margin_revenue", currency="CNY", amount_minor=net - sell),
        ],
        booking_id=booking,
        booking_ref=f"RL{key.upper()[-6:]}",
        hotel_id=hotel,
        effective_on=on,
    )


def commission(key: str, hotel: uuid.UUID, on: date, amount: int) -> Posting:
    return Posting(
        idempotency_key=key,
        kind="stay_commission",
        legs=transfer(chart.commission_receivable(hotel), "commission_revenue", amount, "CNY"),
        booking_ref=f"RL{key.upper()[-6:]}",
        hotel_id=hotel,
        effective_on=on,
    )


def no_show_fee(key: str, hotel: uuid.UUID, on: date, amount: int) -> Posting:
    return Posting(
        idempotency_key=key,
        kind="no_show_fee",
        legs=transfer(chart.no_show_fee_receivable(hotel), "no_show_fee_income", amount, "CNY"),
        booking_ref=f"RL{key.upper()[-6:]}",
        hotel_id=hotel,
        effective_on=on,
    )


def deposit(key: str, hotel: uuid.UUID, on: date, amount: int, *, drawn: bool) -> Posting:
    if drawn:  # a prepaid stay paid out of the deposit: the payable goes down
        legs = transfer(chart.hotel_payable(hotel), chart.deposit_held(hotel), amount, "CNY")
    else:  # our deposit placed with the hotel
        legs = transfer(chart.deposit_held(hotel), "bank", amount, "CNY")
    kind = "deposit_drawdown" if drawn else "deposit_paid"
    return Posting(idempotency_key=key, kind=kind, legs=legs, hotel_id=hotel, effective_on=on)


def month_postings(month: date) -> list[Posting]:
    if month == OCTOBER:
        return [
            deposit("oct-dep", PEACE, date(2026, 10, 1), 30000, drawn=False),
            stay_prepaid("oct-a1", PEACE, date(2026, 10, 5), 68800, 58480),
            deposit("oct-draw", PEACE, date(2026, 10, 5), 30000, drawn=True),
            commission("oct-b1", PEACE, date(2026, 10, 10), 5000),
            no_show_fee("oct-c1", PEACE, date(2026, 10, 20), 20000),
            stay_prepaid("oct-x1", HILTON, date(2026, 9, 30), 9000, 8000),  # September
        ]
    return [
        stay_prepaid("nov-d1", PEACE, date(2026, 11, 3), 48000, 40000),
        commission("nov-e1", PEACE, date(2026, 11, 12), 12000),
        no_show_fee("nov-f1", PEACE, date(2026, 11, 30), 35000),
        stay_prepaid("nov-h1", HILTON, date(2026, 11, 8), 12000, 10000),
        stay_prepaid("dec-d2", PEACE, date(2026, 12, 1), 5000, 4000),  # December
    ]


async def seed_ledger(sessionmaker: Any, *months: date) -> None:
    """The hotels' read models and the months' postings (both months by default)."""
    async with unit_of_work(sessionmaker) as session:
        session.add(PayHotel(hotel_id=PEACE, name=PEACE_NAME, currency="CNY"))
        session.add(PayHotel(hotel_id=HILTON, name="Hilton Shanghai", currency="CNY"))
        for month in months or (OCTOBER, NOVEMBER):
            for posting in month_postings(month):
                await post(session, posting, actor="seed")


async def add_posting(sessionmaker: Any, posting: Posting) -> None:
    async with unit_of_work(sessionmaker) as session:
        await post(session, posting, actor="seed")


async def bank_entry(sessionmaker: Any, amount_minor: int, reference: str) -> int:
    """A bank statement line as helper B's importer stores it (``bank_entry`` rows are what
    an expected payment is matched to); returns its id."""
    from services.payments.bank.models import BankEntry, BankImport, BankStatement
    from shared.clock import clock

    async with unit_of_work(sessionmaker) as session:
        imported = BankImport(
            import_id=uuid.uuid4(), sha256=uuid.uuid4().hex * 2, file_name="t.xml",
            format="camt053", statements=1, entries=1, imported_by="fay",
            imported_at=clock.now(),
        )  # fmt: skip
        statement = BankStatement(
            statement_id=uuid.uuid4(), import_id=imported.import_id, account="CN001",
            currency="CNY", bank_statement_ref="S1", opening_minor=0, closing_minor=amount_minor,
        )  # fmt: skip
        entry = BankEntry(
            statement_id=statement.statement_id, line_no=1, amount_minor=amount_minor,
            currency="CNY", booking_date=clock.today(), reference=reference,
        )  # fmt: skip
        session.add(imported)
        await session.flush()
        session.add(statement)
        await session.flush()
        session.add(entry)
        await session.flush()
        return int(entry.entry_id)
