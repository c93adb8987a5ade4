"""Coverage: every event of issue 5's list that the register has today leaves an entry, with the
actor, object and outcome, and never the plaintext of case fields.

Not here because the feature is not in this code base yet (other issues): keyword search terms,
attachment download, key rotation.
"""

import json
from datetime import date

from complaints.extensions import db
from complaints.services import survey, users
from tests.conftest import audit_rows, make_user, new_case

MARKERS = ("QXV-ลำดวน-4410", "นางลำดวน ทดสอบ", "3100700998877")
REASON = "ต้องติดต่อผู้ร้องเพื่อสอบข้อเท็จจริงเพิ่มเติม-RZ51"


def _only(**where) -> dict:
    rows = audit_rows(**where)
    assert rows, f"no audit entry for {where}"
    return rows[-1]


def _details(row) -> dict:
    return json.loads(row["details"])


CASE_FORM = {
    "received_date": "15/01/2564", "kind": "complaint", "classification": "unclassified", "urgency": "normal",
    "channel": "letter", "agency_code": "1004", "category_code": "road", "status": "received",
    "subject": f"เรื่อง {MARKERS[0]}", "details": f"รายละเอียด {MARKERS[0]}", "complainant_name": MARKERS[1],
    "complainant_id_no": MARKERS[2],
}


def test_every_event_on_the_register_is_recorded_without_plaintext(app, client, auth, people):
    r, ins, ex = people["registrar"].id, people["inspector"].id, people["executive"].id

    # sign-in: failed (wrong password, unknown user) and successful; sign-out
    auth.login("registrar", "not the password at all")
    auth.login("nobody-here", "whatever it is 123")
    auth.login("registrar")
    # create, change, status change
    created = auth.post("/cases/new", CASE_FORM)
    case_id = created.headers["Location"].rsplit("/", 1)[-1]
    auth.post(f"/cases/{case_id}/edit", {**CASE_FORM, "register_no": "1/2564", "status": "in_progress",
                                         "details": f"แก้ไข {MARKERS[0]}"})
    # the list with filters (counts, codes, the ids shown), exports of cases and of a report
    client.get("/cases?agency=1004&status=in_progress")
    client.get("/cases.csv?agency=1004")
    client.get("/reports/top3.csv?fiscal_year=2564")
    auth.logout()

    # a case view, an out-of-scope attempt, a refused endpoint, a form without its CSRF token
    other = new_case(app, people["registrar"], agency_code="1001")
    auth.login("inspector")
    client.get(f"/cases/{case_id}")
    client.get(f"/cases/{other}")
    client.get("/audit")
    client.post("/cases/new", data=CASE_FORM)
    auth.logout()
    # an identity reveal, with its reason (stored encrypted)
    auth.login("executive")
    auth.post(f"/cases/{case_id}/identity", {"reason": REASON})
    auth.logout()

    # administrative changes and a survey round
    with app.app_context():
        make_user("newclerk", ["registrar"], agencies=["1004"])
        clerk = users.get_by_username("newclerk")
        users.assign_scope(None, clerk, agencies=["1004", "1005"], zones=[])
        users.disable_user(None, clerk)
        survey.create_round(None, title_th="รอบทดสอบ", title_en="Test round", opens_on=date(2026, 1, 1),
                            closes_on=date(2026, 3, 31))
        db.session.commit()
        clerk_id = clerk.id
    # survey results and the auditor's own reading, exporting and verifying
    auth.login("executive")
    client.get("/survey/results")
    auth.logout()
    auth.login("auditor")
    client.get("/audit?action=case.view")
    client.get("/audit.csv?action=case.view")
    auth.post("/audit/verify", {}, form_url="/audit")
    client.get("/audit/alerts")

    with app.app_context():
        failed = [row for row in audit_rows(action="auth.login") if row["outcome"] == "failed"]
        assert {(row["actor_id"], _details(row)["reason"]) for row in failed} == {
            (r, "bad_password"), (None, "unknown_user")}
        assert _only(action="auth.login", actor_id=ins, outcome="ok")
        assert len(audit_rows(action="auth.logout")) == 4

        create = _only(action="case.create", object_id=case_id)
        assert create["actor_id"] == r and _details(create)["register_no"] == "1/2564"
        update = _only(action="case.update", object_id=case_id)
        assert _details(update)["status"] == ["received", "in_progress"] and "details" in _details(update)["changed"]

        listing = _only(action="case.list", actor_id=r)
        assert _details(listing)["filters"] == {"agency": "1004", "status": "in_progress"}
        assert _details(listing)["shown"] == [case_id] and _details(listing)["total"] == 1
        assert _details(_only(action="case.export"))["count"] == 1
        assert _details(_only(action="report.export"))["report"] == "top3"

        view = _only(action="case.view", actor_id=ins, outcome="ok")
        assert view["object_id"] == case_id and view["request_id"] and view["ip"] == "127.0.0.1"
        assert _only(action="case.view", actor_id=ins, object_id=other)["outcome"] == "denied"
        assert _details(_only(action="access.denied", actor_id=ins))["endpoint"] == "audit_log.index"
        assert _only(action="csrf.rejected", actor_id=ins)["outcome"] == "denied"

        reveal = _only(action="identity.reveal", actor_id=ex, outcome="ok")
        assert reveal["object_id"] == case_id and "reason_ct" in _details(reveal)

        assert _only(action="user.create", object_id=str(clerk_id))
        assert _details(_only(action="user.scope", object_id=str(clerk_id)))["agencies"] == ["1004", "1005"]
        assert _only(action="user.disable", object_id=str(clerk_id))
        assert _only(action="survey.round_create")["actor_name"] == "cli"
        assert _only(action="survey.results", actor_id=ex)

        assert _details(_only(action="audit.view", actor_id=people["auditor"].id))
        assert _details(_only(action="audit.export"))["filters"] == {"action": "case.view"}
        assert _only(action="audit.verify")["outcome"] == "ok"
        assert _only(action="audit.alerts")

        everything = json.dumps(audit_rows(), ensure_ascii=False, default=str)
        for marker in (*MARKERS, "ลำดวน", "แก้ไข QXV", REASON):
            assert marker not in everything, marker


