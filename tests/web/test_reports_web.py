"""Report pages, charts and exports through the web: every number opens the case list behind it with
exactly that many cases, an inspector sees only their agencies everywhere, every export is audited."""

import csv
import html
import io
import json
import re

import pytest
from openpyxl import load_workbook

from tests.conftest import audit_rows
from tests.reports_data import BANG_RAK, INSPECTOR_SEES, OUT_OF_SCOPE_SUBJECT, PHRA_NAKHON, seed, sql_count

NUMBER_LINK = re.compile(r'<a class="num-link" href="([^"]+)">([\d,]+)</a>')
BAR_LINK = re.compile(r'<a href="([^"]+)"><title>[^<]*: ([\d,]+)(?: \([^)]*\))?</title>')
FOUND = re.compile(r"พบ ([\d,]+) เรื่อง")


@pytest.fixture
def seeded(app, people):
    seed(app, people["registrar"])
    return people


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def _numbers_and_links(page: str) -> list[tuple[str, int]]:
    found = NUMBER_LINK.findall(page) + BAR_LINK.findall(page)
    return [(html.unescape(href), int(n.replace(",", ""))) for href, n in found]


def _case_list_total(client, href: str) -> int:
    assert href.startswith("/cases?"), href
    match = FOUND.search(_page(client, href))
    assert match, href
    return int(match.group(1).replace(",", ""))


def _check_every_number(client, url: str, at_least: int) -> int:
    page = _page(client, url)
    pairs = _numbers_and_links(page)
    assert len(pairs) >= at_least, (url, len(pairs))
    distinct = dict(pairs)
    assert len(distinct) == len(set(pairs)), "one list shown with two different numbers"
    for href, number in distinct.items():
        assert _case_list_total(client, href) == number, (url, href, number)
    return len(pairs)


@pytest.mark.parametrize("role", ["inspector", "executive"])
def test_every_number_of_the_agency_summary_opens_a_list_of_that_many_cases(client, auth, seeded, role):
    auth.login(role)
    _check_every_number(client, f"/reports/agency/{BANG_RAK}", at_least=25)
    _check_every_number(client, f"/reports/agency/{BANG_RAK}?fiscal_year=2563-2564", at_least=15)


def test_every_number_of_the_other_reports_and_the_home_page_opens_its_case_list(client, auth, seeded):
    auth.login("executive")
    for url in ("/reports/zones?fiscal_year=2564", "/reports/top3?fiscal_year=2564", "/reports/agency", "/"):
        _check_every_number(client, url, at_least=3)


def test_agency_summary_numbers_equal_sql(app, client, auth, seeded):
    auth.login("inspector")
    page = _page(client, f"/reports/agency/{BANG_RAK}?fiscal_year=2564")
    with app.app_context():
        total = sql_count(INSPECTOR_SEES + " AND fiscal_year = 2564")
    assert f'href="/cases?agency={BANG_RAK}&amp;fiscal_year=2564">{total}</a>' in page
    assert "ทุจริต" not in page  # the ลับมาก case is above the inspector's clearance


def test_inspector_sees_only_their_agencies_in_every_report_chart_and_export(app, client, auth, seeded):
    auth.login("inspector")
    urls = ["/", "/reports/top3", "/reports/top3?fiscal_year=2564", "/reports/agency", "/reports/zones",
            "/reports/zones?fiscal_year=2564", f"/reports/agency/{BANG_RAK}"]
    for url in urls:
        page = _page(client, url)
        assert "พระนคร" not in page and f"agency={PHRA_NAKHON}" not in page and OUT_OF_SCOPE_SUBJECT not in page, url
        assert "บางรัก" in page, url
    for url in ("/reports/top3.csv", "/reports/zones.csv", f"/reports/agency/{BANG_RAK}.csv"):
        body = client.get(url).get_data(as_text=True)
        assert BANG_RAK in body and PHRA_NAKHON not in body and "พระนคร" not in body, url
    for url in ("/reports/top3.xlsx", "/reports/zones.xlsx", f"/reports/agency/{BANG_RAK}.xlsx"):
        book = load_workbook(io.BytesIO(client.get(url).data))
        cells = [str(c) for row in book.worksheets[0].iter_rows(values_only=True) for c in row if c is not None]
        assert BANG_RAK in cells and PHRA_NAKHON not in cells and not any("พระนคร" in c for c in cells), url
    zones = _page(client, "/reports/zones")
    assert "กลุ่มเขตกรุงเทพใต้" in zones and "กลุ่มเขตกรุงเทพกลาง" not in zones


