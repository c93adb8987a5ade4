"""Demo data: one account per role and realistic synthetic cases for fiscal years 2563-2565.

The topic mix of each agency follows a base distribution (in proportion to Traffy Fondue's topic
labels) shaped by its zone (the east floods, the old centre has vendors and traffic, Thonburi has
canals) and by what a department does, with a random tilt per agency so that agencies differ. The
season shifts it too: floods and blocked drains in the rainy months, dust and burning in the cool
dry months. Volume grows from year to year; letters, walk-ins and referrals arrive on office days.
Text comes from the Thai templates in ``complaints.demo_texts``, with roads of the agency's zone.
The same seed gives the same cases, for any number of cases.
"""

from __future__ import annotations

import random
import secrets
import string
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from complaints import demo_texts as texts
from complaints.extensions import db
from complaints.models import Agency, Case, Category, User
from complaints.services import audit_trail, cases, users
from complaints.services.cases import CaseInput
from complaints.thai import fiscal_year, fiscal_year_bounds

FIRST_YEAR, LAST_YEAR = 2563, 2565

BASE_WEIGHTS = {
    "road": 16, "footpath": 8, "flood": 6, "drainage": 7, "waste": 8, "lighting": 7, "traffic": 6,
    "encroachment": 6, "safety": 6, "cables": 3, "trees": 3, "noise": 4, "air": 1.5, "animals": 3,
    "homeless": 1, "bridge": 2, "vendors": 5, "building": 5, "procurement": 2, "corruption": 3,
    "service": 3, "other": 3,
}
# Month -> topic -> factor: the rainy season (May-October) and the cool dry season (December-March).
SEASON = {
    "flood": {5: 1.4, 6: 1.8, 7: 1.8, 8: 2.2, 9: 2.6, 10: 2.3, 11: 1.0, 12: 0.3, 1: 0.25, 2: 0.25, 3: 0.3, 4: 0.5},
    "drainage": {5: 1.3, 6: 1.4, 7: 1.4, 8: 1.5, 9: 1.6, 10: 1.5, 12: 0.7, 1: 0.6, 2: 0.6, 3: 0.7, 4: 0.8},
    "trees": {5: 1.4, 6: 1.4, 7: 1.3, 8: 1.3, 9: 1.2},
    "air": {12: 2.5, 1: 3.5, 2: 3.0, 3: 1.6, 5: 0.4, 6: 0.3, 7: 0.3, 8: 0.3, 9: 0.3, 10: 0.4},
    "animals": {1: 1.2, 2: 1.2, 3: 1.3, 4: 1.3},
}
# More complaints each year (Traffy Fondue reached Bangkok during FY 2565).
YEAR_VOLUME = {FIRST_YEAR: 0.8, FIRST_YEAR + 1: 1.0, LAST_YEAR: 1.35}
OFFICE_DAY_CHANNELS = {"letter", "walk_in", "referral"}
CHANNEL_WEIGHTS = {"letter": 20, "hotline_1555": 18, "hotline_1111": 8, "traffy": 25, "damrongdhama": 8,
                   "walk_in": 6, "phone": 6, "email": 4, "referral": 5}
ZONE_TILT = {
    "east": {"flood": 2.0, "drainage": 1.5, "road": 1.3, "animals": 1.3},
    "central": {"vendors": 2.0, "traffic": 1.5, "noise": 1.5, "homeless": 2.5, "encroachment": 1.4},
    "south": {"building": 1.8, "traffic": 1.4, "noise": 1.4, "cables": 1.5},
    "north": {"flood": 1.3, "road": 1.2, "safety": 1.3},
    "thonburi-north": {"drainage": 1.8, "bridge": 2.0, "trees": 1.3},
    "thonburi-south": {"flood": 1.8, "drainage": 1.5, "animals": 1.5, "road": 1.2},
}
DEPARTMENT_TOPICS = {
    "public-works": {"road": 4, "bridge": 3, "procurement": 3},
    "drainage": {"flood": 4, "drainage": 4, "procurement": 2},
    "law-enforcement": {"vendors": 4, "encroachment": 3, "corruption": 2},
    "environment": {"waste": 4, "air": 4, "trees": 3},
    "traffic": {"traffic": 5, "lighting": 2, "cables": 2},
    "health": {"animals": 3, "service": 2, "noise": 2},
    "medical": {"service": 5, "corruption": 1.5},
    "education": {"service": 3, "procurement": 2, "corruption": 2},
    "city-planning": {"building": 5, "encroachment": 2},
    "social-development": {"homeless": 6, "service": 2},
}
DEFAULT_DEPARTMENT = {"service": 4, "procurement": 3, "corruption": 3, "other": 2}

