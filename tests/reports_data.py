"""Cases with known answers for the report tests, and a direct SQL count to compare reports with.

Bang Rak (1004, in the ``inspector`` fixture's scope, zone south):
  FY 2564: road 3, waste 3 (a tie, road first by the category order), lighting 2, flood 1;
           one more case classified ลับมาก (corruption), which the inspector (cleared to ลับ) must not count;
  FY 2563: four closed cases ("other", ลับ) taking 10, 20, 30 and 40 days (median 25);
  FY 2565: footpath 2, drainage 2, trees 2, noise 2 (a four-way tie: one tied topic beyond the top 3);
  recent: "safety" cases received 89, 90, 91 and 200 days ago, still open (two overdue), and one
          concluded 300 days ago.
Phra Nakhon (1001, zone central, out of the inspector's scope): road 2 with a tell-tale subject.
Sathon (1028, zone south) and every other agency: no case at all (empty agencies).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import text

from complaints.clock import today_bangkok

BANG_RAK, PHRA_NAKHON, SATHON = "1004", "1001", "1028"
OUT_OF_SCOPE_SUBJECT = "เรื่องของเขตพระนครที่ผู้ตรวจบางรักต้องไม่เห็น"
CLOSED_DAYS = (10, 20, 30, 40)
OPEN_AGES = (89, 90, 91, 200)


def seed(app, person) -> None:
    """Create the cases above as ``person`` (a registrar for every agency), in one transaction."""
    from complaints.extensions import db
    from complaints.services import cases
    from complaints.thai import fiscal_year

    numbers = iter(range(1, 1000))

    def make_case(actor, **overrides):
        """Sealed like any case (its own data key, encrypted fields), without one audit entry each."""
        values = dict(received_date=date(2021, 1, 15), kind="complaint", channel="letter", subject="ถนนชำรุด",
                      classification="unclassified", complainant_name="นายทดสอบ ระบบ")
        values.update(overrides)
        data = cases.CaseInput(**values)
        return cases.build_sealed_case(actor, data, f"{next(numbers)}/{fiscal_year(data.received_date)}")

    with app.app_context():
        actor = person.load()
        fy2564 = date(2021, 1, 15)
        for category, n in (("road", 3), ("waste", 3), ("lighting", 2), ("flood", 1)):
            for _ in range(n):
                make_case(actor, agency_code=BANG_RAK, category_code=category, received_date=fy2564)
        for days in CLOSED_DAYS:
            make_case(actor, agency_code=BANG_RAK, category_code="other", received_date=date(2020, 2, 1),
                      status="closed", outcome="resolved", closed_date=date(2020, 2, 1) + timedelta(days=days),
                      classification="confidential")
        make_case(actor, agency_code=BANG_RAK, category_code="corruption", received_date=fy2564,
                  kind="secret_matter", classification="secret", subject="ลับมากในบางรัก")
        fy2565 = date(2022, 3, 1)
        for category in ("footpath", "drainage", "trees", "noise"):
            for _ in range(2):
                make_case(actor, agency_code=BANG_RAK, category_code=category, received_date=fy2565,
                          status="in_progress")
        today = today_bangkok()
        for age in OPEN_AGES:
            make_case(actor, agency_code=BANG_RAK, category_code="safety", received_date=today - timedelta(days=age),
                      status="received")
        make_case(actor, agency_code=BANG_RAK, category_code="safety", received_date=today - timedelta(days=300),
                  status="concluded", outcome="substantiated")
        for _ in range(2):
            make_case(actor, agency_code=PHRA_NAKHON, category_code="road", received_date=fy2564,
                      subject=OUT_OF_SCOPE_SUBJECT)
        db.session.commit()


def sql_count(where: str = "1=1", **params) -> int:
    """A direct count over the cases table: the answer every report number must equal."""
    from complaints.extensions import db

    return db.session.execute(text(f"SELECT count(*) FROM cases WHERE {where}"), params).scalar()


INSPECTOR_SEES = "agency_code = '1004' AND classification IN ('unclassified', 'confidential')"
