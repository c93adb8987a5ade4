"""Where the table is in each sheet, which columns it has, and which field each column feeds.

The header row is the row among the first ones that looks most like a register header; rows above
it (a title, a date of printing) are left out. Columns are identified by their normalised header,
so a mapping chosen for one file applies to the next file with the same headers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from openpyxl.utils import get_column_letter

from complaints.services.importing.fields import FIELD_BY_CODE, FIELDS, header_key, header_score, match_header
from complaints.services.importing.resolvers import cell_text
from complaints.services.importing.sources import SourceTable

HEADER_SEARCH_ROWS = 30
SAMPLES = 3
DEFAULTS = {"kind": "complaint", "classification": "unclassified", "urgency": "normal", "channel": "letter",
            "category": "other", "agency": "", "closed_outcome": ""}


@dataclass
class Mapping:
    """The registrar's choices: columns to fields, raw values to codes, defaults for blank cells."""

    columns: dict[str, str] = field(default_factory=dict)  # header key -> field code ("" = leave out)
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> value key -> code
    defaults: dict[str, str] = field(default_factory=dict)

    def default(self, name: str) -> str:
        return self.defaults.get(name, DEFAULTS.get(name, "")) or ""

    def to_dict(self) -> dict:
        return {"columns": dict(self.columns), "values": {k: dict(v) for k, v in self.values.items() if v},
                "defaults": {k: v for k, v in self.defaults.items() if k in DEFAULTS}}

    @classmethod
    def from_dict(cls, data: dict | None) -> Mapping:
        data = data or {}
        columns = {str(k): str(v) for k, v in (data.get("columns") or {}).items()
                   if v == "" or v in FIELD_BY_CODE}
        values = {str(f): {str(k): str(v) for k, v in (m or {}).items()}
                  for f, m in (data.get("values") or {}).items()}
        defaults = {str(k): str(v or "") for k, v in (data.get("defaults") or {}).items() if k in DEFAULTS}
        return cls(columns, values, defaults)


@dataclass
class SheetLayout:
    name: str
    header_row: int | None  # None: the sheet was left out
    columns: list[tuple[int, str]]  # (cell index, column key)
    first_data_index: int  # index into the sheet's rows where data starts


@dataclass
class Column:
    key: str
    header: str  # as written in the file (the first time it appears)
    letter: str
    sheets: list[str]
    samples: list[str] = field(default_factory=list)
    field: str | None = None  # the field it feeds, after the registrar's choices and auto-matching
    auto: bool = False  # matched automatically (the registrar did not choose)


@dataclass
class Layout:
    sheets: list[SheetLayout]
    columns: dict[str, Column]  # by key, in order of first appearance
    notes: list[str]

    def fields(self) -> dict[str, list[Column]]:
        found: dict[str, list[Column]] = {}
        for column in self.columns.values():
            if column.field:
                found.setdefault(column.field, []).append(column)
        return found


def _find_header(rows) -> int | None:
    best, best_score = None, 1
    for index, (_number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = header_score(cells)
        if score > best_score:
            best, best_score = index, score
    return best


def detect_layout(table: SourceTable) -> Layout:
    sheets, columns, notes = [], {}, []
    for sheet in table.sheets:
        header_index = _find_header(sheet.rows)
        if header_index is None:
            if len(table.sheets) > 1:
                notes.append(_("ข้ามแผ่นงาน “%(name)s” เพราะไม่พบหัวตารางที่รู้จัก", name=sheet.name))
                sheets.append(SheetLayout(sheet.name, None, [], len(sheet.rows)))
                continue
            header_index = next(i for i, (_n, cells) in enumerate(sheet.rows) if cells)
        number, header_cells = sheet.rows[header_index]
        if header_index > 0 and any(cells for _n, cells in sheet.rows[:header_index]):
            notes.append(_("ใช้แถว %(row)s ของ “%(sheet)s” เป็นหัวตาราง ข้อความเหนือแถวนี้ไม่นำเข้า",
                           row=number, sheet=sheet.name))
        width = max((len(cells) for _n, cells in sheet.rows[header_index:]), default=0)
        sheet_columns, seen = [], {}
        for index in range(width):
            raw = cell_text(header_cells[index]) if index < len(header_cells) else ""
            key = header_key(raw)
            letter = get_column_letter(index + 1)
            if not key:
                has_data = any(index < len(cells) and cell_text(cells[index])
                               for _n, cells in sheet.rows[header_index + 1:])
                if not has_data:
                    continue
                key, raw = f"@{letter}", _("คอลัมน์ %(letter)s (ไม่มีหัว)", letter=letter)
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 1:
                key, raw = f"{key}#{seen[key]}", f"{raw} ({seen[key]})"
            sheet_columns.append((index, key))
            column = columns.setdefault(key, Column(key, raw.replace("\n", " "), letter, []))
            if sheet.name not in column.sheets:
                column.sheets.append(sheet.name)
            if len(column.samples) < SAMPLES:
                for _n, cells in sheet.rows[header_index + 1:header_index + 40]:
                    text = cell_text(cells[index]) if index < len(cells) else ""
                    if text and text not in column.samples and header_key(text) != column.key:
                        column.samples.append(text[:80])
                        if len(column.samples) >= SAMPLES:
                            break
        sheets.append(SheetLayout(sheet.name, number, sheet_columns, header_index + 1))
    return Layout(sheets, columns, notes)


def assign_fields(layout: Layout, mapping: Mapping, fits) -> None:
    """Set each column's field: the registrar's choice, else the best automatic match.

    ``fits(field, samples)`` counts how many sample values a field understands; it decides headers
    that could mean two fields. A coded or date field takes one column; text fields may take several.
    """
    candidates = []
    for order, column in enumerate(layout.columns.values()):
        if column.key in mapping.columns:
            column.field, column.auto = mapping.columns[column.key] or None, False
            continue
        match = match_header(column.key)
        if match is None:
            continue
        choice = match.fields[0]
        if len(match.fields) > 1:
            choice = max(match.fields, key=lambda f: (fits(f, column.samples), -match.fields.index(f)))
        candidates.append((-match.score, match.rank, -match.length, order, column, choice))
    taken = {c.field for c in layout.columns.values() if c.field and not FIELD_BY_CODE[c.field].multi}
    for *_ordering, column, choice in sorted(candidates, key=lambda c: c[:4]):
        if choice in taken:
            continue
        column.field, column.auto = choice, True
        if not FIELD_BY_CODE[choice].multi:
            taken.add(choice)


def field_choices() -> list[tuple[str, str]]:
    return [(f.code, str(f.label)) for f in FIELDS]
