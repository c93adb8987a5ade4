"""Signing in: the password, the second factor, re-authentication, lockout and per-address limits.

Every failure counts twice, in the database so that every worker process sees it: against the
account (``users.failed_logins``; 5 in a row lock it with a doubling back-off) and against the client
address (``rate_limits``; too many failures from one address within the window refuse that address).
The failure counter of an account is reset only when a sign-in (or re-authentication) succeeds
completely, so knowing the password does not open unlimited guesses at the second factor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, update

from complaints.clock import utcnow
from complaints.extensions import db
from complaints.models import User, UserSession
from complaints.passwords import hash_password, needs_rehash, verify_password
from complaints.services import audit_trail, rate_limits, second_factor, sessions
from complaints.services.users import get_by_username

LOCK_AFTER = 5  # consecutive failures before the account locks
LOCK_BASE = timedelta(minutes=1)  # doubles with each further failure
LOCK_MAX = timedelta(hours=1)

# Why a step failed
BAD_CREDENTIALS, LOCKED, DISABLED, RATE_LIMITED = "bad_credentials", "locked", "disabled", "rate_limited"
BAD_CODE, REPLAYED_CODE = "bad_code", "replayed"
# What comes after a correct password
NEED_CODE, NEED_ENROLMENT = "code", "enrol"


@dataclass(frozen=True)
class Policy:
    """The sign-in settings a deployment chose (built by the web layer from its configuration)."""

    second_factor_required: bool = False
    failures_per_address: int = 20
    window_minutes: int = 15

    @classmethod
    def from_config(cls, config) -> Policy:
        return cls(
            second_factor_required=bool(config.get("TOTP_REQUIRED")),
            failures_per_address=int(config.get("SIGN_IN_FAILURES_PER_ADDRESS", 20)),
            window_minutes=int(config.get("SIGN_IN_FAILURE_WINDOW_MINUTES", 15)),
        )


@dataclass
class SignIn:
    user: User | None
    reason: str = ""  # why it failed: one of the constants above
    next_step: str = ""  # after a correct password: NEED_CODE, NEED_ENROLMENT, or "" (signed in)


def address_refused(ip: str | None, policy: Policy) -> bool:
    return rate_limits.exceeded(rate_limits.SIGN_IN_FAILURE, ip, policy.failures_per_address,
                                policy.window_minutes)


def _count_failure(user: User | None, ip: str | None) -> int:
    """One more failure for the address and (atomically, whatever other workers do) for the account."""
    rate_limits.hit(rate_limits.SIGN_IN_FAILURE, ip)
    if user is None:
        return 0
    failures = db.session.execute(
        update(User).where(User.id == user.id)
        .values(failed_logins=func.coalesce(User.failed_logins, 0) + 1)
        .returning(User.failed_logins)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    if failures >= LOCK_AFTER:
        delay = min(LOCK_BASE * 2 ** (failures - LOCK_AFTER), LOCK_MAX)
        db.session.execute(
            update(User).where(User.id == user.id).values(locked_until=utcnow() + delay)
            .execution_options(synchronize_session=False)
        )
    db.session.expire(user, ["failed_logins", "locked_until"])
    return failures


def _clear_failures(user: User) -> None:
    user.failed_logins = 0
    user.locked_until = None


def check_password(username: str, password: str, ip: str | None, policy: Policy) -> SignIn:
    """The first step. Writes the audit entry either way."""
    if address_refused(ip, policy):
        audit_trail.record(None, "auth.login", outcome="failed", actor_name=(username or "")[:64],
                           reason=RATE_LIMITED)
        return SignIn(None, RATE_LIMITED)
    user = get_by_username(username)
    now = utcnow()
    if user is None:
        verify_password(None, password)
        _count_failure(None, ip)
        audit_trail.record(None, "auth.login", outcome="failed", actor_name=(username or "")[:64],
                           reason="unknown_user")
        return SignIn(None, BAD_CREDENTIALS)
    if user.is_locked(now):
        audit_trail.record(user, "auth.login", outcome="failed", reason=LOCKED)
        return SignIn(None, LOCKED)
    if not verify_password(user.password_hash, password):
        failures = _count_failure(user, ip)
        audit_trail.record(user, "auth.login", outcome="failed", reason="bad_password", failures=failures)
        return SignIn(None, BAD_CREDENTIALS)
    if not user.active:
        audit_trail.record(user, "auth.login", outcome="failed", reason=DISABLED)
        return SignIn(None, DISABLED)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if user.has_second_factor:
        audit_trail.record(user, "auth.password", next_step=NEED_CODE)
        return SignIn(user, next_step=NEED_CODE)
    if policy.second_factor_required:
        audit_trail.record(user, "auth.password", next_step=NEED_ENROLMENT)
        return SignIn(user, next_step=NEED_ENROLMENT)
    finish(user, method="password")
    return SignIn(user)


def _check_code(user: User, code: str) -> tuple[bool, str, dict]:
    """A TOTP code or a recovery code; (accepted, reason, audit details)."""
    if second_factor.looks_like_totp(code):
        answer = second_factor.verify_totp(user, code)
        if answer == second_factor.OK:
            return True, "", {"method": "totp"}
        return False, REPLAYED_CODE if answer == second_factor.REPLAYED else BAD_CODE, {"method": "totp"}
    if second_factor.use_recovery_code(user, code):
        return True, "", {"method": "recovery_code", "recovery_codes_left": second_factor.recovery_codes_left(user)}
    return False, BAD_CODE, {"method": "recovery_code"}


def check_second_factor(user: User, code: str, ip: str | None, policy: Policy) -> SignIn:
    """The second step of a sign-in whose password was right."""
    if address_refused(ip, policy):
        audit_trail.record(user, "auth.second_factor", outcome="failed", reason=RATE_LIMITED)
        return SignIn(None, RATE_LIMITED)
    if user.is_locked(utcnow()):
        audit_trail.record(user, "auth.second_factor", outcome="failed", reason=LOCKED)
        return SignIn(None, LOCKED)
    if not user.active:
        audit_trail.record(user, "auth.second_factor", outcome="failed", reason=DISABLED)
        return SignIn(None, DISABLED)
    accepted, reason, details = _check_code(user, code)
    if not accepted:
        failures = _count_failure(user, ip)
        audit_trail.record(user, "auth.second_factor", outcome="failed", reason=reason, failures=failures,
                           **details)
        return SignIn(None, LOCKED if user.is_locked(utcnow()) else reason)
    audit_trail.record(user, "auth.second_factor", **details)
    finish(user, method=details["method"])
    return SignIn(user)


def finish(user: User, *, method: str) -> None:
    """A complete sign-in: the failure counter starts again."""
    _clear_failures(user)
    audit_trail.record(user, "auth.login", method=method)


def reauthenticate(user: User, record: UserSession, password: str, code: str, ip: str | None,
                   policy: Policy) -> SignIn:
    """Prove again, inside a live session, who is at the keyboard (before a reveal or an export).

    Failures count like sign-in failures. When they lock the account, every session of the user ends:
    someone who holds a session but not the password is not the user.
    """
    if address_refused(ip, policy):
        audit_trail.record(user, "auth.reauth", outcome="failed", reason=RATE_LIMITED)
        return SignIn(None, RATE_LIMITED)
    if user.is_locked(utcnow()):
        audit_trail.record(user, "auth.reauth", outcome="failed", reason=LOCKED)
        sessions.revoke_all(user.id)
        return SignIn(None, LOCKED)
    reason, details = "", {}
    if not verify_password(user.password_hash, password):
        reason = "bad_password"
    elif user.has_second_factor:
        accepted, code_reason, details = _check_code(user, code)
        reason = "" if accepted else code_reason
    if reason:
        failures = _count_failure(user, ip)
        locked = user.is_locked(utcnow())
        audit_trail.record(user, "auth.reauth", outcome="failed", reason=reason, failures=failures, **details)
        if locked:
            sessions.revoke_all(user.id)
            return SignIn(None, LOCKED)
        return SignIn(None, reason)
    _clear_failures(user)
    sessions.mark_reauthenticated(record)
    audit_trail.record(user, "auth.reauth", **details)
    return SignIn(user)
