"""The import pages as a registrar uses them, and as others try to misuse them."""

import io
import json
from datetime import timedelta

import openpyxl
from sqlalchemy import func, select, update

from complaints.clock import utcnow
from complaints.extensions import db
from complaints.models import Case, DataKeyRecord, ImportBatch, ImportMapping, User
from tests.conftest import audit_rows, csrf_token, make_user
from tests.importing.files import messy_register


def wait_for_jobs(app, timeout: float = 120) -> None:
    for thread in app.extensions.get("import_threads", []):
        thread.join(timeout)
        assert not thread.is_alive(), "the import job did not finish"


def upload(client, content: bytes, name: str, **extra):
    token = csrf_token(client, "/imports")
    return client.post("/imports", data={"file": (io.BytesIO(content), name), "csrf_token": token, **extra},
                       content_type="multipart/form-data")


def batch_of(app) -> ImportBatch:
    with app.app_context():
        batch = db.session.scalar(select(ImportBatch).order_by(ImportBatch.created_at.desc()))
        db.session.expunge(batch)
        return batch


def count_cases(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Case))


def test_registrar_uploads_maps_previews_and_commits_a_messy_register(app, client, auth, people):
    auth.login("registrar")
    home = client.get("/imports").get_data(as_text=True)
    assert "นำเข้าข้อมูลเรื่องย้อนหลัง" in home and "/imports/template" in home
    response = upload(client, messy_register(), "ทะเบียน 2564 นายสมชาย.xlsx")
    assert response.status_code == 302
    batch = batch_of(app)
    assert batch.status == "uploaded" and batch.source_format == "xlsx"
    assert "ทะเบียน".encode() not in batch.filename_ct and "นายสมชาย".encode() not in batch.content_ct
    url = f"/imports/{batch.id}"
    page = client.get(url).get_data(as_text=True)
    for expected in ("ไม่มีวันที่ “31/02/2564” ในปฏิทิน", "ไม่รู้จักหน่วยงาน “เขตเลิงนกทา”", "หัวตารางซ้ำ ข้ามแถวนี้",
                     "อยู่ในอนาคต", "ข้อมูลซ้ำกับแถว 13", "แถว 8", "จับคู่อัตโนมัติ", "ถนนชำรุด ซอยสีลม 3"):
        assert expected in page, expected
    assert count_cases(app) == 0  # nothing written by the preview

    # the registrar maps the unknown agency, sets a default outcome and saves the mapping by name
    form = {"column_count": "0", "value_count": "1", "value-field-0": "agency", "value-raw-0": "เขตเลิงนกทา",
            "value-0": "1001", "default-closed_outcome": "terminated", "action": "save_named",
            "mapping_name": "ทะเบียนกอง 2564"}
    assert auth.post(url, form).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "ไม่รู้จักหน่วยงาน “" not in page and "ไม่ระบุผลสรุป ใช้ค่าเริ่มต้น" in page
    with app.app_context():
        saved = db.session.scalar(select(ImportMapping))
        assert saved.name == "ทะเบียนกอง 2564" and saved.mapping["values"]["agency"] == {"เขตเลิงนกทา": "1001"}

    # two rows still have errors: the commit needs the registrar to skip them explicitly
    refused = auth.post(f"{url}/commit", {}, form_url=url)
    assert refused.status_code == 302 and count_cases(app) == 0
    assert batch_of(app).status == "uploaded"
    assert auth.post(f"{url}/commit", {"skip_invalid": "1"}, form_url=url).status_code == 302
    wait_for_jobs(app)
    status = client.get(f"{url}/status").get_json()
    assert status["status"] == "done" and status["finished"] and status["result"]["imported"] == 8
    assert count_cases(app) == 8
    done = batch_of(app)
    assert done.content_ct is None and done.filename_ct is None  # the upload is shredded
    with app.app_context():
        assert db.session.get(DataKeyRecord, ("import_batches", done.id)) is None
        [entry] = audit_rows(action="import.commit")
        assert entry["object_id"] == done.id and entry["outcome"] == "ok" and entry["request_id"]
        details = json.loads(entry["details"])
        assert details["imported"] == 8 and details["sha256"] == done.source_sha256 and details["invalid"] == 2
    page = client.get(url).get_data(as_text=True)
    assert "นำเข้าเรียบร้อย" in page

    # the same file again, with the saved mapping: everything is already there
    with app.app_context():
        mapping_id = db.session.scalar(select(ImportMapping.id))
    upload(client, messy_register(), "again.xlsx", mapping_id=str(mapping_id))
    again = batch_of(app)
    assert again.mapping_name == "ทะเบียนกอง 2564"
    page = client.get(f"/imports/{again.id}").get_data(as_text=True)
    assert "มีอยู่ในทะเบียนแล้ว" in page and "ไม่มีเรื่องใหม่ที่จะนำเข้า" in page
    auth.post(f"/imports/{again.id}/commit", {"skip_invalid": "1"}, form_url=f"/imports/{again.id}")
    wait_for_jobs(app)
    assert count_cases(app) == 8


def test_problem_list_downloads_as_csv(app, client, auth, people):
    auth.login("registrar")
    upload(client, messy_register(), "m.xlsx")
    body = client.get(f"/imports/{batch_of(app).id}/problems.csv").get_data(as_text=True)
    assert body.startswith("\ufeffระดับ,แผ่นงาน,แถว,คอลัมน์,ข้อความ")
    assert "ข้อผิดพลาด,2564,11,หน่วยงาน,ไม่รู้จักหน่วยงาน “เขตเลิงนกทา”" in body


