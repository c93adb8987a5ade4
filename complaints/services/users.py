"""User accounts: creation, roles, scope and clearance, passwords, sign-in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from complaints.clock import utcnow
from complaints.extensions import db
from complaints.models import Agency, User, UserAgency, UserRole, UserZone, Zone
from complaints.passwords import hash_password, needs_rehash, password_problems, verify_password
from complaints.services import audit_trail, sessions
from complaints.services.errors import Invalid
from complaints.vocabulary import CLASSIFICATIONS, ROLES

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
LOCK_AFTER = 5  # consecutive failures before the account locks
LOCK_BASE = timedelta(minutes=1)  # doubles with each further failure
LOCK_MAX = timedelta(hours=1)


def _check_scope(agencies: list[str], zones: list[str]) -> dict[str, str]:
    errors = {}
    if agencies:
        known = set(db.session.scalars(select(Agency.code).where(Agency.code.in_(agencies))))
        if missing := sorted(set(agencies) - known):
            errors["agencies"] = "ไม่รู้จักรหัสหน่วยงาน: " + ", ".join(missing)
    if zones:
        known = set(db.session.scalars(select(Zone.code).where(Zone.code.in_(zones))))
        if missing := sorted(set(zones) - known):
            errors["zones"] = "ไม่รู้จักกลุ่มเขต: " + ", ".join(missing)
    return errors


def create_user(
    actor: User | None,
    *,
    username: str,
    display_name: str,
    password: str,
    roles: list[str],
    clearance: str = "unclassified",
    agencies: list[str] = (),
    zones: list[str] = (),
    all_agencies: bool = False,
    must_change_password: bool = False,
) -> User:
    username = (username or "").strip().lower()
    errors: dict[str, str] = {}
    if not USERNAME.match(username):
        errors["username"] = "ชื่อผู้ใช้ต้องเป็นอักษรอังกฤษตัวเล็ก ตัวเลข . _ - ยาว 3-64 ตัว"
    elif db.session.scalar(select(func.count()).select_from(User).where(User.username == username)):
        errors["username"] = f"มีผู้ใช้ชื่อ {username} อยู่แล้ว"
    if not roles or set(roles) - set(ROLES):
        errors["roles"] = "ต้องระบุบทบาทอย่างน้อยหนึ่งบทบาทจาก: " + ", ".join(ROLES)
    if clearance not in CLASSIFICATIONS:
        errors["clearance"] = "ระดับชั้นความลับต้องเป็นหนึ่งใน: " + ", ".join(CLASSIFICATIONS)
    if problems := password_problems(password, [username, display_name]):
        errors["password"] = " ".join(problems)
    errors.update(_check_scope(list(agencies), list(zones)))
    if errors:
        raise Invalid(errors)
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        password_hash=hash_password(password),
        clearance=clearance,
        all_agencies=all_agencies,
        must_change_password=must_change_password,
        role_rows=[UserRole(role=r) for r in sorted(set(roles))],
        agency_rows=[UserAgency(agency_code=a) for a in sorted(set(agencies))],
        zone_rows=[UserZone(zone_code=z) for z in sorted(set(zones))],
    )
    db.session.add(user)
    db.session.flush()
    audit_trail.record(
        actor, "user.create", object_type="user", object_id=str(user.id),
        actor_name=None if actor else "cli",
        username=username, roles=sorted(set(roles)), clearance=clearance,
        agencies=sorted(set(agencies)), zones=sorted(set(zones)), all_agencies=all_agencies,
    )
    return user


def get_by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == (username or "").strip().lower()))


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.username)))


def list_inspectors() -> list[User]:
    return list(
        db.session.scalars(
            select(User).join(UserRole).where(UserRole.role == "inspector", User.active.is_(True))
            .order_by(User.display_name)
        )
    )


def disable_user(actor: User | None, user: User) -> None:
    user.active = False
    sessions.revoke_all(user.id)
    audit_trail.record(actor, "user.disable", object_type="user", object_id=str(user.id),
                       actor_name=None if actor else "cli", username=user.username)


def assign_scope(actor: User | None, user: User, *, agencies: list[str], zones: list[str],
                 all_agencies: bool | None = None) -> None:
    if errors := _check_scope(agencies, zones):
        raise Invalid(errors)
    user.agency_rows = [UserAgency(agency_code=a) for a in sorted(set(agencies))]
    user.zone_rows = [UserZone(zone_code=z) for z in sorted(set(zones))]
    if all_agencies is not None:
        user.all_agencies = all_agencies
    audit_trail.record(actor, "user.scope", object_type="user", object_id=str(user.id),
                       actor_name=None if actor else "cli", agencies=sorted(set(agencies)),
                       zones=sorted(set(zones)), all_agencies=user.all_agencies)


@dataclass
class SignIn:
    user: User | None
    reason: str = ""  # why it failed: bad_credentials | locked | disabled


def authenticate(username: str, password: str) -> SignIn:
    """Check a password with per-account lockout; writes the audit entry either way."""
    user = get_by_username(username)
    now = utcnow()
    if user is None:
        verify_password(None, password)
        audit_trail.record(None, "auth.login", outcome="failed", actor_name=(username or "")[:64],
                           reason="unknown_user")
        return SignIn(None, "bad_credentials")
    if user.locked_until and user.locked_until > now:
        audit_trail.record(user, "auth.login", outcome="failed", reason="locked")
        return SignIn(None, "locked")
    if not verify_password(user.password_hash, password):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= LOCK_AFTER:
            delay = min(LOCK_BASE * 2 ** (user.failed_logins - LOCK_AFTER), LOCK_MAX)
            user.locked_until = now + delay
        audit_trail.record(user, "auth.login", outcome="failed", reason="bad_password",
                           failures=user.failed_logins)
        return SignIn(None, "bad_credentials")
    if not user.active:
        audit_trail.record(user, "auth.login", outcome="failed", reason="disabled")
        return SignIn(None, "disabled")
    user.failed_logins = 0
    user.locked_until = None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit_trail.record(user, "auth.login")
    return SignIn(user)


def change_password(user: User, current: str, new: str) -> None:
    errors = {}
    if not verify_password(user.password_hash, current):
        errors["current"] = "รหัสผ่านปัจจุบันไม่ถูกต้อง"
    if problems := password_problems(new, [user.username, user.display_name]):
        errors["new"] = " ".join(problems)
    if new == current:
        errors["new"] = "รหัสผ่านใหม่ต้องไม่ซ้ำรหัสผ่านเดิม"
    if errors:
        raise Invalid(errors)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    sessions.revoke_all(user.id)
    audit_trail.record(user, "user.password_change", object_type="user", object_id=str(user.id))