DEMO_ACCOUNTS = [
    # username, display name, roles, clearance, all agencies, zones, agencies
    ("registrar", "นางสาวทะเบียน ตัวอย่าง", ["registrar"], "top_secret", True, [], []),
    ("inspector", "นายผู้ตรวจ กรุงเทพใต้", ["inspector"], "secret", False, ["south"], ["public-works"]),
    ("inspector2", "นางผู้ตรวจ กรุงธนเหนือ", ["inspector"], "confidential", False, ["thonburi-north"], []),
    ("executive", "นายผู้บริหาร ตัวอย่าง", ["executive"], "top_secret", True, [], []),
    ("auditor", "นางสาวผู้ตรวจสอบ บันทึก", ["auditor"], "unclassified", False, [], []),
    ("admin", "นายผู้ดูแล ระบบ", ["admin"], "unclassified", False, [], []),
]


@dataclass
class DemoAccount:
    username: str
    password: str
    roles: list[str]
    description: str


def _password() -> str:
    alphabet = string.ascii_letters + string.digits
    return "demo-" + "".join(secrets.choice(alphabet) for _ in range(12))


def create_demo_users() -> list[DemoAccount]:
    """Create the demo accounts that do not exist yet; returns the ones created with their passwords."""
    created = []
    for username, name, roles, clearance, everything, zones, agencies in DEMO_ACCOUNTS:
        if users.get_by_username(username):
            continue
        password = _password()
        users.create_user(None, username=username, display_name=name, password=password, roles=roles,
                          clearance=clearance, all_agencies=everything, zones=zones, agencies=agencies)
        created.append(DemoAccount(username, password, roles, name))
    return created


def _weights(agency: Agency, rng: random.Random, categories: list[str]) -> list[float]:
    if agency.kind == "district":
        tilt = ZONE_TILT.get(agency.zone_code or "", {})
        weights = [BASE_WEIGHTS.get(c, 1) * tilt.get(c, 1.0) for c in categories]
    else:
        focus = DEPARTMENT_TOPICS.get(agency.code, DEFAULT_DEPARTMENT)
        weights = [focus.get(c, 0.15) * 3 for c in categories]
    return [w * rng.gammavariate(2.0, 0.5) for w in weights]


def _person(rng: random.Random) -> str:
    return f"{rng.choice(texts.TITLES)}{rng.choice(texts.FIRST_NAMES)} {rng.choice(texts.SURNAMES)}"


def _fill(template: str, rng: random.Random, agency: Agency, official: str) -> str:
    return template.format(
        place=rng.choice(texts.ZONE_PLACES.get(agency.zone_code or "", texts.PLACES)), soi=rng.choice(texts.SOIS),
        landmark=rng.choice(texts.LANDMARKS),
        district=agency.name_th if agency.kind == "district" else "ที่เกี่ยวข้อง", official=official,
        days=rng.choice([7, 10, 14, 20, 30, 45, 60]),
    )


def _status_and_outcome(rng: random.Random, received: date, today: date):
    age = (today - received).days
    roll = rng.random()
    if age < 60 and roll < 0.5:
        return ("received" if roll < 0.2 else "in_progress"), None, None
    if roll < 0.06:
        return "in_progress", None, None
    outcome = rng.choices(
        ["substantiated", "partly_substantiated", "unsubstantiated", "resolved", "referred", "disciplinary",
         "terminated"], weights=[18, 10, 22, 28, 12, 3, 7])[0]
    closed = received + timedelta(days=int(rng.expovariate(1 / 45)) + 3)
    if closed > today:
        return "concluded", outcome, None
    return ("closed", outcome, closed) if rng.random() < 0.8 else ("concluded", outcome, None)


