"""PDFs set in Sarabun give back the Thai text that was written when their text is extracted."""

import io
import shutil
import subprocess

import pytest

pytest.importorskip("weasyprint")
pdf = pytest.importorskip("complaints.pdf")

WORDS = ["น้ำท่วม/น้ำขัง", "สำนักงานเขตบางรัก", "ค่ำ", "ก๊ำ ก๋ำ", "ทำ", "ตา", "ผู้ตรวจราชการ", "จำนวน", "ปั้น"]


def _document(words) -> str:
    return '<!doctype html><html lang="th"><body>' + "".join(f"<p>{w}</p>" for w in words) + "</body></html>"


def _pypdf_lines(data: bytes) -> list[str]:
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return [line.replace(" ", "") for line in text.splitlines() if line.strip()]


def _pdftotext_lines(data: bytes) -> list[str]:
    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return [line.replace(" ", "") for line in out.splitlines() if line.strip()]


@pytest.mark.parametrize("order", [WORDS, list(reversed(WORDS))])
def test_thai_text_comes_back_as_written_whatever_comes_first(order):
    """SARA AM after a tone mark, alone, and plain SARA AA in one document, in either order."""
    data = pdf.render(_document(order))
    expected = [w.replace(" ", "") for w in order]
    assert _pypdf_lines(data)[:len(order)] == expected
    if shutil.which("pdftotext"):
        assert _pdftotext_lines(data)[:len(order)] == expected


def test_the_pdf_fetches_nothing_but_its_fonts(tmp_path):
    secret = tmp_path / "secret.svg"
    secret.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>ลับ</text></svg>')
    html = (f'<html lang="th"><body><p>ทดสอบ</p><img src="{secret.as_uri()}">'
            '<img src="http://127.0.0.1:9/x.png"></body></html>')
    data = pdf.render(html)
    assert _pypdf_lines(data) == ["ทดสอบ", "1/1"]  # the text and the page number, nothing from the images
