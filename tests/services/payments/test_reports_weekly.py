"""PAY-6: the weekly desk summary from postings made here: payments by method and currency,
reversals netted, cash handed over, refunds, settlements, postings by kind and person, and
the weeks' edges (Monday to Sunday, business dates); the page, the JSON and the workbook."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime
from typing import Any

from openpyxl import load_workbook

from services.payments.ledger.postings import Fx, Leg, Posting, post, reverse, transfer
from services.payments.reports.service import week_of, weekly_summary
from shared.auth import Role
from shared.clock import clock
from shared.db import unit_of_work

# Wednesday 2 December 2026, 10:00 in Beijing: its week is Monday 30 Nov to Sunday 6 Dec.
NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
MONDAY, TUESDAY, WEDNESDAY = date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2)
HOTEL = uuid.uuid5(uuid.NAMESPACE_DNS, "peace-hotel")


def _posting(key: str, kind: str, legs: list[Leg], on: date, **extra: Any) -> Posting:
    return Posting(idempotency_key=key, kind=kind, legs=legs, effective_on=on, **extra)  # type: ignore[arg-type]


def _guest() -> str:
    return f"guest_receivable:{uuid.uuid4()}"


async def _week_of_postings(sessionmaker: Any) -> None:
    clock.set_now(NOW)
    refund_booking = _guest()
    async with unit_of_work(sessionmaker) as s:
        cash = transfer("cash_on_hand:qian", _guest(), 10_000, "CNY")
        await post(s, _posting("p1", "payment_taken", cash, MONDAY), actor="qian")
        card = transfer("card_clearing", refund_booking, 25_000, "CNY")
        await post(s, _posting("p2", "payment_taken", card, TUESDAY), actor="qian")
        mistake = transfer("cash_on_hand:qian", _guest(), 5_000, "CNY")
        wrong = await post(s, _posting("p3", "payment_taken", mistake, TUESDAY), actor="qian")
        usd = transfer("cash_on_hand:lina", _guest(), 30_000, "USD")  # HR-14: a USD guest
        await post(s, _posting("p4", "payment_taken", usd, WEDNESDAY), actor="lina")
        wire = transfer("bank", _guest(), 40_000, "CNY")
        await post(s, _posting("p5", "bank_receipt", wire, WEDNESDAY), actor="zhao")
        handed = transfer("cash_with_finance", "cash_on_hand:qian", 10_000, "CNY")
        await post(s, _posting("h1", "cash_handover", handed, WEDNESDAY), actor="zhao")
        due = transfer(refund_booking, "refunds_payable:b2", 8_000, "CNY")
        await post(s, _posting("r1", "refund_due", due, WEDNESDAY), actor="qian")
        paid = transfer("refunds_payable:b2", "card_clearing", 3_000, "CNY")
        await post(s, _posting("r2", "refund_paid", paid, WEDNESDAY), actor="zhao")
        to_hotel = transfer(f"hotel_payable:{HOTEL}", "bank", 50_000, "CNY")
        await post(s, _posting("s1", "settlement_paid", to_hotel, WEDNESDAY), actor="zhao")
        from_hotel = transfer("bank", f"commission_receivable:{HOTEL}", 7_000, "CNY")
        await post(s, _posting("s2", "settlement_collected", from_hotel, WEDNESDAY), actor="zhao")
        await reverse(s, wrong.transaction_id, actor="qian")  # today: Wednesday
        # The Sunday before and the Monday after belong to other weeks.
        for key, day in (("before", date(2026, 11, 29)), ("after", date(2026, 12, 7))):
            outside = transfer("cash_on_hand:qian", _guest(), 99_900, "CNY")
            await post(s, _posting(key, "payment_taken", outside, day), actor="qian")


def test_a_week_runs_monday_to_sunday() -> None:
    assert week_of(date(2026, 12, 6)) == (MONDAY, date(2026, 12, 7))  # a Sunday
    assert week_of(MONDAY) == (MONDAY, date(2026, 12, 7))
    assert week_of(date(2026, 12, 7)) == (date(2026, 12, 7), date(2026, 12, 14))


async def test_pay6_the_weeks_figures_come_from_the_ledger(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    await _week_of_postings(sessionmaker)
    async with sessionmaker() as session:
        summary = await weekly_summary(session, TUESDAY)
    assert (summary.first, summary.following) == (MONDAY, date(2026, 12, 7))
    # The reversed cash payment nets to nothing; cash first, then card, then bank.
    assert [(r.method, r.currency, r.count, r.amount_minor) for r in summary.payments] == [
        ("cash_on_hand", "CNY", 1, 10_000),
        ("cash_on_hand", "USD", 1, 30_000),
        ("card_clearing", "CNY", 1, 25_000),
        ("bank", "CNY", 1, 40_000),
    ]
    assert summary.cash_handed_over == {"CNY": 10_000}
    assert summary.refunds_due == {"CNY": 8_000}
    assert summary.refunds_paid == {"CNY": 3_000}
    assert summary.settlements_paid == {"CNY": 50_000}
    assert summary.settlements_collected == {"CNY": 7_000}
    kinds = {row.kind: (row.count, row.volume) for row in summary.kinds}
    assert kinds["payment_taken"] == (4, {"CNY": 40_000, "USD": 30_000})
    assert kinds["reversal"] == (1, {"CNY": 5_000})
    assert kinds["cash_handover"] == (1, {"CNY": 10_000})
    assert sum(count for count, _ in kinds.values()) == 11
    assert summary.people == [("qian", 5), ("zhao", 5), ("lina", 1)]


async def test_pay6_an_empty_week_has_no_figures(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    await _week_of_postings(sessionmaker)
    async with sessionmaker() as session:
        summary = await weekly_summary(session, date(2026, 11, 20))
    assert summary.payments == [] and summary.kinds == [] and summary.people == []
    assert summary.cash_handed_over == {}


async def test_a_conversion_counts_in_both_currencies(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    clock.set_now(NOW)
    legs = [
        Leg(account="cash_on_hand:qian", currency="USD", amount_minor=10_000),
        Leg(account="fx_conversion", currency="USD", amount_minor=-10_000),
        Leg(account="fx_conversion", currency="CNY", amount_minor=71_500),
        Leg(account="guest_receivable:b9", currency="CNY", amount_minor=-71_500),
    ]
    fx = Fx(base="USD", quote="CNY", rate="7.15")  # type: ignore[arg-type]
    async with unit_of_work(sessionmaker) as s:
        await post(s, _posting("fx1", "payment_taken", legs, TUESDAY, fx=fx), actor="qian")
    async with sessionmaker() as session:
        summary = await weekly_summary(session, TUESDAY)
    assert [(r.currency, r.amount_minor) for r in summary.payments] == [("USD", 10_000)]
    assert summary.kinds[0].volume == {"CNY": 71_500, "USD": 10_000}


async def test_pay6_page_json_and_workbook(sessionmaker, login_as) -> None:  # type: ignore[no-untyped-def]
    await _week_of_postings(sessionmaker)
    lead = await login_as("wanglei", Role.TEAM_LEAD)
    params = {"week": WEDNESDAY.isoformat()}

    body = (await lead.get("/payments/api/reports/weekly", params=params)).json()
    assert body["first"] == "2026-11-30" and body["following"] == "2026-12-07"
    assert body["cash_handed_over"] == {"CNY": 10_000}

    page = await lead.page("/payments/reports", params=params)
    assert page.status_code == 200
    assert "2026-11-30 – 2026-12-06" in page.text and 'id="ledger-check"' in page.text
    assert "Payments taken" in page.text and "Settlements collected" in page.text
    lead.http.cookies.set("roomline_locale", "zh_CN")
    chinese = await lead.page("/payments/reports", params=params)
    assert chinese.status_code == 200 and "每周" in chinese.text
    lead.http.cookies.set("roomline_locale", "en")

    export = await lead.get("/payments/reports/weekly.xlsx", params=params)
    assert export.status_code == 200
    assert "payments-week-2026-11-30.xlsx" in export.headers["content-disposition"]
    book = load_workbook(io.BytesIO(export.content))
    payments = [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    assert payments[1:] == [
        ("Cash", "CNY", 1, 10_000),
        ("Cash", "USD", 1, 30_000),
        ("Card", "CNY", 1, 25_000),
        ("Bank transfer", "CNY", 1, 40_000),
    ]
    moved = {(r[0], r[1]): r[2] for r in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert moved[("Settlements paid", "CNY")] == 50_000
    people = list(book.worksheets[3].iter_rows(min_row=2, values_only=True))
    assert people[0] == ("qian", 5)


async def test_pay6_a_bad_week_is_refused_by_name(login_as) -> None:  # type: ignore[no-untyped-def]
    finance = await login_as("zhao", Role.FINANCE)
    answer = await finance.get("/payments/api/reports/weekly", params={"week": "next tuesday"})
    assert answer.status_code == 422 and "week" in answer.text
    far = await finance.get("/payments/api/reports/weekly", params={"week": "1999-01-04"})
    assert far.status_code == 422
    page = await finance.page("/payments/reports", params={"week": "2026-13-01"})
    assert page.status_code == 422


async def test_pay1_slips_signed_in_the_week_by_beijing_time(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    from services.payments.slips.models import Slip

    def slip(signed_at: datetime | None) -> Slip:
        return Slip(
            slip_id=uuid.uuid4(),
            booking_id=uuid.uuid4(),
            booking_ref=f"RL{uuid.uuid4().hex[:8].upper()}",
            hotel_name="Peace Hotel",
            booker_name="王芳",
            booker_phone="13912345678",
            currency="CNY",
            amount_due_minor=58_000,
            state="signed" if signed_at else "open",
            signer="wanglei" if signed_at else None,
            signed_at=signed_at,
        )

    async with unit_of_work(sessionmaker) as s:
        s.add_all(
            [
                slip(datetime(2026, 11, 29, 16, 30, tzinfo=UTC)),  # Monday 00:30 in Beijing
                slip(datetime(2026, 12, 6, 15, 59, tzinfo=UTC)),  # Sunday 23:59 in Beijing
                slip(datetime(2026, 11, 29, 15, 59, tzinfo=UTC)),  # the Sunday before
                slip(datetime(2026, 12, 6, 16, 0, tzinfo=UTC)),  # the Monday after
                slip(None),
            ]
        )
    async with sessionmaker() as session:
        assert (await weekly_summary(session, WEDNESDAY)).slips_signed == 2
