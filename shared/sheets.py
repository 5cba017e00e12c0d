"""Small uploaded sheets (CSV or Excel) read into numbered rows, and the all-or-nothing report.

Any desk that takes a list from a file (a group's rooming list, …) reads it here, so every
upload behaves the same: a CSV is UTF-8 (a BOM is fine) or else GB18030, as Excel in China
saves it, comma or tab separated; in an .xlsx only the first sheet is read. Rows are numbered
as the spreadsheet shows them (the header is row 1; row 0 in a report means the file as a
whole) and blank rows are skipped. The header names the columns, case, spaces and dashes
ignored; the caller maps the spellings it accepts to its field names.

Hotel resources' rate and competitor sheets read their rows here too (``numbered_rows``) and
check the cells themselves; this module knows nothing of the domain.

Bounds (issue 14: one 5,000,000-character cell once made a report of hundreds of MB):

- reading: a cell longer than ``MAX_CELL_CHARS`` (1,000) refuses the file as "cell too long";
  its text is never kept nor quoted. A CSV field over the csv module's limit (128 KiB) and an
  .xlsx whose parts unpack to more than ``MAX_XLSX_UNPACKED`` (a zip bomb) are refused too;
- reports: a message quotes at most ``QUOTE_CHARS`` (60) characters of a cell (``quote``), a
  message is at most ``MAX_MESSAGE_CHARS`` long (``RowError`` cuts it), and a refusal keeps at
  most ``REPORT_MAX_ROWS`` (200) errors, the last one saying how many more there were. A stored
  or served report is thus at most about 200 × 0.4 KB = 80 KB, whatever the file.
- memory: the largest accepted file is the caller's ``max_bytes`` (contracts' rate sheets: 16
  MiB and 100,000 rows). Reading a 16 MiB CSV of 100,000 rows (the row limit) into numbered
  rows peaks at about 95 MB of Python heap (tracemalloc, Python 3.11; the rows kept are ~78 MB
  of it) and raised the process's peak RSS by about 60 MB (to 163 MB with the test's own
  copy of the file; the reader before issue 14 took +140 MB: a StringIO holds 4 bytes a
  character). An .xlsx streams (openpyxl ``read_only``) and its parts may unpack to at most
  ``MAX_XLSX_UNPACKED`` (128 MiB).
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
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from shared.errors import InvalidInput
from shared.limits import CONTROL_CHARACTERS, control_character_message

REPORT_DETAIL_ROWS = 20  # errors spelled out in the one-line detail
REPORT_MAX_ROWS = 200  # errors kept in a refusal (stored, served); the last says "and N more"
MAX_CELL_CHARS = 1_000  # a longer cell refuses the file at reading
QUOTE_CHARS = 60  # characters of a cell a message quotes
MAX_MESSAGE_CHARS = 300
MAX_FIELD_CHARS = 40
# The .xlsx's parts, unpacked: 100,000 rate rows unpack to about 40 MB, so 128 MiB leaves room
# and stops a zip bomb (openpyxl loads the shared strings whole, even in read_only mode).
MAX_XLSX_UNPACKED = 128 * 1024 * 1024
_SPACES = re.compile(r"[\s\-]+")


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters (and then says how long it was)."""
    if len(text) <= limit:
        return text
    tail = f"…({len(text):,} characters)"
    return text[: max(limit - len(tail), 0)] + tail


