"""What each role needs first when they sign in."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from complaints import access
from complaints.extensions import db
from complaints.models import Case, User


@dataclass
class Summary:
    cases_visible: int = 0
    open_cases: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    agencies_in_scope: int = 0


def summary(user: User) -> Summary:
    result = Summary()
    if not access.can(user, "case.read"):
        return result
    rows = db.session.execute(
        select(Case.status, func.count()).where(access.case_condition(user)).group_by(Case.status)
    )
    result.by_status = dict(rows.all())
    result.cases_visible = sum(result.by_status.values())
    result.open_cases = sum(n for s, n in result.by_status.items() if s in ("received", "in_progress"))
    result.agencies_in_scope = db.session.scalar(
        select(func.count()).select_from(access.agencies_in_scope(user).subquery())
    )
    return result
