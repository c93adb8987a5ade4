"""One row of an old register -> a ``CaseInput``, or the exact reasons why not (Thai, by column)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from complaints.services.cases import CaseInput
from complaints.services.importing.agencies import AgencyRef, AgencyResolver
from complaints.services.importing.layout import DEFAULTS, Column, Mapping
from complaints.services.importing.resolvers import (
    STATUS_FROM_OUTCOME,
    Resolved,
    VocabularyResolver,
    cell_text,
    check_id_no,
    is_anonymous_name,
    resolve_date,
    resolve_flag,
    resolve_year,
)
from complaints.services.importing.topics import CategoryResolver
from complaints.thai import fiscal_year, format_date
from complaints.vocabulary import CHANNELS, CLASSIFICATIONS, KINDS, OUTCOMES, STATUSES, URGENCIES, label

EARLIEST = date(1996, 10, 1)  # FY 2540: older "dates" are typing mistakes
SUBJECT_LENGTH = 120
REGISTER_NO_LENGTH = 40
CODED = {"kind": KINDS, "classification": CLASSIFICATIONS, "urgency": URGENCIES, "channel": CHANNELS,
         "status": STATUSES, "outcome": OUTCOMES}


@dataclass
class Problem:
    severity: str  # error (the row cannot be imported) | warning (imported on an assumption) | info
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None


@dataclass
class Reference:
    """What rows are checked against: reference data and what the acting user may enter."""

    agencies: list[AgencyRef]
    categories: list[tuple[str, str, str]]  # code, Thai name, English name
    allowed_agencies: set[str]
    allowed_classifications: set[str]
    today: date


class Resolvers:
    def __init__(self, reference: Reference, mapping: Mapping):
        self.mapping = mapping
        values = mapping.values
        self.agency = AgencyResolver(reference.agencies, values.get("agency", {}))
        self.category = CategoryResolver(reference.categories, values.get("category", {}),
                                         mapping.default("category") or None)
        self.coded = {name: VocabularyResolver(name, vocabulary, values.get(name, {}))
                      for name, vocabulary in CODED.items()}

    def default(self, name: str) -> str:
        """A default from the mapping, if it is a code of its vocabulary (else the built-in default)."""
        vocabulary = CODED["outcome" if name == "closed_outcome" else name]
        chosen = self.mapping.default(name)
        return chosen if chosen in vocabulary else (DEFAULTS.get(name) or "")

    def fits(self, field_code: str, samples: list[str]) -> int:
        """How many sample values a field would take as they are (to settle ambiguous headers)."""
        if field_code == "category":
            results = [self.category.resolve(s) for s in samples]
            return sum(1 for r in results if r.value and not r.warning and r.value != "other")
        if field_code in self.coded:
            return sum(1 for s in samples if self.coded[field_code].resolve(s).value)
        return sum(1 for s in samples if len(s) > 15)


@dataclass
class PlannedRow:
    sheet: str
    row: int
    status: str  # ready | invalid | duplicate (same row again in the file) | present (already registered)
    fingerprint: str
    data: CaseInput | None = None
    register_no: str | None = None
    fiscal_year: int | None = None
    derived_no: bool = False
    warnings: int = 0
    unknown: list[tuple[str, str]] = field(default_factory=list)  # (field, raw value) not understood

    @property
    def key(self) -> tuple[int, str] | None:
        return (self.fiscal_year, self.register_no) if self.fiscal_year and self.register_no else None


def fingerprint(texts: list[str]) -> str:
    """Identifies a row by all its cells (cleaned), whatever the mapping: equal rows, equal prints."""
    return hashlib.sha256("\x1f".join(texts).encode("utf-8")).hexdigest()


def derived_register_no(row_fingerprint: str) -> str:
    """A register number for a row that has none: the same row always gets the same number."""
    return "IMP-" + row_fingerprint[:10].upper()


def _subject_from(details: str) -> str:
    line = next((ln for ln in details.split("\n") if ln.strip(" *●•-")), details)
    line = line.strip(" *●•-\t")
    return line if len(line) <= SUBJECT_LENGTH else line[:SUBJECT_LENGTH].rstrip() + "…"


class RowReader:
    """Reads the data rows of one sheet with the columns' fields decided."""

    def __init__(self, sheet: str, columns: list[tuple[int, Column]], mapping: Mapping, reference: Reference,
                 resolvers: Resolvers):
        self.sheet, self.mapping, self.reference, self.resolvers = sheet, mapping, reference, resolvers
        self.by_field: dict[str, list[tuple[int, Column]]] = {}
        for index, column in columns:
            if column.field:
                self.by_field.setdefault(column.field, []).append((index, column))

    def read(self, number: int, cells: list, texts: list[str] | None = None) -> tuple[PlannedRow, list[Problem]]:
        """Check one row. ``texts`` are its cells already cleaned by ``cell_text`` (computed if not given)."""
        texts = texts if texts is not None else [cell_text(c) for c in cells]
        return RowCheck(self, number, cells, texts).run()


