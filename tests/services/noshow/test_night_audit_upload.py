"""Night-audit uploads (NS-1), all or nothing like the rate imports (HR-2): a report with one
bad row (an unknown booking, a malformed date, a booking of another hotel) records nothing and
the report names the row, the field and why; a good report records every check-in; each
hotel's column mapping is saved and offered for its next report."""

from __future__ import annotations

from datetime import datetime

from services.noshow.night_audit.service import MAX_BYTES
from shared.auth import Role
from tests.services.noshow.night_audit_support import (
    HOTEL_A,
    HOTEL_B,
    UPLOAD,
    add_bookings,
    check_ins,
    count_check_ins,
    csv_file,
    imports,
    mappings,
    xlsx_file,
)

CHINESE_HEADER = ["预订号", "客人姓名", "到店日期", "状态", "晚数"]


async def upload(client, content: bytes, name: str = "audit.csv", **form: str):
    return await client.post_form(UPLOAD, form, files={"file": (name, content)})


async def test_ns1_a_good_report_of_two_hotels_records_every_check_in(
    login_as, sessionmaker
) -> None:
    await add_bookings(sessionmaker)
    desk = await login_as("nina", Role.NOSHOW_DESK)
    report = csv_file(
        [
            CHINESE_HEADER,
            ["RL-A1", "Wang Fang", "2026-12-05", "已入住", "2"],
            ["RL-A2", "Wang Fang", "2026/12/5", "no show", ""],
            ["RL-B1", "Wang Fang", "2026-12-05", "In-House", "1"],
        ]
    )

    response = await upload(desk, report)

    assert response.status_code == 200, response.text
    assert "Recorded 3 check-ins for 2 hotels." in response.text
    assert await check_ins(sessionmaker) == {
        "RL-A1": (True, "nina"),
        "RL-A2": (False, "nina"),
        "RL-B1": (True, "nina"),
    }
    [done] = await imports(sessionmaker)
    assert (done.state, done.rows, done.source) == ("applied", 3, "upload")
    assert set(await mappings(sessionmaker)) == {HOTEL_A, HOTEL_B}


async def test_ns1_an_unknown_booking_or_a_malformed_date_records_nothing_and_names_the_row(
    login_as, sessionmaker
) -> None:
    await add_bookings(sessionmaker)
    desk = await login_as("nina", Role.NOSHOW_DESK)
    report = csv_file(
        [
            CHINESE_HEADER,
            ["RL-A1", "Wang Fang", "2026-12-05", "已入住", "2"],
            ["RL-ZZ9", "Zhao Min", "2026-12-05", "已入住", "1"],
            ["RL-B1", "Wang Fang", "5.12.2026", "未到", ""],
            ["RL-A2", "Wang Fang", "2026-12-05", "maybe", ""],
        ]
    )

    response = await upload(desk, report)

    assert response.status_code == 422
    assert "Nothing was recorded" in response.text
    assert await count_check_ins(sessionmaker) == 0
    assert await mappings(sessionmaker) == {}
    [refused] = await imports(sessionmaker)
    assert refused.state == "refused" and refused.rows == 0
    named = {(p["row"], p["field"]) for p in refused.report}
    assert named == {(3, "booking_ref"), (4, "arrival"), (5, "status")}
    texts = " | ".join(p["text"] for p in refused.report)
    assert "no booking 'RL-ZZ9'" in texts and "'5.12.2026' is not a date" in texts
    assert "unknown status 'maybe'" in texts
    # The page names each row too (the report's table).
    assert '<td class="num">3</td>' in response.text and "RL-ZZ9" in response.text


async def test_ns1_a_booking_of_another_hotel_refuses_a_one_hotel_report(
    login_as, sessionmaker
) -> None:
    await add_bookings(sessionmaker)
    desk = await login_as("nina", Role.NOSHOW_DESK)
    report = csv_file([["booking_ref", "status"], ["RL-A1", "stayed"], ["RL-B1", "stayed"]])

    response = await upload(desk, report, hotel_id=str(HOTEL_A))

    assert response.status_code == 422
    assert await count_check_ins(sessionmaker) == 0
    [refused] = await imports(sessionmaker)
    assert [(p["row"], p["field"]) for p in refused.report] == [(3, "booking_ref")]
    assert "another hotel (Hanting Express)" in refused.report[0]["text"]


async def test_ns1_a_hotels_column_mapping_is_saved_and_offered_next_time(
    login_as, sessionmaker
) -> None:
    await add_bookings(sessionmaker)
    desk = await login_as("nina", Role.NOSHOW_DESK)
    own_header = ["Conf No", "Guest Status", "Room Nights", "Arrival"]
    mapping = {
        "column_booking_ref": "Conf No",
        "column_status": "Guest Status",
        "column_nights": "Room Nights",
    }
    # A real Excel date in the arrival column (found by its usual header, not mapped).
    first = xlsx_file([own_header, ["RL-A1", "checked in", 2, datetime(2026, 12, 5)]])

    response = await upload(desk, first, "night.xlsx", hotel_id=str(HOTEL_A), **mapping)

    assert response.status_code == 200, response.text
    saved = {
        "booking_ref": "Conf No",
        "status": "Guest Status",
        "nights": "Room Nights",
        "arrival": "Arrival",
    }
    assert await mappings(sessionmaker) == {HOTEL_A: saved}
    form = await desk.page(f"{UPLOAD}?hotel_id={HOTEL_A}")
    assert 'name="column_booking_ref" value="Conf No"' in form.text
    assert 'name="column_status" value="Guest Status"' in form.text

    # The next report of that hotel needs no mapping typed: the saved one is used.
    second = csv_file([own_header, ["RL-A2", "no show", "", "2026-12-05"]])
    again = await upload(desk, second, hotel_id=str(HOTEL_A))

    assert again.status_code == 200, again.text
    assert await check_ins(sessionmaker) == {"RL-A1": (True, "nina"), "RL-A2": (False, "nina")}


async def test_ns1_a_file_without_the_mapped_columns_or_too_big_is_refused_whole(
    login_as, sessionmaker
) -> None:
    await add_bookings(sessionmaker)
    desk = await login_as("nina", Role.NOSHOW_DESK)

    no_status = await upload(desk, csv_file([["booking_ref", "guest"], ["RL-A1", "x"]]))
    just_over = MAX_BYTES // 13 + 10  # rows of 13 bytes: the file is just over the limit
    too_big = await upload(desk, b"booking_ref,status\n" + b"RL-A1,stayed\n" * just_over)
    long_cell = await upload(desk, csv_file([["booking_ref", "status"], ["RL-A1", "x" * 5000]]))

    assert (no_status.status_code, too_big.status_code, long_cell.status_code) == (422,) * 3
    assert await count_check_ins(sessionmaker) == 0
    reports = [i.report for i in await imports(sessionmaker)]
    assert [p["field"] for p in reports[0]] == ["status"]
    assert "over the limit" in reports[1][0]["text"]
    assert "cell too long" in reports[2][0]["text"] and "x" * 100 not in str(reports[2])


async def test_ns1_an_agent_may_not_upload(login_as, sessionmaker) -> None:
    await add_bookings(sessionmaker)
    agent = await login_as("ana", Role.AGENT)

    response = await upload(agent, csv_file([["booking_ref", "status"], ["RL-A1", "stayed"]]))

    assert response.status_code == 403
    assert await count_check_ins(sessionmaker) == 0
