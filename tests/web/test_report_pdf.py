"""The printable summary of a district: a PDF in Thai, named and dated in the Buddhist era."""

import io
import json
import shutil
import subprocess
from urllib.parse import quote

import pytest

from complaints.clock import today_bangkok
from complaints.thai import format_date
from tests.conftest import audit_rows
from tests.reports_data import BANG_RAK, seed

pytest.importorskip("weasyprint")


@pytest.fixture
def seeded(app, people):
    seed(app, people["registrar"])
    return people


def _texts(data: bytes) -> list[str]:
    """The text of the PDF as pypdf reads it and, when installed, as pdftotext does."""
    from pypdf import PdfReader

    texts = ["\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)]
    if shutil.which("pdftotext"):
        extracted = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
        texts.append(extracted.stdout.decode())
    return texts


def _squeeze(text: str) -> str:
    return "".join(text.split())


def test_district_summary_pdf_has_correct_thai_text_name_and_date(app, client, auth, seeded):
    auth.login("inspector")
    response = client.get(f"/reports/agency/{BANG_RAK}.pdf?fiscal_year=2564")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    disposition = response.headers["Content-Disposition"]
    assert f"filename*=UTF-8''{quote('สรุปปัญหา-เขตบางรัก-2564.pdf')}" in disposition
    assert 'filename="summary-1004-2564.pdf"' in disposition
    printed = format_date(today_bangkok(), "long")
    expected_lines = [
        "กองงานผู้ตรวจราชการ สำนักปลัดกรุงเทพมหานคร",
        "สรุปปัญหาเรื่องร้องเรียน สำนักงานเขตบางรัก",
        "ปีงบประมาณ 2564 · กลุ่มเขตกรุงเทพใต้",
        f"พิมพ์เมื่อ {printed} · โดย ผู้ใช้ inspector",
        "ใช้ภายในกองงานผู้ตรวจราชการ ห้ามเผยแพร่",
        # the list numbers 1. 2. 3. are drawn apart from the lines, so extractors put them elsewhere
        "ถนน/ผิวจราจรชำรุด — 3 เรื่อง (เท่ากัน)",
        "ความสะอาด/ขยะ — 3 เรื่อง (เท่ากัน)",
        "ไฟฟ้าส่องสว่าง — 2 เรื่อง",
        "น้ำท่วม/น้ำขัง",
        "มัธยฐานจำนวนวันจากรับเรื่องถึงยุติเรื่อง",
    ]
    for text in _texts(response.data):
        squeezed = _squeeze(text)
        for line in expected_lines:
            assert _squeeze(line) in squeezed, line
        assert "ทุจริต" not in text  # above the inspector's clearance
    with app.app_context():
        entry = audit_rows(action="report.export")[-1]
        details = json.loads(entry["details"])
        assert (entry["object_id"], details["format"], details["fiscal_years"]) == (BANG_RAK, "pdf", [2564])


def test_pdf_for_outside_readers_hides_small_counts(app, client, auth, seeded):
    auth.login("inspector")
    response = client.get(f"/reports/agency/{BANG_RAK}.pdf?fiscal_year=2564&suppress=1")
    for text in _texts(response.data):
        squeezed = _squeeze(text)
        assert _squeeze("ฉบับเผยแพร่นอกกอง: จำนวนที่น้อยกว่า 5") in squeezed
        assert _squeeze("ถนน/ผิวจราจรชำรุด — < 5 เรื่อง") in squeezed
        assert _squeeze("— 3 เรื่อง") not in squeezed
    with app.app_context():
        assert json.loads(audit_rows(action="report.export")[-1]["details"])["suppressed"] is True


def test_pdf_of_every_year_is_named_so(client, auth, seeded):
    auth.login("executive")
    response = client.get(f"/reports/agency/{BANG_RAK}.pdf")
    assert quote("สรุปปัญหา-เขตบางรัก-ทุกปี.pdf") in response.headers["Content-Disposition"]
    assert _squeeze("ทุกปีงบประมาณ") in _squeeze(_texts(response.data)[0])