class RowCheck:
    """One row being checked: its cells, the problems found so far and the values decided so far.

    ``run`` reads the fields in order (the date first: later checks compare against it); each step
    reports its own problems by column and leaves its value on the object.
    """

    def __init__(self, reader: RowReader, number: int, cells: list, texts: list[str]):
        self.reader, self.number, self.cells, self.texts = reader, number, cells, texts
        self.resolvers, self.reference = reader.resolvers, reader.reference
        self.problems: list[Problem] = []
        self.row = PlannedRow(reader.sheet, number, "ready", fingerprint(texts))

    # -- the helpers every step uses ------------------------------------------------------------

    def report(self, severity: str, column: Column | None, message: str) -> None:
        self.problems.append(Problem(severity, message, self.reader.sheet, self.number,
                                     column.header if column else None))
        if severity == "warning":
            self.row.warnings += 1

    def first(self, name: str) -> tuple[Column | None, object]:
        """The first column of a field with something in this row, and its cell (else the field's first column)."""
        entries = self.reader.by_field.get(name, [])
        for index, column in entries:
            if index < len(self.texts) and self.texts[index]:
                return column, self.cells[index]
        return (entries[0][1] if entries else None), None

    def text(self, name: str) -> str | None:
        """Every column of a text field joined (the second and later ones headed by their header)."""
        parts = []
        for index, column in self.reader.by_field.get(name, []):
            value = self.texts[index] if index < len(self.texts) else ""
            if value:
                parts.append(value if not parts else f"{column.header}: {value}")
        return "\n".join(parts) or None

    def take(self, column: Column | None, result: Resolved, name: str, raw: str = ""):
        """A resolver's value, its error or warning reported (an unknown raw value is noted for mapping)."""
        if result.error:
            self.report("error", column, result.error)
            if raw:
                self.row.unknown.append((name, raw))
        elif result.warning:
            self.report("warning", column, result.warning)
        return result.value

    # -- the steps ------------------------------------------------------------------------------

    def run(self) -> tuple[PlannedRow, list[Problem]]:
        received = self.received_date()
        agency = self.agency()
        category = self.category()
        coded = self.coded()
        status, outcome = self.status_outcome()
        closed = self.closed_date(received)
        status, outcome = self.settle_status(status, outcome, closed)
        values = self.text_values()
        anonymous = self.anonymous(values)
        self.id_no(values)
        self.subject(values, category)
        register_no = self.register_no()
        self.check_fiscal_year(received)
        row = self.row
        if any(p.severity == "error" for p in self.problems):
            row.status = "invalid"
            return row, self.problems
        row.register_no, row.fiscal_year = re.sub(r"\s+", " ", register_no), fiscal_year(received)
        row.data = CaseInput(
            received_date=received, kind=coded["kind"], agency_code=agency, category_code=category,
            channel=coded["channel"], subject=values["subject"], classification=coded["classification"],
            urgency=coded["urgency"], status=status, outcome=outcome, closed_date=closed, register_no=row.register_no,
            anonymous=anonymous, details=values["details"], complainant_name=values["complainant_name"],
            complainant_contact=values["complainant_contact"], complainant_id_no=values["complainant_id_no"],
            persons_concerned=values["persons_concerned"], conclusion=values["conclusion"],
        )
        return row, self.problems

    def received_date(self) -> date | None:
        today = self.reference.today
        column, cell = self.first("received_date")
        received = self.take(column, resolve_date(cell), "received_date")
        if received is None and cell is None:
            self.report("error", column, _("ไม่มีวันที่รับเรื่อง"))
        elif received is not None and received > today:
            self.report("error", column, _("วันที่รับเรื่อง %(d)s อยู่ในอนาคต", d=format_date(received, "numeric")))
            received = None
        elif received is not None and received < EARLIEST:
            self.report("error", column, _("วันที่รับเรื่อง %(d)s เก่าเกินไป น่าจะพิมพ์ปีผิด (ปีสองหลักหมายถึง พ.ศ.)",
                                           d=format_date(received, "numeric")))
            received = None
        return received

    def agency(self) -> str | None:
        column, cell = self.first("agency")
        raw = cell_text(cell)
        if not raw:
            code = self.reader.mapping.default("agency")
            if not code:
                self.report("error", column, _("ไม่ระบุหน่วยงาน"))
                return None
            if column is not None:
                self.report("warning", column, _("ไม่ระบุหน่วยงาน ใช้ค่าเริ่มต้น"))
        else:
            code = self.take(column, self.resolvers.agency.resolve(raw), "agency", raw)
        if code is None:
            return None
        agency = self.resolvers.agency.by_code.get(code)
        if agency is None or not agency.active:
            self.report("error", column, _("หน่วยงาน “%(raw)s” ถูกยกเลิกแล้วหรือไม่มีในระบบ", raw=raw or code))
            return None
        if code not in self.reference.allowed_agencies:
            self.report("error", column, _("%(name)s อยู่นอกขอบเขตหน่วยงานที่ท่านได้รับมอบหมาย",
                                           name=agency.display_th))
            return None
        return code

    def category(self) -> str | None:
        column, cell = self.first("category")
        raw = cell_text(cell)
        if column is None:
            return self.resolvers.category.default
        result = self.resolvers.category.resolve(raw)
        if result.error and raw:
            self.report("error", column, result.error)
            return None
        return self.take(column, result, "category")

    def coded(self) -> dict[str, str | None]:
        coded = {}
        for name in ("kind", "classification", "urgency", "channel"):
            column, cell = self.first(name)
            raw = cell_text(cell)
            coded[name] = self.take(column, self.resolvers.coded[name].resolve(raw), name, raw) if raw \
                else self.resolvers.default(name)
        if coded["classification"] and coded["classification"] not in self.reference.allowed_classifications:
            self.report("error", self.first("classification")[0],
                        _("ท่านไม่มีสิทธิ์นำเข้าเรื่องชั้นความลับ “%(c)s” ซึ่งสูงกว่าระดับที่ได้รับอนุญาต",
                          c=label(CLASSIFICATIONS, coded["classification"])))
        return coded

    def status_outcome(self) -> tuple[str | None, str | None]:
        column, cell = self.first("outcome")
        raw = cell_text(cell)
        outcome = self.take(column, self.resolvers.coded["outcome"].resolve(raw), "outcome", raw) if raw else None
        column, cell = self.first("status")
        raw = cell_text(cell)
        if not raw:
            return None, outcome
        result = self.resolvers.coded["status"].resolve(raw)
        if result.value:
            return self.take(column, result, "status"), outcome
        implied = self.resolvers.coded["outcome"].resolve(raw).value
        if implied is None:
            return self.take(column, result, "status", raw), outcome
        status = STATUS_FROM_OUTCOME.get(implied, "concluded")
        self.report("warning", column, _("ตีความสถานะ “%(raw)s” เป็น “%(status)s” และผลสรุป “%(outcome)s”", raw=raw,
                                         status=label(STATUSES, status), outcome=label(OUTCOMES, outcome or implied)))
        return status, outcome or implied

    def closed_date(self, received: date | None) -> date | None:
        column, cell = self.first("closed_date")
        closed = self.take(column, resolve_date(cell), "closed_date")
        if closed and received and closed < received:
            self.report("error", column, _("วันที่ยุติเรื่องต้องไม่ก่อนวันที่รับเรื่อง"))
        elif closed and closed > self.reference.today:
            self.report("error", column, _("วันที่ยุติเรื่อง %(d)s อยู่ในอนาคต", d=format_date(closed, "numeric")))
        return closed

    def settle_status(self, status: str | None, outcome: str | None,
                      closed: date | None) -> tuple[str | None, str | None]:
        """A status implied by the closing date or the outcome; a concluded case without an outcome."""
        if status is None:
            status = "closed" if closed else ("concluded" if outcome else "received")
        if status in ("concluded", "closed") and not outcome:
            if self.resolvers.default("closed_outcome"):
                outcome = self.resolvers.default("closed_outcome")
                self.report("warning", self.first("outcome")[0], _("ไม่ระบุผลสรุป ใช้ค่าเริ่มต้น “%(o)s”",
                                                                   o=label(OUTCOMES, outcome)))
            else:
                self.report("error", self.first("outcome")[0] or self.first("status")[0],
                            _("เรื่องที่มีผลสรุปหรือยุติแล้วต้องระบุผลสรุป"))
        return status, outcome

    def text_values(self) -> dict[str, str | None]:
        return {name: self.text(name) for name in ("subject", "details", "complainant_name", "complainant_contact",
                                                   "complainant_id_no", "persons_concerned", "conclusion")}

    def anonymous(self, values: dict[str, str | None]) -> bool:
        """Marked anonymous, or a complainant "name" that says so (the name is then dropped)."""
        column, cell = self.first("anonymous")
        anonymous = bool(self.take(column, resolve_flag(cell), "anonymous"))
        if values["complainant_name"] and is_anonymous_name(values["complainant_name"]):
            anonymous, values["complainant_name"] = True, None
        return anonymous

    def id_no(self, values: dict[str, str | None]) -> None:
        if values["complainant_id_no"]:
            values["complainant_id_no"] = self.take(self.first("complainant_id_no")[0],
                                                    check_id_no(values["complainant_id_no"]), "complainant_id_no")

    def subject(self, values: dict[str, str | None], category: str | None) -> None:
        """The subject, or one made from the details or the topic (with a warning)."""
        if not values["subject"]:
            if values["details"]:
                values["subject"] = _subject_from(values["details"])
                if "subject" in self.reader.by_field:
                    self.report("warning", self.first("subject")[0],
                                _("ไม่มีเรื่อง ใช้ข้อความช่วงต้นของรายละเอียดแทน"))
            elif category:
                values["subject"] = {c: n for c, n, _e in self.reference.categories}[category]
                self.report("warning", self.first("subject")[0] or self.first("details")[0],
                            _("ไม่มีเรื่องและรายละเอียด ใช้ชื่อประเภทเรื่องเป็นชื่อเรื่อง"))
        if not values["subject"]:
            self.report("error", self.first("subject")[0] or self.first("details")[0], _("ไม่มีเรื่อง"))

    def register_no(self) -> str:
        column, cell = self.first("register_no")
        register_no = cell_text(cell)
        if len(register_no) > REGISTER_NO_LENGTH:
            self.report("error", column, _("เลขทะเบียนรับยาวเกิน %(n)s ตัวอักษร", n=REGISTER_NO_LENGTH))
        elif not register_no:
            register_no, self.row.derived_no = derived_register_no(self.row.fingerprint), True
            if column is not None:
                self.report("warning", column, _("ไม่มีเลขทะเบียนรับ ใช้เลข %(no)s ที่คำนวณจากข้อมูลในแถว "
                                                 "(นำเข้าซ้ำได้เลขเดิมเสมอ)", no=register_no))
        return register_no

    def check_fiscal_year(self, received: date | None) -> None:
        column, cell = self.first("fiscal_year")
        stated_year = self.take(column, resolve_year(cell), "fiscal_year")
        if stated_year and received and stated_year != fiscal_year(received):
            self.report("warning", column, _("ปีงบประมาณในไฟล์ (%(stated)s) ไม่ตรงกับวันที่รับเรื่อง "
                                             "(ปีงบประมาณ %(real)s)", stated=stated_year, real=fiscal_year(received)))
