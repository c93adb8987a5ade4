"""The auditor's pages in a real browser: filters with a Buddhist-era date, verification, alerts,
and the "who viewed" panel; no Content Security Policy violation anywhere."""

import os
from pathlib import Path

import pytest

from complaints.clock import today_bangkok
from complaints.thai import format_date
from tests.conftest import PASSWORD, new_case
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("COMPLAINTS_E2E_SCREENSHOTS")  # a folder: save what the pages look like


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_auditor_filters_verifies_and_reads_alerts(app, live_server, page, people):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    case_id = new_case(app, people["registrar"], agency_code="1004", subject="ถนนพัง")
    sign_in(page, live_server, "executive", PASSWORD)
    page.goto(f"{live_server}/cases/{case_id}")
    assert "ผู้ที่เปิดดูเรื่องนี้" in page.inner_text("section.viewers")
    assert "ผู้ใช้ executive" in page.inner_text("section.viewers")
    _shot(page, "case-viewers")
    page.context.clear_cookies()

    sign_in(page, live_server, "auditor", PASSWORD)
    page.goto(f"{live_server}/audit")
    page.select_option("select[name=action]", "case.view")
    page.fill("input[name=date_from]", format_date(today_bangkok(), "numeric"))
    page.click("form.filters button.primary")
    table = page.inner_text("table.audit")
    assert "เปิดดูเรื่อง" in table and "ผู้ใช้ executive" in table and "1/2564" in table
    _shot(page, "audit-filtered")
    page.click("text=ตรวจสอบเดี๋ยวนี้")
    page.wait_for_selector("#verification .pass")
    assert "ครบถ้วนและไม่ถูกแก้ไข" in page.inner_text("#verification")
    _shot(page, "audit-verified")
    page.click("text=การเข้าถึงผิดปกติ")
    assert "การเข้าถึงผิดปกติ" in page.inner_text("h1")
    _shot(page, "audit-alerts")
    page.goto(f"{live_server}/audit?date_from=31/02/2569")
    assert "ไม่มีวันที่" in page.inner_text("form.filters")
    assert not [e for e in errors if "Content Security Policy" in e], errors
