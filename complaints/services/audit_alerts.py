"""Unusual access, for the auditor: three kinds of alert computed from the audit log.

- **volume**: a user opened far more different cases in one hour than they usually do (at least
  ``views_per_hour`` cases, and at least ``views_factor`` times their average over the busy hours of
  the previous ``baseline_days`` days; with no history, the first rule alone);
- **denied**: repeated attempts at something out of the user's scope or rights in one hour (entries
  with outcome ``denied`` or ``not_found``), at least ``denied_per_hour``;
- **after_hours**: case data read or exported outside office hours (Bangkok time), per user and day.

Hours and days are Bangkok time. Thresholds come from the settings (``COMPLAINTS_AUDIT_ALERT_*``,
``COMPLAINTS_AUDIT_OFFICE_*``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select

import audit
from complaints.clock import to_bangkok
from complaints.extensions import db
from complaints.models import User
from complaints.services import audit_trail
from complaints.services.audit_reader import bangkok_midnight_utc

events = audit.audit_events

# Entries that read or carry case data out: what "access outside office hours" is about.
CASE_DATA_PREFIXES = ("case.", "report.", "identity.", "attachment.", "search.", "import.")
REFUSED = ("denied", "not_found")


@dataclass(frozen=True)
class AlertSettings:
    views_per_hour: int = 30
    views_factor: int = 3
    baseline_days: int = 30
    denied_per_hour: int = 3
    office_start: time = time(8)
    office_end: time = time(18)
    office_days: frozenset[int] = frozenset(range(5))  # Monday to Friday

    @classmethod
    def from_config(cls, config) -> AlertSettings:
        start, end = config["AUDIT_OFFICE_HOURS"]
        return cls(config["AUDIT_ALERT_VIEWS_PER_HOUR"], config["AUDIT_ALERT_VIEWS_FACTOR"],
                   config["AUDIT_ALERT_BASELINE_DAYS"], config["AUDIT_ALERT_DENIED_PER_HOUR"],
                   start, end, frozenset(config["AUDIT_OFFICE_DAYS"]))

    def in_office(self, moment: datetime) -> bool:
        """``moment`` in Bangkok time."""
        return moment.weekday() in self.office_days and self.office_start <= moment.time() < self.office_end


@dataclass
class Alert:
    kind: str  # volume | denied | after_hours
    actor_id: int | None
    actor_name: str | None
    display_name: str | None
    start: datetime  # Bangkok time
    end: datetime  # Bangkok time
    count: int
    usual: float | None = None  # volume: the user's usual number of cases per busy hour
    actions: list[str] = field(default_factory=list)

    @property
    def who(self) -> str:
        return self.display_name or self.actor_name or "—"


def _hour(moment: datetime) -> datetime:
    return to_bangkok(moment).replace(minute=0, second=0, microsecond=0)


def _names(ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


def _volume(start: datetime, end: datetime, settings: AlertSettings) -> list[Alert]:
    since = start - timedelta(days=max(0, settings.baseline_days))
    hours: dict[tuple, dict[datetime, set[str]]] = defaultdict(lambda: defaultdict(set))
    rows = db.session.execute(
        select(events.c.actor_id, events.c.actor_name, events.c.occurred_at, events.c.object_id)
        .where(events.c.action == "case.view", events.c.outcome == "ok",
               events.c.occurred_at >= since, events.c.occurred_at < end))
    for actor_id, actor_name, occurred_at, object_id in rows:
        hours[(actor_id, actor_name)][_hour(occurred_at)].add(object_id)
    first_hour, alerts = to_bangkok(start), []
    for (actor_id, actor_name), per_hour in hours.items():
        for hour, cases in per_hour.items():
            if hour < first_hour or len(cases) < settings.views_per_hour:
                continue
            window = hour - timedelta(days=settings.baseline_days)
            past = [len(c) for h, c in per_hour.items() if window <= h < hour]
            usual = sum(past) / len(past) if past else None
            if usual is None or len(cases) >= settings.views_factor * usual:
                alerts.append(Alert("volume", actor_id, actor_name, None, hour, hour + timedelta(hours=1),
                                    len(cases), usual, ["case.view"]))
    return alerts


def _refused(start: datetime, end: datetime, settings: AlertSettings) -> list[Alert]:
    groups: dict[tuple, list] = defaultdict(list)
    rows = db.session.execute(
        select(events.c.actor_id, events.c.actor_name, events.c.occurred_at, events.c.action)
        .where(events.c.outcome.in_(REFUSED), events.c.occurred_at >= start, events.c.occurred_at < end))
    for actor_id, actor_name, occurred_at, action in rows:
        groups[(actor_id, actor_name, _hour(occurred_at))].append(action)
    return [
        Alert("denied", actor_id, actor_name, None, hour, hour + timedelta(hours=1), len(actions),
              actions=sorted(set(actions)))
        for (actor_id, actor_name, hour), actions in groups.items()
        if len(actions) >= max(1, settings.denied_per_hour)
    ]


def _after_hours(start: datetime, end: datetime, settings: AlertSettings) -> list[Alert]:
    groups: dict[tuple, list] = defaultdict(list)
    rows = db.session.execute(
        select(events.c.actor_id, events.c.actor_name, events.c.occurred_at, events.c.action)
        .where(or_(*[events.c.action.startswith(prefix) for prefix in CASE_DATA_PREFIXES]),
               events.c.outcome == "ok", events.c.occurred_at >= start, events.c.occurred_at < end))
    for actor_id, actor_name, occurred_at, action in rows:
        moment = to_bangkok(occurred_at)
        if not settings.in_office(moment):
            groups[(actor_id, actor_name, moment.date())].append((moment, action))
    alerts = []
    for (actor_id, actor_name, _day), found in groups.items():
        moments = [m for m, _ in found]
        alerts.append(Alert("after_hours", actor_id, actor_name, None, min(moments), max(moments), len(found),
                            actions=sorted({a for _, a in found})))
    return alerts


def unusual_access(actor: User, date_from: date, date_to: date, settings: AlertSettings) -> list[Alert]:
    """Alerts for the Bangkok days ``date_from`` to ``date_to`` (inclusive), newest first; audited."""
    start, end = bangkok_midnight_utc(date_from), bangkok_midnight_utc(date_to + timedelta(days=1))
    alerts = _volume(start, end, settings) + _refused(start, end, settings) + _after_hours(start, end, settings)
    names = _names(a.actor_id for a in alerts)
    for alert in alerts:
        alert.display_name = names.get(alert.actor_id)
    alerts.sort(key=lambda a: a.start, reverse=True)
    counts = {kind: sum(1 for a in alerts if a.kind == kind) for kind in ("volume", "denied", "after_hours")}
    audit_trail.record(actor, "audit.alerts", date_from=date_from.isoformat(), date_to=date_to.isoformat(),
                       found=counts)
    return alerts
