"""HR-5: competitors' prices imported from CSV or Excel (all or nothing) and the monthly
summary of where we are cheaper or dearer."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta

from openpyxl import Workbook
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


async def _prices(sessionmaker) -> dict[tuple[str, str], int]:
    """Stored prices by (night, competitor)."""
    async with unit_of_work(sessionmaker) as session:
        rows = await session.execute(
            text("SELECT night, competitor, price_minor FROM contracts.competitor_price")
        )
        return {(r.night.isoformat(), r.competitor): r.price_minor for r in rows}


async def _import(desk, filename: str, content: bytes):
    return await desk.http.post(
        "/contracts/competitors/import",
        files={"sheet": (filename, content, "application/octet-stream")},
        data={"csrf_token": desk.csrf},
        headers={"accept": "text/html"},
    )


def _workbook(*rows: list[object]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "竞品价格"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _excel_date(iso: str) -> datetime:
    """A real Excel date cell (a serial number formatted as a date), not text."""
    return datetime.combine(date.fromisoformat(iso), time())


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


async def test_hr5_clean_xlsx_with_chinese_names_and_excel_dates_imports(
    login_as, sessionmaker
) -> None:
    desk = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    _, first = await _priced_hotel(desk)
    second = (clock.today() + timedelta(days=2)).isoformat()
    sheet = _workbook(
        ["Hotel", "Night", "Competitor", "Price", "Note"],  # any case; extra columns ignored
        ["北京王府井希尔顿酒店", _excel_date(first), "携程", 700],
        [None, None, None, None],  # a blank row is skipped, not an error
        ["北京王府井希尔顿酒店", _excel_date(second), "去哪儿", 650.5, "周末价"],
    )

    response = await _import(desk, "竞品价格.xlsx", sheet)

    assert response.status_code == 200, response.text
    assert "Imported 2 prices." in response.text
    assert await _prices(sessionmaker) == {(first, "携程"): 70000, (second, "去哪儿"): 65050}
    month = first[:7]
    (row,) = (await desk.get(f"/contracts/api/competitors/summary?month={month}")).json()
    assert (row["nights_compared"], row["cheaper"], row["dearer"]) == (2, 1, 1)


async def test_hr5_xlsx_with_a_bad_row_changes_nothing_and_names_row_and_column(
    login_as, sessionmaker
) -> None:
    desk = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    name, first = await _priced_hotel(desk)
    before = f"hotel,night,competitor,price\n{name},{first},Ctrip,700.00\n".encode()
    assert (await _import(desk, "before.csv", before)).status_code == 200
    sheet = _workbook(
        ["hotel", "night", "competitor", "price"],
        [name, _excel_date(first), "Ctrip", 720],  # row 2: fine, would replace 700.00
        [None, None, None, None],  # row 3: blank
        [name, _excel_date(first), "Qunar", "七百"],  # row 4: not a price
        ["北京饭店", _excel_date(first), "Qunar", 500],  # row 5: no such hotel
    )

    response = await _import(desk, "prices.xlsx", sheet)

    assert response.status_code == 422
    assert "not imported" in response.text
    assert '<td class="num">4</td><td>price</td>' in response.text
    assert '<td class="num">5</td><td>hotel</td>' in response.text
    assert await _prices(sessionmaker) == {(first, "Ctrip"): 70000}


async def test_hr5_a_row_repeating_hotel_night_and_competitor_is_refused(
    login_as, sessionmaker
) -> None:
    desk = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    name, first = await _priced_hotel(desk)
    sheet = (
        f"hotel,night,competitor,price\n{name},{first},Ctrip,700\n{name},{first},Ctrip,710\n"
    ).encode()

    response = await _import(desk, "prices.csv", sheet)

    assert response.status_code == 422
    assert '<td class="num">3</td><td>competitor</td><td>row 2 already prices' in response.text
    assert await _stored(sessionmaker) == 0


async def test_hr5_a_file_that_is_not_a_sheet_is_refused(login_as, sessionmaker) -> None:
    desk = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    for filename, content in (("prices.pdf", b"%PDF-1.4"), ("prices.xlsx", b"PK\x03\x04 junk")):
        response = await _import(desk, filename, content)
        assert response.status_code == 422, filename
        assert '<td class="num">0</td><td>file</td>' in response.text
    assert await _stored(sessionmaker) == 0
