"""What every report counts, and the audit entries of reports.

A report counts exactly the cases that ``access.case_condition(viewer, "report.read")`` selects
(agency scope AND classification clearance) and lists only the agencies of
``access.agencies_in_scope(viewer)``. Nothing in a report is decrypted.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import ColumnElement, Integer, case, exists, func, literal, select, true, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from complaints import access
from complaints.clock import today_bangkok
from complaints.extensions import db
from complaints.models import Agency, Case, User
from complaints.services import audit_trail
from complaints.services.cases import OVERDUE_DAYS, open_older_than
from complaints.services.errors import NotFound
from complaints.vocabulary import OPEN_STATUSES


def counted(viewer: User) -> ColumnElement[bool]:
    """The cases a report may count for this viewer."""
    return access.case_condition(viewer, "report.read")


def in_years(years: list[int] | None) -> ColumnElement[bool]:
    return Case.fiscal_year.in_(years) if years else true()


def year_label(years: list[int] | None) -> str:
    """``2564``, ``2563-2565``, or ``""`` for every year."""
    if not years:
        return ""
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"


FIELDS = ("agency", "year", "category")
MEASURES = ("total", "open", "overdue")


class CaseCounts:
    """The viewer's cases counted by agency, fiscal year and topic: how many, how many still open,
    how many open and received more than ``OVERDUE_DAYS`` before ``today``.

    One query, grouped in the order of the ``ix_cases_report`` index so that the database streams the
    sums from the index alone; the list reports (top 3, agencies, zones, home pages) are sums over
    these few thousand rows, so a page needs one pass over the cases however many figures it shows.
    """

    def __init__(self, rows: list[tuple[str, int, str, int, int, int]], today: date):
        self.rows = rows
        self.today = today

    @classmethod
    def of(cls, viewer: User, years: list[int] | None = None, today: date | None = None) -> CaseCounts:
        """The counts of ``years`` (every year when empty). The years are picked out here rather than
        in SQL: with a condition on the year, the planner would walk the (fiscal_year, category)
        index and read every wide row it points to instead of scanning the covering index."""
        return cls._all_years(viewer, today or today_bangkok()).within(years)

    @classmethod
    def _all_years(cls, viewer: User, today: date) -> CaseCounts:
        is_open = Case.status.in_(OPEN_STATUSES)
        overdue = open_older_than(OVERDUE_DAYS, today)
        query = (
            select(Case.agency_code, Case.fiscal_year, Case.category_code, func.count(),
                   func.sum(case((is_open, 1), else_=0)), func.sum(case((overdue, 1), else_=0)))
            .where(counted(viewer))
            .group_by(Case.agency_code, Case.fiscal_year, Case.category_code)
        )
        return cls([(a, y, c, n, int(o or 0), int(d or 0)) for a, y, c, n, o, d in db.session.execute(query)], today)

    def within(self, years: list[int] | None) -> CaseCounts:
        """Only the rows of these fiscal years (all rows when ``years`` is empty)."""
        if not years:
            return self
        wanted = set(years)
        return CaseCounts([row for row in self.rows if row[1] in wanted], self.today)

    def by(self, *fields: str, measure: str = "total") -> Counter:
        """Sums of ``measure`` by the named fields (of ``FIELDS``):
        ``by("agency", "category")[("1004", "road")]``; with one field the keys are plain values."""
        positions = [FIELDS.index(name) for name in fields]
        column = len(FIELDS) + MEASURES.index(measure)
        sums: Counter = Counter()
        for row in self.rows:
            key = tuple(row[i] for i in positions)
            sums[key if len(key) > 1 else key[0]] += row[column]
        return sums

    def sum(self, measure: str = "total") -> int:
        column = len(FIELDS) + MEASURES.index(measure)
        return sum(row[column] for row in self.rows)

    @property
    def years(self) -> list[int]:
        return sorted({row[1] for row in self.rows}, reverse=True)


def years_with_cases(viewer: User) -> list[int]:
    """Fiscal years that have at least one case the viewer may count, newest first.

    The first and last year come from an index; each year between is one ``EXISTS`` probe (an index
    seek), all in one statement: much cheaper than a ``DISTINCT`` over every case.
    """
    low, high = db.session.execute(select(  # two subqueries: each is one index seek on both databases
        select(func.min(Case.fiscal_year)).scalar_subquery(), select(func.max(Case.fiscal_year)).scalar_subquery(),
    )).one()
    if low is None:
        return []
    probes = [select(literal(year, Integer).label("year")).where(
        exists().where(Case.fiscal_year == year, counted(viewer))) for year in range(high, low - 1, -1)]
    return sorted(db.session.scalars(union_all(*probes)), reverse=True)


def agency_for_report(viewer: User, code: str, report: str, years: list[int] | None = None) -> Agency:
    """An agency in the viewer's scope, or ``NotFound`` (audited) whether it is missing or out of
    scope: the same answer either way."""
    agency = db.session.scalar(access.agencies_in_scope(viewer).where(Agency.code == str(code)))
    if agency is None:
        exists = db.session.get(Agency, str(code)[:40]) is not None
        audit_trail.record(viewer, "report.view", outcome="denied" if exists else "not_found",
                           object_type="agency", object_id=str(code)[:64], report=report,
                           fiscal_years=years or [])
        raise NotFound()
    return agency


def record_view(viewer: User, report: str, years: list[int] | None, **details) -> None:
    """A report was shown: counts only, but every look is recorded."""
    agency = details.pop("agency", None)
    audit_trail.record(viewer, "report.view", object_type="agency" if agency else None, object_id=agency,
                       report=report, fiscal_years=years or [], **details)


def record_export(actor: User, report: str, fiscal_years: list[int] | None, rows: int, fmt: str,
                  **details) -> None:
    """A report left the system as a file: which, for which years, how many rows, in which format,
    and whether small counts were suppressed."""
    agency = details.pop("agency", None)
    audit_trail.record(actor, "report.export", object_type="agency" if agency else None, object_id=agency,
                       report=report, fiscal_years=fiscal_years or [], rows=rows, format=fmt, **details)


# -- days between two dates, in SQL ------------------------------------------------------------

class days_between(FunctionElement):  # noqa: N801 (used like a SQL function)
    """Whole days from ``earlier`` to ``later`` (both DATE columns)."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_default(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return (f"CAST(julianday({compiler.process(later, **kw)}) - julianday({compiler.process(earlier, **kw)})"
            " AS INTEGER)")


def median_days_to_close(condition: ColumnElement[bool]) -> tuple[float | None, int]:
    """The median of ``closed_date - received_date`` over the cases matching ``condition`` that have a
    closing date, and how many there are. Counted as a histogram in SQL (a few hundred rows at most)."""
    days = days_between(Case.closed_date, Case.received_date)
    histogram = db.session.execute(
        select(days, func.count()).where(condition, Case.closed_date.is_not(None)).group_by(days).order_by(days)
    ).all()
    return median_of_histogram([(int(d), int(n)) for d, n in histogram])


def median_of_histogram(histogram: list[tuple[int, int]]) -> tuple[float | None, int]:
    """The median of values given as sorted ``(value, how many)`` pairs, and the number of values."""
    total = sum(n for _, n in histogram)
    if not total:
        return None, 0
    wanted = [(total - 1) // 2, total // 2]  # the middle one, or the middle two
    found, seen = [], 0
    for value, count in histogram:
        while wanted and wanted[0] < seen + count:
            found.append(value)
            wanted.pop(0)
        seen += count
    return sum(found) / 2, total

