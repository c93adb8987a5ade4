"""The commit: sealed like hand-entered cases, one audit entry, all or nothing, idempotent."""

import hashlib
import json

import pytest
from sqlalchemy import func, select

from complaints.extensions import db
from complaints.models import Case, DataKeyRecord
from complaints.services import cases, importing
from complaints.services.errors import Forbidden, Invalid
from tests.conftest import audit_rows, make_case
from tests.importing.files import csv_bytes, messy_register, simple_rows


def _count(model=Case) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _import(content: bytes, name="register.csv", actor=None, skip_invalid=False, mapping=None, progress=None):
    plan = importing.build_plan(importing.read_source(content, name), mapping or importing.Mapping(),
                                importing.load_reference(actor))
    source = importing.Source(hashlib.sha256(content).hexdigest(), len(content), plan.format)
    kwargs = {"progress": progress} if progress else {}
    counts = importing.commit_plan(actor, plan, source, skip_invalid=skip_invalid, **kwargs)
    db.session.commit()
    return counts


def test_imported_cases_are_encrypted_readable_and_audited_once(ctx, people):
    registrar = people["registrar"].load()
    content = csv_bytes(simple_rows(3))
    seen = []
    counts = _import(content, actor=registrar, progress=lambda phase, done, total: seen.append((phase, done, total)))
    assert counts["imported"] == 3 and _count() == 3 and _count(DataKeyRecord) == 3
    case = db.session.scalar(select(Case).where(Case.register_no == "2/2564"))
    assert case.fiscal_year == 2564 and case.created_by_id == registrar.id
    for column in ("subject_ct", "details_ct", "complainant_name_ct"):
        assert "ทดสอบ".encode() not in getattr(case, column) and "เรื่องที่".encode() not in getattr(case, column)
    view = cases.view_case(registrar, case.id)
    assert view.values["subject"] == "เรื่องที่ 2" and view.values["complainant_name"] == "นายทดสอบ ลำดับ2"
    [entry] = audit_rows(action="import.commit")
    details = json.loads(entry["details"])
    assert details["sha256"] == hashlib.sha256(content).hexdigest()
    assert (details["imported"], details["rows"], details["fiscal_years"]) == (3, 3, {"2564": 3})
    assert "ทดสอบ" not in entry["details"] and "เรื่องที่" not in entry["details"]
    assert audit_rows(action="case.create") == []  # one entry for the file, not one per case
    assert seen[0] == ("sealing", 0, 3) and ("saving", 3, 3) in seen


def test_importing_the_same_file_again_adds_nothing(ctx):
    content = csv_bytes(simple_rows(5))
    assert _import(content)["imported"] == 5
    plan = importing.build_plan(importing.read_source(content, "again.csv"), importing.Mapping(),
                                importing.load_reference(None))
    assert plan.counts()["already_present"] == 5 and not plan.ready and not plan.may_commit(True)
    assert _count() == 5


def test_a_file_with_errors_is_refused_whole_unless_the_registrar_skips_them(ctx):
    with pytest.raises(Invalid) as exc:
        _import(messy_register(), "messy.xlsx")
    assert "ข้อผิดพลาด" in exc.value.errors[""]
    assert _count() == 0 and audit_rows(action="import.commit") == []
    counts = _import(messy_register(), "messy.xlsx", skip_invalid=True)
    assert (counts["imported"], counts["invalid"], counts["duplicates_in_file"]) == (6, 4, 1) and _count() == 6


def test_a_failure_half_way_leaves_the_database_unchanged(ctx, people, monkeypatch):
    make_case(people["registrar"].load())
    before = (_count(), _count(DataKeyRecord), len(audit_rows()))
    from complaints.services.importing import commit as commit_module

    real = commit_module.build_sealed_case
    calls = []

    def failing(actor, data, register_no):
        calls.append(register_no)
        if len(calls) == 40:
            raise RuntimeError("disk full")
        return real(actor, data, register_no)

    monkeypatch.setattr(commit_module, "build_sealed_case", failing)
    with pytest.raises(RuntimeError):
        _import(csv_bytes(simple_rows(60)))
    db.session.rollback()
    assert (_count(), _count(DataKeyRecord), len(audit_rows())) == before


def test_register_numbers_taken_while_importing_abort_the_whole_import(ctx, people):
    content = csv_bytes(simple_rows(4))
    plan = importing.build_plan(importing.read_source(content, "a.csv"), importing.Mapping(),
                                importing.load_reference(None))
    make_case(people["registrar"].load(), register_no="3/2564", received_date=plan.rows[2].data.received_date)
    before = _count()
    with pytest.raises(importing.ImportConflict):
        importing.commit_plan(None, plan, importing.Source("x" * 64, 1, "csv"))
    db.session.rollback()
    assert _count() == before and audit_rows(action="import.commit") == []


def test_only_registrars_may_import(ctx, people):
    with pytest.raises(Forbidden):
        _import(csv_bytes(simple_rows(1)), actor=people["inspector"].load())
    assert _count() == 0
