"""Rate and allotment sheets (CSV, .xlsx) are imported all or nothing by a background job: a
clean sheet writes every row (audited once, published once per hotel: issue 19), one bad row
writes nothing and the job's report names the row, the column and why (HR-2, HR-4, HR-14).
A file too big or of the wrong kind is refused at upload, before any job is queued."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import text

from services.contracts.imports import sheet as imports
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
from tests.support.pipeline import eventually, running_pipeline

FIXTURES = Path(__file__).parent / "fixtures"
ALLOTMENT_SET = "contracts.allotment_set"
RATES_IMPORTED = "contracts.rates_imported"
HEADER = "hotel,room_type,rate_plan,first_night,last_night,rooms,net,sell"


def filled(name: str, ids: dict[str, str]) -> bytes:
    """A fixture file with the hotel id and nights (``{night3}`` = three days ahead) filled in."""
    text_ = (FIXTURES / name).read_text(encoding="utf-8").replace("{hotel_id}", ids["hotel_id"])
    for days in range(10):
        text_ = text_.replace(f"{{night{days}}}", night(days))
    return text_.encode()


async def upload(desk, content: bytes, name: str = "sheet.csv", path: str = f"{API}/imports"):
    return await desk.http.post(
        path, files={"file": (name, content, "text/csv")}, headers={"x-csrf-token": desk.csrf}
    )


async def finished_job(desk: Any, status_url: str, timeout: float = 60.0) -> dict[str, Any]:
    """Poll the job's status until it finishes; its last status."""

    async def status() -> dict[str, Any] | None:
        response = await desk.get(status_url)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body if body["finished"] else None

    result: dict[str, Any] = await eventually(status, timeout=timeout, interval=0.2)
    return result


async def imported(desk: Any, content: bytes, name: str = "sheet.csv") -> dict[str, Any]:
    """Upload through the API (202 with the job) and wait for the job's outcome."""
    queued = await upload(desk, content, name)
    assert queued.status_code == 202, queued.text
    assert queued.headers["location"] == queued.json()["status_url"]
    return await finished_job(desk, queued.json()["status_url"])


async def import_jobs_count(sessionmaker) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(text("SELECT count(*) FROM contracts.import_job")) or 0)


@pytest.fixture
async def worker(web_app: object) -> AsyncIterator[None]:
    """The contracts worker (and the relay) running in this test's event loop."""
    async with running_pipeline(services=("contracts",)):
        yield


async def test_hr2_clean_csv_imports_every_row_and_publishes_each_room_type_and_plan(
    login_as, sessionmaker, worker
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)

    job = await imported(desk, filled("sheet_ok.csv", ids))

    assert (job["state"], job["applied"], job["progress"]) == ("done", 2, 100)
    assert job["report"] == [] and job["created_by"] == "hua"
    assert job["summary"] == "Imported 2 rows; published to the booking desk."
    stored = await allotments(sessionmaker, ids["room_type_id"])
    assert list(stored.values()) == [5, 5, 5, 2, 2]
    prices = await rates(sessionmaker, ids["rate_plan_id"])
    assert list(prices.values()) == [(50000, 60000, "CNY")] * 3
    # Issue 19: one event for the hotel with every night of the sheet, one audit row for it.
    assert await outbox(sessionmaker, ALLOTMENT_SET) == []
    (event,) = await outbox(sessionmaker, RATES_IMPORTED)
    (rooms,) = event["allotments"]
    assert rooms["room_type_id"] == ids["room_type_id"] and rooms["rooms"] == [5, 5, 5, 2, 2]
    (prices,) = event["prices"]
    assert prices["rate_plan_id"] == ids["rate_plan_id"] and len(prices["nights"]) == 3
    assert (await counts(sessionmaker))["audit_log"] == 3 + 1
    async with sessionmaker() as session:
        audit = await session.execute(
            text("SELECT actor, after FROM contracts.audit_log WHERE action = 'import_sheet'")
        )
        ((actor, after),) = audit.all()
    assert actor == "hua" and after["rows"] == 2
    assert after["rooms_by_room_type"][ids["room_type_id"]] == [night(1), night(5), 5]