@pytest.mark.parametrize("suffix", ["", ".csv", ".xlsx", ".pdf"])
def test_agency_out_of_scope_is_404_and_audited(app, client, auth, seeded, suffix):
    auth.login("inspector")
    response = client.get(f"/reports/agency/{PHRA_NAKHON}{suffix}")
    assert response.status_code == 404
    assert "พระนคร" not in response.get_data(as_text=True)
    with app.app_context():
        denied = audit_rows(action="report.view", object_id=PHRA_NAKHON)
        assert len(denied) == 1 and denied[0]["outcome"] == "denied"
        assert denied[0]["actor_id"] == seeded["inspector"].id
        assert not audit_rows(action="report.export")


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_roles_without_reports_are_refused_and_audited(app, client, auth, seeded, role):
    auth.login(role)
    for url in ("/reports/top3", "/reports/zones", "/reports/agency", f"/reports/agency/{BANG_RAK}",
                f"/reports/agency/{BANG_RAK}.pdf", "/reports/top3.xlsx", "/reports/zones.csv"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "ถนน" not in response.get_data(as_text=True)
    with app.app_context():
        assert len(audit_rows(action="access.denied")) == 7


def test_top3_csv_has_the_fixed_columns_and_ties(app, client, auth, seeded):
    auth.login("inspector")
    response = client.get("/reports/top3.csv?fiscal_year=2564")
    assert response.mimetype == "text/csv"
    assert 'filename="top3-2564.csv"' in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["fiscal_year", "agency_code", "agency_name", "rank", "category_code", "category_name", "count"]
    assert rows[1:] == [
        ["2564", BANG_RAK, "สำนักงานเขตบางรัก", "1", "road", "ถนน/ผิวจราจรชำรุด", "3"],
        ["2564", BANG_RAK, "สำนักงานเขตบางรัก", "2", "waste", "ความสะอาด/ขยะ", "3"],
        ["2564", BANG_RAK, "สำนักงานเขตบางรัก", "3", "lighting", "ไฟฟ้าส่องสว่าง", "2"],
    ]
    with app.app_context():
        entry = audit_rows(action="report.export")[-1]
        details = json.loads(entry["details"])
        assert details["report"] == "top3" and details["format"] == "csv" and details["rows"] == 3
        assert details["fiscal_years"] == [2564] and details["suppressed"] is False


def test_exports_for_outside_hide_small_counts_and_say_so(app, client, auth, seeded):
    auth.login("inspector")
    rows = list(csv.reader(io.StringIO(client.get("/reports/top3.csv?fiscal_year=2564&suppress=1")
                                       .data.decode("utf-8-sig"))))
    assert [r[-1] for r in rows[1:]] == ["< 5", "< 5", "< 5"]
    book = load_workbook(io.BytesIO(client.get(f"/reports/agency/{BANG_RAK}.xlsx?fiscal_year=2564&suppress=1").data))
    data, notes = book.worksheets
    assert (data.title, notes.title) == ("ข้อมูล", "คำอธิบาย")
    assert [c.value for c in data[1]] == ["ปีงบประมาณ", "รหัสหน่วยงาน", "หน่วยงาน", "หัวข้อ", "รหัส", "รายการ", "จำนวน"]
    values = {(r[3], r[4] or ""): r[6] for r in data.iter_rows(min_row=2, values_only=True)}
    assert values[("total", "")] == 9  # 9 is not small
    assert values[("category", "road")] == "< 5" and values[("status", "in_progress")] == 0
    note_text = " ".join(str(c) for row in notes.iter_rows(values_only=True) for c in row if c)
    assert "< 5" in note_text and "สำนักงานเขตบางรัก" in note_text
    with app.app_context():
        exports = [json.loads(e["details"]) for e in audit_rows(action="report.export")]
        assert [(e["report"], e["format"], e["suppressed"], e.get("threshold")) for e in exports] == [
            ("top3", "csv", True, 5), ("agency", "xlsx", True, 5)]
        assert audit_rows(action="report.export")[-1]["object_id"] == BANG_RAK


def test_the_threshold_is_a_setting(app, client, auth, seeded):
    app.config["SMALL_COUNT_THRESHOLD"] = 3
    auth.login("inspector")
    rows = list(csv.reader(io.StringIO(client.get("/reports/top3.csv?fiscal_year=2564&suppress=1")
                                       .data.decode("utf-8-sig"))))
    assert [r[-1] for r in rows[1:]] == ["3", "3", "< 3"]


def test_zones_export_matches_the_page(app, client, auth, seeded):
    auth.login("executive")
    rows = list(csv.DictReader(io.StringIO(client.get("/reports/zones.csv?fiscal_year=2564").data.decode("utf-8-sig"))))
    assert len(rows) == 50  # every district office, with or without cases
    bang_rak = next(r for r in rows if r["agency_code"] == BANG_RAK)
    assert bang_rak["zone_code"] == "south" and bang_rak["total"] == "10" and bang_rak["road"] == "3"
    with app.app_context():
        assert int(bang_rak["corruption"]) == sql_count("agency_code = '1004' AND fiscal_year = 2564 "
                                                        "AND category_code = 'corruption'") == 1


def test_bad_fiscal_year_is_explained_in_thai(app, client, auth, seeded):
    auth.login("inspector")
    page = client.get("/reports/top3?fiscal_year=25x4", follow_redirects=True).get_data(as_text=True)
    assert "ไม่ถูกต้อง" in page and "บางรัก" in page
    response = client.get("/reports/top3.csv?fiscal_year=25x4")
    assert response.status_code == 400 and "ปีงบประมาณไม่ถูกต้อง" in response.get_data(as_text=True)
    with app.app_context():
        assert not audit_rows(action="report.export")


def test_report_views_are_audited_without_case_content(app, client, auth, seeded):
    auth.login("inspector")
    client.get(f"/reports/agency/{BANG_RAK}?fiscal_year=2564")
    client.get("/reports/zones")
    with app.app_context():
        views = audit_rows(action="report.view")
        assert [json.loads(v["details"])["report"] for v in views] == ["agency", "zones"]
        assert views[0]["object_id"] == BANG_RAK and json.loads(views[0]["details"])["fiscal_years"] == [2564]


def test_report_pages_keep_to_the_content_security_policy(client, auth, seeded):
    auth.login("executive")
    for url in ("/", "/reports/top3", "/reports/zones", "/reports/agency", f"/reports/agency/{BANG_RAK}"):
        page = _page(client, url)
        assert "style=" not in page and "<script" not in page and "<style" not in page, url


def test_case_list_filters_used_by_the_reports(app, client, auth, seeded):
    auth.login("inspector")
    with app.app_context():
        expected = {
            "fiscal_year=2563-2564": sql_count(INSPECTOR_SEES + " AND fiscal_year BETWEEN 2563 AND 2564"),
            "outcome=none": sql_count(INSPECTOR_SEES + " AND outcome IS NULL"),
            "outcome=resolved": sql_count(INSPECTOR_SEES + " AND outcome = 'resolved'"),
            "status=open": sql_count(INSPECTOR_SEES + " AND status IN ('received', 'in_progress')"),
            "assigned=none&status=open": sql_count(INSPECTOR_SEES + " AND status IN ('received', 'in_progress')"),
            "assigned=me": 0,
        }
    for query, n in expected.items():
        assert _case_list_total(client, f"/cases?agency={BANG_RAK}&{query}") == n, query
    page = _page(client, f"/cases?agency={BANG_RAK}&status=open&older_than=90&fiscal_year=2563-2565")
    assert "รับมาเกิน 90 วัน" in page and 'value="2563-2565" selected' in page


def test_the_agency_picker_opens_the_chosen_summary(client, auth, seeded):
    auth.login("inspector")
    response = client.get(f"/reports/agency?code={BANG_RAK}&fiscal_year=2564")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/reports/agency/{BANG_RAK}?fiscal_year=2564")
    picker = _page(client, "/reports/agency")
    assert f'<option value="{BANG_RAK}">' in picker and f'value="{PHRA_NAKHON}"' not in picker
