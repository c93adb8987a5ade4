"""What each role needs first when they sign in.

- inspector: the agencies they inspect with open and overdue cases and the most frequent topic, and
  the open cases assigned to them;
- executive: the zones this fiscal year against the last, the agencies with the most overdue cases,
  the most frequent topics across the city;
- registrar: the work waiting in the register;
- auditor: denials, failed sign-ins and exports of the last days (counts from the audit log);
- admin: the state of the user accounts.

A user with several roles gets every panel of their roles. Every count about cases is limited to
what the user may see (``access.case_condition``); panels hold numbers only, never case content.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

import audit
from complaints import access
from complaints.clock import today_bangkok, utcnow
from complaints.extensions import db
from complaints.models import Case, User
from complaints.models.user import UserRole
from complaints.services.cases import OVERDUE_DAYS
from complaints.services.reports.agency import AgencyLine, agency_lines
from complaints.services.reports.scope import CaseCounts
from complaints.services.reports.top3 import TopicCount, categories_by_code, rank_topics, top3
from complaints.services.reports.zones import ZoneColumn, zones_report
from complaints.thai import fiscal_year
from complaints.vocabulary import OPEN_STATUSES

RECENT_DAYS = 7
BACKLOG_ROWS = 10


@dataclass
class Summary:
    cases_visible: int = 0
    open_cases: int = 0
    agencies_in_scope: int = 0


def summary(user: User, counts: CaseCounts | None = None) -> Summary:
    """How many cases the user may see and how many are open. ``counts`` may stand in for the query:
    they count the same cases when the user may read both cases and reports."""
    result = Summary()
    if not access.can(user, "case.read"):
        return result
    if counts is not None and access.can(user, "report.read"):
        result.cases_visible, result.open_cases = counts.sum("total"), counts.sum("open")
    else:
        visible = access.case_condition(user)
        result.cases_visible = _count(visible)
        result.open_cases = _count(visible, Case.status.in_(OPEN_STATUSES))
    result.agencies_in_scope = db.session.scalar(
        select(func.count()).select_from(access.agencies_in_scope(user).subquery())
    )
    return result


@dataclass
class InspectorAgency:
    line: AgencyLine
    top: TopicCount | None


@dataclass
class InspectorPanel:
    agencies: list[InspectorAgency]
    assigned_open: int
    overdue_days: int = OVERDUE_DAYS


@dataclass
class ZoneTile:
    column: ZoneColumn
    previous: int | None  # the same zone's cases in the year before, if that year has data

    @property
    def change(self) -> float | None:
        if not self.previous:
            return None
        return 100.0 * (self.column.total - self.previous) / self.previous


@dataclass
class ExecutivePanel:
    year: int | None
    previous_year: int | None
    zones: list[ZoneTile]
    backlog: list[AgencyLine]
    topics: list[TopicCount]
    overdue_days: int = OVERDUE_DAYS


@dataclass
class RegistrarPanel:
    current_year: int
    entered_this_year: int
    awaiting: int  # status "received": nobody has started on it
    unassigned_open: int
    concluded: int  # concluded, waiting to be closed


@dataclass
class AuditorPanel:
    days: int
    entries_today: int
    denied: int
    failed_logins: int
    exports: int


@dataclass
class AdminPanel:
    active: int
    disabled: int
    must_change_password: int
    by_role: dict[str, int]


@dataclass
class Home:
    summary: Summary
    inspector: InspectorPanel | None = None
    executive: ExecutivePanel | None = None
    registrar: RegistrarPanel | None = None
    auditor: AuditorPanel | None = None
    admin: AdminPanel | None = None


def _count(*conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(Case).where(*conditions)) or 0


def inspector_panel(user: User, today: date, counts: CaseCounts) -> InspectorPanel:
    tops = {item.agency.code: item.topics[0] if item.topics else None for item in top3(user, counts=counts)}
    lines = sorted(agency_lines(user, today=today, counts=counts), key=lambda line: (-line.overdue, -line.open_count))
    assigned = _count(access.case_condition(user), Case.assigned_inspector_id == user.id,
                      Case.status.in_(OPEN_STATUSES))
    return InspectorPanel([InspectorAgency(line, tops.get(line.agency.code)) for line in lines], assigned)


def executive_panel(user: User, today: date, counts: CaseCounts) -> ExecutivePanel:
    years = counts.years
    year = years[0] if years else None
    previous = year - 1 if year and year - 1 in years else None
    current = zones_report(user, [year] if year else None, today=today, audit=False, counts=counts)
    before = {z.zone.code: z.total
              for z in zones_report(user, [previous], today=today, audit=False, counts=counts).zones} \
        if previous else {}
    tiles = [ZoneTile(z, before.get(z.zone.code) if previous else None) for z in current.zones]
    backlog = [line for line in sorted(agency_lines(user, today=today, counts=counts), key=lambda line: -line.overdue)
               if line.overdue][:BACKLOG_ROWS]
    per_topic = dict(counts.within([year]).by("category")) if year else {}
    topics, _ = rank_topics(per_topic, categories_by_code(), limit=5)
    return ExecutivePanel(year, previous, tiles, backlog, topics)


def registrar_panel(user: User, today: date) -> RegistrarPanel:
    visible = access.case_condition(user)
    year = fiscal_year(today)
    return RegistrarPanel(
        current_year=year,
        entered_this_year=_count(visible, Case.fiscal_year == year),
        awaiting=_count(visible, Case.status == "received"),
        unassigned_open=_count(visible, Case.status.in_(OPEN_STATUSES), Case.assigned_inspector_id.is_(None)),
        concluded=_count(visible, Case.status == "concluded"),
    )


def auditor_panel(days: int = RECENT_DAYS) -> AuditorPanel:
    events = audit.audit_events
    now = utcnow()
    since = now - timedelta(days=days)

    def count(*conditions) -> int:
        return db.session.scalar(select(func.count()).select_from(events).where(*conditions)) or 0

    return AuditorPanel(
        days=days,
        entries_today=count(events.c.occurred_at >= now - timedelta(days=1)),
        denied=count(events.c.occurred_at >= since, events.c.outcome == "denied"),
        failed_logins=count(events.c.occurred_at >= since, events.c.action == "auth.login",
                            events.c.outcome == "failed"),
        exports=count(events.c.occurred_at >= since, events.c.action.in_(("report.export", "case.export"))),
    )


def admin_panel() -> AdminPanel:
    def users(*conditions) -> int:
        return db.session.scalar(select(func.count()).select_from(User).where(*conditions)) or 0

    by_role = dict(db.session.execute(
        select(UserRole.role, func.count()).join(User, User.id == UserRole.user_id)
        .where(User.active.is_(True)).group_by(UserRole.role)).all())
    return AdminPanel(active=users(User.active.is_(True)), disabled=users(User.active.is_(False)),
                      must_change_password=users(User.active.is_(True), User.must_change_password.is_(True)),
                      by_role=by_role)


def home(user: User, today: date | None = None) -> Home:
    """The panels of every role the user holds; each panel's data is what that role may see."""
    today = today or today_bangkok()
    reads_reports = access.can(user, "report.read")
    counts = CaseCounts.of(user) if reads_reports else None  # one pass over the cases for every panel
    page = Home(summary=summary(user, counts))
    if user.has_role("inspector") and reads_reports:
        page.inspector = inspector_panel(user, today, counts)
    if user.has_role("executive") and reads_reports:
        page.executive = executive_panel(user, today, counts)
    if user.has_role("registrar") and access.can(user, "case.read"):
        page.registrar = registrar_panel(user, today)
    if access.can(user, "audit.read"):
        page.auditor = auditor_panel()
    if access.can(user, "admin.users"):
        page.admin = admin_panel()
    return page

