"""The no-show reports (issue 16, NS-7): rates by hotel, agent and client over the day's or
month's confirmed arrivals, the reasons, the Excel export, and who may read them."""

from __future__ import annotations

import io
import uuid
from datetime import date, timedelta
from typing import Any

from openpyxl import load_workbook

from services.noshow.models import NoShowCase, StayBooking
from shared.auth import Role
from shared.clock import clock

DAY = date(2026, 12, 1)


def _booking(
    hotel: str, agent: str, company: str, *, on: date = DAY, status: str = "confirmed"
) -> StayBooking:
    return StayBooking(
        booking_id=uuid.uuid4(),
        booking_ref=f"RL{uuid.uuid4().hex[:8].upper()}",
        booking_version=1,
        hotel_id=uuid.uuid5(uuid.NAMESPACE_DNS, hotel),
        hotel_name=hotel,
        check_in=on,
        check_out=on + timedelta(days=1),
        rooms=1,
        guest_names=["王芳"],
        booker_name="王芳",
        booker_phone="13912345678",
        booker_company=company,
        agent_username=agent,
        payment_mode="prepaid",
        currency="CNY",
        nights=[{"night": on.isoformat(), "sell_minor": 68800, "net_minor": 58480}],
        status=status,
    )


def _case(booking: StayBooking, state: str, reason: str = "") -> NoShowCase:
    now = clock.now()
    return NoShowCase(
        booking_id=booking.booking_id,
        business_date=booking.check_in + timedelta(days=1),
        state=state,
        opened_at=now,
        due_at=now,
        reason_category=reason,
    )


async def _seed(sessionmaker: Any) -> None:
    peace = [_booking("Peace Hotel", "lina", "Acme") for _ in range(4)]
    hilton = [_booking("Hilton", "wang", "") for _ in range(2)]
    elsewhere = [
        _booking("Hilton", "wang", "", on=DAY + timedelta(days=1)),  # another day
        _booking("Hilton", "wang", "", status="cancelled"),  # never expected
    ]
    async with sessionmaker() as session, session.begin():
        session.add_all([*peace, *hilton, *elsewhere])
        await session.flush()
        session.add_all(
            [
                _case(peace[0], "final", "changed_plans"),
                _case(peace[1], "provisional", "changed_plans"),
                _case(peace[2], "stayed"),  # the audit missed them: not a no-show
                _case(hilton[0], "final", "stayed_elsewhere"),
                _case(elsewhere[0], "final", "hotel_error"),
            ]
        )


async def test_ns7_the_days_rates_by_hotel_agent_and_client(sessionmaker, login_as) -> None:
    await _seed(sessionmaker)
    desk = await login_as("liuyang", Role.NOSHOW_DESK)
    day = {"period": "day", "day": DAY.isoformat()}

    by_hotel = (await desk.get("/noshow/api/reports", params={**day, "group_by": "hotel"})).json()
    # Highest rate first; at the same rate, more no-shows first.
    assert [(r["key"], r["arrivals"], r["no_shows"], r["final"]) for r in by_hotel["rows"]] == [
        ("Peace Hotel", 4, 2, 1),
        ("Hilton", 2, 1, 1),
    ]
    assert by_hotel["rows"][0]["rate"] == 0.5
    assert by_hotel["reasons"] == [
        {"category": "changed_plans", "no_shows": 2},
        {"category": "stayed_elsewhere", "no_shows": 1},
    ]
    by_client = (await desk.get("/noshow/api/reports", params={**day, "group_by": "client"})).json()
    assert {r["key"]: r["no_shows"] for r in by_client["rows"]} == {"Acme": 2, "": 1}

    month = {"period": "month", "month": "2026-12", "group_by": "agent"}
    by_agent = (await desk.get("/noshow/api/reports", params=month)).json()
    assert {r["key"]: (r["arrivals"], r["no_shows"]) for r in by_agent["rows"]} == {
        "lina": (4, 2),
        "wang": (3, 2),
    }


async def test_ns7_the_page_and_the_workbook(sessionmaker, login_as) -> None:
    await _seed(sessionmaker)
    manager = await login_as("hugang", Role.GENERAL_MANAGER)
    params = {"period": "day", "day": DAY.isoformat(), "group_by": "hotel"}
    page = await manager.page("/noshow/reports", params=params)
    assert page.status_code == 200
    assert "Peace Hotel" in page.text and "50.0%" in page.text and "no-show-chart" in page.text

    manager.http.cookies.set("roomline_locale", "zh_CN")  # the business's own language
    chinese = await manager.page("/noshow/reports", params=params)
    assert chinese.status_code == 200 and "NO-SHOW 率" in chinese.text
    manager.http.cookies.set("roomline_locale", "en")

    export = await manager.get("/noshow/reports.xlsx", params=params)
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    rates = [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    assert rates[0] == ("Hotel", "Arrivals", "No-shows", "Final", "Rate")
    assert rates[1:] == [("Peace Hotel", 4, 2, 1, 0.5), ("Hilton", 2, 1, 1, 0.5)]
    reasons = list(book.worksheets[1].iter_rows(values_only=True))
    assert reasons[1:] == [("changed_plans", 2), ("stayed_elsewhere", 1)]


async def test_an_empty_period_says_so_and_bad_input_is_refused(sessionmaker, login_as) -> None:
    desk = await login_as("liuyang", Role.NOSHOW_DESK)
    empty = await desk.page("/noshow/reports", params={"period": "day", "day": DAY.isoformat()})
    assert "No confirmed arrivals in this period." in empty.text
    for params in (
        {"period": "week"},
        {"day": "2026-13-01"},
        {"month": "9999-12", "period": "month"},
    ):
        refused = await desk.get("/noshow/api/reports", params=params)
        assert refused.status_code == 422, params


async def test_only_the_desk_and_the_manager_read_the_reports(login_as) -> None:
    for role in (Role.AGENT, Role.FINANCE, Role.CONFIRMATION_DESK):
        person = await login_as(f"p-{role.value}", role)
        assert (await person.get("/noshow/api/reports")).status_code == 403, role
        assert (await person.get("/noshow/reports.xlsx")).status_code == 403, role
