"""The top-3 report: counts equal direct SQL counts, ties are deterministic, scope is respected."""

import csv
import io
from collections import Counter
from datetime import date

from sqlalchemy import text

from complaints.extensions import db
from tests.conftest import audit_rows, new_case


def _csv(client, query=""):
    response = client.get(f"/reports/top3.csv{query}")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_top3_csv_counts_equal_a_direct_sql_count(app, client, auth, people):
    with app.app_context():
        from complaints.services import demo

        demo.generate_cases(600, seed=7)
        db.session.commit()
        counts = {(a, c, y): n for a, c, y, n in db.session.execute(text(
            "SELECT agency_code, category_code, fiscal_year, count(*) FROM cases "
            "GROUP BY agency_code, category_code, fiscal_year"))}
    auth.login("executive")
    for year in (2563, 2564, 2565):
        rows = _csv(client, f"?fiscal_year={year}")
        assert rows, year
        by_agency: dict[str, list] = {}
        for row in rows:
            assert row["fiscal_year"] == str(year)
            assert int(row["count"]) == counts[(row["agency_code"], row["category_code"], year)]
            by_agency.setdefault(row["agency_code"], []).append(row)
        for agency, ranked in by_agency.items():
            expected = sorted((n for (a, _c, y), n in counts.items() if a == agency and y == year), reverse=True)[:3]
            assert [int(r["count"]) for r in ranked] == expected
            assert [r["rank"] for r in ranked] == [str(i) for i in range(1, len(ranked) + 1)]
    all_years = _csv(client, "?fiscal_year=2563-2565")
    totals = Counter()
    for (a, c, _y), n in counts.items():
        totals[(a, c)] += n
    for row in all_years:
        assert int(row["count"]) == totals[(row["agency_code"], row["category_code"])]
    with app.app_context():
        assert len(audit_rows(action="report.export")) == 4


def test_ties_are_broken_by_the_category_order_every_time(app, client, auth, people):
    for category in ("waste", "road", "flood", "lighting"):  # one case each: a four-way tie
        new_case(app, people["registrar"], agency_code="1004", category_code=category)
    auth.login("executive")
    first = _csv(client, "?fiscal_year=2564")
    assert [r["category_code"] for r in first] == ["road", "flood", "waste"]  # categories.csv order
    assert first == _csv(client, "?fiscal_year=2564")
    page = client.get("/reports/top3?fiscal_year=2564").get_data(as_text=True)
    assert "เท่ากัน" in page


def test_inspector_sees_only_own_agencies_in_the_report(app, client, auth, people):
    new_case(app, people["registrar"], agency_code="1004", category_code="road")
    new_case(app, people["registrar"], agency_code="1001", category_code="waste")
    new_case(app, people["registrar"], agency_code="1004", category_code="flood", classification="secret")
    auth.login("inspector")  # agency 1004, cleared to ลับ
    rows = _csv(client)
    assert {r["agency_code"] for r in rows} == {"1004"}
    assert [(r["category_code"], r["count"]) for r in rows] == [("road", "1")]  # the ลับมาก case is not counted
    page = client.get("/reports/top3").get_data(as_text=True)
    assert "เขตบางรัก" in page and "เขตพระนคร" not in page


def test_empty_register_gives_an_empty_report(client, auth, people):
    auth.login("executive")
    assert _csv(client, "?fiscal_year=2564") == []
    assert "ไม่มีเรื่อง" in client.get("/reports/top3?fiscal_year=2564").get_data(as_text=True)


def test_case_dates_map_to_fiscal_years_in_the_report(app, client, auth, people):
    new_case(app, people["registrar"], received_date=date(2020, 9, 30))  # FY 2563
    new_case(app, people["registrar"], received_date=date(2020, 10, 1))  # FY 2564
    auth.login("executive")
    assert [r["count"] for r in _csv(client, "?fiscal_year=2563")] == ["1"]
    assert [r["count"] for r in _csv(client, "?fiscal_year=2564")] == ["1"]
