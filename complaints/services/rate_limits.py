"""Per-address rate limits kept in the database, so that they hold across gunicorn workers and app
servers (nothing here lives in process memory).

Counters are per minute; a limit is the sum over a sliding window of whole minutes.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from complaints.clock import utcnow
from complaints.extensions import db
from complaints.models import RateLimitCounter

SIGN_IN_FAILURE = "sign_in_failure"  # failed passwords, second-factor codes and re-authentications
KEEP_MINUTES = 24 * 60  # counters older than this are pruned


def _minute(now: datetime | None = None) -> int:
    return int((now or utcnow()).replace(tzinfo=UTC).timestamp()) // 60


def _subject(value: str | None) -> str:
    return (value or "unknown")[:64]


def hit(bucket: str, subject: str | None, now: datetime | None = None) -> None:
    """Count one event (an atomic upsert, safe under concurrent workers)."""
    minute = _minute(now)
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = RateLimitCounter.__table__
    statement = insert(table).values(bucket=bucket, subject=_subject(subject), minute=minute, count=1)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.bucket, table.c.subject, table.c.minute], set_={"count": table.c.count + 1}
    )
    db.session.execute(statement)
    db.session.execute(delete(RateLimitCounter).where(RateLimitCounter.minute < minute - KEEP_MINUTES))


def count(bucket: str, subject: str | None, window_minutes: int, now: datetime | None = None) -> int:
    """Events of ``subject`` in the last ``window_minutes`` minutes (the current minute included)."""
    since = _minute(now) - max(1, window_minutes) + 1
    return db.session.scalar(
        select(func.coalesce(func.sum(RateLimitCounter.count), 0)).where(
            RateLimitCounter.bucket == bucket, RateLimitCounter.subject == _subject(subject),
            RateLimitCounter.minute >= since,
        )
    ) or 0


def exceeded(bucket: str, subject: str | None, limit: int, window_minutes: int) -> bool:
    return limit > 0 and count(bucket, subject, window_minutes) >= limit
