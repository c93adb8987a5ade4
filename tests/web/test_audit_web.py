"""The auditor's tools on /audit: filters, names, CSV export, verification, checkpoints, alerts;
and the "who viewed this case" panel on the case page."""

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest

from complaints.clock import BANGKOK, today_bangkok
from complaints.extensions import db
from complaints.services import audit_trail
from complaints.thai import format_date
from tests.audit.tampering import tamper
from tests.conftest import audit_rows, csrf_token, new_case


def _be(day: date) -> str:
    return format_date(day, "numeric")


def _details(row) -> dict:
    return json.loads(row["details"])


@pytest.fixture
def activity(app, client, auth, people):
    """Some history: a case, views by the inspector and the executive, a refused attempt."""
    inside = new_case(app, people["registrar"], agency_code="1004", subject="ถนนพัง สีลม")
    outside = new_case(app, people["registrar"], agency_code="1001", subject="นอกเขต")
    auth.login("inspector")
    client.get(f"/cases/{inside}")
    client.get(f"/cases/{outside}")  # refused: not in the inspector's scope
    auth.logout()
    auth.login("executive")
    client.get(f"/cases/{inside}")
    client.get(f"/cases/{inside}")
    auth.logout()
    return {"inside": inside, "outside": outside}


def test_only_auditors_reach_the_audit_tools_and_refusals_are_audited(app, client, auth, people):
    auth.login("executive")
    for url in ("/audit", "/audit.csv", "/audit/alerts"):
        assert client.get(url).status_code == 403
    assert auth.post("/audit/verify", {}, form_url="/").status_code == 403
    assert auth.post("/audit/checkpoint.json", {}, form_url="/").status_code == 403
    with app.app_context():
        denied = audit_rows(action="access.denied", actor_id=people["executive"].id)
        assert {_details(r)["endpoint"] for r in denied} == {
            "audit_log.index", "audit_log.export_csv", "audit_log.alerts", "audit_log.verify", "audit_log.checkpoint"}


def test_the_log_shows_names_and_thai_labels(client, auth, people, activity):
    auth.login("auditor")
    page = client.get("/audit").get_data(as_text=True)
    assert "ผู้ใช้ inspector" in page and "ผู้ใช้ executive" in page  # display names, not ids
    assert "เปิดดูเรื่อง" in page and "ถูกปฏิเสธ" in page
    assert "1/2564" in page  # the case's register number as its label
    assert "ถนนพัง" not in page  # never the case's content


def test_filters_by_user_action_outcome_and_case(app, client, auth, people, activity):
    auth.login("auditor")
    inspector = people["inspector"].id
    page = client.get(f"/audit?user={inspector}&action=case.view&outcome=denied").get_data(as_text=True)
    assert "1 รายการ" in page and activity["outside"][:8] in page
    page = client.get(f"/audit?case={activity['inside'][:8]}&action=case.view").get_data(as_text=True)
    assert "3 รายการ" in page  # the inspector once, the executive twice
    with app.app_context():
        viewed = audit_rows(action="audit.view")[-1]
        assert _details(viewed)["filters"] == {"case_id": activity["inside"][:8], "action": "case.view"}


def test_buddhist_era_date_range_and_thai_errors(app, client, auth, people, activity):
    today = today_bangkok()
    with app.app_context():
        old = datetime(2021, 1, 15, 3, 0)  # 15 ม.ค. 2564, 10:00 in Bangkok
        from audit import AuditEvent, append
        from complaints.extensions import keys

        audit_trail.record(None, "test.marker", actor_name="cli")  # makes the head before the old entry
        append(db.session.connection(), keys.current.audit_mac_key,
               AuditEvent(action="test.old", actor_name="cli", occurred_at=old))
        db.session.commit()
    auth.login("auditor")
    page = client.get("/audit?date_from=15/01/2564&date_to=15 ม.ค. 2564").get_data(as_text=True)
    assert "1 รายการ" in page and "test.old" in page and "15 ม.ค. 2564" in page
    page = client.get(f"/audit?date_from={_be(today)}").get_data(as_text=True)
    assert '<small class="muted">test.old</small>' not in page and '<small class="muted">test.marker</small>' in page
    bad = client.get("/audit?date_from=31/02/2564&action=case.view")
    text = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "ไม่มีวันที่" in text and 'value="31/02/2564"' in text  # nothing lost
    reversed_range = client.get("/audit?date_from=20/01/2564&date_to=10/01/2564").get_data(as_text=True)
    assert "วันที่สิ้นสุดต้องไม่ก่อนวันที่เริ่มต้น" in reversed_range
    assert "รหัสเรื่องต้อง" in client.get("/audit?case=xyz").get_data(as_text=True)


