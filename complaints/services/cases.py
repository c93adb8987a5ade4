"""Entering, changing, reading and listing cases.

Every read goes through ``access`` and writes its audit entry before the data is returned; the
encrypted fields are sealed and opened with the case's own data key.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, timedelta

from sqlalchemy import ColumnElement, func, select

from complaints import access
from complaints.clock import today_bangkok
from complaints.crypto import DataKey, DecryptionError
from complaints.extensions import db
from complaints.models import ENCRYPTED_FIELDS, Agency, Case, Category, RegisterCounter, User
from complaints.models.case import IDENTITY_FIELDS, new_case_id
from complaints.services import audit_trail, search_index, vault
from complaints.services.errors import Forbidden, Invalid, NotFound, Unreadable
from complaints.thai import fiscal_year
from complaints.vocabulary import CHANNELS, CLASSIFICATIONS, KINDS, OPEN_STATUSES, OUTCOMES, STATUSES, URGENCIES

TABLE = "cases"
METADATA_FIELDS = (
    "register_no", "received_date", "kind", "classification", "urgency", "channel", "agency_code",
    "category_code", "status", "outcome", "closed_date", "anonymous", "assigned_inspector_id",
)


@dataclass
class CaseInput:
    """What a registrar enters. Text fields are plaintext here and ciphertext once stored."""

    received_date: date
    kind: str
    agency_code: str
    category_code: str
    channel: str
    subject: str
    classification: str = "unclassified"
    urgency: str = "normal"
    status: str = "received"
    outcome: str | None = None
    closed_date: date | None = None
    register_no: str | None = None  # blank: the next number of the fiscal year
    assigned_inspector_id: int | None = None
    anonymous: bool = False
    details: str | None = None
    complainant_name: str | None = None
    complainant_contact: str | None = None
    complainant_id_no: str | None = None
    persons_concerned: str | None = None
    conclusion: str | None = None


@dataclass
class CaseView:
    """A case as one user may see it: metadata plus the encrypted fields they may read."""

    case: Case
    values: dict[str, str | None]
    masked: set[str] = field(default_factory=set)


OVERDUE_DAYS = 90  # an open case received longer ago than this is overdue in reports and lists


@dataclass
class CaseFilters:
    agency: str | None = None
    zone: str | None = None
    fiscal_year: int | None = None
    category: str | None = None
    status: str | None = None  # a status code, or "open" for any of OPEN_STATUSES
    kind: str | None = None
    fiscal_year_to: int | None = None  # with fiscal_year: the range fiscal_year..fiscal_year_to
    outcome: str | None = None  # an outcome code, or "none" for no conclusion recorded yet
    older_than: int | None = None  # open cases received more than this many days ago
    assigned_inspector_id: int | None = None
    unassigned: bool = False

    def active(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "", False)}


@dataclass
class CaseRow:
    case: Case
    subject: str | None  # None when it failed to decrypt


@dataclass
class CasePage:
    rows: list[CaseRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


# -- sealing and opening -----------------------------------------------------------------------

def _blank_to_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _seal(case: Case, data_key: DataKey, name: str, value: str | None) -> None:
    column = ENCRYPTED_FIELDS[name]
    setattr(case, column, data_key.encrypt(_blank_to_none(value), table=TABLE, column=column, row_id=case.id))


def open_value(data_key: DataKey, case_id: str, name: str, ciphertext: bytes | None) -> str | None:
    """One encrypted field of a case, decrypted: the ciphertext must belong to this case, this field and
    this data key (its associated data), else ``DecryptionError``."""
    return data_key.decrypt(ciphertext, table=TABLE, column=ENCRYPTED_FIELDS[name], row_id=case_id)


def _open(case: Case, data_key: DataKey, names) -> dict[str, str | None]:
    return {name: open_value(data_key, case.id, name, getattr(case, ENCRYPTED_FIELDS[name])) for name in names}


# -- validation --------------------------------------------------------------------------------

def _validate(actor: User, data: CaseInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not _blank_to_none(data.subject):
        errors["subject"] = "กรุณาระบุเรื่อง"
    if data.received_date is None:
        errors["received_date"] = "กรุณาระบุวันที่รับเรื่อง"
    elif data.received_date > today_bangkok():
        errors["received_date"] = "วันที่รับเรื่องต้องไม่อยู่ในอนาคต"
    for name, vocabulary in (("kind", KINDS), ("classification", CLASSIFICATIONS), ("urgency", URGENCIES),
                             ("channel", CHANNELS), ("status", STATUSES)):
        if getattr(data, name) not in vocabulary:
            errors[name] = "ค่าที่เลือกไม่ถูกต้อง"
    if data.outcome and data.outcome not in OUTCOMES:
        errors["outcome"] = "ค่าที่เลือกไม่ถูกต้อง"
    if data.status in ("concluded", "closed") and not data.outcome:
        errors["outcome"] = "เรื่องที่มีผลสรุปหรือยุติแล้วต้องระบุผลสรุป"
    if data.closed_date and data.received_date and data.closed_date < data.received_date:
        errors["closed_date"] = "วันที่ยุติเรื่องต้องไม่ก่อนวันที่รับเรื่อง"
    if "classification" not in errors and not access.may_enter_classification(actor, data.classification):
        errors["classification"] = "ท่านไม่มีสิทธิ์บันทึกเรื่องที่มีชั้นความลับสูงกว่าระดับที่ได้รับอนุญาต"
    in_scope = db.session.scalar(
        select(func.count()).select_from(Agency).where(
            Agency.code == data.agency_code, Agency.active.is_(True), access.agency_condition(actor, Agency.code)
        )
    )
    if not in_scope:
        errors["agency_code"] = "กรุณาเลือกหน่วยงานที่อยู่ในขอบเขตของท่าน"
    if not db.session.get(Category, data.category_code or ""):
        errors["category_code"] = "กรุณาเลือกประเภทเรื่อง"
    if data.assigned_inspector_id is not None:
        inspector = db.session.get(User, data.assigned_inspector_id)
        if inspector is None or not inspector.has_role("inspector"):
            errors["assigned_inspector_id"] = "ผู้ตรวจราชการที่เลือกไม่ถูกต้อง"
    return errors


def _next_register_no(year: int) -> str:
    counter = db.session.scalar(
        select(RegisterCounter).where(RegisterCounter.fiscal_year == year).with_for_update()
    )
    if counter is None:
        counter = RegisterCounter(fiscal_year=year, last_number=0)
        db.session.add(counter)
    while True:
        counter.last_number += 1
        candidate = f"{counter.last_number}/{year}"
        if not _register_no_taken(year, candidate):
            return candidate


def _register_no_taken(year: int, register_no: str, except_id: str | None = None) -> bool:
    query = select(func.count()).select_from(Case).where(
        Case.fiscal_year == year, Case.register_no == register_no
    )
    if except_id:
        query = query.where(Case.id != except_id)
    return bool(db.session.scalar(query))


def _apply_metadata(case: Case, data: CaseInput) -> None:
    case.received_date = data.received_date
    case.fiscal_year = fiscal_year(data.received_date)
    for name in ("kind", "classification", "urgency", "channel", "agency_code", "category_code", "status",
                 "assigned_inspector_id", "anonymous"):
        setattr(case, name, getattr(data, name))
    case.outcome = data.outcome or None
    if data.status == "closed":
        case.closed_date = data.closed_date or case.closed_date or today_bangkok()
    else:
        case.closed_date = data.closed_date


# -- the operations ----------------------------------------------------------------------------

def build_sealed_case(actor: User | None, data: CaseInput, register_no: str) -> Case:
    """A new case with its own data key and every text field sealed; added to the session, not audited.

    Callers validate first and write the audit entry: one per case for hand entry, one per file for
    an import.
    """
    case = Case(id=new_case_id(), created_by_id=getattr(actor, "id", None), register_no=register_no)
    _apply_metadata(case, data)
    data_key = vault.create_data_key(TABLE, case.id)
    values = {}
    for name in ENCRYPTED_FIELDS:
        value = None if (data.anonymous and name in IDENTITY_FIELDS) else getattr(data, name)
        values[name] = _blank_to_none(value)
        _seal(case, data_key, name, value)
    db.session.add(case)
    search_index.index_case(case, values, new=True)
    return case


def create_case(actor: User, data: CaseInput) -> Case:
    if not access.can(actor, "case.create"):
        raise Forbidden()
    errors = _validate(actor, data)
    year = fiscal_year(data.received_date) if data.received_date else None
    register_no = _blank_to_none(data.register_no)
    if register_no and year and _register_no_taken(year, register_no):
        errors["register_no"] = f"เลขทะเบียนรับ {register_no} มีอยู่แล้วในปีงบประมาณ {year}"
    if errors:
        raise Invalid(errors)
    case = build_sealed_case(actor, data, register_no or _next_register_no(fiscal_year(data.received_date)))
    db.session.flush()
    audit_trail.record(actor, "case.create", object_type="case", object_id=case.id,
                       register_no=case.register_no, fiscal_year=case.fiscal_year,
                       agency=case.agency_code, classification=case.classification)
    return case


def _denied(actor: User, case_id: str, action: str) -> NotFound:
    exists = db.session.scalar(select(func.count()).select_from(Case).where(Case.id == str(case_id)))
    audit_trail.record(actor, action, outcome="denied" if exists else "not_found",
                       object_type="case", object_id=str(case_id)[:64])
    return NotFound()


def _read(actor: User, case: Case, names, action: str, **details) -> dict[str, str | None]:
    try:
        values = _open(case, vault.load_data_key(TABLE, case.id), names)
    except DecryptionError as exc:
        audit_trail.record(actor, action, outcome="error", object_type="case", object_id=case.id,
                           reason="decrypt_failed", error=str(exc)[:200])
        raise Unreadable() from exc
    audit_trail.record(actor, action, object_type="case", object_id=case.id, **details)
    return values


def view_case(actor: User, case_id: str, *, purpose: str = "read") -> CaseView:
    """Open one case for reading; one audit entry, written before anything is returned."""
    case = access.get_visible_case(actor, case_id)
    if case is None:
        raise _denied(actor, case_id, "case.view")
    if purpose == "edit" and not access.can_edit_case(actor, case):
        audit_trail.record(actor, "case.edit", outcome="denied", object_type="case", object_id=case.id)
        raise Forbidden()
    readable = access.readable_fields(actor, case)
    values = _read(actor, case, sorted(readable), "case.view", purpose=purpose)
    return CaseView(case=case, values=values, masked=set(ENCRYPTED_FIELDS) - readable)


def update_case(actor: User, case_id: str, data: CaseInput) -> Case:
    case = access.get_visible_case(actor, case_id)
    if case is None:
        raise _denied(actor, case_id, "case.update")
    if not access.can_edit_case(actor, case):
        audit_trail.record(actor, "case.update", outcome="denied", object_type="case", object_id=case.id)
        raise Forbidden()
    errors = _validate(actor, data)
    register_no = _blank_to_none(data.register_no) or case.register_no
    if data.received_date and _register_no_taken(fiscal_year(data.received_date), register_no, case.id):
        errors["register_no"] = f"เลขทะเบียนรับ {register_no} มีอยู่แล้วในปีงบประมาณนั้น"
    if errors:
        raise Invalid(errors)
    try:
        data_key = vault.load_data_key(TABLE, case.id)
        old = _open(case, data_key, ENCRYPTED_FIELDS)
    except DecryptionError as exc:
        audit_trail.record(actor, "case.update", outcome="error", object_type="case", object_id=case.id,
                           reason="decrypt_failed")
        raise Unreadable() from exc
    before = {name: getattr(case, name) for name in METADATA_FIELDS}
    _apply_metadata(case, data)
    case.register_no = register_no
    changed = [name for name in METADATA_FIELDS if getattr(case, name) != before[name]]
    new = {}
    for name in ENCRYPTED_FIELDS:
        value = None if (data.anonymous and name in IDENTITY_FIELDS) else _blank_to_none(getattr(data, name))
        new[name] = value
        if value != old[name]:
            _seal(case, data_key, name, value)
            changed.append(name)
    if set(changed) & {*search_index.FIELDS, "received_date"}:
        search_index.index_case(case, new)
    elif set(changed) & {"agency_code", "classification"}:
        search_index.copy_scope(case)
    db.session.flush()
    details = {"changed": sorted(changed)}
    if before["status"] != case.status:
        details["status"] = [before["status"], case.status]
    audit_trail.record(actor, "case.update", object_type="case", object_id=case.id, **details)
    return case


def case_input_from(view: CaseView) -> dict:
    """The values of a case as form data (for the edit page)."""
    values = {f.name: getattr(view.case, f.name, None) for f in fields(CaseInput) if hasattr(view.case, f.name)}
    values.update(view.values)
    return values


def open_older_than(days: int, today: date) -> ColumnElement[bool]:
    """Open cases (``OPEN_STATUSES``) received more than ``days`` days before ``today``."""
    return Case.status.in_(OPEN_STATUSES) & (Case.received_date < today - timedelta(days=days))


def filtered_query(actor: User, filters: CaseFilters):
    """``SELECT cases`` the user may see, narrowed by the filters."""
    query = access.visible_cases(actor)
    if filters.agency:
        query = query.where(Case.agency_code == filters.agency)
    if filters.zone:
        query = query.where(Case.agency_code.in_(select(Agency.code).where(Agency.zone_code == filters.zone)))
    if filters.fiscal_year and filters.fiscal_year_to:
        query = query.where(Case.fiscal_year.between(filters.fiscal_year, filters.fiscal_year_to))
    elif filters.fiscal_year:
        query = query.where(Case.fiscal_year == filters.fiscal_year)
    if filters.status == "open":
        query = query.where(Case.status.in_(OPEN_STATUSES))
    elif filters.status:
        query = query.where(Case.status == filters.status)
    for name in ("category", "kind"):
        if value := getattr(filters, name):
            column = Case.category_code if name == "category" else getattr(Case, name)
            query = query.where(column == value)
    if filters.outcome == "none":
        query = query.where(Case.outcome.is_(None))
    elif filters.outcome:
        query = query.where(Case.outcome == filters.outcome)
    if filters.older_than is not None:
        query = query.where(open_older_than(filters.older_than, today_bangkok()))
    if filters.assigned_inspector_id is not None:
        query = query.where(Case.assigned_inspector_id == filters.assigned_inspector_id)
    elif filters.unassigned:
        query = query.where(Case.assigned_inspector_id.is_(None))
    return query


def list_cases(actor: User, filters: CaseFilters, page: int = 1, per_page: int = 25) -> CasePage:
    """One page of the cases the user may see, newest first, with their subjects."""
    query = filtered_query(actor, filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = max(1, min(page, max(1, -(-total // per_page))))
    cases = list(db.session.scalars(
        query.order_by(Case.received_date.desc(), Case.created_at.desc(), Case.id)
        .limit(per_page).offset((page - 1) * per_page)
    ))
    data_keys = vault.load_data_keys(TABLE, [c.id for c in cases])
    rows, failed = [], []
    for case in cases:
        subject = None
        data_key = data_keys[case.id]
        if isinstance(data_key, DataKey):
            try:
                subject = _open(case, data_key, ["subject"])["subject"]
            except DecryptionError:
                failed.append(case.id)
        else:
            failed.append(case.id)
        rows.append(CaseRow(case=case, subject=subject))
    audit_trail.record(actor, "case.list", outcome="error" if failed else "ok", filters=filters.active(),
                       total=total, page=page, shown=[c.id for c in cases], **({"failed": failed} if failed else {}))
    return CasePage(rows=rows, total=total, page=page, per_page=per_page)


def export_cases(actor: User, filters: CaseFilters) -> list[Case]:
    """Every case matching the filters that the user may see (metadata only), audited as an export."""
    cases = list(db.session.scalars(
        filtered_query(actor, filters).order_by(Case.received_date.desc(), Case.created_at.desc(), Case.id)
    ))
    audit_trail.record(actor, "case.export", filters=filters.active(), count=len(cases), format="csv")
    return cases
