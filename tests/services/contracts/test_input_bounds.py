"""Bounded input everywhere in hotel resources (issue 14): money at most the ceiling, dates in
the business's window, months and pages a real list can show; out of bounds is a 4xx naming
the field (422, a readable page, an OTA ``<Errors>``, a sheet's row report), never a 500 and
never a price published to the agents. The sold-night projection holds rooms × nights × the
ceiling price."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest

from services.contracts.reports import sales
from services.contracts.reports.rankings import OutOfRange, sold_rows
from shared.auth import Role
from shared.clock import clock
from shared.limits import MONEY_HARD_MAX_MINOR, limit_settings
from tests.services.contracts.helpers import API, counts, night, outbox, rates, set_up_hotel
from tests.services.contracts.ota_support import AVAIL, RATE_PLANS, answer, error_texts, send
from tests.services.contracts.test_import_bounds import _run, _stored_report
from tests.services.contracts.test_imports import HEADER, filled
from tests.services.contracts.test_rankings import _apply, _booking, _hotel

CEILING = limit_settings().money_ceiling_minor  # ROOMLINE_MONEY_CEILING_MINOR, 100,000,000
RATES_PUBLISHED = "contracts.rates_published"
EDGE_DAYS = ("0001-01-01", "9999-12-31")
EDGE_MONTHS = ("0001-01", "9999-12", "2026-13", "0000-00", "99999-01")
HUGE_PAGE = str(10**12)


def _fields(response) -> list[str]:
    return [f["field"] for f in response.json()["fields"]]


def _prices(ids: dict[str, str], net: int, sell: int, **overrides: object) -> dict[str, object]:
    body = {
        "rate_plan_id": ids["rate_plan_id"],
        "first_night": night(1),
        "last_night": night(2),
        "net_minor": net,
        "sell_minor": sell,
    }
    return {**body, **overrides}


@pytest.mark.parametrize("price", [2**62, 10**15, CEILING + 1])
async def test_issue14_a_sell_price_over_the_ceiling_is_a_422_naming_it_and_nothing_is_published(
    login_as, sessionmaker, price: int
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    before = await counts(sessionmaker)

    response = await desk.request_json("PUT", f"{API}/rates", _prices(ids, 40000, price))

    assert response.status_code == 422, response.text
    assert _fields(response) == ["sell_minor"]
    assert await counts(sessionmaker) == before  # no rate, no audit row, no outbox row
    assert await outbox(sessionmaker, RATES_PUBLISHED) == []


async def test_issue14_a_net_price_over_the_ceiling_is_refused_on_the_form_too(
    login_as, sessionmaker
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    before = await counts(sessionmaker)
    form = {
        "rate_plan_id": ids["rate_plan_id"],
        "first_night": night(1),
        "last_night": night(2),
        "net": "10000000000000.00",  # 10^15 fen
        "sell": "10000000000000.00",
    }

    page = await desk.post_form(f"/contracts/hotels/{ids['hotel_id']}/rates", form)
    absurd = await desk.post_form(
        f"/contracts/hotels/{ids['hotel_id']}/rates", {**form, "net": "1e30", "sell": "Infinity"}
    )

    assert page.status_code == 422 and "Net price:" in page.text and "Sell price:" in page.text
    assert "This amount is above the largest we accept" in page.text
    assert absurd.status_code == 422 and "Enter an amount, like 580.00." in absurd.text
    assert await counts(sessionmaker) == before


async def test_issue14_a_price_at_the_ceiling_is_accepted_and_published(
    login_as, sessionmaker
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)

    response = await desk.request_json("PUT", f"{API}/rates", _prices(ids, CEILING, CEILING))

    assert response.status_code == 200, response.text
    stored = await rates(sessionmaker, ids["rate_plan_id"])
    assert {v[:2] for v in stored.values()} == {(CEILING, CEILING)} and len(stored) == 2
    [event] = await outbox(sessionmaker, RATES_PUBLISHED)
    assert {n["sell_minor"] for n in event["nights"]} == {CEILING}


async def test_issue14_a_booking_at_the_ceiling_with_many_rooms_and_nights_is_ranked(
    login_as, sessionmaker
) -> None:
    desk = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    hotel = await _hotel(desk, "Ceiling Hotel")
    first = clock.today().replace(day=1) + timedelta(days=40)
    first = first.replace(day=1)  # a month ahead: every night in one month
    nights = [first + timedelta(days=i) for i in range(28)]
    rooms = 9
    booking = _booking(hotel, nights, rooms, CEILING)

    assert await _apply(sessionmaker, booking) == "handled"

    response = await desk.get(f"/contracts/api/rankings?month={first:%Y-%m}")
    assert response.status_code == 200, response.text
    [row] = response.json()
    assert row["room_nights"] == rooms * len(nights)
    assert row["sales_minor"] == rooms * len(nights) * CEILING  # 25,200,000,000: past int32


def test_issue14_a_booking_event_beyond_the_columns_is_refused_naming_the_field() -> None:
    """Whatever intake once sent (a price of 2^62 before the bounds), the projection refuses
    it with a message instead of a database error on every retry."""
    hotel = str(uuid.uuid4())
    with pytest.raises(OutOfRange, match="sell_minor"):
        sold_rows(_booking(hotel, [date(2026, 12, 10)], 2, 2**62))
    with pytest.raises(OutOfRange, match="rooms"):
        sold_rows(_booking(hotel, [date(2026, 12, 10)], 2**40, 50000))
    assert len(sold_rows(_booking(hotel, [date(2026, 12, 10)], 2, MONEY_HARD_MAX_MINOR))) == 1


async def test_issue14_a_booking_version_beyond_its_column_is_refused_naming_it(
    sessionmaker,
) -> None:
    async with sessionmaker() as session:
        with pytest.raises(OutOfRange, match="booking_version"):
            await sales.claim(session, uuid.uuid4(), 2**31)


@pytest.mark.parametrize("month", EDGE_MONTHS)
async def test_issue14_edge_months_are_4xx_naming_the_month_on_every_report(
    login_as, month: str
) -> None:
    desk = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    for path in ("/contracts/api/rankings", "/contracts/api/competitors/summary"):
        response = await desk.get(path, params={"month": month})
        assert response.status_code == 422, (path, response.text)
        assert _fields(response) == ["month"]
    for path in ("/contracts/rankings", "/contracts/competitors", "/contracts/recommendations"):
        page = await desk.page(path, params={"month": month})
        assert page.status_code == 422, (path, page.text)
        assert "month" in page.text.lower()


async def test_issue14_edge_dates_huge_pages_and_counts_are_4xx_not_500(login_as) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    for day in EDGE_DAYS:
        for first, last in ((day, day), (night(1), day)):
            prices = _prices(ids, 40000, 50000, first_night=first, last_night=last)
            response = await desk.request_json("PUT", f"{API}/rates", prices)
            assert response.status_code == 422, response.text
            rooms = {"room_type_id": ids["room_type_id"], "rooms": 3}
            allot = {**rooms, "first_night": first, "last_night": last}
            response = await desk.request_json("PUT", f"{API}/allotments", allot)
            assert response.status_code == 422, response.text
            stop = {"room_type_id": ids["room_type_id"], "stop_sell": True}
            stop |= {"first_night": first, "last_night": last}
            response = await desk.request_json("PUT", f"{API}/restrictions", stop)
            assert response.status_code == 422, response.text
            terms = {"valid_from": first, "valid_to": last, "payment_arrangement": "net_prepaid"}
            response = await desk.post_json(f"{API}/hotels/{ids['hotel_id']}/contracts", terms)
            assert response.status_code == 422, response.text
        calendar = await desk.post_form(
            f"/contracts/hotels/{ids['hotel_id']}/calendar",
            {"room_type_id": ids["room_type_id"], "first_night": day, "last_night": day},
        )
        assert calendar.status_code == 422 and "First night" in calendar.text
        season = {"city": "Beijing", "name": "Expo", "kind": "exhibition"}
        season |= {"first_night": day, "last_night": day}
        page = await desk.post_form("/contracts/seasons", season)
        assert page.status_code == 422, page.text

    listed = await desk.get(f"{API}/hotels", params={"page": HUGE_PAGE})
    assert listed.status_code == 422 and _fields(listed) == ["page"]
    page = await desk.page("/contracts/", params={"page": HUGE_PAGE})
    assert page.status_code == 422 and "page" in page.text
    saved = await desk.page(
        f"/contracts/hotels/{ids['hotel_id']}/calendar", params={"saved": HUGE_PAGE}
    )
    assert saved.status_code == 422
    weekdays = _prices(ids, 40000, 50000, weekdays=[0, 7])
    response = await desk.request_json("PUT", f"{API}/rates", weekdays)
    assert response.status_code == 422 and _fields(response) == ["weekdays.1"]
    stale = _prices(ids, 40000, 50000, grid_version=2**31)
    response = await desk.request_json("PUT", f"{API}/rates", stale)
    assert response.status_code == 422 and _fields(response) == ["grid_version"]


async def test_issue14_ota_prices_over_the_ceiling_and_edge_dates_answer_ota_errors(
    login_as, sessionmaker
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    before = await counts(sessionmaker)
    message = filled("ota_rateplan_ok.xml", ids).decode()

    dear = message.replace('AmountAfterTax="688.00"', 'AmountAfterTax="10000000000000.00"')
    response = await send(desk, RATE_PLANS, dear.encode())
    assert response.status_code == 200, response.text
    [error] = error_texts(answer(response))
    assert "Rate 1" in error and "AmountAfterTax" in error and "ceiling" in error

    absurd = message.replace('roomline:NetAmount="600.00"', 'roomline:NetAmount="1e30"')
    response = await send(desk, RATE_PLANS, absurd.encode())
    assert response.status_code == 200 and "NetAmount" in error_texts(answer(response))[0]

    for day in EDGE_DAYS:
        late = message.replace(f'End="{night(2)}"', f'End="{day}"')
        response = await send(desk, RATE_PLANS, late.encode())
        assert response.status_code == 200, response.text
        assert any("End" in text for text in error_texts(answer(response)))
        avail = filled("ota_avail_ok.xml", ids).decode()
        avail = avail.replace(f'Start="{night(1)}"', f'Start="{day}"', 1)
        avail = avail.replace(f'End="{night(3)}"', f'End="{day}"', 1)
        response = await send(desk, AVAIL, avail.encode())
        assert response.status_code == 200, response.text
        assert error_texts(answer(response)), response.text

    odd = filled("ota_avail_ok.xml", ids).decode().replace('BookingLimit="6"', 'BookingLimit="²"')
    response = await send(desk, AVAIL, odd.encode())
    assert response.status_code == 200 and "BookingLimit" in error_texts(answer(response))[0]

    assert await counts(sessionmaker) == before


async def test_issue14_a_sheet_row_over_the_ceiling_or_out_of_the_window_is_reported(
    login_as, sessionmaker
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    before = await counts(sessionmaker)
    hotel, room, plan = ids["hotel_id"], "Deluxe King", "Prepaid BAR"
    lines = [
        HEADER.replace("hotel,", "hotel_id,"),
        f"{hotel},{room},{plan},{night(1)},{night(2)},3,600.00,688.00",
        f"{hotel},{room},{plan},{night(1)},{night(2)},3,600.00,10000000000000.00",
        f"{hotel},{room},{plan},{night(1)},9999-12-31,3,600.00,688.00",
        f"{hotel},{room},{plan},{night(1)},{night(2)},3,1e30,688.00",
    ]

    job_id = await _run(sessionmaker, "rates.csv", "\n".join(lines).encode())

    report = json.loads(await _stored_report(sessionmaker, job_id))
    assert [(r["row"], r["field"]) for r in report] == [
        (3, "sell"),
        (4, "last_night"),
        (5, "net"),
    ]
    assert "ceiling" in report[0]["message"]
    assert "must lie between" in report[1]["message"]
    assert await counts(sessionmaker) == before  # nothing of the good row either
