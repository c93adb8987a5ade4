"""Every file of rows the register hands out, CSV or XLSX, is written here and nowhere else.

What every export gets, so that a new one cannot forget any of it:

- the formula guard: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  gets a leading ``'`` (the OWASP rule for CSV injection), in CSV and XLSX alike; an XLSX cell is
  always written as a value (a string cell, ``data_type "s"``), never as a formula, and a saved
  workbook is checked to hold no formula cell at all;
- CSV in UTF-8 with a byte-order mark (so that Excel shows Thai), the column keys as the first line
  (scripts rely on it);
- XLSX with a bold, frozen header row, column widths that fit Thai, and the marking of the file
  (its classification, or for whom it is meant) printed at the top and bottom of every page;
- dates in the Buddhist era where people read them (``be_date``).

A ``Table`` has columns (a stable key for scripts and a title for people), rows of plain values and
notes (what the table is, for whom, when). CSV carries the keys as its header and no notes; XLSX
carries the titles, a frozen header row and a second sheet with the notes and the key of every column.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from complaints.thai import format_date

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv; charset=utf-8"

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """``value`` as a cell that no spreadsheet runs as a formula: text starting with one of
    ``FORMULA_START`` gets a ``'`` in front; numbers, dates and empty cells stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def be_date(day: date | datetime | None, style: str = "short") -> str:
    """A date as people read it in an export: Buddhist era, Thai month names."""
    return format_date(day, style)


# -- CSV ------------------------------------------------------------------------------------------

def csv_bytes(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """A CSV file: byte-order mark, ``header``, then ``rows``, every cell through ``neutralise``."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([neutralise(v) for v in header])
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return out.getvalue().encode("utf-8")


# -- XLSX -----------------------------------------------------------------------------------------

class FormulaCell(Exception):
    """A workbook about to leave the system holds a formula: a bug in the writer, refused."""


def workbook():
    """An empty workbook (its first sheet is ``.active``)."""
    from openpyxl import Workbook

    return Workbook()


def put(sheet, row: int, column: int, value):
    """One cell, as a value and never a formula."""
    cell = sheet.cell(row=row, column=column)
    value = neutralise(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def append(sheet, values: Sequence) -> int:
    """``values`` as the next row of ``sheet``, as values and never formulas; the row's number."""
    cells = [neutralise(v) for v in values]
    sheet.append(cells)
    row = sheet._current_row  # where openpyxl put it (blank rows appended before count too)
    for column, value in enumerate(cells, start=1):
        if isinstance(value, str):
            sheet.cell(row=row, column=column).data_type = "s"
    return row


def bold_row(sheet, row: int = 1, *, wrap: bool = False) -> None:
    from openpyxl.styles import Alignment, Font

    for cell in sheet[row]:
        cell.font = Font(bold=True)
        if wrap:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def display_width(value) -> int:
    """Characters a cell shows: Thai vowel and tone marks above or below take no width."""
    return sum(0 if unicodedata.category(ch) in ("Mn", "Me") else 1 for ch in str(value))


def fit_columns(sheet, *, low: int = 8, high: int = 60) -> None:
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is not None:
                widths[cell.column] = max(widths.get(cell.column, 0), display_width(cell.value))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = max(low, min(width + 2, high))


def sheet_title(text: str) -> str:
    for char in "[]:*?/\\":
        text = text.replace(char, " ")
    return text[:31] or "Sheet"


def xlsx_bytes(book, *, marking: str | None = None) -> bytes:
    """The saved workbook. ``marking`` (a classification such as "ลับ", or "ใช้ภายใน…") is printed
    centred at the top and bottom of every page of every sheet. Refuses a workbook holding a formula."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("=")):
                    raise FormulaCell(f"{sheet.title}!{cell.coordinate}")
        if marking:
            for part in (sheet.oddHeader.center, sheet.oddFooter.center, sheet.evenHeader.center,
                         sheet.evenFooter.center, sheet.firstHeader.center, sheet.firstFooter.center):
                part.text = marking.replace("&", "&&")
                part.size = 14
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- tables ---------------------------------------------------------------------------------------

@dataclass
class Column:
    key: str
    title: str


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    marking: str | None = None  # printed on every page of the XLSX, first line of its notes


def to_csv(table: Table) -> bytes:
    return csv_bytes([c.key for c in table.columns], table.rows)


def to_xlsx(table: Table, *, data_sheet: str, notes_sheet: str, key_title: str, column_title: str) -> bytes:
    """The table on a sheet named ``data_sheet``; the notes and the column keys on ``notes_sheet``."""
    from openpyxl.styles import Font

    book = workbook()
    sheet = book.active
    sheet.title = sheet_title(data_sheet)
    append(sheet, [c.title for c in table.columns])
    for row in table.rows:
        append(sheet, list(row))
    bold_row(sheet, wrap=True)
    sheet.freeze_panes = "A2"
    fit_columns(sheet)

    notes = book.create_sheet(sheet_title(notes_sheet))
    if table.marking:
        append(notes, [table.marking])
        notes.cell(row=notes.max_row, column=1).font = Font(bold=True, size=13, color="C00000")
    append(notes, [table.title])
    notes.cell(row=notes.max_row, column=1).font = Font(bold=True, size=13)
    for label, value in table.notes:
        append(notes, [label, value])
    append(notes, [])
    append(notes, [column_title, key_title])
    bold_row(notes, notes.max_row)
    for column in table.columns:
        append(notes, [column.title, column.key])
    notes.column_dimensions["A"].width = 40
    notes.column_dimensions["B"].width = 60
    return xlsx_bytes(book, marking=table.marking)
