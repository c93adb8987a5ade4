"""Reading the audit log for auditors, with user names rather than ids."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select

import audit
from complaints.extensions import db, keys
from complaints.models import User
from complaints.services import audit_trail

events = audit.audit_events


@dataclass
class AuditPage:
    rows: list[dict]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def entries(actor: User, page: int = 1, per_page: int = 50, action: str | None = None) -> AuditPage:
    """A page of entries, newest first; reading the log is itself an entry."""
    query = select(events, User.display_name).outerjoin(User, User.id == events.c.actor_id)
    count = select(func.count()).select_from(events)
    if action:
        query = query.where(events.c.action == action)
        count = count.where(events.c.action == action)
    total = db.session.scalar(count)
    page = max(1, min(page, max(1, -(-total // per_page))))
    rows = []
    for row in db.session.execute(query.order_by(events.c.seq.desc()).limit(per_page).offset((page - 1) * per_page)):
        item = dict(row._mapping)
        item["details"] = json.loads(item["details"] or "{}")
        rows.append(item)
    audit_trail.record(actor, "audit.view", page=page, action_filter=action)
    return AuditPage(rows, total, page, per_page)


def actions() -> list[str]:
    return list(db.session.scalars(select(events.c.action).distinct().order_by(events.c.action)))


def verify() -> audit.Verification:
    return audit.verify(db.session.connection(), keys.current.audit_mac_key)
