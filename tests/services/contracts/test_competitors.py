"""HR-5: competitors' prices imported from CSV (all or nothing) and the monthly summary of
where we are cheaper or dearer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from shared.auth import Role
from shared.clock import clock
from shared.db import unit_of_work
from tests.services.contracts.helpers import set_up_hotel


async def _stored(sessionmaker) -> int:
    async with unit_of_work(sessionmaker) as session:
        return (
            await session.execute(text("SELECT count(*) FROM contracts.competitor_price"))
        ).scalar_one()


async def _priced_hotel(desk) -> tuple[str, str]:
    """A hotel selling at 688.00 for the next week; returns (English name, first night).

    The clock is pinned mid-month so the week never straddles a month end."""
    clock.set_now(datetime(2026, 11, 10, 4, 0, tzinfo=UTC))
    ids = await set_up_hotel(desk)
    first = clock.today() + timedelta(days=1)
    body = {
        "rate_plan_id": ids["rate_plan_id"],
        "first_night": first.isoformat(),
        "last_night": (first + timedelta(days=6)).isoformat(),
        "net_minor": 60000,
        "sell_minor": 68800,
    }
    assert (await desk.request_json("PUT", "/contracts/api/rates", body)).status_code == 200
    hotel = (await desk.get(f"/contracts/api/hotels/{ids['hotel_id']}")).json()
    return hotel["name_en"], first.isoformat()


async def test_hr5_import_and_monthly_summary_of_cheaper_and_dearer(login_as, sessionmaker) -> None:
    desk = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    name, first = await _priced_hotel(desk)
    second = (clock.today() + timedelta(days=2)).isoformat()
    sheet = (
        f"hotel,night,competitor,price\n{name},{first},Ctrip,700.00\n{name},{second},Ctrip,650.00\n"
    ).encode()
    response = await desk.http.post(
        "/contracts/competitors/import",
        files={"sheet": ("prices.csv", sheet, "text/csv")},
        data={"csrf_token": desk.csrf},
        headers={"accept": "text/html"},
    )
    assert response.status_code == 200 and "Imported 2 prices." in response.text
    month = first[:7]
    summary = (await desk.get(f"/contracts/api/competitors/summary?month={month}")).json()
    row = summary[0]
    assert (row["nights_compared"], row["cheaper"], row["dearer"]) == (2, 1, 1)
    # (688 - 700) / 700 = -1.71 %, (688 - 650) / 650 = +5.85 %: average +2.1 %
    assert row["average_gap_percent"] == 2.1
    page = await desk.page(f"/contracts/competitors?month={month}")
    assert "comparison-chart" in page.text and "vendor/chart.umd.min.js" in page.text


async def test_hr5_a_sheet_with_one_bad_row_stores_nothing_and_names_it(
    login_as, sessionmaker
) -> None:
    desk = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    name, first = await _priced_hotel(desk)
    sheet = (
        f"hotel,night,competitor,price\n{name},{first},Ctrip,700.00\n"
        f"{name},2026-02-30,Ctrip,650.00\nNo Such Hotel,{first},Qunar,1.00\n"
    ).encode()
    response = await desk.http.post(
        "/contracts/competitors/import",
        files={"sheet": ("prices.csv", sheet, "text/csv")},
        data={"csrf_token": desk.csrf},
        headers={"accept": "text/html"},
    )
    assert response.status_code == 422
    assert "not imported" in response.text
    assert '<td class="num">3</td><td>night</td>' in response.text
    assert '<td class="num">4</td><td>hotel</td>' in response.text
    assert await _stored(sessionmaker) == 0


async def test_hr5_sheet_without_the_columns_is_refused(login_as, sessionmaker) -> None:
    desk = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    response = await desk.http.post(
        "/contracts/competitors/import",
        files={"sheet": ("x.csv", b"a,b\n1,2\n", "text/csv")},
        data={"csrf_token": desk.csrf},
        headers={"accept": "text/html"},
    )
    assert response.status_code == 422 and "missing column(s)" in response.text
    assert await _stored(sessionmaker) == 0