def test_cancel_shreds_the_upload(app, client, auth, people):
    auth.login("registrar")
    upload(client, messy_register(), "m.xlsx")
    batch = batch_of(app)
    assert auth.post(f"/imports/{batch.id}/cancel", {}, form_url=f"/imports/{batch.id}").status_code == 302
    cancelled = batch_of(app)
    assert cancelled.status == "cancelled" and cancelled.content_ct is None
    with app.app_context():
        assert db.session.get(DataKeyRecord, ("import_batches", batch.id)) is None
        assert audit_rows(action="import.cancel")[0]["object_id"] == batch.id


def test_uploads_left_alone_expire_after_a_day(app, client, auth, people):
    auth.login("registrar")
    upload(client, messy_register(), "m.xlsx")
    with app.app_context():
        db.session.execute(update(ImportBatch).values(updated_at=utcnow() - timedelta(hours=25)))
        db.session.commit()
    client.get("/imports")
    expired = batch_of(app)
    assert expired.status == "expired" and expired.content_ct is None


def test_another_registrar_cannot_see_or_commit_my_upload(app, client, auth, people):
    auth.login("registrar")
    upload(client, messy_register(), "m.xlsx")
    batch = batch_of(app)
    auth.logout()
    with app.app_context():
        make_user("clerk", ["registrar"], all_agencies=True)
    auth.login("clerk")
    for path in ("", "/status", "/problems.csv"):
        response = client.get(f"/imports/{batch.id}{path}")
        assert response.status_code == 404 and "สมชาย" not in response.get_data(as_text=True)
    token = csrf_token(client, "/imports")
    commit = client.post(f"/imports/{batch.id}/commit", data={"csrf_token": token, "skip_invalid": "1"})
    assert commit.status_code == 404
    assert client.post(f"/imports/{batch.id}/cancel", data={"csrf_token": token}).status_code == 404
    assert batch_of(app).status == "uploaded" and count_cases(app) == 0
    with app.app_context():
        clerk = db.session.scalar(select(User).where(User.username == "clerk"))
        denied = audit_rows(object_id=batch.id, outcome="denied")
        assert len(denied) == 5 and {d["actor_id"] for d in denied} == {clerk.id}
        assert {d["action"] for d in denied} == {"import.view", "import.commit", "import.cancel"}


def test_inspectors_may_not_import(app, client, auth, people):
    auth.login("inspector")
    assert "/imports" not in client.get("/").get_data(as_text=True)
    assert client.get("/imports").status_code == 403
    assert client.get("/imports/template").status_code == 403
    with app.app_context():
        assert audit_rows(action="access.denied", actor_id=people["inspector"].id)


def test_upload_without_csrf_token_is_refused_and_audited(app, client, auth, people):
    auth.login("registrar")
    response = client.post("/imports", data={"file": (io.BytesIO(messy_register()), "m.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0
        assert audit_rows(action="csrf.rejected")


def test_unreadable_upload_is_explained_and_nothing_kept(app, client, auth, people):
    auth.login("registrar")
    response = upload(client, b"\xd0\xcf\x11\xe0" + b"\x00" * 64, "old.xls")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert ".xls รุ่นเก่า" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0
        assert audit_rows(action="import.upload")[0]["outcome"] == "error"


def test_the_thai_template_downloads_and_imports_back_as_it_is(app, client, auth, people):
    auth.login("registrar")
    response = client.get("/imports/template")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    header = [c.value for c in workbook["ทะเบียน"][1]]
    assert header[:3] == ["เลขทะเบียนรับ", "วันที่รับเรื่อง", "ลักษณะเรื่อง"]
    upload(client, response.data, "import-template.xlsx")
    batch = batch_of(app)
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "ข้อผิดพลาด — แถวเหล่านี้นำเข้าไม่ได้ (0)</summary>" in page, page[page.find("<summary"):][:3000]
    assert "ควรตรวจสอบ — นำเข้าได้ แต่ระบบต้องตีความหรือใช้ค่าเริ่มต้น (0)</summary>" in page
    auth.post(f"/imports/{batch.id}/commit", {}, form_url=f"/imports/{batch.id}")
    wait_for_jobs(app)
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert (case.register_no, case.agency_code, case.category_code, case.channel, case.status, case.outcome) == (
            "125/2564", "1004", "lighting", "hotline_1555", "closed", "resolved")


def test_a_crafted_mapping_form_cannot_smuggle_codes_or_break_the_page(app, client, auth, people):
    auth.login("registrar")
    upload(client, messy_register(), "m.xlsx")
    batch = batch_of(app)
    url = f"/imports/{batch.id}"
    form = {"column_count": "99999999999999999999", "value_count": "x", "default-kind": "'; DROP TABLE cases",
            "default-classification": "cosmic", "default-closed_outcome": "whatever"}
    assert auth.post(url, form).status_code == 302
    form = {"value_count": "1", "value-field-0": "agency", "value-raw-0": "เขตเลิงนกทา", "value-0": "not-an-agency"}
    assert auth.post(url, form).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "ไม่รู้จักหน่วยงาน “เขตเลิงนกทา”" in page  # the bogus code was not taken
    auth.post(f"{url}/commit", {"skip_invalid": "1"}, form_url=url)
    wait_for_jobs(app)
    with app.app_context():
        kinds = {k for (k,) in db.session.execute(select(Case.kind).distinct())}
        classes = {c for (c,) in db.session.execute(select(Case.classification).distinct())}
        assert kinds == {"complaint"} and classes == {"unclassified"}
    assert count_cases(app) == 6
