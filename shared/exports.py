"""CSV and Excel exports that no spreadsheet evaluates (CSV / formula injection, OWASP).

Every CSV or .xlsx a service hands out writes its cells through this module. A name the
outside world chose (a hotel, room type or rate plan name, a telephony queue name, …) may start
with ``=``, ``+``, ``-`` or ``@`` (``=HYPERLINK(…)``, ``=cmd|…``); Excel, LibreOffice and Google
Sheets evaluate such a cell as a formula. The rule, in one place:

- a **text** cell whose first character is a tab or a carriage return, or whose first
  character after leading whitespace is ``=``, ``+``, ``-`` or ``@``, is "dangerous";
- **CSV** (``csv_cell``, ``csv_writer``): a dangerous text gets a single quote ``'`` in front,
  as OWASP recommends; a spreadsheet then shows it as text. The quote is visible in the file:
  CSV has no other way to say "text";
- **.xlsx** (``xlsx_cells``, ``append_row``): every text is written as a string cell
  (``data_type = "s"``), never a formula: openpyxl would otherwise store any ``str`` starting
  with ``=`` as a formula. A dangerous text also gets Excel's *quote prefix* style
  (``quotePrefix``, what typing ``'`` in Excel sets), so editing the cell in Excel keeps it
  text too. The text itself is unchanged: no visible quote, and a name exported then read back
  (a grid re-imported) still matches;
- numbers, ``Decimal``, dates and times stay typed (a negative number is not text), ``None``
  stays an empty cell.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet
from starlette.responses import Response

FORMULA_STARTS = ("=", "+", "-", "@")
CONTROL_STARTS = ("\t", "\r")
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_dangerous(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula (or a DDE command)."""
    if text.startswith(CONTROL_STARTS):
        return True
    return text.lstrip().startswith(FORMULA_STARTS)


def csv_cell(value: object) -> object:
    """A value as a CSV writer should get it: dangerous text quoted, everything else as is."""
    if isinstance(value, str) and is_dangerous(value):
        return "'" + value
    return value


def csv_row(cells: Iterable[object]) -> list[object]:
    return [csv_cell(value) for value in cells]


class SafeCsvWriter:
    """``csv.writer`` whose rows go through ``csv_cell``; the only CSV writer exports use."""

    def __init__(self, out: TextIO, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, cells: Iterable[object]) -> None:
        self._writer.writerow(csv_row(cells))

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for cells in rows:
            self.writerow(cells)


def csv_writer(out: TextIO, **options: Any) -> SafeCsvWriter:
    return SafeCsvWriter(out, **options)


def xlsx_cell(sheet: Worksheet, value: object) -> object:
    """A value for ``sheet.append``: text becomes a string ``Cell`` (never a formula), with
    the quote prefix when dangerous; anything else is returned as is (typed by openpyxl)."""
    if not isinstance(value, str) or not value:
        return value  # "" is an empty cell, as openpyxl writes it
    cell = Cell(sheet)
    cell.value = value
    cell.data_type = "s"  # after the value: openpyxl set "f" for a leading "="
    if is_dangerous(value):
        cell.quotePrefix = True
    return cell


def xlsx_cells(sheet: Worksheet, cells: Sequence[object]) -> list[object]:
    return [xlsx_cell(sheet, value) for value in cells]


def append_row(sheet: Worksheet, cells: Sequence[object]) -> None:
    """``sheet.append(cells)`` with every text cell inert; the only way exports add rows."""
    sheet.append(xlsx_cells(sheet, cells))


def set_cell(sheet: Worksheet, row: int, column: int, value: object) -> Cell:
    """One cell written with the same rule as ``append_row``."""
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if is_dangerous(value):
            cell.quotePrefix = True
    return cell


def xlsx_bytes(book: Workbook, *, bold_headers: bool = False) -> bytes:
    """The workbook as an .xlsx file; ``bold_headers`` sets each sheet's first row in bold."""
    if bold_headers:
        for sheet in book.worksheets:
            for cell in sheet[1]:
                cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(book: Workbook, name: str, *, bold_headers: bool = False) -> Response:
    """The workbook as a download named ``name``.xlsx."""
    return Response(
        xlsx_bytes(book, bold_headers=bold_headers),
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )
