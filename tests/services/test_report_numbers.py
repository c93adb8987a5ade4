"""Every number of every report equals a direct SQL count over the same cases (known answers,
ties, empty agencies, clearance), for the viewer's scope only."""

from datetime import timedelta

import pytest

from complaints.clock import today_bangkok
from complaints.services import dashboard, reports
from complaints.services.errors import NotFound
from complaints.vocabulary import KINDS, OUTCOMES, STATUSES
from tests.conftest import audit_rows
from tests.reports_data import BANG_RAK, INSPECTOR_SEES, PHRA_NAKHON, SATHON, seed, sql_count


@pytest.fixture
def seeded(app, people):
    seed(app, people["registrar"])
    return people


def _user(person):
    return person.load()


def test_agency_summary_equals_sql_counts_for_the_inspector(ctx, seeded):
    inspector = _user(seeded["inspector"])
    summary = reports.agency_summary(inspector, BANG_RAK)
    assert summary.total == sql_count(INSPECTOR_SEES)
    for item in summary.by_category:
        assert item.count == sql_count(INSPECTOR_SEES + " AND category_code = :c", c=item.code)
    assert sum(i.count for i in summary.by_category) == summary.total
    for item in summary.by_status:
        assert item.code in STATUSES
        assert item.count == sql_count(INSPECTOR_SEES + " AND status = :s", s=item.code)
    for item in summary.by_outcome:
        if item.code in OUTCOMES:
            assert item.count == sql_count(INSPECTOR_SEES + " AND outcome = :o", o=item.code)
        else:
            assert item.count == sql_count(INSPECTOR_SEES + " AND outcome IS NULL")
    for item in summary.by_kind:
        assert item.code in KINDS
        assert item.count == sql_count(INSPECTOR_SEES + " AND kind = :k", k=item.code)
    for item in summary.by_year:
        assert item.count == sql_count(INSPECTOR_SEES + " AND fiscal_year = :y", y=int(item.code))
    assert summary.open_count == sql_count(INSPECTOR_SEES + " AND status IN ('received', 'in_progress')")
    cutoff = today_bangkok() - timedelta(days=90)
    assert summary.overdue == sql_count(
        INSPECTOR_SEES + " AND status IN ('received', 'in_progress') AND received_date < :d", d=cutoff) == 19
    # the ลับมาก case is not counted for an inspector cleared to ลับ
    assert "corruption" not in [i.code for i in summary.by_category]
    assert summary.median_days == 25 and summary.closed_with_date == 4


def test_top3_ties_are_broken_by_the_category_order_and_shown(ctx, seeded):
    inspector = _user(seeded["inspector"])
    summary = reports.agency_summary(inspector, BANG_RAK, [2564])
    assert [(t.category.code, t.count, t.tied) for t in summary.top] == [
        ("road", 3, True), ("waste", 3, True), ("lighting", 2, False)]
    assert summary.tied_beyond == 0
    later = reports.agency_summary(inspector, BANG_RAK, [2565])
    assert [(t.category.code, t.count, t.tied) for t in later.top] == [
        ("footpath", 2, True), ("drainage", 2, True), ("trees", 2, True)]
    assert later.tied_beyond == 1  # noise has 2 as well
    assert later.overdue == later.open_count == 8 and later.median_days is None and later.closed_with_date == 0


def test_overdue_means_open_and_received_more_than_90_days_ago(ctx, seeded):
    from complaints.services import cases

    inspector = _user(seeded["inspector"])
    overdue = cases.list_cases(inspector, cases.CaseFilters(agency=BANG_RAK, category="safety", older_than=90))
    ages = sorted((today_bangkok() - row.case.received_date).days for row in overdue.rows)
    assert ages == [91, 200]  # 89 and 90 days are not overdue yet, the concluded one is not open


def test_top3_report_matches_sql_and_lists_only_agencies_in_scope(ctx, seeded):
    inspector = _user(seeded["inspector"])
    results = reports.top3(inspector, [2563, 2564, 2565])
    assert [r.agency.code for r in results] == [BANG_RAK]
    item = results[0]
    assert item.total == sql_count(INSPECTOR_SEES + " AND fiscal_year BETWEEN 2563 AND 2565")
    for topic in item.topics:
        assert topic.count == sql_count(INSPECTOR_SEES + " AND fiscal_year BETWEEN 2563 AND 2565 "
                                        "AND category_code = :c", c=topic.category.code)
    executive = _user(seeded["executive"])
    assert [r.agency.code for r in reports.top3(executive, [2564])] == [BANG_RAK, PHRA_NAKHON]  # Thai order
    everything = {r.agency.code: r for r in reports.top3(executive, [2564], include_empty=True)}
    assert everything[SATHON].total == 0 and everything[SATHON].topics == []  # an empty agency
    assert everything[BANG_RAK].total == sql_count("agency_code = '1004' AND fiscal_year = 2564") == 10


