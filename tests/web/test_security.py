"""Attacks on the register: out-of-scope ids, clearance, CSRF, plaintext at rest, undeclared endpoints."""

import json
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from complaints import access
from complaints.extensions import db
from tests.conftest import POSTGRES_URL, audit_rows, make_user, new_case


def test_every_endpoint_declares_a_permission(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    undeclared = sorted(e for e in endpoints if access.endpoint_capability(e) is None)
    assert undeclared == [], f"endpoints without a declared permission: {undeclared}"
    stale = sorted(set(access.ENDPOINTS) - endpoints)
    assert stale == [], f"permissions declared for endpoints that do not exist: {stale}"


def test_inspector_asking_for_another_agencys_case_gets_404_and_is_audited(app, client, auth, people):
    secret_subject = "เรื่องของเขตพระนคร-ห้ามเห็น"
    other = new_case(app, people["registrar"], agency_code="1001", subject=secret_subject)
    auth.login("inspector")
    response = client.get(f"/cases/{other}")
    assert response.status_code == 404
    assert secret_subject not in response.get_data(as_text=True)
    edit = client.get(f"/cases/{other}/edit")  # inspectors do not edit at all
    assert edit.status_code == 403 and secret_subject not in edit.get_data(as_text=True)
    with app.app_context():
        denials = audit_rows(object_id=other, outcome="denied")
        assert len(denials) == 1 and denials[0]["actor_id"] == people["inspector"].id
        assert audit_rows(action="access.denied", actor_id=people["inspector"].id)


def test_registrar_with_a_scope_cannot_read_or_edit_outside_it(app, client, auth, people):
    other = new_case(app, people["registrar"], agency_code="1001", subject="นอกขอบเขต")
    with app.app_context():
        make_user("clerk", ["registrar"], agencies=["1004"])
    auth.login("clerk")
    for url in (f"/cases/{other}", f"/cases/{other}/edit"):
        response = client.get(url)
        assert response.status_code == 404 and "นอกขอบเขต" not in response.get_data(as_text=True)
    response = auth.post(f"/cases/{other}/edit", {
        "received_date": "15/01/2564", "kind": "complaint", "classification": "unclassified",
        "urgency": "normal", "channel": "letter", "agency_code": "1004", "category_code": "road",
        "status": "received", "subject": "ยึดเรื่อง",
    }, form_url="/cases/new")
    assert response.status_code == 404
    with app.app_context():
        assert len(audit_rows(object_id=other, outcome="denied")) == 3
        from complaints.models import Case

        assert db.session.get(Case, other).agency_code == "1001"


def test_nonexistent_and_out_of_scope_ids_look_the_same(app, client, auth, people):
    other = new_case(app, people["registrar"], agency_code="1001")
    auth.login("inspector")
    hidden = client.get(f"/cases/{other}")
    missing = client.get("/cases/00000000-0000-0000-0000-000000000000")
    assert hidden.status_code == missing.status_code == 404
    nobody = "00000000-0000-0000-0000-000000000000"

    def normalised(response, case_id):  # the CSRF token differs from one second to the next
        return re.sub(r'value="[^"]*\.[^"]*"', 'value="TOKEN"', response.get_data(as_text=True).replace(case_id, "ID"))

    assert normalised(hidden, other) == normalised(missing, nobody)
    with app.app_context():
        assert audit_rows(object_id="00000000-0000-0000-0000-000000000000")[0]["outcome"] == "not_found"


def test_case_above_clearance_is_invisible(app, client, auth, people):
    secret = new_case(app, people["registrar"], agency_code="1004", classification="secret", subject="ลับมากในบางรัก")
    auth.login("inspector")  # cleared to ลับ (confidential) only
    assert client.get(f"/cases/{secret}").status_code == 404
    assert "ลับมากในบางรัก" not in client.get("/cases").get_data(as_text=True)
    assert secret not in client.get("/cases.csv").get_data(as_text=True)


def test_registrar_cannot_enter_a_case_above_own_clearance(app, client, auth, people):
    with app.app_context():
        make_user("clerk", ["registrar"], all_agencies=True, clearance="confidential")
    auth.login("clerk")
    form = client.get("/cases/new").get_data(as_text=True)
    assert 'value="top_secret"' not in form
    response = auth.post("/cases/new", {
        "received_date": "15/01/2564", "kind": "secret_matter", "classification": "top_secret",
        "urgency": "normal", "channel": "letter", "agency_code": "1004", "category_code": "corruption",
        "status": "received", "subject": "ลับที่สุด",
    }, form_url="/cases/new")
    assert response.status_code == 200
    with app.app_context():
        assert not audit_rows(action="case.create")


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_roles_without_case_access_are_refused_and_audited(app, client, auth, people, role):
    case_id = new_case(app, people["registrar"])
    auth.login(role)
    assert client.get("/cases").status_code == 403
    assert client.get(f"/cases/{case_id}").status_code == 403
    assert "ถนนชำรุด" not in client.get(f"/cases/{case_id}").get_data(as_text=True)
    with app.app_context():
        denied = audit_rows(action="access.denied")
        assert denied and all(d["actor_id"] == people[role].id for d in denied)


def test_post_without_csrf_token_is_refused_and_audited(app, client, auth, people):
    auth.login("registrar")
    response = client.post("/cases/new", data={
        "received_date": "15/01/2564", "kind": "complaint", "classification": "unclassified",
        "urgency": "normal", "channel": "letter", "agency_code": "1004", "category_code": "road",
        "status": "received", "subject": "ปลอมแปลง",
    })
    assert response.status_code == 400
    with app.app_context():
        assert audit_rows(action="csrf.rejected")
        assert not audit_rows(action="case.create")


def test_viewing_a_case_adds_exactly_one_audit_entry(app, client, auth, people):
    case_id = new_case(app, people["registrar"])
    auth.login("inspector")
    with app.app_context():
        before = len(audit_rows())
    assert client.get(f"/cases/{case_id}").status_code == 200
    with app.app_context():
        after = audit_rows()
        assert len(after) == before + 1
        entry = after[-1]
        assert (entry["action"], entry["actor_id"], entry["actor_name"], entry["object_id"]) == (
            "case.view", people["inspector"].id, "inspector", case_id)


def test_no_case_is_shown_when_its_audit_entry_cannot_be_written(app, client, auth, people, monkeypatch):
    case_id = new_case(app, people["registrar"], subject="ต้องไม่รั่ว")
    auth.login("registrar")
    from complaints.services import audit_trail

    def broken(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(audit_trail, "record", broken)
    response = client.get(f"/cases/{case_id}")
    assert response.status_code == 500
    assert "ต้องไม่รั่ว" not in response.get_data(as_text=True)


def test_no_case_is_shown_when_the_commit_fails(app, client, auth, people, monkeypatch):
    case_id = new_case(app, people["registrar"], subject="ต้องไม่รั่วเช่นกัน")
    auth.login("registrar")

    def failing_commit():
        raise RuntimeError("disk full")

    monkeypatch.setattr(db.session, "commit", failing_commit)
    response = client.get(f"/cases/{case_id}")
    assert response.status_code == 500
    assert "ต้องไม่รั่วเช่นกัน" not in response.get_data(as_text=True)


def _raw_database_bytes(app) -> bytes:
    """Everything the database holds, as a thief with a copy would see it."""
    if not POSTGRES_URL:
        path = Path(app.config["TEST_DATABASE_PATH"])  # the file and its -wal / -shm companions
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    chunks = []
    with app.app_context():
        tables = db.session.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()
        for table in tables:
            for row in db.session.execute(text(f'SELECT t::text FROM "{table}" t')).scalars():
                chunks.append(row.encode())
    return b"\n".join(chunks)


def test_database_holds_no_plaintext_of_subject_details_or_names(app, client, auth, people):
    marker = "ZQX-มะลิวัลย์-7731"
    auth.login("registrar")
    response = auth.post("/cases/new", {
        "received_date": "15/01/2564", "kind": "complaint", "classification": "unclassified",
        "urgency": "normal", "channel": "letter", "agency_code": "1004", "category_code": "road",
        "status": "received", "subject": f"เรื่อง {marker} subject", "details": f"details {marker}",
        "complainant_name": f"นาย{marker}", "complainant_contact": f"contact {marker}",
        "complainant_id_no": "3100700112233", "persons_concerned": f"official {marker}",
        "conclusion": f"conclusion {marker}",
    }, form_url="/cases/new")
    assert response.status_code == 302
    assert marker in client.get(response.headers["Location"]).get_data(as_text=True)
    raw = _raw_database_bytes(app)
    for needle in (marker, "มะลิวัลย์", "ZQX-", "3100700112233"):
        for encoding in ("utf-8", "utf-16-le", "cp874"):
            try:
                assert needle.encode(encoding) not in raw, (needle, encoding)
            except UnicodeEncodeError:
                continue
    assert b"1004" in raw  # the metadata is plaintext, so the scan itself does see the data


def test_security_headers(client, auth, people):
    auth.login("registrar")
    response = client.get("/cases")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["Cache-Control"] == "no-store"
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if "complaints_session" in c) \
        if response.headers.getlist("Set-Cookie") else None
    login = client.get("/login")
    assert login.headers["X-Frame-Options"] == "DENY"
    if cookie:
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_signing_out_ends_the_session_on_the_server(app, client, auth, people):
    auth.login("registrar")
    assert client.get("/cases").status_code == 200
    cookie = client.get_cookie("complaints_session").value
    auth.logout()
    stolen = app.test_client()
    stolen.set_cookie("complaints_session", cookie)
    assert stolen.get("/cases").status_code == 302  # the old cookie no longer signs anyone in


def test_disabled_users_live_session_is_refused(app, client, auth, people):
    auth.login("inspector")
    assert client.get("/").status_code == 200
    with app.app_context():
        from complaints.services import users

        users.disable_user(None, people["inspector"].load())
        db.session.commit()
    assert client.get("/").status_code == 302


def test_scope_change_takes_effect_on_the_next_request(app, client, auth, people):
    other = new_case(app, people["registrar"], agency_code="1001")
    auth.login("inspector")
    assert client.get(f"/cases/{other}").status_code == 404
    with app.app_context():
        from complaints.services import users

        users.assign_scope(None, people["inspector"].load(), agencies=["1004", "1001"], zones=[])
        db.session.commit()
    assert client.get(f"/cases/{other}").status_code == 200


def test_account_locks_after_repeated_failures(app, client, auth, people):
    for _ in range(5):
        auth.login("inspector", "wrong password here")
    response = auth.login("inspector")  # the right password, but the account is locked
    assert "ระงับชั่วคราว" in response.get_data(as_text=True)
    with app.app_context():
        failures = [r for r in audit_rows(action="auth.login") if r["outcome"] == "failed"]
        assert len(failures) == 6
        assert json.loads(failures[-1]["details"])["reason"] == "locked"


def test_received_date_in_the_future_is_refused(app, auth, people):
    auth.login("registrar")
    tomorrow = date.today().replace(year=date.today().year + 1)
    response = auth.post("/cases/new", {
        "received_date": f"{tomorrow.day:02d}/{tomorrow.month:02d}/{tomorrow.year + 543}", "kind": "complaint",
        "classification": "unclassified", "urgency": "normal", "channel": "letter", "agency_code": "1004",
        "category_code": "road", "status": "received", "subject": "อนาคต",
    }, form_url="/cases/new")
    assert "อนาคต" in response.get_data(as_text=True) and response.status_code == 200
