"""Demo data that looks real: topic mix per zone and season, yearly growth, office days, Thai text."""

from collections import Counter

import pytest
from sqlalchemy import select

from complaints.crypto import DataKey
from complaints.demo_texts import ZONE_PLACES
from complaints.extensions import db
from complaints.models import Agency, Case
from complaints.services import demo, vault


@pytest.fixture
def generated(ctx):
    demo.generate_cases(2500, seed=11)
    db.session.commit()
    zones = dict(db.session.execute(select(Agency.code, Agency.zone_code)).all())
    return list(db.session.scalars(select(Case))), zones


def _share(cases, topic) -> float:
    return sum(1 for c in cases if c.category_code == topic) / max(1, len(cases))


def test_topic_mix_follows_zone_and_department(generated):
    cases, zones = generated
    east = [c for c in cases if zones[c.agency_code] == "east"]
    central = [c for c in cases if zones[c.agency_code] == "central"]
    assert _share(east, "flood") > 1.5 * _share(central, "flood")
    assert _share(central, "vendors") > 1.5 * _share(east, "vendors")
    districts = [c for c in cases if zones[c.agency_code]]
    top = [topic for topic, _n in Counter(c.category_code for c in districts).most_common(3)]
    assert top[0] == "road"  # as in Bangkok's own complaint data
    works = Counter(c.category_code for c in cases if c.agency_code == "public-works")
    assert sum(works[t] for t in ("road", "bridge", "procurement")) > 0.6 * sum(works.values())


def test_seasons_years_and_office_days(generated):
    cases, _zones = generated
    rainy = [c for c in cases if c.received_date.month in (8, 9, 10)]
    dry = [c for c in cases if c.received_date.month in (1, 2, 3)]
    assert _share(rainy, "flood") > 3 * _share(dry, "flood")
    assert _share(dry, "air") > 3 * _share(rainy, "air")
    years = Counter(c.fiscal_year for c in cases)
    assert set(years) == {2563, 2564, 2565} and years[2563] < years[2564] < years[2565]
    assert not [c for c in cases if c.channel in ("letter", "walk_in", "referral") and c.received_date.weekday() >= 5]


def test_thai_text_from_templates_with_roads_of_the_zone(generated):
    cases, zones = generated
    sample = [c for c in cases if zones[c.agency_code] == "east"][:150]
    keys = vault.load_data_keys("cases", [c.id for c in sample])
    elsewhere = {road for zone, roads in ZONE_PLACES.items() if zone != "east" for road in roads}
    elsewhere -= set(ZONE_PLACES["east"])
    for case in sample:
        key = keys[case.id]
        assert isinstance(key, DataKey)
        subject = key.decrypt(case.subject_ct, table="cases", column="subject_ct", row_id=case.id)
        details = key.decrypt(case.details_ct, table="cases", column="details_ct", row_id=case.id)
        assert any("\u0e00" <= ch <= "\u0e7f" for ch in subject) and "{" not in subject + details
        assert not [road for road in elsewhere if road in subject + details], (subject, details)


def _facts(cases) -> Counter:
    return Counter((c.agency_code, c.category_code, c.received_date, c.channel, c.kind, c.classification, c.status)
                   for c in cases)


def test_any_number_of_cases_and_the_same_seed_gives_the_same_cases(ctx):
    assert demo.generate_cases(0, seed=3) == 0
    demo.generate_cases(1, seed=3)
    db.session.commit()
    before = {c.id for c in db.session.scalars(select(Case))}
    demo.generate_cases(40, seed=5)
    db.session.commit()
    first = [c for c in db.session.scalars(select(Case)) if c.id not in before]
    before |= {c.id for c in first}
    demo.generate_cases(40, seed=5)
    db.session.commit()
    second = [c for c in db.session.scalars(select(Case)) if c.id not in before]
    assert len(before) == 41 and len(second) == 40
    assert _facts(first) == _facts(second)
    numbers = Counter((c.fiscal_year, c.register_no) for c in db.session.scalars(select(Case)))
    assert max(numbers.values()) == 1  # register numbers stay unique when generating again
