"""Scope and clearance hold on every path: detail, edit (read and write), identity reveal, the list and
its filters, the CSV export and the top-3 report and its export. Each refusal is audited."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.conftest import audit_rows, make_user, new_case

HIDDEN_SUBJECT = "เรื่องที่ต้องมองไม่เห็น-QX7"
EDIT = {"received_date": "15/01/2564", "kind": "complaint", "classification": "unclassified", "urgency": "normal",
        "channel": "letter", "agency_code": "1004", "category_code": "road", "status": "received",
        "subject": "ยึดเรื่อง"}


@pytest.fixture(params=["other_agency", "above_clearance"])
def hidden(request, app, people):
    """A case the Bang Rak inspector (and a Bang Rak registrar cleared to ลับ) must not reach, and a
    visible one next to it."""
    overrides = {"agency_code": "1001"} if request.param == "other_agency" else {
        "agency_code": "1004", "classification": "top_secret"}
    hidden_id = new_case(app, people["registrar"], subject=HIDDEN_SUBJECT, category_code="corruption",
                         **overrides)
    visible_id = new_case(app, people["registrar"], agency_code="1004", subject="เรื่องที่เห็นได้")
    with app.app_context():
        make_user("clerk", ["registrar"], agencies=["1004"], clearance="confidential")
    return hidden_id, visible_id


def _denials(app, case_id):
    with app.app_context():
        return [r for r in audit_rows(object_id=case_id) if r["outcome"] == "denied"]


@pytest.mark.parametrize("username", ["inspector", "clerk"])
def test_hidden_case_by_id_is_not_found_and_audited(app, client, auth, people, hidden, username):
    hidden_id, _ = hidden
    auth.login(username)
    urls = [f"/cases/{hidden_id}"] + ([f"/cases/{hidden_id}/identity"] if username == "inspector" else
                                      [f"/cases/{hidden_id}/edit"])
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert HIDDEN_SUBJECT not in response.get_data(as_text=True)
    assert len(_denials(app, hidden_id)) == len(urls)


def test_hidden_case_cannot_be_overwritten(app, client, auth, people, hidden):
    hidden_id, _ = hidden
    auth.login("clerk")
    response = auth.post(f"/cases/{hidden_id}/edit", EDIT, form_url="/cases/new")
    assert response.status_code == 404
    with app.app_context():
        from complaints.extensions import db
        from complaints.models import Case

        assert db.session.get(Case, hidden_id).agency_code in ("1001", "1004")
        assert db.session.get(Case, hidden_id).category_code == "corruption"
    assert [r["action"] for r in _denials(app, hidden_id)] == ["case.update"]


def test_list_and_filters_leave_the_hidden_case_out(app, client, auth, people, hidden):
    hidden_id, visible_id = hidden
    auth.login("inspector")
    for url in ("/cases", "/cases?agency=1001", "/cases?category=corruption", "/cases?zone=central"):
        html = client.get(url).get_data(as_text=True)
        assert HIDDEN_SUBJECT not in html and hidden_id not in html, url
    assert visible_id in client.get("/cases").get_data(as_text=True)
    with app.app_context():
        listed = audit_rows(action="case.list")
        assert all(hidden_id not in json.loads(r["details"])["shown"] for r in listed)
        assert json.loads(listed[1]["details"])["total"] == 0  # asking for Phra Nakhon finds nothing


def test_the_export_leaves_the_hidden_case_out(app, client, auth, people, hidden):
    hidden_id, visible_id = hidden
    auth.login("inspector")
    rows = list(csv.reader(io.StringIO(client.get("/cases.csv").get_data(as_text=True).lstrip("\ufeff"))))
    ids = [row[0] for row in rows[1:]]
    assert ids == [visible_id]
    asked = client.get("/cases.csv?agency=1001").get_data(as_text=True)
    assert hidden_id not in asked
    with app.app_context():
        exports = audit_rows(action="case.export")
        assert [json.loads(r["details"])["count"] for r in exports] == [1, 0]


def test_the_report_and_its_export_leave_the_hidden_case_out(app, client, auth, people, hidden):
    hidden_id, _ = hidden
    auth.login("inspector")
    page = client.get("/reports/top3").get_data(as_text=True)
    assert "ทุจริต" not in page  # the hidden case is the only corruption case
    exported = client.get("/reports/top3.csv").get_data(as_text=True)
    assert "corruption" not in exported and "1001" not in exported
    with app.app_context():
        [entry] = audit_rows(action="report.export")
        assert json.loads(entry["details"])["rows"] == 1
    auth.logout()
    auth.login("executive")  # every agency, top secret: the same report does count it
    assert "corruption" in client.get("/reports/top3.csv").get_data(as_text=True)


def test_executives_see_every_agency_but_only_up_to_their_clearance(app, client, auth, people):
    top = new_case(app, people["registrar"], agency_code="1001", classification="top_secret", subject=HIDDEN_SUBJECT)
    with app.app_context():
        make_user("chief", ["executive"], clearance="secret")
    auth.login("chief")
    assert client.get(f"/cases/{top}").status_code == 404
    assert HIDDEN_SUBJECT not in client.get("/cases").get_data(as_text=True)
    assert top not in client.get("/cases.csv").get_data(as_text=True)
    assert client.get(f"/cases/{top}/identity").status_code == 404
    assert len(_denials(app, top)) == 2