def test_csv_export_follows_the_filters_and_is_audited(app, client, auth, people, activity):
    auth.login("auditor")
    response = client.get(f"/audit.csv?user={people['executive'].id}&action=case.view")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(rows) == 2 and {r["actor_name"] for r in rows} == {"ผู้ใช้ executive"}
    assert {r["object_label"] for r in rows} == {"1/2564"} and rows[0]["action_th"] == "เปิดดูเรื่อง"
    assert rows[0]["occurred_at_bangkok"].endswith("+07:00")
    with app.app_context():
        export = audit_rows(action="audit.export")[-1]
        assert export["actor_id"] == people["auditor"].id
        assert _details(export) == {"count": 2, "format": "csv",
                                    "filters": {"actor_id": people["executive"].id, "action": "case.view"}}


def test_csv_export_with_a_bad_filter_exports_nothing(app, client, auth, people):
    auth.login("auditor")
    response = client.get("/audit.csv?date_from=99/99/9999")
    assert response.status_code == 302 and "date_from" in response.headers["Location"]
    with app.app_context():
        assert not audit_rows(action="audit.export")


def test_verifying_from_the_page_records_and_shows_the_result(app, client, auth, people, activity):
    auth.login("auditor")
    assert "ยังไม่เคยตรวจสอบ" in client.get("/audit").get_data(as_text=True)
    response = auth.post("/audit/verify", {}, form_url="/audit")
    assert response.status_code == 302
    page = client.get("/audit").get_data(as_text=True)
    assert "ครบถ้วนและไม่ถูกแก้ไข" in page and "ผู้ใช้ auditor" in page
    with app.app_context():
        tamper("UPDATE audit_events SET outcome = 'tampered' WHERE seq = 5")
    auth.post("/audit/verify", {}, form_url="/audit")
    page = client.get("/audit").get_data(as_text=True)
    assert "พบความผิดปกติ เริ่มที่รายการที่ #5" in page
    assert "รายการที่ #5 ถูกแก้ไข" in page
    with app.app_context():
        last = audit_rows(action="audit.verify")[-1]
        assert last["outcome"] == "failed" and _details(last)["bad_seq"] == 5


