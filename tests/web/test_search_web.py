"""The search box on /cases: POST only, CSRF, filters kept, nothing in URLs, paging and CSV by POST."""

import csv
import io
import json
import re

from tests.conftest import audit_rows, csrf_token, new_case


def _search(client, q, **fields):
    token = csrf_token(client, "/cases")
    return client.post("/cases", data={"q": q, "csrf_token": token, **fields})


def test_search_box_finds_by_post_and_echoes_no_term_into_links(app, client, auth, people):
    hit = new_case(app, people["registrar"], subject="ไฟฟ้าส่องสว่างดับหน้าวัด")
    miss = new_case(app, people["registrar"], subject="ขยะล้นถัง")
    auth.login("inspector")
    page = client.get("/cases").get_data(as_text=True)
    assert 'method="post"' in page and 'name="q"' in page
    response = _search(client, "ส่องสว่าง")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert hit in html and miss not in html and "พบ 1 เรื่องที่ตรงกับคำค้น" in html
    for href in re.findall(r'(?:href|action|formaction)="([^"]*)"', html):
        assert "ส่องสว่าง" not in href and "%E0%B8" not in href, href
    assert response.headers["Cache-Control"] == "no-store"


def test_a_query_in_the_url_is_ignored(app, client, auth, people):
    new_case(app, people["registrar"], subject="เรื่องแรก")
    new_case(app, people["registrar"], subject="เรื่องสอง")
    auth.login("registrar")
    html = client.get("/cases?q=แรก").get_data(as_text=True)
    assert "พบ 2 เรื่อง" in html
    with app.app_context():
        assert not audit_rows(action="case.search")


def test_search_without_csrf_token_is_refused_and_audited(app, client, auth, people):
    auth.login("registrar")
    response = client.post("/cases", data={"q": "ถนน"})
    assert response.status_code == 400
    with app.app_context():
        assert audit_rows(action="csrf.rejected") and not audit_rows(action="case.search")


def test_search_keeps_the_filters_and_audits_counts_only(app, client, auth, people):
    in_bang_rak = new_case(app, people["registrar"], subject="ถนนพังหน้าโรงเรียน", agency_code="1004")
    new_case(app, people["registrar"], subject="ถนนพังหน้าวัด", agency_code="1001")
    auth.login("registrar")
    html = _search(client, "ถนนพัง", agency="1004").get_data(as_text=True)
    assert in_bang_rak in html and "พบ 1 เรื่องที่ตรงกับคำค้น" in html
    assert re.search(r'<option value="1004"\s+selected', html)
    with app.app_context():
        entry = audit_rows(action="case.search")[-1]
    details = json.loads(entry["details"])
    assert details["terms"] == 1 and details["results"] == 1 and details["filters"] == {"agency": "1004"}
    assert "ถนน" not in entry["details"]


def test_filters_alone_redirect_to_a_linkable_get(app, client, auth, people):
    auth.login("registrar")
    response = _search(client, "", agency="1004", fiscal_year="2564")
    assert response.status_code == 302
    assert "agency=1004" in response.headers["Location"] and "fiscal_year=2564" in response.headers["Location"]


def test_an_unusable_query_explains_itself_in_thai_and_keeps_the_list(app, client, auth, people):
    new_case(app, people["registrar"], subject="เรื่องใด ๆ")
    auth.login("registrar")
    html = _search(client, "!!").get_data(as_text=True)
    assert "กรุณาพิมพ์คำค้นอย่างน้อย 2 ตัวอักษร" in html and "พบ 1 เรื่อง" in html


def test_paging_through_results_posts_the_query_again(app, client, auth, people):
    app.config["PAGE_SIZE"] = 2
    ids = [new_case(app, people["registrar"], subject=f"น้ำท่วมซอย {n}") for n in range(5)]
    auth.login("registrar")
    first = _search(client, "น้ำท่วม").get_data(as_text=True)
    assert 'name="page" value="2"' in first and "หน้า 1 จาก 3" in first
    third = _search(client, "น้ำท่วม", page="3").get_data(as_text=True)
    assert "หน้า 3 จาก 3" in third
    shown = [i for i in ids if i in first] + [i for i in ids if i in third]
    assert len(shown) == 3


def test_csv_of_a_search_holds_only_the_matches(app, client, auth, people):
    hit = new_case(app, people["registrar"], subject="ร้องเรียนเจ้าหน้าที่เรียกรับเงิน", category_code="corruption")
    new_case(app, people["registrar"], subject="ถนนชำรุด")
    auth.login("registrar")
    token = csrf_token(client, "/cases")
    response = client.post("/cases.csv", data={"q": "เรียกรับเงิน", "csrf_token": token})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["case_id"] for r in rows] == [hit]
    with app.app_context():
        entry = audit_rows(action="case.export")[-1]
    assert json.loads(entry["details"])["terms"] == 1 and "เรียก" not in entry["details"]


def test_a_partial_result_says_so_and_how_far_the_csv_goes(app, client, auth, people):
    made = [new_case(app, people["registrar"], subject=f"ตู้ไปรษณีย์ชำรุด {n}") for n in range(3)]
    app.config.update(SEARCH_VERIFY_LIMIT=2, SEARCH_EXPORT_LIMIT=1000)
    auth.login("registrar")
    html = _search(client, "ตู้ไปรษณีย์").get_data(as_text=True)
    assert "ระบบตรวจเฉพาะ 2 เรื่องล่าสุด" in html and "ไฟล์ CSV ตรวจได้ถึง 1,000 เรื่องล่าสุด" in html
    token = csrf_token(client, "/cases")
    rows = list(csv.DictReader(io.StringIO(client.post("/cases.csv", data={"q": "ตู้ไปรษณีย์", "csrf_token": token})
                                           .get_data(as_text=True).lstrip("\ufeff"))))
    assert {r["case_id"] for r in rows} == set(made)


def test_inspector_search_never_reveals_a_case_outside_scope(app, client, auth, people):
    outside = new_case(app, people["registrar"], agency_code="1001", subject="ทุจริตจัดซื้อจัดจ้าง")
    above = new_case(app, people["registrar"], classification="secret", subject="ทุจริตจัดซื้อจัดจ้างลับมาก")
    auth.login("inspector")
    html = _search(client, "ทุจริต").get_data(as_text=True)
    assert outside not in html and above not in html and "ลับมาก" not in html
    assert "ไม่พบเรื่องที่ตรงกับคำค้น" in html
