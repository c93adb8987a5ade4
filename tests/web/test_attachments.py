"""Attachments: kinds checked by content, names cleaned, stored encrypted, downloads only through the
access check and with an audit entry; raw scans of the database find no plaintext."""

import io
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from complaints.extensions import db
from complaints.models import Attachment
from complaints.services.attachments import MAX_BYTES, detect_kind, sanitise_name
from tests.conftest import POSTGRES_URL, audit_rows, csrf_token, make_user, new_case

MARKER = "QXZ-ลำดวนแย้ม-4471"


def docx(body: str = "เอกสาร") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", f"<w:document>{body}</w:document>")
    return out.getvalue()


FILES = {
    "pdf": b"%PDF-1.7\n1 0 obj << >> endobj\n" + MARKER.encode() + b"\n%%EOF\n",
    "png": b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + MARKER.encode(),
    "jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + MARKER.encode(),
    "docx": docx(MARKER),
}


def _upload(client, case_id, name, data):
    token = csrf_token(client, f"/cases/{case_id}")
    return client.post(f"/cases/{case_id}/attachments", content_type="multipart/form-data",
                       data={"csrf_token": token, "file": (io.BytesIO(data), name)})


def _attachments(app, case_id):
    with app.app_context():
        return list(db.session.scalars(select(Attachment).where(Attachment.case_id == case_id)))


@pytest.mark.parametrize("kind", sorted(FILES))
def test_each_accepted_kind_round_trips_and_every_download_is_audited(app, client, auth, people, kind):
    case_id = new_case(app, people["registrar"])
    auth.login("registrar")
    response = _upload(client, case_id, f"หลักฐาน {kind}.bin", FILES[kind])
    assert response.status_code == 302
    [stored] = _attachments(app, case_id)
    assert stored.kind == kind and stored.size == len(FILES[kind])
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "หลักฐาน " + kind in page
    download = client.get(f"/cases/{case_id}/attachments/{stored.id}")
    assert download.status_code == 200 and download.data == FILES[kind]
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["Cache-Control"] == "no-store"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    with app.app_context():
        entry = audit_rows(action="attachment.download")[-1]
    assert entry["object_id"] == case_id and json.loads(entry["details"])["attachment"] == stored.id


@pytest.mark.parametrize("name, data", [
    ("report.pdf", b"<html><script>alert(1)</script></html>"),  # HTML dressed as a PDF
    ("letter.docx", b"PK\x03\x04" + b"\x00" * 40),  # not even a ZIP
    ("sheet.docx", None),  # a ZIP, but not a Word document
    ("photo.jpg", b"MZ\x90\x00 this is an executable"),
    ("empty.pdf", b""),
])
def test_files_are_judged_by_content_not_by_name(app, client, auth, people, name, data):
    if data is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("xl/workbook.xml", "<workbook/>")
        data = buffer.getvalue()
    case_id = new_case(app, people["registrar"])
    auth.login("registrar")
    response = _upload(client, case_id, name, data)
    assert response.status_code == 302
    assert _attachments(app, case_id) == []
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "รับเฉพาะไฟล์" in follow or "ไฟล์ว่างเปล่า" in follow or "กรุณาเลือกไฟล์" in follow
    if data:
        with app.app_context():
            assert audit_rows(action="attachment.upload")[-1]["outcome"] == "rejected"


def test_a_file_over_20_mb_is_refused_with_a_thai_message(app, client, auth, people):
    case_id = new_case(app, people["registrar"])
    auth.login("registrar")
    response = _upload(client, case_id, "big.pdf", b"%PDF-1.7\n" + b"0" * MAX_BYTES)
    assert response.status_code == 302 and _attachments(app, case_id) == []
    assert "ใหญ่เกิน 20 MB" in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("raw, expected", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\ลับ\\หนังสือร้องเรียน.pdf", "หนังสือร้องเรียน.pdf"),
    ("invoice\u202eexe.pdf", "invoiceexe.pdf"),  # right-to-left override removed
    ("a<b>:c|d?.png", "a_b__c_d.png"),
    ("photo.exe", "photo.jpg"),  # the extension follows the content
    ("", "ไฟล์แนบ.jpg"),
    ("ก" * 300 + ".jpg", "ก" * 114 + ".jpg"),
])
def test_file_names_are_sanitised(raw, expected):
    kind = "png" if expected.endswith(".png") else "pdf" if expected.endswith(".pdf") else "jpeg"
    assert sanitise_name(raw, kind) == expected


