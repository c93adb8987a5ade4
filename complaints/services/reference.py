"""Reference data shipped in the package: zones, the 50 district offices, departments, categories.

Loading inserts what is missing and leaves existing rows alone, so admins' edits survive ``init``.
"""

from __future__ import annotations

import csv
from importlib import resources

from sqlalchemy import select

from complaints.extensions import db
from complaints.models import Agency, Category, Zone
from complaints.thai import thai_sorted

# Zone groups (กลุ่มเขต) by their Thai name in the seed file; codes are stable.
ZONES = [
    ("central", "กรุงเทพกลาง", "Central Bangkok"),
    ("south", "กรุงเทพใต้", "Southern Bangkok"),
    ("north", "กรุงเทพเหนือ", "Northern Bangkok"),
    ("east", "กรุงเทพตะวันออก", "Eastern Bangkok"),
    ("thonburi-north", "กรุงธนเหนือ", "North Thonburi"),
    ("thonburi-south", "กรุงธนใต้", "South Thonburi"),
]
ZONE_BY_THAI = {name_th: code for code, name_th, _ in ZONES}


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("complaints.reference_data").joinpath(name).read_text(encoding="utf-8-sig")
    return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(text.splitlines())]


def load_reference_data() -> dict[str, int]:
    """Insert missing reference rows; returns how many of each kind were added."""
    added = {"zones": 0, "agencies": 0, "categories": 0}
    have = set(db.session.scalars(select(Zone.code)))
    for order, (code, name_th, name_en) in enumerate(ZONES):
        if code not in have:
            db.session.add(Zone(code=code, name_th=name_th, name_en=name_en, sort_order=order))
            added["zones"] += 1
    db.session.flush()
    have = set(db.session.scalars(select(Agency.code)))
    for row in _rows("bangkok_districts.csv"):
        if row["code"] not in have:
            db.session.add(Agency(code=row["code"], kind="district", name_th=row["name_th"],
                                  name_en=row["name_en"], zone_code=ZONE_BY_THAI[row["zone"]]))
            added["agencies"] += 1
    for row in _rows("bma_departments.csv"):
        if row["code"] not in have:
            db.session.add(Agency(code=row["code"], kind="department", name_th=row["name_th"],
                                  name_en=row["name_en"], abbr_th=row["abbr_th"] or None))
            added["agencies"] += 1
    have = set(db.session.scalars(select(Category.code)))
    for order, row in enumerate(_rows("categories.csv")):
        if row["code"] not in have:
            db.session.add(Category(code=row["code"], name_th=row["name_th"], name_en=row["name_en"],
                                    sort_order=order))
            added["categories"] += 1
    db.session.flush()
    return added


def zones() -> list[Zone]:
    return list(db.session.scalars(select(Zone).order_by(Zone.sort_order)))


def categories(active_only: bool = True) -> list[Category]:
    query = select(Category).order_by(Category.sort_order)
    if active_only:
        query = query.where(Category.active.is_(True))
    return list(db.session.scalars(query))


def sort_agencies(agencies) -> list[Agency]:
    """District offices first, then departments, each in Thai alphabetical order."""
    agencies = list(agencies)
    districts = thai_sorted([a for a in agencies if a.kind == "district"], key=lambda a: a.name_th)
    others = thai_sorted([a for a in agencies if a.kind != "district"], key=lambda a: a.name_th)
    return districts + others


def resolve_zone(text: str) -> str | None:
    """A zone code from its code or Thai or English name."""
    text = (text or "").strip()
    for code, name_th, name_en in ZONES:
        if text in (code, name_th) or text.lower() == name_en.lower():
            return code
    return None
