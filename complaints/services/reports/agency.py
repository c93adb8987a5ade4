"""The problem summary of one agency (a district office or a department).

Every figure is a count of the viewer's cases of that agency (see ``scope``), and comes with the
case-list filter that selects exactly the same cases, so that pages can link each number to the list
behind it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from complaints import access
from complaints.clock import today_bangkok
from complaints.extensions import db
from complaints.models import Agency, Case, Category, User
from complaints.services.cases import OVERDUE_DAYS, open_older_than
from complaints.services.reference import sort_agencies
from complaints.services.reports.scope import (
    CaseCounts,
    agency_for_report,
    counted,
    in_years,
    median_days_to_close,
    record_view,
    years_with_cases,
)
from complaints.services.reports.top3 import TopicCount, categories_by_code, rank_topics
from complaints.vocabulary import KINDS, OPEN_STATUSES, OUTCOMES, STATUSES

NO_OUTCOME = "none"  # the case-list filter value for "no conclusion recorded yet"


@dataclass
class Count:
    """One number of a breakdown: its code, how many cases, and the case-list filter arguments that
    select them (added to the agency and years of the report)."""

    code: str
    count: int
    filters: dict = field(default_factory=dict)
    category: Category | None = None
    highlight: bool = False


@dataclass
class AgencySummary:
    agency: Agency
    years: list[int]
    today: date
    total: int
    open_count: int
    overdue: int
    overdue_days: int
    median_days: float | None
    closed_with_date: int
    by_category: list[Count]  # topics with at least one case, most frequent first
    by_status: list[Count]
    by_outcome: list[Count]  # every coded conclusion, then "none yet"
    by_kind: list[Count]
    by_year: list[Count]  # the trend across every fiscal year the viewer has cases in
    top: list[TopicCount]
    tied_beyond: int

    @property
    def empty(self) -> bool:
        return self.total == 0


def agency_summary(viewer: User, code: str, years: list[int] | None = None, *, today: date | None = None,
                   audit: bool = True) -> AgencySummary:
    """The summary of the agency ``code`` for ``years`` (all years when empty).

    An agency outside the viewer's scope, or one that does not exist, raises ``NotFound`` after an
    audit entry. ``audit=False`` is for callers that write their own entry (an export).
    """
    years = sorted(years or [])
    agency = agency_for_report(viewer, code, "agency", years)
    today = today or today_bangkok()
    base = counted(viewer) & (Case.agency_code == agency.code)
    cube = db.session.execute(
        select(Case.fiscal_year, Case.category_code, Case.status, Case.outcome, Case.kind, func.count())
        .where(base)
        .group_by(Case.fiscal_year, Case.category_code, Case.status, Case.outcome, Case.kind)
    ).all()
    in_range = [row for row in cube if not years or row[0] in years]
    by = {name: Counter() for name in ("category", "status", "outcome", "kind")}
    for _, category, status, outcome, kind, n in in_range:
        by["category"][category] += n
        by["status"][status] += n
        by["outcome"][outcome or NO_OUTCOME] += n
        by["kind"][kind] += n
    per_year = Counter()
    for year, *_, n in cube:
        per_year[year] += n
    categories = categories_by_code()
    top, tied_beyond = rank_topics(dict(by["category"]), categories)
    topics_ordered, _ = rank_topics(dict(by["category"]), categories, limit=len(categories))
    overdue = db.session.scalar(
        select(func.count()).select_from(Case).where(base, in_years(years), open_older_than(OVERDUE_DAYS, today))
    )
    median, closed = median_days_to_close(base & in_years(years))
    all_years = sorted(set(years_with_cases(viewer)) | set(per_year))
    if all_years:
        all_years = list(range(all_years[0], all_years[-1] + 1))
    summary = AgencySummary(
        agency=agency, years=years, today=today,
        total=sum(by["category"].values()),
        open_count=sum(by["status"][s] for s in OPEN_STATUSES),
        overdue=overdue, overdue_days=OVERDUE_DAYS, median_days=median, closed_with_date=closed,
        by_category=[Count(t.category.code, t.count, {"category": t.category.code}, category=t.category)
                     for t in topics_ordered],
        by_status=[Count(code, by["status"][code], {"status": code}) for code in STATUSES],
        by_outcome=[Count(code, by["outcome"][code], {"outcome": code}) for code in (*OUTCOMES, NO_OUTCOME)],
        by_kind=[Count(code, by["kind"][code], {"kind": code}) for code in KINDS],
        by_year=[Count(str(y), per_year[y], {"fiscal_year": y}, highlight=y in years) for y in all_years],
        top=top, tied_beyond=tied_beyond,
    )
    if audit:
        record_view(viewer, "agency", years, agency=agency.code, total=summary.total)
    return summary


@dataclass
class AgencyLine:
    agency: Agency
    total: int
    open_count: int
    overdue: int


def agency_lines(viewer: User, years: list[int] | None = None, *, today: date | None = None,
                 counts: CaseCounts | None = None) -> list[AgencyLine]:
    """Every agency in the viewer's scope with its number of cases, open cases and open cases older
    than ``OVERDUE_DAYS`` (for the list of agency summaries and the home pages)."""
    counts = (counts or CaseCounts.of(viewer, years, today)).within(years)
    totals, open_counts, overdue = (counts.by("agency", measure=m) for m in ("total", "open", "overdue"))
    agencies = sort_agencies(db.session.scalars(access.agencies_in_scope(viewer)))
    return [AgencyLine(a, totals.get(a.code, 0), open_counts.get(a.code, 0), overdue.get(a.code, 0))
            for a in agencies]
