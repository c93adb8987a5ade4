"""Reading the audit log: the auditor's filtered list and CSV export, and "who viewed this case".

Names rather than ids: entries come with the actor's display name and a label for the object (a
user's name, a case's register number). Reading the log is itself an entry, with the filters used.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select

import audit
from complaints import access
from complaints.clock import BANGKOK
from complaints.extensions import db
from complaints.models import Case, User
from complaints.services import audit_trail
from complaints.thai import thai_sorted

events = audit.audit_events
OUTCOMES = ("ok", "denied", "not_found", "failed", "error")
EXPORT_BATCH = 2000


def bangkok_midnight_utc(day: date) -> datetime:
    """The start of a Bangkok day as naive UTC, the way times are stored."""
    return datetime.combine(day, time(0), tzinfo=BANGKOK).astimezone(UTC).replace(tzinfo=None)


@dataclass
class AuditFilters:
    """What the auditor narrowed the log to. Dates are Bangkok calendar days, both inclusive."""

    actor_id: int | None = None
    case_id: str | None = None  # a case id or at least its first 8 characters
    action: str | None = None
    outcome: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def active(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in self.__dict__.items()
                if v not in (None, "")}


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def conditions(filters: AuditFilters) -> list:
    found = []
    if filters.actor_id is not None:
        found.append(events.c.actor_id == filters.actor_id)
    if filters.case_id:
        pattern = _like_escape(filters.case_id)
        # The case as the object, or named in an entry's details (the cases a list page showed).
        found.append(or_(
            and_(events.c.object_type == "case", events.c.object_id.like(pattern + "%", escape="\\")),
            events.c.details.like("%" + pattern + "%", escape="\\"),
        ))
    if filters.action:
        found.append(events.c.action == filters.action)
    if filters.outcome:
        found.append(events.c.outcome == filters.outcome)
    if filters.date_from:
        found.append(events.c.occurred_at >= bangkok_midnight_utc(filters.date_from))
    if filters.date_to:
        found.append(events.c.occurred_at < bangkok_midnight_utc(filters.date_to + timedelta(days=1)))
    return found


@dataclass
class AuditPage:
    rows: list[dict]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _select():
    return (select(events, User.display_name, User.username)
            .outerjoin(User, User.id == events.c.actor_id))


def _details(raw: str | None) -> dict:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {"?": raw}
    return value if isinstance(value, dict) else {"?": value}


def _labelled(actor: User, rows: list[dict]) -> list[dict]:
    """Add ``object_label``: a user's display name, a case's register number."""
    user_ids = {int(r["object_id"]) for r in rows if r["object_type"] == "user" and str(r["object_id"]).isdigit()}
    names = {}
    if user_ids:
        names = dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids))).all())
    cases = access.audit_case_labels(actor, {r["object_id"] for r in rows if r["object_type"] == "case"})
    for row in rows:
        label = None
        if row["object_type"] == "user" and str(row["object_id"]).isdigit():
            label = names.get(int(row["object_id"]))
        elif row["object_type"] == "case":
            label = cases.get(row["object_id"])
        row["object_label"] = label
    return rows


def entries(actor: User, filters: AuditFilters | None = None, page: int = 1, per_page: int = 50) -> AuditPage:
    """A page of entries matching the filters, newest first; reading the log is itself an entry."""
    filters = filters or AuditFilters()
    where = conditions(filters)
    total = db.session.scalar(select(func.count()).select_from(events).where(*where))
    page = max(1, min(page, max(1, -(-total // per_page))))
    rows = []
    for row in db.session.execute(_select().where(*where).order_by(events.c.seq.desc())
                                  .limit(per_page).offset((page - 1) * per_page)):
        item = dict(row._mapping)
        item["details"] = _details(item["details"])
        rows.append(item)
    audit_trail.record(actor, "audit.view", page=page, filters=filters.active(), total=total)
    return AuditPage(_labelled(actor, rows), total, page, per_page)


@dataclass
class AuditExport:
    count: int
    rows: Iterator[dict] = field(repr=False)


def export(actor: User, filters: AuditFilters) -> AuditExport:
    """Every entry matching the filters, oldest first, as an export that is itself audited (first)."""
    where = conditions(filters)
    count = db.session.scalar(select(func.count()).select_from(events).where(*where))
    audit_trail.record(actor, "audit.export", filters=filters.active(), count=count, format="csv")

    def rows() -> Iterator[dict]:
        after = 0
        while True:
            batch = [dict(r._mapping) for r in db.session.execute(
                _select().where(*where, events.c.seq > after).order_by(events.c.seq).limit(EXPORT_BATCH))]
            if not batch:
                return
            yield from _labelled(actor, batch)
            after = batch[-1]["seq"]

    return AuditExport(count, rows())


def actions() -> list[str]:
    return list(db.session.scalars(select(events.c.action).distinct().order_by(events.c.action)))


def users_for_filter() -> list[User]:
    return thai_sorted(db.session.scalars(select(User)), key=lambda u: u.display_name)


# -- who viewed this case ----------------------------------------------------------------------

CASE_ACCESS_ACTIONS = ("case.view", "case.update", "case.create", "identity.reveal")


@dataclass
class Viewer:
    name: str
    views: int = 0
    changes: int = 0
    reveals: int = 0  # the complainant's identity shown on request (the reason stays with the auditors)
    first_at: datetime | None = None
    last_at: datetime | None = None


@dataclass
class CaseViewers:
    people: list[Viewer]
    total_views: int


def case_viewers(actor: User, case: Case) -> CaseViewers | None:
    """Who opened or changed a case the actor can already see, with counts and times; ``None`` when
    the actor may not see the panel. Names and times only: no addresses, no details, no refused
    attempts by people outside the case's scope."""
    if not access.can(actor, "case.viewers"):
        return None
    rows = db.session.execute(
        select(events.c.actor_id, events.c.actor_name, User.display_name, events.c.action,
               func.count(), func.min(events.c.occurred_at), func.max(events.c.occurred_at))
        .outerjoin(User, User.id == events.c.actor_id)
        .where(events.c.object_type == "case", events.c.object_id == case.id,
               events.c.action.in_(CASE_ACCESS_ACTIONS), events.c.outcome == "ok")
        .group_by(events.c.actor_id, events.c.actor_name, User.display_name, events.c.action)
    )
    people: dict[object, Viewer] = {}
    for actor_id, actor_name, display_name, action, count, first_at, last_at in rows:
        viewer = people.setdefault(actor_id or actor_name, Viewer(display_name or actor_name or "—"))
        if action == "case.view":
            viewer.views += count
        elif action == "identity.reveal":
            viewer.reveals += count
        else:
            viewer.changes += count
        viewer.first_at = min(filter(None, (viewer.first_at, first_at)))
        viewer.last_at = max(filter(None, (viewer.last_at, last_at)))
    ordered = sorted(people.values(), key=lambda v: v.last_at or datetime.min, reverse=True)
    return CaseViewers(ordered, sum(v.views for v in ordered))
