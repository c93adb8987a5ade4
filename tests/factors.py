"""Helpers for tests of the second factor and of stale sign-ins."""

from __future__ import annotations

import time
from datetime import timedelta

import pyotp


def enrol(app, person) -> str:
    """Give ``person`` a TOTP second factor; returns the secret."""
    from complaints.extensions import db
    from complaints.services import second_factor

    with app.app_context():
        secret, _codes = second_factor.enrol_now(None, person.load())
        db.session.commit()
        return secret


def enrol_with_codes(app, person) -> tuple[str, list[str]]:
    from complaints.extensions import db
    from complaints.services import second_factor

    with app.app_context():
        secret, codes = second_factor.enrol_now(None, person.load())
        db.session.commit()
        return secret, codes


def code(secret: str, steps_ahead: int = 0) -> str:
    """The TOTP code of the current time step (or one of the next, still within the allowed drift)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def age_sessions(app, user_id: int, minutes: int = 11) -> None:
    """Make the user's sign-in look ``minutes`` old (as if they signed in a while ago)."""
    from sqlalchemy import update

    from complaints.clock import utcnow
    from complaints.extensions import db
    from complaints.models import UserSession

    with app.app_context():
        db.session.execute(update(UserSession).where(UserSession.user_id == user_id)
                           .values(authenticated_at=utcnow() - timedelta(minutes=minutes)))
        db.session.commit()
