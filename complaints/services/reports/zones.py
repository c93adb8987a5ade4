"""The six zones (กลุ่มเขต) side by side, and the district offices by topic.

Only district offices belong to zones; departments are left out of this report. A viewer sees the
zones that hold at least one district office of their scope, and each zone's numbers count only
those offices and only the cases the viewer may count.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from complaints import access
from complaints.clock import today_bangkok
from complaints.extensions import db
from complaints.models import Agency, Category, User, Zone
from complaints.services import reference
from complaints.services.cases import OVERDUE_DAYS
from complaints.services.reports.scope import CaseCounts, record_view
from complaints.services.reports.top3 import TopicCount, categories_by_code, rank_topics

HEAT_LEVELS = 5  # shades of the districts x topics table, besides 0 for no case


@dataclass
class ZoneColumn:
    zone: Zone
    agencies: int  # district offices of this zone in the viewer's scope
    total: int
    open_count: int
    overdue: int
    top: list[TopicCount]
    tied_beyond: int


@dataclass
class HeatCell:
    category: Category
    count: int
    level: int  # 0 (none) .. HEAT_LEVELS (the table's largest count)


@dataclass
class HeatRow:
    agency: Agency
    cells: list[HeatCell]
    total: int


@dataclass
class ZoneRows:
    zone: Zone
    rows: list[HeatRow]


@dataclass
class ZonesReport:
    years: list[int]
    overdue_days: int
    zones: list[ZoneColumn]
    categories: list[Category]
    groups: list[ZoneRows]
    category_totals: dict[str, int]
    max_cell: int

    @property
    def total(self) -> int:
        return sum(z.total for z in self.zones)


def heat_level(count: int, largest: int) -> int:
    """0 for no case, otherwise 1..HEAT_LEVELS in proportion to the largest count of the table."""
    if count <= 0 or largest <= 0:
        return 0
    return max(1, min(HEAT_LEVELS, -(-count * HEAT_LEVELS // largest)))


def zones_report(viewer: User, years: list[int] | None = None, *, today: date | None = None,
                 audit: bool = True, counts: CaseCounts | None = None) -> ZonesReport:
    """``counts`` (of every year, or of ``years``) saves the query when the caller has them."""
    years = sorted(years or [])
    today = today or today_bangkok()
    districts = reference.sort_agencies(db.session.scalars(
        access.agencies_in_scope(viewer).where(Agency.kind == "district", Agency.zone_code.is_not(None))))
    codes = {a.code for a in districts}
    counts = (counts or CaseCounts.of(viewer, years, today)).within(years)
    cells: dict[str, Counter] = defaultdict(Counter)
    open_counts: Counter = Counter()
    overdue: Counter = Counter()
    for agency_code, _year, category_code, total, still_open, late in counts.rows:
        if agency_code in codes:
            cells[agency_code][category_code] += total
            open_counts[agency_code] += still_open
            overdue[agency_code] += late
    categories = reference.categories(active_only=False)
    by_code = categories_by_code()
    used = {code for counts in cells.values() for code, n in counts.items() if n}
    columns = [c for c in categories if c.active or c.code in used]
    largest = max((n for counts in cells.values() for n in counts.values()), default=0)
    groups, zone_columns = [], []
    for zone in reference.zones():
        members = [a for a in districts if a.zone_code == zone.code]
        if not members:
            continue
        rows = [HeatRow(a, [HeatCell(c, cells[a.code][c.code], heat_level(cells[a.code][c.code], largest))
                            for c in columns], sum(cells[a.code].values())) for a in members]
        groups.append(ZoneRows(zone, rows))
        per_topic: Counter = Counter()
        for a in members:
            per_topic.update(cells[a.code])
        top, tied_beyond = rank_topics(dict(per_topic), by_code)
        zone_columns.append(ZoneColumn(
            zone=zone, agencies=len(members), total=sum(per_topic.values()),
            open_count=sum(open_counts[a.code] for a in members),
            overdue=sum(overdue.get(a.code, 0) for a in members), top=top, tied_beyond=tied_beyond,
        ))
    totals: Counter = Counter()
    for counts in cells.values():
        totals.update(counts)
    report = ZonesReport(years, OVERDUE_DAYS, zone_columns, columns, groups, dict(totals), largest)
    if audit:
        record_view(viewer, "zones", years, total=report.total)
    return report