def test_detect_kind_reads_the_docx_table_of_contents():
    assert detect_kind(docx()) == "docx"
    assert detect_kind(b"%PDF-1.4") == "pdf" and detect_kind(b"GIF89a") is None


def test_inspector_out_of_scope_cannot_download_and_is_audited(app, client, auth, people):
    case_id = new_case(app, people["registrar"], agency_code="1001")
    auth.login("registrar")
    _upload(client, case_id, "x.pdf", FILES["pdf"])
    [stored] = _attachments(app, case_id)
    auth.logout()
    auth.login("inspector")  # Bang Rak only
    response = client.get(f"/cases/{case_id}/attachments/{stored.id}")
    assert response.status_code == 404 and MARKER.encode() not in response.data
    with app.app_context():
        entry = audit_rows(action="attachment.download")[-1]
    assert entry["outcome"] == "denied" and entry["actor_id"] == people["inspector"].id


def test_an_attachment_cannot_be_fetched_through_another_case(app, client, auth, people):
    mine = new_case(app, people["registrar"])
    other = new_case(app, people["registrar"])
    auth.login("registrar")
    _upload(client, other, "other.pdf", FILES["pdf"])
    [stored] = _attachments(app, other)
    response = client.get(f"/cases/{mine}/attachments/{stored.id}")
    assert response.status_code == 404
    with app.app_context():
        assert audit_rows(action="attachment.download")[-1]["outcome"] == "not_found"


def test_inspectors_do_not_upload_and_uploads_need_a_csrf_token(app, client, auth, people):
    case_id = new_case(app, people["registrar"])
    auth.login("inspector")
    assert "แนบไฟล์ใหม่" not in client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert _upload(client, case_id, "x.pdf", FILES["pdf"]).status_code == 403
    auth.logout()
    auth.login("registrar")
    response = client.post(f"/cases/{case_id}/attachments", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(FILES["pdf"]), "x.pdf")})
    assert response.status_code == 400 and _attachments(app, case_id) == []
    with app.app_context():
        assert audit_rows(action="access.denied") and audit_rows(action="csrf.rejected")


def test_content_moved_to_another_attachment_does_not_decrypt(app, client, auth, people):
    case_id = new_case(app, people["registrar"])
    auth.login("registrar")
    _upload(client, case_id, "one.pdf", FILES["pdf"])
    _upload(client, case_id, "two.png", FILES["png"])
    one, two = sorted(_attachments(app, case_id), key=lambda a: a.kind)
    with app.app_context():
        moved = db.session.scalar(select(Attachment.content_ct).where(Attachment.id == one.id))
        db.session.execute(update(Attachment).where(Attachment.id == two.id).values(content_ct=moved))
        db.session.commit()
    response = client.get(f"/cases/{case_id}/attachments/{two.id}")
    assert response.status_code == 500 and MARKER.encode() not in response.data
    assert "ถอดรหัสข้อมูลไม่ได้" in response.get_data(as_text=True)
    with app.app_context():
        entry = audit_rows(action="attachment.download")[-1]
    assert entry["outcome"] == "error"


def raw_database_bytes(app) -> bytes:
    """Everything the database holds as a thief would read it: the SQLite file with its write-ahead log,
    or every column of every PostgreSQL row in its own encoding (bytea as raw bytes)."""
    if not POSTGRES_URL:
        path = Path(app.config["TEST_DATABASE_PATH"])
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    chunks = []
    with app.app_context():
        tables = db.session.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars()
        for table in list(tables):
            for row in db.session.execute(text(f'SELECT * FROM "{table}"')):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        chunks.append(bytes(value))
                    elif value is not None:
                        chunks.append(str(value).encode("utf-8"))
    return b"\n".join(chunks)


