"""Reading an uploaded XLSX or CSV file into sheets of cells, whatever the office saved it as.

CSV: UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text"), TIS-620/Windows-874, and files
whose lines mix UTF-8 and TIS-620 (registers pasted together from several machines); the delimiter
is detected. XLSX: every visible sheet; a merged cell's value is repeated down the rows it spans, so
an agency written once beside five cases belongs to all five. Nothing here interprets the cells.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import gettext as _
from openpyxl.utils.cell import range_boundaries

MAX_ROWS = 100_000
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format
DELIMITERS = (",", ";", "\t", "|")


class UnreadableFile(Exception):
    """The file cannot be read at all; the message says why in Thai."""


@dataclass
class Sheet:
    name: str
    rows: list[tuple[int, list]]  # (row number as Excel shows it, cell values)


@dataclass
class SourceTable:
    format: str  # "xlsx" | "csv"
    encoding: str | None  # CSV only: how the bytes were decoded, for the registrar
    sheets: list[Sheet]
    notes: list[str] = field(default_factory=list)  # Thai, about the whole file

    # The table is what the import keeps (encrypted) between preview and commit: compact and quick
    # to load again, unlike re-reading a large XLSX.
    def to_bytes(self) -> bytes:
        payload = {
            "format": self.format, "encoding": self.encoding, "notes": self.notes,
            "sheets": [{"name": s.name, "rows": [[n, [_encode(c) for c in cells]] for n, cells in s.rows]}
                       for s in self.sheets],
        }
        return zlib.compress(json.dumps(payload, ensure_ascii=False).encode("utf-8"), 6)

    @classmethod
    def from_bytes(cls, blob: bytes) -> SourceTable:
        payload = json.loads(zlib.decompress(blob).decode("utf-8"))
        sheets = [Sheet(s["name"], [(n, [_decode(c) for c in cells]) for n, cells in s["rows"]])
                  for s in payload["sheets"]]
        return cls(payload["format"], payload["encoding"], sheets, payload["notes"])


def _encode(cell):
    if isinstance(cell, datetime):
        return {"dt": cell.isoformat()}
    if isinstance(cell, date):
        return {"d": cell.isoformat()}
    return cell


def _decode(cell):
    if isinstance(cell, dict):
        if "dt" in cell:
            return datetime.fromisoformat(cell["dt"])
        return date.fromisoformat(cell["d"])
    return cell


def read_source(content: bytes, filename: str = "") -> SourceTable:
    """The sheets and cells of an uploaded file; raises ``UnreadableFile`` with a Thai message."""
    if not content:
        raise UnreadableFile(_("ไฟล์ว่างเปล่า"))
    name = (filename or "").lower()
    if content.startswith(OLE_MAGIC) or name.endswith(".xls"):
        raise UnreadableFile(_("ไฟล์ .xls รุ่นเก่ายังไม่รองรับ กรุณาเปิดใน Excel แล้วบันทึกเป็น .xlsx หรือ CSV (UTF-8)"))
    if content.startswith(XLSX_MAGIC):
        return _read_xlsx(content)
    if name.endswith((".xlsx", ".xlsm")):
        raise UnreadableFile(_("ไฟล์นี้ไม่ใช่ไฟล์ Excel (.xlsx) ที่สมบูรณ์ อาจเสียหายหรือเปลี่ยนนามสกุลมา"))
    return _read_csv(content)


# -- XLSX ---------------------------------------------------------------------------------------

_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+\d+:[A-Z]+\d+)"')


def _merged_ranges(archive: zipfile.ZipFile, worksheet) -> list[tuple[int, int, int, int]]:
    """Merged ranges of a sheet (min_col, min_row, max_col, max_row), read from the sheet's XML: openpyxl's
    fast read-only mode does not report them."""
    path = getattr(worksheet, "_worksheet_path", None)
    if not path or path not in archive.namelist():
        return []
    return [range_boundaries(ref.decode("ascii")) for ref in _MERGE.findall(archive.read(path))]


def _read_xlsx(content: bytes) -> SourceTable:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), data_only=True, read_only=True)
        archive = zipfile.ZipFile(io.BytesIO(content))
    except Exception as exc:  # openpyxl raises many kinds of errors for damaged files
        raise UnreadableFile(_("เปิดไฟล์ Excel ไม่ได้ ไฟล์อาจเสียหายหรือมีรหัสผ่าน")) from exc
    sheets, notes, total = [], [], 0
    try:
        for worksheet in workbook.worksheets:
            if worksheet.sheet_state != "visible":
                notes.append(_("ข้ามแผ่นงาน “%(name)s” ที่ถูกซ่อนไว้", name=worksheet.title))
                continue
            grid = []
            for cells in worksheet.iter_rows(values_only=True):
                grid.append(list(cells))
                if total + len(grid) > MAX_ROWS:
                    raise UnreadableFile(_("ไฟล์มีมากกว่า %(n)s แถว กรุณาแบ่งเป็นหลายไฟล์", n=f"{MAX_ROWS:,}"))
            for left, top, _right, bottom in _merged_ranges(archive, worksheet):
                top, left = top - 1, left - 1
                if top >= len(grid) or left >= len(grid[top]):
                    continue
                value = grid[top][left]
                # Down the rows the merge spans, in its first column: the value belongs to each row.
                # Columns to the right stay empty: they are part of the same cell, not a copy of it.
                for row in range(top + 1, min(bottom, len(grid))):
                    if left < len(grid[row]):
                        grid[row][left] = value
            rows = []
            for number, cells in enumerate(grid, start=1):
                cells = [_xlsx_cell(c) for c in cells]
                while cells and cells[-1] in (None, ""):
                    cells.pop()
                rows.append((number, cells))
            while rows and not rows[-1][1]:
                rows.pop()
            total += len(rows)
            if rows:
                sheets.append(Sheet(worksheet.title, rows))
    finally:
        workbook.close()
        archive.close()
    if not sheets:
        raise UnreadableFile(_("ไม่พบข้อมูลในไฟล์ Excel"))
    return SourceTable("xlsx", None, sheets, notes)


def _xlsx_cell(value):
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, str):
        return value if value.strip() else None
    return value


# -- CSV ----------------------------------------------------------------------------------------

def _decode_bytes(content: bytes) -> tuple[str, str, list[str]]:
    """Text, a description of the encoding and notes. Decides per line when the file is mixed."""
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if content.startswith(bom):
            return content.decode(codec, errors="replace"), "UTF-16", []
    has_bom = content.startswith(codecs.BOM_UTF8)
    body = content[3:] if has_bom else content
    try:
        return body.decode("utf-8"), "UTF-8 (มี BOM)" if has_bom else "UTF-8", []
    except UnicodeDecodeError:
        pass
    lines, utf8_lines, thai_lines, broken = [], 0, [], 0
    for number, raw in enumerate(body.split(b"\n"), start=1):
        try:
            text = raw.decode("utf-8")
            if any(b > 0x7F for b in raw):
                utf8_lines += 1
        except UnicodeDecodeError:
            text = raw.decode("cp874", errors="replace")
            thai_lines.append(number)
            broken += text.count("\ufffd")
        lines.append(text)
    notes = []
    if utf8_lines and thai_lines:
        description = "UTF-8 + TIS-620 (ผสม)"
        notes.append(_("ไฟล์นี้มีการเข้ารหัสอักขระสองแบบปนกัน (UTF-8 และ TIS-620/Windows-874) "
                       "ระบบอ่านแยกทีละบรรทัดแล้ว บรรทัดที่เป็น TIS-620: %(lines)s",
                       lines=_line_list(thai_lines)))
    else:
        description = "TIS-620 / Windows-874"
    if broken:
        notes.append(_("มีอักขระ %(n)s ตัวที่อ่านไม่ได้ (แสดงเป็น �) กรุณาตรวจสอบตัวอย่าง", n=broken))
    return "\n".join(lines), description, notes


def _line_list(numbers: list[int], limit: int = 10) -> str:
    shown = ", ".join(str(n) for n in numbers[:limit])
    return shown + (f" … (+{len(numbers) - limit})" if len(numbers) > limit else "")


def _delimiter(text: str) -> str:
    sample = text[:20000].splitlines()[:30]
    best, best_score = ",", 0.0
    for delimiter in DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(sample, delimiter=delimiter) if any(c.strip() for c in r)]
        except csv.Error:
            continue
        if not counts:
            continue
        widest = max(counts)
        if widest < 2:
            continue
        score = sum(1 for c in counts if c == widest) / len(counts) + widest / 1000
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(content: bytes) -> SourceTable:
    text, encoding, notes = _decode_bytes(content)
    text = text.replace("\x00", "")
    if text.startswith("sep=") and "\n" in text:  # Excel's delimiter hint line
        delimiter, text = text[4:5], text.split("\n", 1)[1]
    else:
        delimiter = _delimiter(text)
    rows = []
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            cells = [c if c.strip() else None for c in cells]
            while cells and cells[-1] is None:
                cells.pop()
            rows.append((number, cells))
            if number > MAX_ROWS:
                raise UnreadableFile(_("ไฟล์มีมากกว่า %(n)s แถว กรุณาแบ่งเป็นหลายไฟล์", n=f"{MAX_ROWS:,}"))
    except csv.Error as exc:
        raise UnreadableFile(_("อ่านไฟล์ CSV ไม่ได้: %(error)s", error=str(exc))) from exc
    while rows and not rows[-1][1]:
        rows.pop()
    if not rows:
        raise UnreadableFile(_("ไม่พบข้อมูลในไฟล์"))
    if delimiter != ",":
        notes.append(_("ไฟล์นี้คั่นคอลัมน์ด้วย “%(d)s”", d="Tab" if delimiter == "\t" else delimiter))
    return SourceTable("csv", encoding, [Sheet("CSV", rows)], notes)