def test_a_downloaded_checkpoint_is_signed_and_verify_accepts_it_back(app, client, auth, people, activity):
    auth.login("auditor")
    token = csrf_token(client, "/audit")
    response = client.post("/audit/checkpoint.json", data={"csrf_token": token})
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    checkpoint = json.loads(response.get_data(as_text=True))
    assert {"seq", "mac", "created_at_utc", "signature", "public_key"} <= set(checkpoint)
    token = csrf_token(client, "/audit")
    response = client.post("/audit/verify", data={
        "csrf_token": token, "checkpoint": (io.BytesIO(response.get_data()), "checkpoint.json")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        assert _details(audit_rows(action="audit.checkpoint")[-1]) == {"destination": "download"}
        last = audit_rows(action="audit.verify")[-1]
        assert last["outcome"] == "ok" and _details(last)["external_seq"] == checkpoint["seq"]
    token = csrf_token(client, "/audit")
    response = client.post("/audit/verify", data={
        "csrf_token": token, "checkpoint": (io.BytesIO(b"not json"), "x.json")}, content_type="multipart/form-data")
    assert "ไม่ใช่ไฟล์จุดตรวจสอบ" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_verify_without_csrf_token_is_refused_and_audited(app, client, auth, people):
    auth.login("auditor")
    assert client.post("/audit/verify").status_code == 400
    with app.app_context():
        assert audit_rows(action="csrf.rejected") and not audit_rows(action="audit.verify")


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A Bangkok time as stored (naive UTC)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BANGKOK).astimezone(UTC).replace(tzinfo=None)


def _write(actor, action: str, when: datetime, outcome: str = "ok", object_id: str | None = None) -> None:
    from audit import AuditEvent, append
    from complaints.extensions import keys

    append(db.session.connection(), keys.current.audit_mac_key,
           AuditEvent(action=action, outcome=outcome, actor_id=actor.id, actor_name=actor.username,
                      object_type="case" if object_id else None, object_id=object_id, occurred_at=when))


def _weekday_before(day: date) -> date:
    day -= timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def test_alerts_for_volume_refusals_and_after_hours(app, client, auth, people):
    app.config.update(AUDIT_ALERT_VIEWS_PER_HOUR=10, AUDIT_ALERT_VIEWS_FACTOR=3, AUDIT_ALERT_DENIED_PER_HOUR=3)
    day = _weekday_before(today_bangkok())
    earlier = _weekday_before(day)
    with app.app_context():
        inspector, executive = people["inspector"].load(), people["executive"].load()
        audit_trail.record(None, "test.marker", actor_name="cli")
        for i in range(4):  # the inspector's usual: 4 cases in a busy hour
            _write(inspector, "case.view", _at(earlier, 10, i), object_id=f"usual-{i}")
        for i in range(15):  # then 15 different cases in one hour: unusual
            _write(inspector, "case.view", _at(day, 10, i), object_id=f"case-{i}")
        for i in range(12):  # the executive reads 12 at 14:00 with a usual of 10 a day: not 3 times usual
            _write(executive, "case.view", _at(earlier, 14, i), object_id=f"e-usual-{i}")
            _write(executive, "case.view", _at(day, 14, i), object_id=f"e-{i}")
        for i in range(3):  # three refusals in one hour
            _write(inspector, "case.view", _at(day, 11, i), outcome="not_found", object_id=f"nope-{i}")
        _write(executive, "case.view", _at(day, 22, 30), object_id="late")  # after hours
        _write(executive, "case.view", _at(day, 9, 0), object_id="office")  # in office hours
        db.session.commit()
    auth.login("auditor")
    page = client.get(f"/audit/alerts?date_from={_be(earlier)}&date_to={_be(day)}").get_data(as_text=True)
    assert "เปิดดูเรื่องมากผิดปกติ" in page and "15 เรื่อง ปกติประมาณ 4.0 เรื่องต่อชั่วโมง" in page
    assert "พยายามเข้าถึงนอกสิทธิ์ซ้ำ" in page and "เข้าถึงนอกเวลาราชการ" in page
    assert page.count("<tr class=\"alert-") == 4  # the first busy hours have no history: 2 volume alerts
    with app.app_context():
        from complaints.services import audit_alerts

        settings = audit_alerts.AlertSettings.from_config(app.config)
        found = audit_alerts.unusual_access(people["auditor"].load(), day, day, settings)
        kinds = sorted((a.kind, a.display_name, a.count) for a in found)
        assert kinds == [("after_hours", "ผู้ใช้ executive", 1), ("denied", "ผู้ใช้ inspector", 3),
                         ("volume", "ผู้ใช้ inspector", 15)]
        assert _details(audit_rows(action="audit.alerts")[-1])["found"] == {"volume": 1, "denied": 1,
                                                                          "after_hours": 1}


def test_alert_thresholds_come_from_the_settings(app, client, auth, people):
    day = _weekday_before(today_bangkok())
    with app.app_context():
        inspector = people["inspector"].load()
        audit_trail.record(None, "test.marker", actor_name="cli")
        for i in range(3):
            _write(inspector, "case.view", _at(day, 11, i), outcome="denied", object_id=f"nope-{i}")
        db.session.commit()
    auth.login("auditor")
    url = f"/audit/alerts?date_from={_be(day)}&date_to={_be(day)}"
    assert "พยายามเข้าถึงนอกสิทธิ์ซ้ำ" in client.get(url).get_data(as_text=True)
    app.config["AUDIT_ALERT_DENIED_PER_HOUR"] = 4
    assert "ไม่พบการเข้าถึงผิดปกติ" in client.get(url).get_data(as_text=True)


@pytest.mark.parametrize("role", ["executive", "registrar"])
def test_who_viewed_panel_for_executives_and_registrars(app, client, auth, people, activity, role):
    with app.app_context():
        audit_trail.record(people["inspector"].load(), "case.view", outcome="denied",
                           object_type="case", object_id=activity["inside"])  # a refused attempt
        db.session.commit()
    auth.login(role)
    page = client.get(f"/cases/{activity['inside']}").get_data(as_text=True)
    assert "ผู้ที่เปิดดูเรื่องนี้" in page
    panel = page.split("ผู้ที่เปิดดูเรื่องนี้", 1)[1]
    assert "ผู้ใช้ inspector" in panel and "ผู้ใช้ executive" in panel
    assert "127.0.0.1" not in panel  # no addresses, request ids or details
    with app.app_context():
        assert audit_rows(action="case.view")[-1]["actor_id"] == people[role].id  # the page view itself


def test_who_viewed_panel_counts_only_successful_views_of_this_case(app, client, auth, people, activity):
    with app.app_context():
        from complaints.models import Case
        from complaints.services import audit_reader

        case = db.session.get(Case, activity["inside"])
        viewers = audit_reader.case_viewers(people["executive"].load(), case)
        assert {v.name: v.views for v in viewers.people} == {"ผู้ใช้ inspector": 1, "ผู้ใช้ executive": 2,
                                                              "ผู้ใช้ registrar": 0}
        assert {v.name: v.reveals for v in viewers.people}["ผู้ใช้ executive"] == 0
        other = db.session.get(Case, activity["outside"])
        # the inspector's refused attempt at the other case shows nowhere
        assert [v.name for v in audit_reader.case_viewers(people["executive"].load(), other).people] == [
            "ผู้ใช้ registrar"]


def test_who_viewed_panel_is_not_shown_to_inspectors(client, auth, people, activity):
    auth.login("inspector")
    page = client.get(f"/cases/{activity['inside']}").get_data(as_text=True)
    assert "ถนนพัง" in page and "ผู้ที่เปิดดูเรื่องนี้" not in page


def test_csv_export_does_not_hand_formulas_to_a_spreadsheet(app, client, auth, people):
    auth.login('=HYPERLINK("http://evil.example","x")', "whatever it is 123")  # a failed sign-in
    auth.login("auditor")
    rows = list(csv.DictReader(io.StringIO(client.get("/audit.csv?action=auth.login&outcome=failed")
                                           .get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0]["actor_name"] == '\'=HYPERLINK("http://evil.example","x")'


def test_who_viewed_panel_counts_identity_reveals_but_never_shows_the_reason(app, client, auth, people, activity):
    reason = "ต้องโทรสอบถามข้อเท็จจริงเพิ่มเติม-PX93"
    auth.login("executive")
    assert auth.post(f"/cases/{activity['inside']}/identity", {"reason": reason}).status_code == 200
    auth.logout()
    auth.login("registrar")
    panel = client.get(f"/cases/{activity['inside']}").get_data(as_text=True).split("ผู้ที่เปิดดูเรื่องนี้", 1)[1]
    assert "เปิดดูข้อมูลผู้ร้อง" in panel and reason not in panel
    with app.app_context():
        from complaints.models import Case
        from complaints.services import audit_reader

        viewers = audit_reader.case_viewers(people["registrar"].load(), db.session.get(Case, activity["inside"]))
        assert {v.name: v.reveals for v in viewers.people}["ผู้ใช้ executive"] == 1
