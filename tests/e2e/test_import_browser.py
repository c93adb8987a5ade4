"""A registrar imports a messy register in a real browser; the progress script follows the job (CSP holds)."""

import pytest
from sqlalchemy import select, update

from complaints.extensions import db
from complaints.models import Case, ImportBatch
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in
from tests.importing.files import messy_register

pytestmark = pytest.mark.e2e


def _csp_errors(errors):
    return [e for e in errors if "Content Security Policy" in e]


def test_registrar_maps_an_unknown_agency_and_imports(app, live_server, page, people, tmp_path):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    path = tmp_path / "ทะเบียน 2564.xlsx"
    path.write_bytes(messy_register())
    sign_in(page, live_server, "registrar", PASSWORD)
    page.click("text=นำเข้าข้อมูล")
    page.set_input_files("#file", str(path))
    page.click("form.card button.primary")
    page.wait_for_selector("#preview")
    assert "ไม่รู้จักหน่วยงาน “เขตเลิงนกทา”" in page.inner_text("details.problems-group.bad")
    page.select_option("#value-0", "1001")  # เขตเลิงนกทา means Phra Nakhon here
    page.click("text=ตรวจสอบอีกครั้งด้วยการจับคู่นี้")
    page.wait_for_selector("#preview")
    assert "เขตเลิงนกทา" not in page.inner_text("details.problems-group.bad")
    page.check("input[name=skip_invalid]")
    page.click(".commit-box button.primary")
    page.wait_for_selector("text=นำเข้าเรียบร้อย", timeout=60000)
    assert "7" in page.inner_text("dl.facts")
    with app.app_context():
        assert len(list(db.session.scalars(select(Case)))) == 7
    assert not _csp_errors(errors), errors


def test_progress_script_follows_the_status_and_reloads_when_done(app, live_server, page, people, tmp_path):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    path = tmp_path / "m.xlsx"
    path.write_bytes(messy_register())
    sign_in(page, live_server, "registrar", PASSWORD)
    page.goto(f"{live_server}/imports")
    page.set_input_files("#file", str(path))
    page.click("form.card button.primary")
    page.wait_for_selector("#preview")
    with app.app_context():  # a job in another process, half-way through
        db.session.execute(update(ImportBatch).values(status="running", phase="sealing", progress_done=50,
                                                      progress_total=200))
        db.session.commit()
    page.reload()
    from playwright.sync_api import expect

    expect(page.locator("[data-progress-text]")).to_contain_text("(25%)", timeout=10000)
    assert "กำลังเข้ารหัส" in page.inner_text("[data-progress-text]")
    assert page.get_attribute("progress", "value") == "50"
    with app.app_context():
        db.session.execute(update(ImportBatch).values(status="done", phase="done", progress_done=200,
                                                      result={"imported": 200, "already_present": 0,
                                                              "duplicates_in_file": 0, "invalid": 0}))
        db.session.commit()
    page.wait_for_selector("text=นำเข้าเรียบร้อย", timeout=15000)
    assert not _csp_errors(errors), errors