def test_agency_lines_and_empty_agencies(ctx, seeded):
    with_zone = _user(seeded["inspector"])
    from tests.conftest import make_user

    south = make_user("south", ["inspector"], zones=["south"], clearance="top_secret")
    lines = {line.agency.code: line for line in reports.agency_lines(south)}
    assert PHRA_NAKHON not in lines and SATHON in lines
    assert (lines[SATHON].total, lines[SATHON].open_count, lines[SATHON].overdue) == (0, 0, 0)
    assert lines[BANG_RAK].total == sql_count("agency_code = '1004'")
    assert [line.agency.code for line in reports.agency_lines(with_zone)] == [BANG_RAK]


def test_zones_report_equals_sql_counts(ctx, seeded):
    executive = _user(seeded["executive"])
    report = reports.zones_report(executive, [2564])
    zones = {z.zone.code: z for z in report.zones}
    assert len(zones) == 6
    for code, column in zones.items():
        where = ("fiscal_year = 2564 AND agency_code IN (SELECT code FROM agencies WHERE zone_code = :z "
                 "AND kind = 'district')")
        assert column.total == sql_count(where, z=code)
        assert column.open_count == sql_count(where + " AND status IN ('received', 'in_progress')", z=code)
    assert zones["south"].total == 10 and zones["central"].total == 2 and zones["east"].total == 0
    for group in report.groups:
        for row in group.rows:
            assert row.total == sql_count("fiscal_year = 2564 AND agency_code = :a", a=row.agency.code)
            for cell in row.cells:
                assert cell.count == sql_count("fiscal_year = 2564 AND agency_code = :a AND category_code = :c",
                                               a=row.agency.code, c=cell.category.code)
                assert (cell.level == 0) == (cell.count == 0)
    assert report.max_cell == 3
    inspector = _user(seeded["inspector"])
    mine = reports.zones_report(inspector, [2564])
    assert [z.zone.code for z in mine.zones] == ["south"]
    assert [row.agency.code for g in mine.groups for row in g.rows] == [BANG_RAK]
    assert mine.zones[0].total == sql_count(INSPECTOR_SEES + " AND fiscal_year = 2564") == 9


def test_out_of_scope_or_unknown_agency_is_not_found_and_audited(ctx, seeded):
    inspector = _user(seeded["inspector"])
    with pytest.raises(NotFound):
        reports.agency_summary(inspector, PHRA_NAKHON)
    with pytest.raises(NotFound):
        reports.agency_summary(inspector, "no-such-agency")
    rows = audit_rows(action="report.view", actor_id=inspector.id)
    assert [(r["object_id"], r["outcome"]) for r in rows] == [(PHRA_NAKHON, "denied"), ("no-such-agency", "not_found")]


def test_roles_without_report_access_count_nothing(ctx, seeded):
    for role in ("auditor", "admin"):
        user = _user(seeded[role])
        assert reports.top3(user) == []
        assert reports.zones_report(user).zones == []
        assert reports.years_with_cases(user) == []
        with pytest.raises(NotFound):
            reports.agency_summary(user, BANG_RAK)


def test_home_panels_count_what_each_role_may_see(ctx, seeded):
    inspector = _user(seeded["inspector"])
    page = dashboard.home(inspector)
    assert page.executive is None and page.registrar is None and page.auditor is None and page.admin is None
    assert [row.line.agency.code for row in page.inspector.agencies] == [BANG_RAK]
    row = page.inspector.agencies[0]
    assert row.line.total == sql_count(INSPECTOR_SEES)
    assert row.line.overdue == sql_count(INSPECTOR_SEES + " AND status IN ('received', 'in_progress') "
                                         "AND received_date < :d", d=today_bangkok() - timedelta(days=90))
    assert page.inspector.assigned_open == 0

    executive = _user(seeded["executive"])
    panel = dashboard.home(executive).executive
    from sqlalchemy import text

    from complaints.extensions import db

    assert panel.year == db.session.execute(text("SELECT max(fiscal_year) FROM cases")).scalar()
    for tile in panel.zones:
        assert tile.column.total == sql_count(
            "fiscal_year = :y AND agency_code IN (SELECT code FROM agencies WHERE zone_code = :z)",
            y=panel.year, z=tile.column.zone.code)
    overdue = "status IN ('received', 'in_progress') AND received_date < :d AND agency_code = :a"
    cutoff = today_bangkok() - timedelta(days=90)
    assert [(line.agency.code, line.overdue) for line in panel.backlog] == [
        (BANG_RAK, sql_count(overdue, d=cutoff, a=BANG_RAK)),
        (PHRA_NAKHON, sql_count(overdue, d=cutoff, a=PHRA_NAKHON)),
    ]

    registrar = _user(seeded["registrar"])
    reg = dashboard.home(registrar).registrar
    assert reg.awaiting == sql_count("status = 'received'") == 16
    assert reg.unassigned_open == sql_count("status IN ('received', 'in_progress') AND assigned_inspector_id IS NULL")
    assert reg.concluded == sql_count("status = 'concluded'") == 1

    auditor = dashboard.home(_user(seeded["auditor"]))
    assert auditor.inspector is None and auditor.auditor is not None and auditor.summary.cases_visible == 0
    admin = dashboard.home(_user(seeded["admin"])).admin
    assert admin.active == 5 and admin.by_role["inspector"] == 1
