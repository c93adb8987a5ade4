"""What every report counts, and the audit entries of reports.

A report counts exactly the cases that ``access.case_condition(viewer, "report.read")`` selects
(agency scope AND classification clearance) and lists only the agencies of
``access.agencies_in_scope(viewer)``. Nothing in a report is decrypted.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Integer, func, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from complaints import access
from complaints.extensions import db
from complaints.models import Agency, Case, User
from complaints.services import audit_trail
from complaints.services.errors import NotFound


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


def years_with_cases(viewer: User) -> list[int]:
    """Fiscal years that have at least one case the viewer may count, newest first."""
    return list(db.session.scalars(
        select(Case.fiscal_year).where(counted(viewer)).distinct().order_by(Case.fiscal_year.desc())
    ))


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

