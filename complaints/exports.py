"""Tables as files: CSV (UTF-8 with a byte-order mark, so that Excel shows Thai) and XLSX.

Generic: a ``Table`` has columns (a stable key for scripts and a title for people), rows of plain
values and notes (what the table is, for whom, when). CSV carries the keys as its header and no
notes, so scripts can rely on it; XLSX carries the titles, a frozen header row and a second sheet
with the notes and the key of every column.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv; charset=utf-8"


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


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([c.key for c in table.columns])
    writer.writerows(table.rows)
    return out.getvalue().encode("utf-8")


def _sheet_title(text: str) -> str:
    for char in "[]:*?/\\":
        text = text.replace(char, " ")
    return text[:31] or "Sheet"


def _display_width(value) -> int:
    return sum(0 if unicodedata.category(ch) in ("Mn", "Me") else 1 for ch in str(value))


def to_xlsx(table: Table, *, data_sheet: str, notes_sheet: str, key_title: str, column_title: str) -> bytes:
    """The table on a sheet named ``data_sheet``; the notes and the column keys on ``notes_sheet``."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(data_sheet)
    sheet.append([c.title for c in table.columns])
    for row in table.rows:
        sheet.append(list(row))
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    for index, column in enumerate(table.columns, start=1):
        values = [column.title] + [row[index - 1] for row in table.rows]
        width = min(max(_display_width(v) for v in values) + 2, 60)
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(width, 8)

    notes = workbook.create_sheet(_sheet_title(notes_sheet))
    notes.append([table.title])
    notes["A1"].font = Font(bold=True, size=13)
    for label, value in table.notes:
        notes.append([label, value])
    notes.append([])
    notes.append([column_title, key_title])
    notes.cell(row=notes.max_row, column=1).font = bold
    notes.cell(row=notes.max_row, column=2).font = bold
    for column in table.columns:
        notes.append([column.title, column.key])
    notes.column_dimensions["A"].width = 40
    notes.column_dimensions["B"].width = 60
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
