"""A hotel's grid of the next nights exports to Excel with its rooms, net and sell prices and
its Chinese name intact (HR-2, HR-14)."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

from openpyxl import load_workbook

from shared.auth import Role
from shared.clock import clock
from tests.services.contracts.helpers import API, night, set_up_hotel


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