async def test_hr14_clean_xlsx_with_dates_numbers_and_chinese_names_imports(
    login_as, sessionmaker, worker
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
    first, second = today + timedelta(days=1), today + timedelta(days=2)
    sheet.append(
        [ids["hotel_id"], "Deluxe King", "Prepaid BAR", first, second, 7, 512.5, Decimal("599.90")]
    )
    sheet.append([ids["hotel_id"], "豪华大床房", None, first, first, 3, None, None])
    buffer = io.BytesIO()
    book.save(buffer)

    job = await imported(desk, buffer.getvalue(), "价格.xlsx")

    assert (job["state"], job["applied"], job["filename"]) == ("done", 2, "价格.xlsx")
    assert list((await allotments(sessionmaker, ids["room_type_id"])).values()) == [7, 7]
    assert list((await allotments(sessionmaker, room.json()["room_type_id"])).values()) == [3]
    assert (
        list((await rates(sessionmaker, ids["rate_plan_id"])).values())
        == [(51250, 59990, "CNY")] * 2
    )
    (event,) = await outbox(sessionmaker, RATES_IMPORTED)
    assert (len(event["allotments"]), len(event["prices"])) == (2, 1)


async def test_hr4_one_bad_row_among_good_ones_imports_nothing_and_names_row_field_why(
    login_as, sessionmaker, worker
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

    job = await imported(desk, "\n".join(lines).encode())

    assert job["state"] == "refused" and job["applied"] is None
    assert job["summary"].startswith("Nothing was imported: 6 problems in the file.")
    by_row = {(r["row"], r["field"]): r["message"] for r in job["report"]}
    assert by_row[(3, "sell")] == "CNY 480.00 is below net CNY 500.00"
    assert "no room type 'Twin'" in by_row[(4, "room_type")]
    assert "not a date" in by_row[(5, "first_night")]
    assert "in the past" in by_row[(6, "first_night")]
    assert "must not be before the first night" in by_row[(7, "last_night")]
    assert "no hotel named 'Nowhere Inn'" in by_row[(8, "hotel")]
    assert not any(r["row"] == 2 for r in job["report"])
    assert await counts(sessionmaker) == before  # no night_rate, night_allotment or outbox rows


async def test_hr2_header_size_and_row_limits_are_refused_with_clear_errors(
    login_as, sessionmaker, monkeypatch, worker
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    before = await counts(sessionmaker)

    typo = await imported(desk, b"hotel,room_type,first_night,last_night,roms\n")
    assert typo["state"] == "refused"
    assert {"row": 1, "field": "header", "message": "unknown column 'roms'"} in typo["report"]
    not_a_sheet = await imported(desk, b"PK\x03\x04 garbage", "sheet.xlsx")
    assert not_a_sheet["report"][0]["message"] == "not a readable .xlsx workbook"

    monkeypatch.setattr(imports, "MAX_ROWS", 1)  # the worker runs in this process
    too_many = await imported(desk, filled("sheet_ok.csv", ids))
    assert too_many["report"] == [
        {"row": 0, "field": "file", "message": "more than 1 data rows; split the sheet"}
    ]
    jobs = await import_jobs_count(sessionmaker)
    monkeypatch.setattr(imports, "MAX_BYTES", 100)
    too_big = await upload(desk, filled("sheet_ok.csv", ids))
    assert too_big.status_code == 422  # refused at the upload: no job
    assert too_big.json()["rows"] == [
        {"row": 0, "field": "file", "message": "the file is over the limit of 100 bytes; split it"}
    ]
    wrong_kind = await upload(desk, b"%PDF-1.4", "sheet.pdf")
    assert wrong_kind.status_code == 422 and "send a .csv or .xlsx" in wrong_kind.text
    assert await import_jobs_count(sessionmaker) == jobs
    assert await counts(sessionmaker) == before


async def test_hr2_import_page_queues_the_sheet_and_shows_the_report_or_the_count(
    login_as, sessionmaker, worker
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)

    page = await desk.page("/contracts/imports")
    assert page.status_code == 200
    assert 'type="file" name="file"' in page.text and 'name="csrf_token"' in page.text
    assert f"/contracts/hotels/{ids['hotel_id']}/export.xlsx" in page.text
    hotels = await desk.page("/contracts/")
    assert 'href="/contracts/imports"' in hotels.text

    async def post(content: bytes, name: str = "sheet.csv"):
        return await desk.http.post(
            "/contracts/imports",
            files={"file": (name, content, "text/csv")},
            data={"csrf_token": desk.csrf},
            headers={"accept": "text/html"},
        )

    async def outcome(response) -> str:
        assert response.status_code == 303, response.text
        job_page = response.headers["location"]
        assert re.fullmatch(r"/contracts/imports/[0-9a-f-]{36}", job_page)
        first = await desk.page(job_page)
        assert '<progress id="import-progress" max="100"' in first.text
        assert '<label for="import-progress">Import progress</label>' in first.text
        job_id = job_page.rsplit("/", 1)[1]
        await finished_job(desk, f"{API}/imports/{job_id}")
        return str((await desk.page(job_page)).text)

    bad_line = f"Hilton Beijing Wangfujing,Deluxe King,Prepaid BAR,{night(1)},{night(1)},,5,4"
    bad = await outcome(await post(f"{HEADER}\n{bad_line}\n".encode()))
    assert "Nothing was imported: 1 problem in the file" in bad
    assert 'role="alert"' in bad and "is below net CNY 5.00" in bad
    good = await outcome(await post(filled("sheet_ok.csv", ids)))
    assert "Imported 2 rows" in good and 'value="100"' in good and "100%" in good
    assert len(await outbox(sessionmaker, RATES_IMPORTED)) == 1
    listed = await desk.page("/contracts/imports")
    assert listed.text.count('href="/contracts/imports/') == 2  # the recent imports

    wrong_kind = await post(b"%PDF-1.4", "sheet.pdf")
    assert wrong_kind.status_code == 422 and "send a .csv or .xlsx file" in wrong_kind.text


async def test_other_desks_get_403_on_import_and_its_status_and_nothing_changes(
    login_as, sessionmaker, worker
) -> None:
    owner = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(owner)
    job = await imported(owner, filled("sheet_ok.csv", ids))
    agent = await login_as("ana", Role.AGENT)
    before = await counts(sessionmaker)
    jobs = await import_jobs_count(sessionmaker)

    response = await upload(agent, filled("sheet_ok.csv", ids))
    status = await agent.get(f"{API}/imports/{job['job_id']}")
    page = await agent.page(f"/contracts/imports/{job['job_id']}")

    assert response.status_code == 403 and response.json()["error"] == "forbidden"
    assert status.status_code == 403 and page.status_code == 403
    assert await counts(sessionmaker) == before
    assert await import_jobs_count(sessionmaker) == jobs
    director = await login_as("dong", Role.RESOURCES_DIRECTOR)
    assert (await director.get(f"{API}/imports/{job['job_id']}")).json()["state"] == "done"
