"""The real Traffy Fondue sample imports through the column mapping; per-district counts match the file.

Reads ../shared/realdata/traffy_fondue_sample.csv at test time and skips when it is absent.
"""

import csv
import hashlib
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from complaints.extensions import db
from complaints.models import Agency, Case
from complaints.services import cases, importing

SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "realdata" / "traffy_fondue_sample.csv"
if not SAMPLE.exists():
    SAMPLE = Path("/work/shared/realdata/traffy_fondue_sample.csv")
pytestmark = pytest.mark.skipif(not SAMPLE.exists(), reason="the real Traffy sample is not on this machine")

MAPPING = importing.Mapping(
    columns={"comment": "details", "type": "category", "district": "agency", "timestamp": "received_date",
             "ticketid": "register_no", "organization": "", "state": "", "address": ""},
    defaults={"channel": "traffy"},
)


def test_traffy_sample_imports_and_district_counts_equal_the_file(ctx, people):
    content = SAMPLE.read_bytes()
    with SAMPLE.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    table = importing.read_source(content, SAMPLE.name)
    plan = importing.build_plan(table, MAPPING, importing.load_reference(None))
    assert plan.blocking == []
    fields = {c.key: c.field for c in plan.layout.columns.values() if c.field}
    assert fields == {"comment": "details", "type": "category", "district": "agency", "timestamp": "received_date",
                      "ticketid": "register_no"}
    # the automatic matching finds the same five columns on its own
    auto = importing.build_plan(table, importing.Mapping(), importing.load_reference(None))
    assert {c.key: c.field for c in auto.layout.columns.values() if c.field} == fields

    districts = {a.name_th: a.code for a in db.session.scalars(select(Agency).where(Agency.kind == "district"))}
    in_bangkok = [r for r in rows if r["district"] in districts]
    outside = sorted({r["district"] for r in rows if r["district"] not in districts})
    # rows outside Bangkok are listed as unknown agencies, each with its row and column
    errors = plan.problems_of("error")
    assert sorted({p.message for p in errors}) == sorted(f"ไม่รู้จักหน่วยงาน “{d}”" for d in outside)
    assert all(p.column == "district" and p.row for p in errors)
    assert plan.count("invalid") == len(rows) - len(in_bangkok)

    registrar = people["registrar"].load()
    source = importing.Source(hashlib.sha256(content).hexdigest(), len(content), "csv")
    importing.commit_plan(registrar, plan, source, skip_invalid=True)
    db.session.commit()

    expected = Counter(districts[r["district"]] for r in in_bangkok)
    actual = dict(db.session.execute(select(Case.agency_code, func.count()).group_by(Case.agency_code)).all())
    assert actual == dict(expected)
    assert db.session.scalar(select(func.count()).select_from(Case).where(Case.channel != "traffy")) == 0

    # a ticket reads back as it was written, topics come from the Traffy set
    first = rows[0]
    case = db.session.scalar(select(Case).where(Case.register_no == first["ticket_id"]))
    view = cases.view_case(registrar, case.id)
    assert view.values["details"] == "\n".join(" ".join(line.split()) for line in first["comment"].splitlines())
    sets = Counter(case.category_code for case in db.session.scalars(select(Case)))
    assert sets["road"] > sets["footpath"] > 0

    # and importing it again adds nothing
    again = importing.build_plan(table, MAPPING, importing.load_reference(None))
    assert again.count("present") == len(in_bangkok) and not again.ready
