"""Small uploaded sheets (CSV or Excel) read into numbered rows, and the all-or-nothing report.

Any desk that takes a list from a file (a group's rooming list, …) reads it here, so every
upload behaves the same: a CSV is UTF-8 (a BOM is fine) or else GB18030, as Excel in China
saves it, comma or tab separated; in an .xlsx only the first sheet is read. Rows are numbered
as the spreadsheet shows them (the header is row 1; row 0 in a report means the file as a
whole) and blank rows are skipped. The header names the columns, case, spaces and dashes
ignored; the caller maps the spellings it accepts to its field names.

Hotel resources' rate and competitor sheets read their rows here too (``numbered_rows``) and
check the cells themselves; this module knows nothing of the domain.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
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

    nothing_done = "Nothing was saved"  # a desk's own wording: "Nothing was imported"

    def __init__(self, errors: list[RowError], *, field: str = "file") -> None:
        shown = "; ".join(str(e) for e in errors[:REPORT_DETAIL_ROWS])
        more = len(errors) - REPORT_DETAIL_ROWS
        detail = f"{self.nothing_done}: {shown}" + (f"; and {more} more" if more > 0 else "")
        super().__init__(detail, field=field)
        self.errors = errors

    def body(self) -> dict[str, Any]:
        rows = [{"row": e.row, "field": e.field, "message": e.message} for e in self.errors]
        return {**super().body(), "rows": rows}


@dataclass(frozen=True, slots=True)
class SheetRow:
    row: int  # as the spreadsheet numbers it
    cells: dict[str, str]  # field name -> text ("" when blank); unknown columns dropped


# Non-blank rows with their spreadsheet row numbers, the header first.
Numbered = list[tuple[int, list[object]]]


def cell_text(value: object) -> str:
    """A cell as text: blank is "", Excel's typed 12.0 is "12"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores typed numbers as floats: 12 not 12.0
    return str(value).strip()


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("gb18030")  # Excel in China saves "CSV" in the ANSI code page


def _csv_rows(content: bytes) -> Iterator[list[object]]:
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    for cells in csv.reader(io.StringIO(text), delimiter=delimiter):
        row: list[object] = list(cells)
        yield row


def _xlsx_rows(content: bytes) -> Iterator[list[object]]:
    # read_only streams the sheet, so the row limit stops reading early; openpyxl parses its
    # XML with defusedxml when it is installed (it is: contracts' OTA endpoints need it).
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise SheetRefused([RowError(0, "file", "not a readable .xlsx workbook")]) from exc
    try:
        yield from (list(cells) for cells in book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / 1024 / 1024:g} MB"
    return f"{count / 1024:g} KB" if count >= 1024 else f"{count} bytes"


def check_file(filename: str, content: bytes, *, max_bytes: int, kinds: str = "") -> None:
    """Refuse at once a file over ``max_bytes`` or of a kind no sheet reader reads."""
    if len(content) > max_bytes:
        message = f"the file is over the limit of {_size(max_bytes)}; split it"
        raise SheetRefused([RowError(0, "file", message)])
    if not filename.lower().endswith((".xlsx", ".csv", ".txt")):
        raise SheetRefused([RowError(0, "file", f"send a .csv or .xlsx file{kinds}")])


def numbered_rows(filename: str, content: bytes, *, max_rows: int, max_bytes: int) -> Numbered:
    """The file's non-blank rows, numbered as the spreadsheet shows them (header first); more
    than ``max_rows`` data rows refuse the file without reading the rest."""
    check_file(filename, content, max_bytes=max_bytes)
    reading = _xlsx_rows(content) if filename.lower().endswith(".xlsx") else _csv_rows(content)
    table: Numbered = []
    for number, cells in enumerate(reading, start=1):
        if all(is_blank(c) for c in cells):
            continue
        table.append((number, cells))
        if len(table) > max_rows + 1:  # + the header
            message = f"more than {max_rows:,} data rows; split the sheet"
            raise SheetRefused([RowError(0, "file", message)])
    return table


def _header(cells: list[object], columns: dict[str, str]) -> list[str | None]:
    names = [columns.get(header_key(c)) for c in cells]
    if not any(names):
        wanted = ", ".join(sorted(set(columns.values())))
        raise SheetRefused([RowError(1, "header", f"no known column; expected {wanted}")])
    return names


def header_key(cell: object) -> str:
    """A header cell as a lookup key: case, spaces and dashes ignored."""
    return _SPACES.sub("_", cell_text(cell).lower())


def read_sheet(
    filename: str, content: bytes, *, columns: dict[str, str], max_rows: int, max_bytes: int
) -> list[SheetRow]:
    """The data rows of an uploaded .csv/.xlsx, keyed by field names via ``columns``
    (header spelling -> field). Refuses the file as a whole when it cannot be read."""
    numbered = numbered_rows(filename, content, max_rows=max_rows, max_bytes=max_bytes)
    if not numbered:
        raise SheetRefused([RowError(0, "file", "the file is empty")])
    names = _header(numbered[0][1], columns)
    return [
        SheetRow(n, {name: cell_text(c) for name, c in zip(names, cells, strict=False) if name})
        for n, cells in numbered[1:]
    ]
