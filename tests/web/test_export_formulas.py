"""Formula injection (CSV injection) through every text field that reaches an export.

A register number, an imported row, a survey comment, a display name, a user name typed at the sign-in,
a category name: each can start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, and a
spreadsheet would run it. Every file is opened the way a spreadsheet would read it (``csv``, openpyxl)
and must hold no formula: the text arrives with a leading ``'`` (OWASP), XLSX cells are strings.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import select

from complaints import exports
from complaints.clock import today_bangkok
from complaints.extensions import db
from complaints.models import Case, Category, SurveyRound, User
from tests.conftest import audit_rows, csrf_token, new_case
from tests.importing import files
from tests.importing.files import HEADER, row, xlsx_bytes
from tests.survey_support import answer, open_round, users

LINK = '=HYPERLINK("http://evil.example","x")'
PAYLOADS = [LINK, "+1+cmd|' /C calc'!A0", "-2+3+cmd", "@SUM(1+1)*cmd", "\t=1+1", "\r=2+2"]
START = ("=", "+", "-", "@", "\t", "\r")


def csv_cells(body: bytes) -> list[str]:
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    return [cell for line in csv.reader(io.StringIO(text[1:])) for cell in line]


def xlsx_cells(body: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(body))  # formulas are kept as formulas, not computed
    cells = [cell for sheet in book.worksheets for line in sheet.iter_rows() for cell in line]
    formulas = [f"{c.parent.title}!{c.coordinate}={c.value!r}" for c in cells
                if c.data_type == "f" or (isinstance(c.value, str) and c.value.startswith("="))]
    assert not formulas, formulas
    return [c.value for c in cells if c.value is not None]


def assert_guarded(values: list, expected: list[str]) -> None:
    """No cell starts as a formula would, and each payload in ``expected`` is there, neutralised."""
    dangerous = [v for v in values if isinstance(v, str) and v.startswith(START)]
    assert not dangerous, dangerous
    texts = [v for v in values if isinstance(v, str)]
    for payload in expected:
        assert any(t == "'" + payload or t.startswith("'" + payload) for t in texts), (payload, texts[:40])


def test_the_guard_itself():
    assert [exports.neutralise(p) for p in PAYLOADS] == ["'" + p for p in PAYLOADS]
    assert exports.neutralise("1/2564") == "1/2564" and exports.neutralise(-3) == -3
    assert exports.neutralise(None) is None and exports.neutralise("ข=1") == "ข=1"
    book = exports.workbook()
    book.active["A1"] = "=1+1"  # written past the guard: the workbook is refused, not sent
    with pytest.raises(exports.FormulaCell):
        exports.xlsx_bytes(book)


def test_register_numbers_typed_in_the_form_reach_the_case_and_search_csv_as_text(app, client, auth, people):
    auth.login("registrar")
    for index, payload in enumerate(PAYLOADS):
        response = auth.post("/cases/new", {
            "register_no": payload, "received_date": f"{index + 1:02d}/01/2564", "kind": "complaint",
            "classification": "unclassified", "urgency": "normal", "channel": "letter", "agency_code": "1004",
            "category_code": "road", "status": "received", "subject": f"ถนนทรุดตัว {index}",
            "assigned_inspector_id": "",
        }, form_url="/cases/new")
        assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        stored = sorted(db.session.scalars(select(Case.register_no)))
    typed = [p for p in PAYLOADS if p.strip() == p]  # the form strips leading white space
    assert set(typed) <= set(stored)
    assert_guarded(csv_cells(client.get("/cases.csv").data), typed)
    token = csrf_token(client, "/cases")
    found = client.post("/cases.csv", data={"q": "ถนนทรุดตัว", "csrf_token": token})
    assert found.status_code == 200
    assert_guarded(csv_cells(found.data), typed)


def test_imported_register_numbers_reach_the_csv_as_text(app, client, auth, people, tmp_path):
    rows = [HEADER] + [row(i + 1, payload, f"{i + 1:02d}/03/2564", "เขตบางรัก", "ถนน", f"เรื่องนำเข้า {i}")
                       for i, payload in enumerate(PAYLOADS)]
    path = tmp_path / "register.csv"  # a CSV holds the text as typed (an XLSX would hold a formula's result)
    path.write_bytes(files.csv_bytes(rows))
    result = app.test_cli_runner().invoke(args=["import", str(path), "--default", "channel=letter"])
    assert result.exit_code == 0, result.output
    auth.login("registrar")
    with app.app_context():
        stored = set(db.session.scalars(select(Case.register_no)))
    kept = [p for p in PAYLOADS if p in stored]
    assert LINK in kept
    assert_guarded(csv_cells(client.get("/cases.csv").data), kept)


def test_import_problem_list_guards_what_the_file_said(app, client, auth, people):
    from tests.importing.test_import_web import batch_of, upload

    rows = [HEADER, row(1, "1/2564", "01/03/2564", "เขตเลิงนกทา", "ถนน", "เรื่อง")]
    auth.login("registrar")
    upload(client, xlsx_bytes({"@SUM(1)": rows}), "m.xlsx")
    body = client.get(f"/imports/{batch_of(app).id}/problems.csv").data
    assert_guarded(csv_cells(body), ["@SUM(1)"])


def test_an_anonymous_survey_comment_reaches_the_results_xlsx_as_text(app, client, auth, people):
    comments = [LINK, "+1+cmd", "-2+3", "@SUM(1)", "ดีมาก"]
    with app.app_context():
        round_id = open_round()
        for person, comment in zip(users(5), comments, strict=True):
            answer(person, round_id, [5, 4, 5, "yes", comment])
        db.session.get(SurveyRound, round_id).closes_on = today_bangkok() - timedelta(days=1)
        db.session.commit()
    auth.login("executive")
    response = client.get(f"/survey/results.xlsx?round={round_id}")
    assert response.status_code == 200
    assert_guarded(xlsx_cells(response.data), comments[:4])
    assert_guarded(csv_cells(client.get(f"/survey/results.csv?round={round_id}").data), [])


@pytest.mark.parametrize("url", ["/reports/top3.xlsx?fiscal_year=2564", "/reports/agency/1004.xlsx?fiscal_year=2564",
                                 "/reports/zones.xlsx?fiscal_year=2564", "/reports/top3.xlsx?suppress=1"])
def test_a_display_name_in_the_prepared_by_line_of_xlsx_reports_is_text(app, client, auth, people, url):
    new_case(app, people["registrar"])
    with app.app_context():
        db.session.get(User, people["executive"].id).display_name = LINK
        db.session.get(Category, "road").name_th = "@SUM(1)+ถนน"
        db.session.commit()
    auth.login("executive")
    response = client.get(url)
    assert response.status_code == 200
    values = xlsx_cells(response.data)
    assert_guarded(values, [LINK, "@SUM(1)+ถนน"] if "zones" not in url else [LINK])
    assert "จัดทำโดย" in values


def test_reference_names_in_the_import_template_are_text(app, client, auth, people):
    with app.app_context():
        db.session.get(Category, "road").name_th = "=cmd|' /C calc'!A0"
        db.session.commit()
    auth.login("registrar")
    assert_guarded(xlsx_cells(client.get("/imports/template").data), ["=cmd|' /C calc'!A0"])


def test_a_user_name_typed_at_the_sign_in_reaches_the_audit_csv_as_text(app, client, auth, people):
    for payload in PAYLOADS:
        auth.login(payload, "wrong password at all")
    auth.login("auditor")
    body = client.get("/audit.csv").data
    with app.app_context():
        names = {json.dumps(r["actor_name"]) for r in audit_rows(action="auth.login", outcome="failed")}
    assert json.dumps(LINK) in names
    assert_guarded(csv_cells(body), [LINK, "+1+cmd|' /C calc'!A0", "@SUM(1+1)*cmd"])


def test_every_file_of_rows_is_written_by_the_one_export_module():
    """A new export cannot forget the guard: nothing but ``complaints/exports.py`` writes CSV or XLSX."""
    import pathlib
    import re

    import complaints

    root = pathlib.Path(complaints.__file__).parent
    writers = re.compile(r"csv\.writer|csv\.DictWriter|\bWorkbook\(|workbook\.save\(|writerows?\(|write\(.\\ufeff")
    offenders = [f"{path.relative_to(root)}:{n}" for path in root.rglob("*.py") if path.name != "exports.py"
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                 if writers.search(line)]
    assert offenders == []
