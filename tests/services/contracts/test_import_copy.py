"""Issue 19: a rate sheet is COPYed into a staging table, checked in SQL, applied set-based
and announced as one ``contracts.rates_imported`` event per hotel, which intake applies once,
in one statement per table (HR-2, HR-4, HR-14). A bad sheet still names each bad row, its
column and why, and stores nothing, staging included; a sheet the SQL check cannot vouch for
(an unusual date spelling) takes the Python checker and the per-night events as before."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import text

from services.contracts.hotels import service
from services.contracts.hotels.schemas import HotelIn, RatePlanIn, RoomTypeIn
from services.contracts.imports import jobs as import_jobs
from shared.auth import Role, Staff
from shared.clock import clock
from shared.db import unit_of_work
from tests.services.contracts.helpers import counts, hotel_body, outbox
from tests.services.intake.factories import apply
from tests.services.intake.test_projection_order import contracts_events

HEADER = "hotel_id,room_type,rate_plan,first_night,last_night,rooms,net,sell"
HOTELS, ROOM_TYPES, NIGHTS = 3, 2, 30


def day(days: int) -> str:
    return (clock.today() + timedelta(days=days)).isoformat()


async def seed_hotels(sessionmaker: Any) -> list[str]:
    """HOTELS hotels, each with room types "R0", "R1" and a "BAR" plan on each."""
    hotel_ids = []
    for n in range(HOTELS):
        async with unit_of_work(sessionmaker) as session:
            body = hotel_body() | {"name_en": f"Copy Hotel {n}", "email": f"h{n}@copy.example"}
            hotel = await service.create_hotel(session, actor="tests", data=HotelIn(**body))
            for r in range(ROOM_TYPES):
                room = await service.add_room_type(
                    session, actor="tests", hotel_id=hotel.hotel_id, data=RoomTypeIn(name=f"R{r}")
                )
                plan = RatePlanIn(
                    room_type_id=room.room_type_id, name="BAR", payment_mode="prepaid"
                )
                await service.add_rate_plan(
                    session, actor="tests", hotel_id=hotel.hotel_id, data=plan
                )
        hotel_ids.append(str(hotel.hotel_id))
    return hotel_ids


async def run(sessionmaker: Any, content: bytes, filename: str = "rates.csv") -> dict[str, Any]:
    staff = Staff(1, "hua", "Hua", (Role.HOTEL_RESOURCES.value,), "")
    async with unit_of_work(sessionmaker) as session:
        job = await import_jobs.create_job(session, actor=staff, filename=filename, content=content)
    await import_jobs.run_import(sessionmaker, job.job_id)
    async with sessionmaker() as session:
        row = await session.execute(
            text("SELECT state, applied, report FROM contracts.import_job WHERE job_id = :j"),
            {"j": job.job_id},
        )
        return dict(row.one()._mapping)


async def scalar(sessionmaker: Any, sql: str) -> Any:
    async with sessionmaker() as session:
        return await session.scalar(text(sql))


async def staged_rows(sessionmaker: Any) -> int:
    return int(
        await scalar(
            sessionmaker,
            "SELECT (SELECT count(*) FROM contracts.import_staging)"
            " + (SELECT count(*) FROM contracts.import_night)",
        )
    )


def sheet(hotel_ids: list[str]) -> bytes:
    """Every hotel, room type and night: the first ten nights as a range, overwritten on
    nights 3-4 by a later row (the later row wins), the rest night by night."""
    lines = [HEADER]
    for hotel_id in hotel_ids:
        for r in range(ROOM_TYPES):
            lines.append(f"{hotel_id},R{r},BAR,{day(1)},{day(10)},5,500.00,600.00")
            lines.append(f"{hotel_id},R{r},,{day(3)},{day(4)},2,,")
            lines += [f"{hotel_id},R{r},BAR,{day(d)},{day(d)},4,450,540.5" for d in range(11, 31)]
    return ("\n".join(lines) + "\n").encode()


async def test_issue19_sheet_of_three_hotels_reaches_intake_with_every_night_once(
    sessionmaker,
) -> None:
    hotel_ids = await seed_hotels(sessionmaker)

    job = await run(sessionmaker, sheet(hotel_ids))

    assert (job["state"], job["applied"]) == ("done", HOTELS * ROOM_TYPES * 22)
    assert await staged_rows(sessionmaker) == 0
    events = await outbox(sessionmaker, "contracts.rates_imported")
    assert sorted(e["hotel_id"] for e in events) == sorted(hotel_ids)  # one per hotel
    assert await outbox(sessionmaker, "contracts.allotment_set") == []
    assert (
        await scalar(
            sessionmaker, "SELECT count(*) FROM contracts.audit_log WHERE action = 'import_sheet'"
        )
        == 1
    )
    rooms = await scalar(
        sessionmaker,
        "SELECT array_agg(rooms ORDER BY night) FROM contracts.night_allotment a"
        " JOIN contracts.room_type t USING (room_type_id) WHERE t.name = 'R0'"
        f" AND t.hotel_id = '{hotel_ids[0]}' AND night <= '{day(10)}'",
    )
    assert rooms == [5, 5, 2, 2, 5, 5, 5, 5, 5, 5]

    delivered = [await apply(sessionmaker, e) for e in await contracts_events(sessionmaker)]
    again = [await apply(sessionmaker, e) for e in await contracts_events(sessionmaker)]

    assert set(delivered) == {"handled"} and set(again) == {"duplicate"}
    every_night = HOTELS * ROOM_TYPES * NIGHTS
    assert await scalar(sessionmaker, "SELECT count(*) FROM intake.inventory_night") == every_night
    assert await scalar(sessionmaker, "SELECT count(*) FROM intake.rate_night") == every_night
    assert (
        await scalar(
            sessionmaker,
            f"SELECT sum(allotment) FROM intake.inventory_night WHERE night = '{day(3)}'",
        )
        == 2 * HOTELS * ROOM_TYPES
    )
    assert (
        await scalar(
            sessionmaker, f"SELECT min(sell_minor) FROM intake.rate_night WHERE night = '{day(11)}'"
        )
        == 54050
    )


async def test_issue19_hr4_a_bad_plain_csv_names_row_field_why_and_stores_nothing(
    sessionmaker,
) -> None:
    (hotel_id, *_) = await seed_hotels(sessionmaker)
    lines = [
        HEADER,
        f"{hotel_id},R0,BAR,{day(1)},{day(2)},5,500.00,600.00",
        f"{hotel_id},R0,BAR,{day(3)},{day(3)},,500.00,480.00",  # row 3: sell below net
        f"{hotel_id},Suite,,{day(1)},{day(1)},2,,",  # row 4: no such room type
        f"{hotel_id},R1,,{day(5)},{day(4)},2,,",  # row 5: last before first
    ]
    before = await counts(sessionmaker)

    job = await run(sessionmaker, "\n".join(lines).encode())

    assert job["state"] == "refused" and job["applied"] is None
    by_row = {(r["row"], r["field"]): r["message"] for r in job["report"]}
    assert by_row[(3, "sell")] == "CNY 480.00 is below net CNY 500.00"
    assert "no room type 'Suite'" in by_row[(4, "room_type")]
    assert "must not be before the first night" in by_row[(5, "last_night")]
    assert len(by_row) == 3
    assert await counts(sessionmaker) == before  # nights, rates, outbox, audit
    assert await staged_rows(sessionmaker) == 0


async def test_issue19_a_sheet_sql_cannot_vouch_for_still_imports_through_python(
    sessionmaker,
) -> None:
    (hotel_id, *_) = await seed_hotels(sessionmaker)
    slashed = (clock.today() + timedelta(days=2)).strftime("%Y/%-m/%-d")  # not ISO: Python's
    lines = [HEADER, f"{hotel_id},R0,BAR,{day(1)},{slashed},6,500,600"]

    job = await run(sessionmaker, "\n".join(lines).encode())

    assert (job["state"], job["applied"]) == ("done", 1)
    assert await staged_rows(sessionmaker) == 0
    assert len(await outbox(sessionmaker, "contracts.allotment_set")) == 1
    assert await outbox(sessionmaker, "contracts.rates_imported") == []