def quote(value: object) -> str:
    """A cell quoted in a message: at most ``QUOTE_CHARS`` of its text, then its length."""
    text = cell_text(value)
    if len(text) <= QUOTE_CHARS:
        return repr(text)
    return f"{text[:QUOTE_CHARS]!r}…({len(text):,} characters)"


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem of a sheet; ``field`` and ``message`` are cut to a bounded length however
    they were built (a message quoting a whole cell cannot grow a report)."""

    row: int
    field: str
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "field", shorten(self.field, MAX_FIELD_CHARS))
        object.__setattr__(self, "message", shorten(self.message, MAX_MESSAGE_CHARS))

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.message}" if self.row else self.message


def bounded(errors: list[RowError]) -> list[RowError]:
    """At most ``REPORT_MAX_ROWS`` errors: the first ones, then one saying how many more.
    Bounding a bounded list changes nothing."""
    if len(errors) <= REPORT_MAX_ROWS:
        return list(errors)
    kept = errors[: REPORT_MAX_ROWS - 1]
    more = len(errors) - len(kept)
    return [*kept, RowError(0, "report", f"and {more:,} more problems not listed")]


def report_rows(errors: list[RowError]) -> list[dict[str, Any]]:
    """A report as stored (JSON): bounded."""
    return [{"row": e.row, "field": e.field, "message": e.message} for e in bounded(errors)]


class SheetRefused(InvalidInput):
    """A list refused as a whole (422); ``errors`` says which row, which field and why."""

    nothing_done = "Nothing was saved"  # a desk's own wording: "Nothing was imported"

    def __init__(self, errors: list[RowError], *, field: str = "file") -> None:
        errors = bounded(errors)
        shown = "; ".join(str(e) for e in errors[:REPORT_DETAIL_ROWS])
        more = len(errors) - REPORT_DETAIL_ROWS
        detail = f"{self.nothing_done}: {shown}" + (f"; and {more} more" if more > 0 else "")
        super().__init__(detail, field=field)
        self.errors = errors

    def body(self) -> dict[str, Any]:
        return {**super().body(), "rows": report_rows(self.errors)}


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


def _lines(text: str) -> Iterator[str]:
    """The text's lines with their endings, as csv.reader wants them, without copying the
    whole text again (a StringIO of it holds 4 bytes a character)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _csv_rows(content: bytes) -> Iterator[list[object]]:
    text = _decode(content)
    first_line = next(_lines(text), "")
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(_lines(text), delimiter=delimiter)
    try:
        for cells in reader:
            row: list[object] = list(cells)
            yield row
    except csv.Error as exc:  # a field over csv.field_size_limit(), a stray NUL, …
        message = f"not a readable CSV near line {reader.line_num:,}: {exc}"
        raise SheetRefused([RowError(0, "file", message)]) from exc


def _xlsx_rows(content: bytes) -> Iterator[list[object]]:
    # read_only streams the sheet, so the row limit stops reading early; openpyxl parses its
    # XML with defusedxml when it is installed (it is: contracts' OTA endpoints need it).
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            # zipfile never unpacks a part past its declared size, so the sum bounds it.
            unpacked = sum(part.file_size for part in archive.infolist())
        if unpacked > MAX_XLSX_UNPACKED:
            message = f"the workbook unpacks to over {_size(MAX_XLSX_UNPACKED)}; split it"
            raise SheetRefused([RowError(0, "file", message)])
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
    too_long: list[RowError] = []
    more_too_long = 0
    for number, cells in enumerate(reading, start=1):
        if all(is_blank(c) for c in cells):
            continue
        long_cells = [(i, c) for i, c in enumerate(cells) if _unfit(c)]
        if long_cells:
            if len(too_long) < REPORT_MAX_ROWS:
                too_long += [_cell_too_long(number, i, c) for i, c in long_cells]
            else:
                more_too_long += len(long_cells)  # a count is all a longer report would add
            continue  # the row (and its long text) is not kept
        table.append((number, cells))
        if len(table) > max_rows + 1:  # + the header
            message = f"more than {max_rows:,} data rows; split the sheet"
            raise SheetRefused([RowError(0, "file", message)])
    if more_too_long:
        message = f"and {more_too_long:,} more cells too long"
        too_long.append(RowError(0, "report", message))
    if too_long:
        raise SheetRefused(too_long)
    return table


def _unfit(value: object) -> bool:
    """Too long, or holding a control character (NUL and the like, shared.limits)."""
    if not isinstance(value, str):
        return False
    return len(value) > MAX_CELL_CHARS or CONTROL_CHARACTERS.search(value) is not None


def _cell_too_long(row: int, index: int, value: object) -> RowError:
    """The refusal of one unfit cell: its place, length or the character, never its text."""
    text = value if isinstance(value, str) else ""
    found = CONTROL_CHARACTERS.search(text[:MAX_CELL_CHARS])
    if len(text) <= MAX_CELL_CHARS and found:
        message = control_character_message(found.group())
    else:
        message = f"cell too long: {len(text):,} characters (at most {MAX_CELL_CHARS:,})"
    return RowError(row, f"column {get_column_letter(index + 1)}", message)


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
