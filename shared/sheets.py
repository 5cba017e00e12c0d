"""Small uploaded sheets (CSV or Excel) read into numbered rows, and the all-or-nothing report.

Any desk that takes a list from a file (a group's rooming list, …) reads it here, so every
upload behaves the same: a CSV is UTF-8 (a BOM is fine) or else GB18030, as Excel in China
saves it, comma or tab separated; in an .xlsx only the first sheet is read. Rows are numbered
as the spreadsheet shows them (the header is row 1; row 0 in a report means the file as a
whole) and blank rows are skipped. The header names the columns, case, spaces and dashes
ignored; the caller maps the spellings it accepts to its field names.

(Services may not import each other, so hotel resources' rate-sheet reader cannot be reused
from intake; this is the part of it that knows nothing of the domain.)
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from shared.errors import InvalidInput

REPORT_DETAIL_ROWS = 20
_SPACES = re.compile(r"[\s\-]+")


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.message}" if self.row else self.message


class SheetRefused(InvalidInput):
    """A list refused as a whole (422); ``errors`` says which row, which field and why."""

    def __init__(self, errors: list[RowError], *, field: str = "file") -> None:
        shown = "; ".join(str(e) for e in errors[:REPORT_DETAIL_ROWS])
        more = len(errors) - REPORT_DETAIL_ROWS
        detail = f"Nothing was saved: {shown}" + (f"; and {more} more" if more > 0 else "")
        super().__init__(detail, field=field)
        self.errors = errors

    def body(self) -> dict[str, Any]:
        rows = [{"row": e.row, "field": e.field, "message": e.message} for e in self.errors]
        return {**super().body(), "rows": rows}


@dataclass(frozen=True, slots=True)
class SheetRow:
    row: int  # as the spreadsheet numbers it
    cells: dict[str, str]  # field name -> text ("" when blank); unknown columns dropped


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores typed numbers as floats: 12 not 12.0
    return str(value).strip()


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("gb18030")


def _csv_rows(content: bytes) -> list[list[object]]:
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    return [list(cells) for cells in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_rows(content: bytes, max_rows: int) -> list[list[object]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise SheetRefused([RowError(0, "file", "not a readable .xlsx workbook")]) from exc
    try:
        rows: list[list[object]] = []
        for cells in book.worksheets[0].iter_rows(values_only=True):
            rows.append(list(cells))
            if len(rows) > max_rows * 2 + 10:  # blank rows aside, far too long: stop reading
                break
        return rows
    finally:
        book.close()


def _header(cells: list[object], columns: dict[str, str]) -> list[str | None]:
    names = [columns.get(_SPACES.sub("_", _text(c).lower())) for c in cells]
    if not any(names):
        wanted = ", ".join(sorted(set(columns.values())))
        raise SheetRefused([RowError(1, "header", f"no known column; expected {wanted}")])
    return names


def read_sheet(
    filename: str, content: bytes, *, columns: dict[str, str], max_rows: int, max_bytes: int
) -> list[SheetRow]:
    """The data rows of an uploaded .csv/.xlsx, keyed by field names via ``columns``
    (header spelling -> field). Refuses the file as a whole when it cannot be read."""
    if len(content) > max_bytes:
        raise SheetRefused([RowError(0, "file", f"the file is over {max_bytes // 1024} KB")])
    lowered = filename.lower()
    if not lowered.endswith((".csv", ".txt", ".xlsx")):
        raise SheetRefused([RowError(0, "file", "send a .csv or .xlsx file")])
    raw = _xlsx_rows(content, max_rows) if lowered.endswith(".xlsx") else _csv_rows(content)
    numbered = [(n, cells) for n, cells in enumerate(raw, 1) if any(_text(c) for c in cells)]
    if not numbered:
        raise SheetRefused([RowError(0, "file", "the file is empty")])
    names = _header(numbered[0][1], columns)
    rows = [
        SheetRow(n, {name: _text(c) for name, c in zip(names, cells, strict=False) if name})
        for n, cells in numbered[1:]
    ]
    if len(rows) > max_rows:
        raise SheetRefused([RowError(0, "file", f"more than {max_rows} rows")])
    return rows
