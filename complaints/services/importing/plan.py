"""The preview of an import: every row read, checked and counted before anything is written.

``build_plan`` is pure apart from two reads (reference data and which register numbers exist), so
the page and the command line can show exactly what a commit would do: which rows become cases,
which are already in the register or repeated in the file, and every problem by row and column.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from complaints import access
from complaints.clock import today_bangkok
from complaints.extensions import db
from complaints.models import Agency, Case, Category, User
from complaints.services.importing.agencies import AgencyRef
from complaints.services.importing.fields import FIELD_BY_CODE, header_key
from complaints.services.importing.layout import Layout, Mapping, assign_fields, detect_layout
from complaints.services.importing.resolvers import cell_text
from complaints.services.importing.rows import PlannedRow, Problem, Reference, Resolvers, RowReader
from complaints.services.importing.sources import SourceTable
from complaints.vocabulary import CLASSIFICATIONS

SUMMARY_WORDS = ("รวม", "ยอดรวม", "total")


@dataclass
class ImportPlan:
    format: str
    encoding: str | None
    layout: Layout
    mapping: Mapping
    rows: list[PlannedRow]
    problems: list[Problem]
    blocking: list[str]  # what must be fixed in the mapping before any commit (Thai)
    unknown_values: dict[str, Counter] = field(default_factory=dict)  # field -> raw value -> rows
    skipped: Counter = field(default_factory=Counter)  # blank | header | summary rows left out

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def ready(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.status == "ready"]

    def counts(self) -> dict[str, int]:
        return {
            "rows": len(self.rows), "ready": self.count("ready"), "invalid": self.count("invalid"),
            "duplicates_in_file": self.count("duplicate"), "already_present": self.count("present"),
            "warnings": sum(1 for r in self.rows if r.status == "ready" and r.warnings),
            "blank_rows": self.skipped["blank"], "header_rows": self.skipped["header"],
            "summary_rows": self.skipped["summary"],
        }

    def by_fiscal_year(self) -> dict[int, int]:
        return dict(sorted(Counter(r.fiscal_year for r in self.ready).items()))

    def by_agency(self) -> Counter:
        return Counter(r.data.agency_code for r in self.ready)

    def problems_of(self, severity: str) -> list[Problem]:
        return [p for p in self.problems if p.severity == severity]

    def may_commit(self, skip_invalid: bool = False) -> bool:
        if self.blocking or not self.ready:
            return False
        return skip_invalid or not self.count("invalid")


def load_reference(actor: User | None) -> Reference:
    """Reference data and what ``actor`` may enter (the command line, with no actor, may enter anything)."""
    agencies = [AgencyRef(a.code, a.kind, a.name_th, a.name_en, a.abbr_th, a.active)
                for a in db.session.scalars(select(Agency).order_by(Agency.code))]
    categories = [(c.code, c.name_th, c.name_en)
                  for c in db.session.scalars(select(Category).where(Category.active.is_(True))
                                              .order_by(Category.sort_order))]
    allowed = set(CLASSIFICATIONS) if actor is None else set(access.classifications_for_entry(actor))
    return Reference(agencies, categories, access.importable_agency_codes(actor), allowed, today_bangkok())


def find_existing(keys: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which (fiscal year, register number) pairs are already in the register."""
    found: set[tuple[int, str]] = set()
    numbers = sorted({number for _year, number in keys})
    for start in range(0, len(numbers), 500):
        rows = db.session.execute(select(Case.fiscal_year, Case.register_no)
                                  .where(Case.register_no.in_(numbers[start:start + 500])))
        found.update((year, number) for year, number in rows if (year, number) in keys)
    return found


def _blocking(layout: Layout, mapping: Mapping) -> list[str]:
    fields = layout.fields()
    problems = []
    if "received_date" not in fields:
        problems.append(_("ยังไม่ได้เลือกคอลัมน์ “วันที่รับเรื่อง”"))
    if "agency" not in fields and not mapping.default("agency"):
        problems.append(_("ยังไม่ได้เลือกคอลัมน์ “หน่วยงาน” (หรือเลือกหน่วยงานเริ่มต้นสำหรับทั้งไฟล์)"))
    if "subject" not in fields and "details" not in fields:
        problems.append(_("ยังไม่ได้เลือกคอลัมน์ “เรื่อง” หรือ “รายละเอียด” อย่างน้อยหนึ่งคอลัมน์"))
    for code, columns in fields.items():
        if len(columns) > 1 and not FIELD_BY_CODE[code].multi:
            problems.append(_("คอลัมน์ %(columns)s ถูกเลือกเป็น “%(field)s” ซ้ำกัน เลือกได้คอลัมน์เดียว",
                              columns=", ".join(f"“{c.header}”" for c in columns), field=FIELD_BY_CODE[code].label))
    return problems


def _notes(layout: Layout, mapping: Mapping, resolvers: Resolvers) -> list[str]:
    fields = layout.fields()
    notes = []
    if "category" not in fields and resolvers.category.default:
        notes.append(_("ไม่มีคอลัมน์ประเภทเรื่อง ทุกเรื่องจะเป็นประเภท “%(name)s”",
                       name=resolvers.category.names[resolvers.category.default]))
    if "subject" not in fields and "details" in fields:
        notes.append(_("ไม่มีคอลัมน์ “เรื่อง” ระบบจะใช้ข้อความช่วงต้นของรายละเอียดเป็นชื่อเรื่อง"))
    if "register_no" not in fields:
        notes.append(_("ไม่มีคอลัมน์เลขทะเบียนรับ ระบบจะคำนวณเลขจากข้อมูลในแต่ละแถว (IMP-…) "
                       "นำเข้าไฟล์เดิมซ้ำจะได้เลขเดิมและไม่เพิ่มเรื่องซ้ำ"))
    return notes


