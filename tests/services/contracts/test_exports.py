"""A hotel's grid of the next nights exports to Excel with its rooms, net and sell prices and
its Chinese name intact (HR-2, HR-14)."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

from openpyxl import load_workbook

from shared.auth import Role
from shared.clock import clock
from tests.services.contracts.helpers import API, hotel_body, night, set_up_hotel


async def test_hr2_export_holds_rooms_net_and_sell_per_night(login_as) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    span = {"first_night": night(1), "last_night": night(2)}
    await desk.request_json(
        "PUT", f"{API}/allotments", {"room_type_id": ids["room_type_id"], "rooms": 4, **span}
    )
    await desk.request_json(
        "PUT",
        f"{API}/rates",
        {"rate_plan_id": ids["rate_plan_id"], "net_minor": 60000, "sell_minor": 68850, **span},
    )

    response = await desk.get(f"/contracts/hotels/{ids['hotel_id']}/export.xlsx?nights=5")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "Grid"
    assert [c.value for c in sheet[1]][:3] == [
        "北京王府井希尔顿酒店",
        "Hilton Beijing Wangfujing",
        "CNY",
    ]
    header = [c.value for c in sheet[3]]
    assert header[:3] == ["Room type", "Rate plan", "What"] and len(header) == 3 + 5
    assert header[3] == datetime.combine(clock.today(), datetime.min.time())
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert rows == [
        ["Deluxe King", None, "rooms", None, 4, 4, None, None],
        ["Deluxe King", "Prepaid BAR", "sell", None, 688.5, 688.5, None, None],
        ["Deluxe King", "Prepaid BAR", "net", None, 600, 600, None, None],
    ]
    assert sheet["E5"].number_format == "#,##0.00"
    assert Decimal(str(sheet["E5"].value)) == Decimal("688.50")


async def test_other_desks_get_403_on_export(login_as) -> None:
    owner = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(owner)
    agent = await login_as("ana", Role.AGENT)

    response = await agent.get(f"/contracts/hotels/{ids['hotel_id']}/export.xlsx")

    assert response.status_code == 403


async def test_issue14_hostile_hotel_room_type_and_plan_names_export_as_inert_text(
    login_as,
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    hotel_name = '=HYPERLINK("http://evil.example/?h","hotel")'
    room_name = "+1+cmd|' /C calc'!A0"
    plan_name = '@SUM(1+1)*cmd|"/C calc"!A0'
    hotel = await desk.post_json(f"{API}/hotels", hotel_body(name_en=hotel_name))
    assert hotel.status_code == 201, hotel.text
    hotel_id = hotel.json()["hotel_id"]
    room = await desk.post_json(f"{API}/hotels/{hotel_id}/room-types", {"name": room_name})
    assert room.status_code == 201, room.text
    plan = await desk.post_json(
        f"{API}/hotels/{hotel_id}/rate-plans",
        {"room_type_id": room.json()["room_type_id"], "name": plan_name, "payment_mode": "prepaid"},
    )
    assert plan.status_code == 201, plan.text

    response = await desk.get(f"/contracts/hotels/{hotel_id}/export.xlsx?nights=2")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # no formula anywhere
    assert (sheet["B1"].value, sheet["B1"].data_type, sheet["B1"].quotePrefix) == (
        hotel_name,
        "s",
        True,
    )
    assert [c.value for c in sheet[4][:3]] == [room_name, None, "rooms"]
    assert sheet["A4"].data_type == "s" and sheet["A4"].quotePrefix
    assert [c.value for c in sheet[5][:3]] == [room_name, plan_name, "sell"]
    assert sheet["A5"].quotePrefix and sheet["B5"].quotePrefix and not sheet["C5"].quotePrefix
