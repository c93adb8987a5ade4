"""Entering, finding and reading cases through the web, as each role."""

from datetime import date

from sqlalchemy import select

from complaints.extensions import db
from complaints.models import Case
from tests.conftest import audit_rows, new_case


def test_login_page_is_thai_and_pages_need_sign_in(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert "เข้าสู่ระบบ" in page.get_data(as_text=True)
    response = client.get("/cases")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_registrar_enters_a_case_with_buddhist_era_date(app, client, auth, people):
    auth.login("registrar")
    response = auth.post("/cases/new", {
        "received_date": "15/01/2564", "kind": "complaint", "classification": "confidential",
        "urgency": "urgent", "channel": "hotline_1555", "agency_code": "1004", "category_code": "lighting",
        "status": "received", "subject": "ไฟฟ้าส่องสว่างดับ ถนนสีลม", "details": "ไฟดับทั้งซอยมาสองสัปดาห์",
        "complainant_name": "นางสาวมาลี ใจงาม", "assigned_inspector_id": "",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert case.received_date == date(2021, 1, 15)
        assert case.fiscal_year == 2564
        assert case.register_no == "1/2564"
        assert case.subject_ct is not None and "ไฟฟ้า".encode() not in case.subject_ct
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ไฟฟ้าส่องสว่างดับ ถนนสีลม" in page
    assert "15 มกราคม 2564" in page
    assert "นางสาวมาลี ใจงาม" in page  # registrars see the complainant


def test_invalid_date_is_reported_in_thai_and_nothing_is_saved(app, auth, people):
    auth.login("registrar")
    response = auth.post("/cases/new", {
        "received_date": "31/02/2564", "kind": "complaint", "classification": "unclassified",
        "urgency": "normal", "channel": "letter", "agency_code": "1004", "category_code": "road",
        "status": "received", "subject": "ทดสอบ",
    })
    assert response.status_code == 200
    assert "ไม่มีวันที่" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Case)) is None


def test_registrar_edits_a_case_and_the_change_is_audited(app, client, auth, people):
    case_id = new_case(app, people["registrar"])
    auth.login("registrar")
    form = client.get(f"/cases/{case_id}/edit").get_data(as_text=True)
    assert "ถนนชำรุด" in form and "15/01/2564" in form
    response = auth.post(f"/cases/{case_id}/edit", {
        "register_no": "1/2564", "received_date": "15/01/2564", "kind": "complaint",
        "classification": "unclassified", "urgency": "normal", "channel": "letter", "agency_code": "1004",
        "category_code": "road", "status": "concluded", "outcome": "substantiated",
        "subject": "ถนนชำรุด (แก้ไข)", "details": "รายละเอียด", "complainant_name": "นายทดสอบ ระบบ",
    })
    assert response.status_code == 302
    with app.app_context():
        entry = audit_rows(action="case.update")[-1]
        assert entry["object_id"] == case_id
        assert "subject" in entry["details"] and "status" in entry["details"]
        assert "แก้ไข" not in entry["details"]  # names of changed fields, never their values


def test_inspector_sees_only_scope_and_identity_is_masked(app, client, auth, people):
    mine = new_case(app, people["registrar"], agency_code="1004", subject="เรื่องในบางรัก")
    other = new_case(app, people["registrar"], agency_code="1001", subject="เรื่องในพระนคร")
    auth.login("inspector")
    listing = client.get("/cases").get_data(as_text=True)
    assert "เรื่องในบางรัก" in listing and "เรื่องในพระนคร" not in listing
    page = client.get(f"/cases/{mine}").get_data(as_text=True)
    assert "เรื่องในบางรัก" in page
    assert "นายทดสอบ ระบบ" not in page and "ถูกปิดบัง" in page
    assert client.get(f"/cases/{other}").status_code == 404


def test_filters_narrow_the_list(app, client, auth, people):
    new_case(app, people["registrar"], agency_code="1004", category_code="road", subject="ถนนบางรัก")
    new_case(app, people["registrar"], agency_code="1007", category_code="waste", subject="ขยะปทุมวัน")
    new_case(app, people["registrar"], agency_code="1003", category_code="road", subject="ถนนหนองจอก",
             received_date=date(2019, 11, 2))
    auth.login("registrar")
    by_zone = client.get("/cases?zone=south").get_data(as_text=True)
    assert "ถนนบางรัก" in by_zone and "ขยะปทุมวัน" in by_zone and "ถนนหนองจอก" not in by_zone
    by_year = client.get("/cases?fiscal_year=2563").get_data(as_text=True)
    assert "ถนนหนองจอก" in by_year and "ถนนบางรัก" not in by_year
    by_category = client.get("/cases?category=waste").get_data(as_text=True)
    assert "ขยะปทุมวัน" in by_category and "ถนนบางรัก" not in by_category


def test_case_list_csv_has_the_documented_columns_and_only_scope(app, client, auth, people):
    new_case(app, people["registrar"], agency_code="1004")
    new_case(app, people["registrar"], agency_code="1001")
    auth.login("inspector")
    response = client.get("/cases.csv")
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeffcase_id,register_no,fiscal_year,received_date,kind,classification,"
                           "agency_code,agency_name,category_code,category_name,status,outcome")
    lines = body.strip().splitlines()
    assert len(lines) == 2 and ",1004," in lines[1]
    with app.app_context():
        assert audit_rows(action="case.export")[-1]["details"].find('"count":1') >= 0