def _same_as_header(text: str, header: tuple[str, str]) -> bool:
    header_text, key = header
    return text == header_text or (abs(len(text) - len(header_text)) <= 8 and header_key(text) == key)


def _skip_reason(texts: list[str], header: list[tuple[str, str]]) -> str | None:
    filled = [t for t in texts if t]
    if not filled:
        return "blank"
    same = sum(1 for i, t in enumerate(texts) if t and i < len(header) and _same_as_header(t, header[i]))
    if same >= max(2, (len(filled) * 3 + 4) // 5):
        return "header"
    if len(filled) <= 3 and filled[0].lower().startswith(SUMMARY_WORDS):
        return "summary"
    return None


def build_plan(table: SourceTable, mapping: Mapping, reference: Reference, existing=find_existing) -> ImportPlan:
    layout = detect_layout(table)
    resolvers = Resolvers(reference, mapping)
    assign_fields(layout, mapping, resolvers.fits)
    plan = ImportPlan(table.format, table.encoding, layout, mapping, [], [], _blocking(layout, mapping))
    plan.problems.extend(Problem("info", note) for note in table.notes + layout.notes
                         + _notes(layout, mapping, resolvers))
    if plan.blocking:
        return plan
    for sheet, sheet_layout in zip(table.sheets, layout.sheets, strict=True):
        if sheet_layout.header_row is None:
            continue
        header_texts = [cell_text(c) for c in sheet.rows[sheet_layout.first_data_index - 1][1]]
        header = [(text, header_key(text)) for text in header_texts]
        reader = RowReader(sheet.name, [(i, layout.columns[k]) for i, k in sheet_layout.columns], mapping,
                           reference, resolvers)
        for number, cells in sheet.rows[sheet_layout.first_data_index:]:
            texts = [cell_text(c) for c in cells]
            reason = _skip_reason(texts, header)
            if reason:
                plan.skipped[reason] += 1
                if reason != "blank":
                    message = _("หัวตารางซ้ำ ข้ามแถวนี้") if reason == "header" else _("แถวสรุปยอด ข้ามแถวนี้")
                    plan.problems.append(Problem("info", message, sheet.name, number))
                continue
            row, problems = reader.read(number, cells, texts)
            plan.rows.append(row)
            plan.problems.extend(problems)
            for name, raw in row.unknown:
                values = resolvers.category.unknown_tokens(raw) if name == "category" else [raw]
                for value in values:
                    plan.unknown_values.setdefault(name, Counter())[value] += 1
    if plan.skipped["blank"]:
        plan.problems.append(Problem("info", _("ข้ามแถวว่าง %(n)s แถว", n=plan.skipped["blank"])))
    _mark_duplicates(plan, existing)
    return plan


def _where(row: PlannedRow, many_sheets: bool) -> str:
    return _("แถว %(row)s ของ “%(sheet)s”", row=row.row, sheet=row.sheet) if many_sheets \
        else _("แถว %(row)s", row=row.row)


def _mark_duplicates(plan: ImportPlan, existing) -> None:
    many_sheets = len({r.sheet for r in plan.rows}) > 1
    register_column = next(iter(plan.layout.fields().get("register_no", [])), None)
    column = register_column.header if register_column else None
    first_seen: dict[tuple[int, str], PlannedRow] = {}
    for row in plan.rows:
        if row.status != "ready":
            continue
        earlier = first_seen.get(row.key)
        if earlier is None:
            first_seen[row.key] = row
        elif earlier.fingerprint == row.fingerprint:
            row.status = "duplicate"
            plan.problems.append(Problem("info", _("ข้อมูลซ้ำกับ%(where)s ทุกช่อง จะนำเข้าเพียงครั้งเดียว",
                                                   where=_where(earlier, many_sheets)), row.sheet, row.row, column))
        else:
            for one, other in ((row, earlier), (earlier, row)):
                if one.status != "invalid":
                    one.status = "invalid"
                    plan.problems.append(Problem(
                        "error", _("เลขทะเบียนรับ %(no)s ปีงบประมาณ %(year)s ซ้ำกับ%(where)s แต่ข้อมูลต่างกัน",
                                   no=one.register_no, year=one.fiscal_year, where=_where(other, many_sheets)),
                        one.sheet, one.row, column))
    present = existing({r.key for r in plan.rows if r.status == "ready"})
    for row in plan.rows:
        if row.status == "ready" and row.key in present:
            row.status = "present"
            plan.problems.append(Problem("info", _("เลขทะเบียนรับ %(no)s ปีงบประมาณ %(year)s มีอยู่ในทะเบียนแล้ว "
                                                   "ไม่นำเข้าซ้ำ", no=row.register_no, year=row.fiscal_year),
                                         row.sheet, row.row, column))
    order = {sheet.name: i for i, sheet in enumerate(plan.layout.sheets)}
    plan.problems.sort(key=lambda p: (p.row is not None, order.get(p.sheet, -1), p.row or 0))

