"""Import reports stay small whatever the file holds (issue 14): a cell of 5,000,000
characters is refused at reading without being quoted, a message quotes at most a short prefix
of a cell, and a report keeps at most 200 rows."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from typing import Any

from openpyxl import Workbook
from sqlalchemy import text

from services.contracts.imports import jobs as import_jobs
from services.contracts.imports import sheet as imports
from shared import sheets
from shared.auth import Role, Staff
from shared.db import unit_of_work
from tests.services.contracts.helpers import night
from tests.services.contracts.test_import_jobs import HEADER

HUGE = 5_000_000


def _xlsx_with_huge_cell(row: list[object], marker: str, huge: str) -> bytes:
    """An .xlsx made by openpyxl whose ``marker`` cell then holds ``huge``: openpyxl cuts a
    text it writes to Excel's 32,767 characters, a hostile file need not."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(row)
    written = io.BytesIO()
    book.save(written)
    patched = io.BytesIO()
    with (
        zipfile.ZipFile(written) as source,
        zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for part in source.infolist():
            data = source.read(part.filename)
            if part.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(marker.encode(), huge.encode())
            target.writestr(part, data)
    return patched.getvalue()


async def _run(sessionmaker: Any, filename: str, content: bytes) -> uuid.UUID:
    """Store the upload as the desk's API does, then run the worker's job on it."""
    staff = Staff(1, "hua", "Hua", (Role.HOTEL_RESOURCES.value,), "")
    async with unit_of_work(sessionmaker) as session:
        job = await import_jobs.create_job(session, actor=staff, filename=filename, content=content)
    assert await import_jobs.run_import(sessionmaker, job.job_id) == "refused"
    return job.job_id


async def _stored_report(sessionmaker: Any, job_id: uuid.UUID) -> str:
    async with sessionmaker() as session:
        stored = await session.scalar(
            text("SELECT report::text FROM contracts.import_job WHERE job_id = :id"),
            {"id": job_id},
        )
    return str(stored)


async def test_issue14_an_xlsx_with_a_5_million_character_cell_is_refused_with_a_short_report(
    sessionmaker,
) -> None:
    row: list[object] = [str(uuid.uuid4()), "HUGE", "BAR", "2030-01-01", "2030-01-01", 1, 1, 2]
    content = _xlsx_with_huge_cell(row, "HUGE", "x" * HUGE)
    assert len(content) < 100_000  # a small file

    job_id = await _run(sessionmaker, "rates.xlsx", content)

    stored = await _stored_report(sessionmaker, job_id)
    assert len(stored.encode()) < 20_000
    report = json.loads(stored)
    assert report == [
        {
            "row": 2,
            "field": "column B",
            "message": "cell too long: 5,000,000 characters (at most 1,000)",
        }
    ]
    assert stored.count("x") <= 100
    async with sessionmaker() as session:
        job = await import_jobs.get_job(session, job_id=job_id)
        assert job.state == "refused" and job.rows_applied == 0


async def test_issue14_a_csv_cell_over_the_reader_limit_is_refused_not_failed(
    sessionmaker,
) -> None:
    line = ",".join(HEADER) + "\n" + f"{uuid.uuid4()},{'y' * 300_000},BAR,2030-01-01\n"

    job_id = await _run(sessionmaker, "rates.csv", line.encode())

    stored = await _stored_report(sessionmaker, job_id)
    assert len(stored) < 1_000 and "y" * 10 not in stored
    assert "not a readable CSV" in stored


async def test_issue14_messages_quote_a_short_prefix_and_reports_keep_200_rows(
    sessionmaker,
) -> None:
    long_hotel_id = "h" * 900  # under the cell limit: checked, and quoted in the message
    ahead = night(30)  # inside the date window (shared.limits): the hotel is the one error
    table: imports.Table = [(1, list(HEADER))]
    table += [(n, [long_hotel_id, "Room", "BAR", ahead, ahead, 1, 1, 2]) for n in range(2, 1_002)]
    async with sessionmaker() as session:
        try:
            await imports.check_sheet(session, table)
        except imports.SheetRefused as exc:
            refusal = exc
        else:
            raise AssertionError("refused")

    assert len(refusal.errors) == sheets.REPORT_MAX_ROWS
    first, last = refusal.errors[0], refusal.errors[-1]
    assert first.field == "hotel_id" and first.message.count("h") <= sheets.QUOTE_CHARS + 2
    assert "(900 characters)" in first.message
    assert (last.row, last.field) == (0, "report")
    assert last.message == f"and {1_000 - sheets.REPORT_MAX_ROWS + 1:,} more problems not listed"
    assert len(json.dumps(refusal.body())) < 80_000
    assert len(refusal.detail) < 20 * (sheets.MAX_MESSAGE_CHARS + 40) + 200


def test_row_errors_are_cut_however_they_are_built() -> None:
    error = sheets.RowError(3, "f" * 500, "m" * 1_000_000)
    assert len(error.field) <= sheets.MAX_FIELD_CHARS
    assert len(error.message) <= sheets.MAX_MESSAGE_CHARS
    assert error.message.endswith("…(1,000,000 characters)")
    assert sheets.quote("z" * 61) == repr("z" * 60) + "…(61 characters)"
    assert sheets.quote("short") == "'short'"
    bounded = sheets.bounded([sheets.RowError(n, "f", "m") for n in range(500)])
    assert sheets.bounded(bounded) == bounded and len(bounded) == sheets.REPORT_MAX_ROWS


def test_a_cell_over_the_limit_is_refused_at_reading_without_its_text() -> None:
    content = ("a,b\n1," + "q" * 1_001 + "\n2,ok\n").encode()
    try:
        sheets.numbered_rows("s.csv", content, max_rows=10, max_bytes=10_000)
    except sheets.SheetRefused as exc:
        assert [(e.row, e.field) for e in exc.errors] == [(2, "column B")]
        assert "q" not in json.dumps(exc.body())
    else:
        raise AssertionError("refused")
    exact = ("a,b\n1," + "q" * 1_000 + "\n").encode()
    assert sheets.numbered_rows("s.csv", exact, max_rows=10, max_bytes=10_000)[1][0] == 2


def test_an_xlsx_unpacking_past_the_cap_is_refused_unread(monkeypatch) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    buffer = io.BytesIO()
    book.save(buffer)
    monkeypatch.setattr(sheets, "MAX_XLSX_UNPACKED", 1_000)
    try:
        sheets.numbered_rows("s.xlsx", buffer.getvalue(), max_rows=10, max_bytes=100_000)
    except sheets.SheetRefused as exc:
        assert "unpacks to over" in exc.errors[0].message
    else:
        raise AssertionError("refused")