def _received(rng: random.Random, channel: str) -> date:
    year = rng.choices(list(YEAR_VOLUME), weights=list(YEAR_VOLUME.values()))[0]
    start, end = fiscal_year_bounds(year)
    day = start + timedelta(days=rng.randrange((end - start).days + 1))
    if channel in OFFICE_DAY_CHANNELS and day.weekday() >= 5:  # paper arrives on office days
        day += timedelta(days=7 - day.weekday())
        if day > end:
            day -= timedelta(days=3)
    return day


def generate_cases(count: int, seed: int, actor: User | None = None, today: date | None = None) -> int:
    """Create ``count`` synthetic cases spread over FY 2563-2565; one audit entry for the batch."""
    rng = random.Random(seed)
    agencies = list(db.session.scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.code)))
    categories = [c.code for c in db.session.scalars(select(Category).order_by(Category.sort_order))]
    inspectors = users.list_inspectors()
    _, end = fiscal_year_bounds(LAST_YEAR)
    today = today or end + timedelta(days=30)
    volume = [(1.0 if a.kind == "district" else 0.35) * rng.uniform(0.5, 1.6) for a in agencies]
    mix = {a.code: _weights(a, rng, categories) for a in agencies}
    seasonal: dict[tuple[str, int], list[float]] = {}
    taken: dict[int, set[str]] = {}
    counters: dict[int, int] = {}
    for _ in range(count):
        agency = rng.choices(agencies, weights=volume)[0]
        channel = rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0]
        received = _received(rng, channel)
        key = (agency.code, received.month)
        if key not in seasonal:
            seasonal[key] = [w * SEASON.get(c, {}).get(received.month, 1.0)
                             for c, w in zip(categories, mix[agency.code], strict=True)]
        category = rng.choices(categories, weights=seasonal[key])[0]
        year = fiscal_year(received)
        if year not in taken:
            taken[year] = set(db.session.scalars(select(Case.register_no).where(Case.fiscal_year == year)))
            counters[year] = len(taken[year])
        counters[year] += 1
        while f"{counters[year]}/{year}" in taken[year]:
            counters[year] += 1
        register_no = f"{counters[year]}/{year}"
        taken[year].add(register_no)
        secret = category in ("corruption", "procurement") and rng.random() < 0.7
        kind = "secret_matter" if secret or rng.random() < 0.05 else "complaint"
        classification = (rng.choices(["confidential", "secret", "top_secret"], weights=[55, 35, 10])[0] if secret
                          else rng.choices(["unclassified", "confidential", "secret"], weights=[75, 20, 5])[0])
        status, outcome, closed = _status_and_outcome(rng, received, today)
        official = rng.choice(texts.OFFICIALS)
        subjects, details = texts.TOPICS.get(category, texts.TOPICS["other"])
        anonymous = rng.random() < (0.5 if kind == "secret_matter" else 0.15)
        in_scope = [u for u in inspectors if u.all_agencies or agency.code in u.agency_codes
                    or (agency.zone_code and agency.zone_code in u.zone_codes)]
        data = CaseInput(
            received_date=received, kind=kind, agency_code=agency.code, category_code=category, channel=channel,
            subject=_fill(rng.choice(subjects), rng, agency, official),
            details=_fill(rng.choice(details), rng, agency, official),
            classification=classification,
            urgency=rng.choices(["normal", "urgent", "very_urgent", "most_urgent"], weights=[70, 18, 8, 4])[0],
            status=status, outcome=outcome, closed_date=closed, anonymous=anonymous,
            assigned_inspector_id=rng.choice(in_scope).id if in_scope and rng.random() < 0.8 else None,
            complainant_name=None if anonymous else _person(rng),
            complainant_contact=None if anonymous else f"08{rng.randrange(10**8):08d}",
            complainant_id_no=None if anonymous or rng.random() < 0.5 else
            f"{rng.randrange(1, 9)}{rng.randrange(10**12):012d}",
            persons_concerned=f"{_person(rng)} ตำแหน่ง{official}" if category in ("corruption", "service",
                                                                                  "procurement") else None,
            conclusion=texts.CONCLUSIONS[outcome] if outcome else None,
        )
        cases.build_sealed_case(actor, data, register_no)
    db.session.flush()
    audit_trail.record(actor, "demo.generate", actor_name=None if actor else "cli", count=count, seed=seed)
    return count
