"""Server-side sessions: revocable, with idle and absolute time-outs.

The browser's cookie carries a random token; the database keeps only its SHA-256, so a stolen
database does not yield live sessions. Several app processes share the table.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import update

from complaints.clock import utcnow
from complaints.extensions import db
from complaints.models import User, UserSession

TOUCH_EVERY = timedelta(seconds=30)  # write last_seen at most this often


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def start(user: User, ip: str | None) -> str:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        UserSession(id=_digest(token), user_id=user.id, created_at=now, last_seen_at=now,
                    authenticated_at=now, ip=ip)
    )
    user.last_login_at = now
    return token


def resolve(token: str | None, *, idle: timedelta, absolute: timedelta) -> UserSession | None:
    """The live session for a token, or ``None`` when it is unknown, revoked or timed out."""
    if not token:
        return None
    record = db.session.get(UserSession, _digest(token))
    if record is None or record.revoked_at is not None:
        return None
    now = utcnow()
    if now - record.last_seen_at > idle or now - record.created_at > absolute:
        record.revoked_at = now
        return None
    if now - record.last_seen_at > TOUCH_EVERY:
        record.last_seen_at = now
    return record


def revoke(token: str | None) -> None:
    if token:
        db.session.execute(
            update(UserSession)
            .where(UserSession.id == _digest(token), UserSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def revoke_all(user_id: int) -> None:
    """End every session of a user (password change, account disabled)."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def is_recent(record: UserSession | None, max_age: timedelta) -> bool:
    """Whether the session's user proved who they are (sign-in or re-authentication) within ``max_age``."""
    return record is not None and utcnow() - record.authenticated_at <= max_age


def mark_reauthenticated(record: UserSession) -> None:
    record.authenticated_at = utcnow()