def test_password_change_is_recorded(app, auth, people):
    auth.login("inspector")
    auth.post("/account/password", {"current": "horse-battery-staple-2565", "new": "another-long-pass-phrase-77",
                                    "confirm": "another-long-pass-phrase-77"})
    with app.app_context():
        assert _only(action="user.password_change")["actor_id"] == people["inspector"].id


def test_an_import_is_one_entry_per_file_without_the_records_text(app, tmp_path):
    from tests.importing.files import csv_bytes, simple_rows

    rows = simple_rows(3)
    rows[1][5] = "เรื่องนำเข้า MK-8812"  # a subject that must not reach the log
    path = tmp_path / "register.csv"
    path.write_bytes(csv_bytes(rows))
    result = app.test_cli_runner().invoke(args=["import", str(path), "--default", "channel=letter"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        entry = _only(action="import.commit")
        assert entry["outcome"] == "ok" and _details(entry)["imported"] == 3
        everything = json.dumps(audit_rows(), ensure_ascii=False, default=str)
        assert "MK-8812" not in everything and "นายทดสอบ ลำดับ1" not in everything


def test_survey_round_changes_are_recorded(app, people):
    from complaints.services.survey.rounds import RoundInput, create_round, update_round

    with app.app_context():
        admin = people["admin"].load()
        created = create_round(admin, title_th="รอบทดสอบ", title_en="Test", opens_on=date(2030, 1, 1),
                                closes_on=date(2030, 3, 31))
        update_round(admin, created.id, RoundInput("รอบทดสอบ (แก้)", "Test", date(2030, 1, 1), date(2030, 4, 30), []),
                     date(2029, 12, 1))
        db.session.commit()
        update = _only(action="survey.round_update", object_id=str(created.id))
        assert update["actor_id"] == people["admin"].id and _details(update)["fields"] == ["closes_on", "title_th"]
