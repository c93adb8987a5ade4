"""A registrar enters a case and an inspector finds it, in a real browser; CSP holds (no inline script)."""

import pytest

from tests.conftest import PASSWORD, new_case
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_registrar_enters_a_case_and_reads_it_back(live_server, page, people):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, live_server, "registrar", PASSWORD)
    page.click("text=บันทึกเรื่องใหม่")
    page.fill("#received_date", "15/01/2564")
    page.select_option("#agency_code", "1004")
    page.select_option("#category_code", "lighting")
    page.fill("#subject", "ไฟฟ้าส่องสว่างดับ ซอยสีลม 5")
    page.fill("#details", "ไฟดับทั้งซอยมาสองสัปดาห์")
    page.fill("#complainant_name", "นางสาวมาลี ใจงาม")
    page.click("form.caseform button.primary")
    page.wait_for_selector("h1")
    assert page.inner_text("h1") == "ไฟฟ้าส่องสว่างดับ ซอยสีลม 5"
    assert "15 มกราคม 2564" in page.content()
    page.click("text=ค้นหาเรื่อง")
    assert "ไฟฟ้าส่องสว่างดับ ซอยสีลม 5" in page.inner_text("table.list")
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_inspector_finds_only_own_agency_and_identity_is_masked(app, live_server, page, people):
    new_case(app, people["registrar"], agency_code="1004", subject="เรื่องบางรัก", complainant_name="นายลับ มาก")
    new_case(app, people["registrar"], agency_code="1001", subject="เรื่องพระนคร")
    sign_in(page, live_server, "inspector", PASSWORD)
    page.goto(f"{live_server}/cases")
    table = page.inner_text("table.list")
    assert "เรื่องบางรัก" in table and "เรื่องพระนคร" not in table
    page.click("text=เรื่องบางรัก")
    assert "นายลับ มาก" not in page.content()
    assert "ถูกปิดบัง" in page.content()


def test_tablet_width_keeps_the_menu_and_table_usable(live_server, page, people):
    page.set_viewport_size({"width": 768, "height": 1024})
    sign_in(page, live_server, "registrar", PASSWORD)
    page.goto(f"{live_server}/cases")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 768, "the page must not scroll sideways on a tablet"
