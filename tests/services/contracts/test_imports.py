"""Rate and allotment sheets (CSV, .xlsx) are imported all or nothing: a clean sheet writes every
row through the service (audited, published), one bad row writes nothing and the report names
the row, the column and why (HR-2, HR-4, HR-14)."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

from services.contracts import imports
from shared.auth import Role
from shared.clock import clock
from tests.services.contracts.helpers import (
    API,
    allotments,
    counts,
    night,
    outbox,
    rates,
    set_up_hotel,
)

FIXTURES = Path(__file__).parent / "fixtures"
ALLOTMENT_SET = "contracts.allotment_set"
RATES_PUBLISHED = "contracts.rates_published"
HEADER = "hotel,room_type,rate_plan,first_night,last_night,rooms,net,sell"


def filled(name: str, ids: dict[str, str]) -> bytes:
    """A fixture file with the hotel id and nights (``{night3}`` = three days ahead) filled in."""
    text = (FIXTURES / name).read_text(encoding="utf-8").replace("{hotel_id}", ids["hotel_id"])
    for days in range(10):
        text = text.replace(f"{{night{days}}}", night(days))
    return text.encode()


async def upload(desk, content: bytes, name: str = "sheet.csv", path: str = f"{API}/imports"):
    return await desk.http.post(
        path, files={"file": (name, content, "text/csv")}, headers={"x-csrf-token": desk.csrf}
    )


async def test_hr2_clean_csv_imports_every_row_and_publishes_each(login_as, sessionmaker) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)

    response = await upload(desk, filled("sheet_ok.csv", ids))

    assert response.status_code == 200, response.text
    assert response.json() == {"applied": 2}
    stored = await allotments(sessionmaker, ids["room_type_id"])
    assert list(stored.values()) == [5, 5, 5, 2, 2]
    prices = await rates(sessionmaker, ids["rate_plan_id"])
    assert list(prices.values()) == [(50000, 60000, "CNY")] * 3
    allotment_events = await outbox(sessionmaker, ALLOTMENT_SET)
    assert [[n["rooms"] for n in e["nights"]] for e in allotment_events] == [[5, 5, 5], [2, 2]]
    (rate_event,) = await outbox(sessionmaker, RATES_PUBLISHED)
    assert rate_event["rate_plan_id"] == ids["rate_plan_id"] and len(rate_event["nights"]) == 3
    assert (await counts(sessionmaker))["audit_log"] == 3 + 3


async def test_hr14_clean_xlsx_with_dates_numbers_and_chinese_names_imports(
    login_as, sessionmaker
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    room = await desk.post_json(
        f"{API}/hotels/{ids['hotel_id']}/room-types", {"name": "豪华大床房"}
    )
    book = Workbook()
    sheet = book.active
    sheet.append(
        ["Hotel ID", "Room Type", "Rate Plan", "First Night", "Last Night", "Rooms", "Net", "Sell"]
    )
    today = clock.today()
    sheet.append(
        [
            ids["hotel_id"],
            "Deluxe King",
            "Prepaid BAR",
            today + timedelta(days=1),
            today + timedelta(days=2),
            7,
            512.5,
            Decimal("599.90"),
        ]
    )
    sheet.append(
        [
            ids["hotel_id"],
            "豪华大床房",
            None,
            today + timedelta(days=1),
            today + timedelta(days=1),
            3,
            None,
            None,
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)

    response = await upload(desk, buffer.getvalue(), "价格.xlsx")

    assert response.status_code == 200, response.text
    assert response.json() == {"applied": 2}
    assert list((await allotments(sessionmaker, ids["room_type_id"])).values()) == [7, 7]
    assert list((await allotments(sessionmaker, room.json()["room_type_id"])).values()) == [3]
    assert (
        list((await rates(sessionmaker, ids["rate_plan_id"])).values())
        == [(51250, 59990, "CNY")] * 2
    )
    assert len(await outbox(sessionmaker, ALLOTMENT_SET)) == 2
    assert len(await outbox(sessionmaker, RATES_PUBLISHED)) == 1


async def test_hr4_one_bad_row_among_good_ones_imports_nothing_and_names_row_field_why(
    login_as, sessionmaker
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    await set_up_hotel(desk)
    hotel = "Hilton Beijing Wangfujing"
    lines = [
        HEADER,
        f"{hotel},Deluxe King,Prepaid BAR,{night(1)},{night(2)},5,500.00,600.00",  # row 2: fine
        f"{hotel},Deluxe King,Prepaid BAR,{night(3)},{night(3)},,500.00,480.00",  # row 3: HR-4
        f"{hotel},Twin,,{night(1)},{night(1)},2,,",  # row 4: unknown room type
        f"{hotel},Deluxe King,,2025-02-30,{night(1)},2,,",  # row 5: bad date
        f"{hotel},Deluxe King,,{night(-1)},{night(1)},2,,",  # row 6: past night
        f"{hotel},Deluxe King,,{night(4)},{night(2)},2,,",  # row 7: last before first
        f"Nowhere Inn,Deluxe King,,{night(1)},{night(1)},2,,",  # row 8: unknown hotel
    ]
    before = await counts(sessionmaker)

    response = await upload(desk, "\n".join(lines).encode())

    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_input"
    assert "row 3, sell: CNY 480.00 is below net CNY 500.00 (HR-4)" in body["detail"]
    by_row = {(r["row"], r["field"]): r["message"] for r in body["rows"]}
    assert by_row[(3, "sell")] == "CNY 480.00 is below net CNY 500.00 (HR-4)"
    assert "no room type 'Twin'" in by_row[(4, "room_type")]
    assert "not a date" in by_row[(5, "first_night")]
    assert "in the past" in by_row[(6, "first_night")]
    assert "must not be before the first night" in by_row[(7, "last_night")]
    assert "no hotel named 'Nowhere Inn'" in by_row[(8, "hotel")]
    assert not any(r["row"] == 2 for r in body["rows"])
    assert await counts(sessionmaker) == before  # no night_rate, night_allotment or outbox rows


async def test_hr2_header_size_and_row_limits_are_refused_with_clear_errors(
    login_as, sessionmaker, monkeypatch
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    before = await counts(sessionmaker)

    typo = await upload(desk, b"hotel,room_type,first_night,last_night,roms\n")
    assert typo.status_code == 422
    assert {"row": 1, "field": "header", "message": "unknown column 'roms'"} in typo.json()["rows"]
    not_a_sheet = await upload(desk, b"PK\x03\x04 garbage", "sheet.xlsx")
    assert "not a readable .xlsx" in not_a_sheet.json()["detail"]

    monkeypatch.setattr(imports, "MAX_ROWS", 1)
    too_many = await upload(desk, filled("sheet_ok.csv", ids))
    assert too_many.json()["rows"] == [
        {"row": 0, "field": "file", "message": "more than 1 data rows; split the sheet"}
    ]
    monkeypatch.setattr(imports, "MAX_BYTES", 100)
    too_big = await upload(desk, filled("sheet_ok.csv", ids))
    assert too_big.status_code == 422
    assert too_big.json()["rows"] == [
        {"row": 0, "field": "file", "message": "the file is over the limit of 100 bytes; split it"}
    ]
    assert await counts(sessionmaker) == before


async def test_hr2_import_page_shows_the_form_the_report_and_the_count(
    login_as, sessionmaker
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)

    page = await desk.page("/contracts/imports")
    assert page.status_code == 200
    assert 'type="file" name="file"' in page.text and 'name="csrf_token"' in page.text
    assert f"/contracts/hotels/{ids['hotel_id']}/export.xlsx" in page.text
    hotels = await desk.page("/contracts/")
    assert 'href="/contracts/imports"' in hotels.text

    async def post(content: bytes):
        return await desk.http.post(
            "/contracts/imports",
            files={"file": ("sheet.csv", content, "text/csv")},
            data={"csrf_token": desk.csrf},
            headers={"accept": "text/html"},
        )

    bad_line = f"Hilton Beijing Wangfujing,Deluxe King,Prepaid BAR,{night(1)},{night(1)},,5,4"
    bad = await post(f"{HEADER}\n{bad_line}\n".encode())
    assert bad.status_code == 422
    assert "Nothing was imported" in bad.text and "is below net CNY 5.00 (HR-4)" in bad.text
    good = await post(filled("sheet_ok.csv", ids))
    assert good.status_code == 200 and "Imported 2 rows" in good.text
    assert len(await outbox(sessionmaker, ALLOTMENT_SET)) == 2


async def test_other_desks_get_403_on_import_and_nothing_changes(login_as, sessionmaker) -> None:
    owner = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(owner)
    agent = await login_as("ana", Role.AGENT)
    before = await counts(sessionmaker)

    response = await upload(agent, filled("sheet_ok.csv", ids))

    assert response.status_code == 403 and response.json()["error"] == "forbidden"
    assert await counts(sessionmaker) == before
