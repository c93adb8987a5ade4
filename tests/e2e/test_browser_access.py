"""In a real browser: setting up the second factor from a QR code drawn by the app (under the CSP), and
an inspector revealing a complainant's identity with a reason."""

import re
import time

import pyotp
import pytest

from tests.conftest import PASSWORD, new_case
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def _csp_errors(page) -> list[str]:
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors


def test_second_factor_set_up_and_sign_in_with_a_code(live_server, page, people):
    errors = _csp_errors(page)
    sign_in(page, live_server, "inspector", PASSWORD)
    page.goto(f"{live_server}/account/security")
    page.click("text=ตั้งค่ารหัสยืนยันตัวตนสองชั้น")
    page.wait_for_selector(".qr img")
    assert page.evaluate("document.querySelector('.qr img').naturalWidth") > 0  # the data: image is allowed
    secret = re.sub(r"\s", "", page.inner_text("code.secret"))
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("form button.primary")
    page.wait_for_selector("ol.recovery-codes")
    assert len(page.query_selector_all("ol.recovery-codes li")) == 10
    page.click("text=ออกจากระบบ")
    sign_in(page, live_server, "inspector", PASSWORD)
    page.wait_for_selector("#code")
    page.fill("#code", pyotp.TOTP(secret).at(time.time() + 30))
    page.click("form button.primary")
    page.wait_for_selector("h1")
    assert "สวัสดี" in page.inner_text("h1")
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_inspector_reveals_identity_with_a_reason(app, live_server, page, people):
    case_id = new_case(app, people["registrar"], agency_code="1004", subject="เรื่องบางรัก",
                       complainant_name="นางสาวผู้ร้อง จริงใจ")
    sign_in(page, live_server, "inspector", PASSWORD)
    page.goto(f"{live_server}/cases/{case_id}")
    assert "นางสาวผู้ร้อง จริงใจ" not in page.content()
    page.click("text=ขอเปิดดู")
    page.fill("#reason", "ต้องติดต่อผู้ร้องเพื่อนัดตรวจสถานที่จริง")
    page.click("form button.primary")
    page.wait_for_selector("dl.facts")
    assert "นางสาวผู้ร้อง จริงใจ" in page.inner_text("dl.facts")
    page.goto(f"{live_server}/cases/{case_id}")
    assert "นางสาวผู้ร้อง จริงใจ" not in page.content()