def test_raw_database_holds_no_plaintext_of_fields_names_or_files(app, client, auth, people):
    with app.app_context():
        make_user("clerk", ["registrar"], all_agencies=True)
    auth.login("clerk")
    response = auth.post("/cases/new", {
        "received_date": "15/01/2564", "kind": "complaint", "classification": "unclassified",
        "urgency": "normal", "channel": "letter", "agency_code": "1004", "category_code": "road",
        "status": "received", "subject": f"เรื่อง {MARKER}", "details": f"รายละเอียด {MARKER} ถนนพัง",
        "complainant_name": f"นาย{MARKER}", "persons_concerned": f"นาย{MARKER} ตำแหน่งนายช่าง",
        "conclusion": f"ผลสรุป {MARKER}",
    }, form_url="/cases/new")
    case_id = response.headers["Location"].rsplit("/", 1)[-1]
    for kind, data in FILES.items():
        assert _upload(client, case_id, f"{MARKER}.{kind}", data).status_code == 302
    assert len(_attachments(app, case_id)) == 4
    raw = raw_database_bytes(app)
    assert b"1004" in raw and len(raw) > 10_000  # the scan does see the database
    for needle in (MARKER, "ลำดวนแย้ม", "QXZ-"):
        for encoding in ("utf-8", "utf-16-le", "cp874"):
            try:
                assert needle.encode(encoding) not in raw, (needle, encoding)
            except UnicodeEncodeError:
                continue


def _upload_marked(client, case_id, name, data, *, identifies: bool):
    token = csrf_token(client, f"/cases/{case_id}")
    form = {"csrf_token": token, "file": (io.BytesIO(data), name)}
    if not identifies:
        form["no_identity"] = "1"
    return client.post(f"/cases/{case_id}/attachments", content_type="multipart/form-data", data=form)


def test_a_file_naming_the_complainant_is_masked_like_the_identity(app, client, auth, people):
    case_id = new_case(app, people["registrar"], agency_code="1004")
    auth.login("registrar")
    _upload_marked(client, case_id, "หนังสือร้องเรียนนายสมชาย.pdf", FILES["pdf"], identifies=True)
    _upload_marked(client, case_id, "ภาพถนน.png", FILES["png"], identifies=False)
    letter, photo = sorted(_attachments(app, case_id), key=lambda a: a.kind)
    assert letter.identifies_complainant and not photo.identifies_complainant
    auth.logout()
    auth.login("inspector")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "นายสมชาย" not in page and "ภาพถนน.png" in page and "ปิดบัง" in page
    assert client.get(f"/cases/{case_id}/attachments/{photo.id}").status_code == 200
    refused = client.get(f"/cases/{case_id}/attachments/{letter.id}")
    assert refused.status_code == 403 and MARKER.encode() not in refused.data
    with app.app_context():
        entry = audit_rows(action="attachment.download")[-1]
    assert (entry["outcome"], entry["actor_id"]) == ("denied", people["inspector"].id)
    assert json.loads(entry["details"])["reason"] == "identity_masked"


def test_revealing_the_identity_with_a_reason_opens_the_file_for_a_while(app, client, auth, people):
    case_id = new_case(app, people["registrar"], agency_code="1004")
    auth.login("registrar")
    _upload_marked(client, case_id, "หนังสือร้องเรียน.pdf", FILES["pdf"], identifies=True)
    [letter] = _attachments(app, case_id)
    auth.logout()
    auth.login("inspector")
    revealed = auth.post(f"/cases/{case_id}/identity", {"reason": "ต้องสอบถามข้อเท็จจริงเพิ่มเติมจากผู้ร้อง"})
    assert revealed.status_code == 200 and "นายทดสอบ ระบบ" in revealed.get_data(as_text=True)
    download = client.get(f"/cases/{case_id}/attachments/{letter.id}")
    assert download.status_code == 200 and download.data == FILES["pdf"]
    other_case = new_case(app, people["registrar"], agency_code="1004")
    with app.app_context():  # the window is the reveal's age, not the session's
        from datetime import timedelta

        from complaints.services import identity

        inspector = people["inspector"].load()
        assert identity.recently_revealed(inspector, case_id, timedelta(minutes=10))
        assert not identity.recently_revealed(inspector, case_id, timedelta(microseconds=1))
        assert not identity.recently_revealed(inspector, other_case, timedelta(minutes=10))
