"""A 10,000-row rate and allotment sheet imported as a background job: checked with progress,
refused whole with a report of exactly its bad rows, applied once in one transaction however
often the job runs, seen by the booking desk through the real pipeline, and watched on the job
page's progress bar in Chromium (HR-2, HR-4, HR-14)."""

from __future__ import annotations

import asyncio
import io
import uuid
from datetime import timedelta
from typing import Any

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect
from sqlalchemy import text

from services.contracts.hotels import service
from services.contracts.hotels.schemas import HotelIn, RatePlanIn, RoomTypeIn
from services.contracts.imports import jobs as import_jobs
from services.contracts.imports import sheet as imports
from services.contracts.settings import ContractsSettings
from shared.auth import Role, Staff
from shared.clock import clock
from shared.db import make_engine, make_sessionmaker, unit_of_work
from tests.services.contracts.helpers import counts, hotel_body
from tests.services.contracts.test_imports import imported
from tests.support.browser import chromium, log_in
from tests.support.clients import create_user_sync, password_for
from tests.support.infra import INFRA
from tests.support.pipeline import eventually, running_pipeline
from tests.support.servers import server_process

ROOM_TYPES, NIGHTS = 25, 400  # 10,000 rows, one night each
ROWS = ROOM_TYPES * NIGHTS
# Sheet row (the header is row 1) → what is wrong with it, and how the report names it.
BAD_ROWS = {
    102: ("sell", "CNY 440.00 is below net CNY 450.00"),
    5003: ("room_type", "has no room type 'Penthouse'"),
    9998: ("last_night", "the last night must not be before the first night"),
}
HEADER = ["Hotel ID", "Room type", "Rate plan", "First night", "Last night", "Rooms", "Net", "Sell"]


async def seed_hotel(sessionmaker: Any) -> str:
    """A hotel with ROOM_TYPES room types ("Room 0".."Room 24"), each with a "BAR" plan."""
    async with unit_of_work(sessionmaker) as session:
        hotel = await service.create_hotel(session, actor="tests", data=HotelIn(**hotel_body()))
        for n in range(ROOM_TYPES):
            room = await service.add_room_type(
                session, actor="tests", hotel_id=hotel.hotel_id, data=RoomTypeIn(name=f"Room {n}")
            )
            plan = RatePlanIn(room_type_id=room.room_type_id, name="BAR", payment_mode="prepaid")
            await service.add_rate_plan(session, actor="tests", hotel_id=hotel.hotel_id, data=plan)
    return str(hotel.hotel_id)


def seed_hotel_sync() -> str:
    async def seed() -> str:
        engine = make_engine(INFRA.database_url, pool_size=1)
        try:
            return await seed_hotel(make_sessionmaker(engine))
        finally:
            await engine.dispose()

    return asyncio.run(seed())


def sheet_rows(hotel_id: str, *, bad: bool) -> list[list[object]]:
    """ROWS data rows: room type by room type, night by night; with ``bad``, the BAD_ROWS."""
    first = clock.today() + timedelta(days=1)
    rows: list[list[object]] = []
    for n in range(ROOM_TYPES):
        for d in range(NIGHTS):
            day = first + timedelta(days=d)
            net = 450 + d % 20
            rows.append([hotel_id, f"Room {n}", "BAR", day, day, 5 + n % 3, net, net + 90])
    if bad:
        rows[102 - 2][7] = 440  # sell below net on the row's net of 450
        rows[5003 - 2][1] = "Penthouse"
        rows[9998 - 2][4] = rows[9998 - 2][3] - timedelta(days=1)  # type: ignore[operator]
    return rows


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def table_count(sessionmaker: Any, table: str) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(text(f"SELECT count(*) FROM {table}")) or 0)


async def test_hr4_10000_row_xlsx_with_3_bad_rows_is_refused_whole_then_applied_once_fixed(
    login_as, sessionmaker
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    hotel_id = await seed_hotel(sessionmaker)
    async with running_pipeline(services=("contracts", "intake")):
        before = await counts(sessionmaker)

        refused = await imported(desk, workbook(sheet_rows(hotel_id, bad=True)), "rates.xlsx")

        assert (refused["state"], refused["rows_total"]) == ("refused", ROWS)
        assert refused["rows_processed"] == ROWS and refused["applied"] is None
        assert [r["row"] for r in refused["report"]] == sorted(BAD_ROWS)
        for problem in refused["report"]:
            field, why = BAD_ROWS[problem["row"]]
            assert problem["field"] == field and why in problem["message"]
        assert await counts(sessionmaker) == before  # night_rate, night_allotment, outbox

        done = await imported(desk, workbook(sheet_rows(hotel_id, bad=False)), "rates.xlsx")

        assert (done["state"], done["applied"], done["progress"]) == ("done", ROWS, 100)
        after = await counts(sessionmaker)
        assert after["night_allotment"] == after["night_rate"] == ROWS
        # Issue 19: one event for the hotel's 20,000 nights and one audit row for the import.
        assert after["outbox"] - before["outbox"] == 1
        assert after["audit_log"] - before["audit_log"] == 1

        async def intake_has_every_price() -> bool:
            # Prices and allotments arrive as separate events: wait for both.
            rates = await table_count(sessionmaker, "intake.rate_night")
            nights = await table_count(sessionmaker, "intake.inventory_night")
            return rates == nights == ROWS

        await eventually(intake_has_every_price, timeout=120, interval=0.5)
        async with sessionmaker() as session:
            first_night = clock.today() + timedelta(days=1)
            sell = await session.scalar(
                text("SELECT min(sell_minor) FROM intake.rate_night WHERE night = :night"),
                {"night": first_night},
            )
        assert sell == (450 + 90) * 100
        assert await table_count(sessionmaker, "intake.inventory_night") == ROWS


async def test_hr2_checking_reports_progress_every_500_rows(sessionmaker) -> None:
    hotel_id = await seed_hotel(sessionmaker)
    rows = sheet_rows(hotel_id, bad=False)
    table: imports.Table = [(1, list(HEADER))]
    table += [(number, list(row)) for number, row in enumerate(rows, start=2)]
    seen: list[int] = []

    async def record(done: int) -> None:
        seen.append(done)

    async with sessionmaker() as session:
        checked = await imports.check_sheet(session, table, on_progress=record)

    assert len(checked) == ROWS
    assert seen == list(range(500, ROWS + 1, 500))


async def _queued_job(sessionmaker: Any, content: bytes) -> uuid.UUID:
    staff = Staff(1, "hua", "Hua", (Role.HOTEL_RESOURCES.value,), "")
    async with unit_of_work(sessionmaker) as session:
        job = await import_jobs.create_job(
            session, actor=staff, filename="rates.xlsx", content=content
        )
    return job.job_id


async def test_hr2_a_job_run_again_or_twice_at_once_applies_its_rows_once(sessionmaker) -> None:
    hotel_id = await seed_hotel(sessionmaker)
    rows = [row for row in sheet_rows(hotel_id, bad=False) if row[1] in ("Room 0", "Room 1")]
    job_id = await _queued_job(sessionmaker, workbook(rows))
    before = await counts(sessionmaker)

    # Two workers on the same job at once (arq redelivering a job it thought lost).
    outcomes = await asyncio.gather(
        import_jobs.run_import(sessionmaker, job_id), import_jobs.run_import(sessionmaker, job_id)
    )
    # A worker killed after the commit: arq runs the job once more.
    again = await import_jobs.run_import(sessionmaker, job_id)

    assert outcomes == ["done", "done"] and again == "finished already"
    after = await counts(sessionmaker)
    assert after["outbox"] - before["outbox"] == 1  # the hotel's rooms and prices (issue 19)
    assert after["audit_log"] - before["audit_log"] == 1
    assert after["night_rate"] == after["night_allotment"] == 2 * NIGHTS


async def test_hr2_a_worker_killed_mid_apply_leaves_nothing_and_the_rerun_applies_all(
    sessionmaker, monkeypatch
) -> None:
    hotel_id = await seed_hotel(sessionmaker)
    rows = [row for row in sheet_rows(hotel_id, bad=False) if row[1] == "Room 0"]
    job_id = await _queued_job(sessionmaker, workbook(rows))
    before = await counts(sessionmaker)

    async def killed(*args: object, **kwargs: object) -> None:
        raise asyncio.CancelledError  # what arq's time limit or a shutdown does to the job

    monkeypatch.setattr("services.contracts.imports.bulk._announce", killed)
    with pytest.raises(asyncio.CancelledError):
        await import_jobs.run_import(sessionmaker, job_id)
    assert await counts(sessionmaker) == before  # the nights written before it rolled back
    status = await table_count(sessionmaker, "contracts.import_job WHERE state = 'applying'")
    assert status == 1

    monkeypatch.undo()
    assert await import_jobs.run_import(sessionmaker, job_id) == "done"
    after = await counts(sessionmaker)
    assert after["night_allotment"] == after["night_rate"] == NIGHTS
    assert after["outbox"] - before["outbox"] == 1


async def test_hr2_the_sweep_requeues_a_lost_job_and_fails_a_stalled_one(sessionmaker) -> None:
    await seed_hotel(sessionmaker)
    lost = await _queued_job(sessionmaker, b"hotel,room_type\n")
    stalled = await _queued_job(sessionmaker, b"hotel,room_type\n")
    long_ago = clock.now() - timedelta(hours=1)
    async with unit_of_work(sessionmaker) as session:
        await session.execute(
            text("UPDATE contracts.import_job SET updated_at = :at"), {"at": long_ago}
        )
        await session.execute(
            text("UPDATE contracts.import_job SET state = 'checking' WHERE job_id = :id"),
            {"id": stalled},
        )

    redis = _arq_redis()
    try:
        ctx = {"sessionmaker": sessionmaker, "redis": redis, "settings": ContractsSettings()}
        assert await import_jobs.sweep_import_jobs(ctx) == 2
    finally:
        await redis.aclose()

    async def lost_job_ran() -> bool:
        return (await _states(sessionmaker))[lost] == "refused"  # its header is incomplete

    async with running_pipeline(services=("contracts",)):
        await eventually(lost_job_ran, timeout=30)
    states = await _states(sessionmaker)
    assert states[stalled] == "failed"


def _arq_redis() -> Any:
    from arq.connections import ArqRedis
    from redis.asyncio import ConnectionPool

    return ArqRedis(pool_or_conn=ConnectionPool.from_url(INFRA.redis_url))


async def _states(sessionmaker: Any) -> dict[uuid.UUID, str]:
    async with sessionmaker() as session:
        rows = await session.execute(text("SELECT job_id, state FROM contracts.import_job"))
        return {row.job_id: row.state for row in rows}


@pytest.mark.browser
def test_hr2_desk_uploads_10000_rows_and_watches_the_bar_reach_100_percent(tmp_path) -> None:
    create_user_sync("hua", Role.HOTEL_RESOURCES)
    hotel_id = seed_hotel_sync()
    sheet = tmp_path / "rates-10000.xlsx"
    sheet.write_bytes(workbook(sheet_rows(hotel_id, bad=False)))
    with server_process(workers=True) as (base, _), chromium() as browser:
        page = log_in(browser, base, "hua", password_for("hua"))
        page.goto("/contracts/imports")
        page.get_by_label("File").set_input_files(sheet)
        page.get_by_role("button", name="Import").click()

        page.wait_for_url(f"{base}/contracts/imports/*")
        bar = page.get_by_role("progressbar", name="Import progress")
        expect(bar).to_have_attribute("max", "100")
        expect(page.get_by_role("status")).to_contain_text("Imported 10000 rows", timeout=90_000)
        expect(bar).to_have_js_property("value", 100)
        expect(bar).to_have_attribute("value", "100")
        expect(page.locator("#import-percent")).to_have_text("100%")
        expect(page.get_by_role("table", name="Problems")).to_be_hidden()
