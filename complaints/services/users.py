"""User accounts: creation, roles, scope and clearance, enabling and disabling, passwords.

Signing in is in ``sign_in``; the second factor in ``second_factor``. Every change is audited and
takes effect on the user's next request (the user is loaded from the database on every request).
"""

from __future__ import annotations

import re
import secrets

from sqlalchemy import func, select

from complaints.extensions import db
from complaints.models import Agency, User, UserAgency, UserRole, UserZone, Zone
from complaints.passwords import hash_password, password_problems, verify_password
from complaints.services import audit_trail, sessions
from complaints.services.errors import Invalid
from complaints.vocabulary import CLASSIFICATIONS, ROLES

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


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


def _check_access(roles, clearance: str, agencies, zones) -> dict[str, str]:
    errors = {}
    if not roles or set(roles) - set(ROLES):
        errors["roles"] = "ต้องระบุบทบาทอย่างน้อยหนึ่งบทบาทจาก: " + ", ".join(ROLES)
    if clearance not in CLASSIFICATIONS:
        errors["clearance"] = "ระดับชั้นความลับต้องเป็นหนึ่งใน: " + ", ".join(CLASSIFICATIONS)
    errors.update(_check_scope(list(agencies), list(zones)))
    return errors


def temporary_password() -> str:
    """A random password that passes the policy, for a new account or a reset (changed at first use)."""
    while True:
        candidate = secrets.token_urlsafe(12)
        if not password_problems(candidate):
            return candidate


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
    errors.update(_check_access(roles, clearance, agencies, zones))
    if problems := password_problems(password, [username, display_name]):
        errors["password"] = " ".join(problems)
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


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def _not_yourself(actor: User | None, user: User, message: str) -> None:
    if actor is not None and actor.id == user.id:
        raise Invalid({"": message})


def _cli(actor: User | None) -> str | None:
    return None if actor else "cli"


def disable_user(actor: User | None, user: User) -> None:
    _not_yourself(actor, user, "ท่านไม่สามารถระงับบัญชีของตนเองได้")
    user.active = False
    sessions.revoke_all(user.id)
    audit_trail.record(actor, "user.disable", object_type="user", object_id=str(user.id),
                       actor_name=None if actor else "cli", username=user.username)


def enable_user(actor: User | None, user: User) -> None:
    user.active = True
    audit_trail.record(actor, "user.enable", object_type="user", object_id=str(user.id),
                       actor_name=_cli(actor), username=user.username)


def update_account(actor: User | None, user: User, *, display_name: str, roles: list[str], clearance: str,
                   agencies: list[str], zones: list[str], all_agencies: bool) -> list[str]:
    """Change a user's name, roles, clearance and scope. Returns the names of what changed.

    One audit entry holds each change as [before, after]. The change applies on the user's next
    request, live sessions included.
    """
    roles, agencies, zones = sorted(set(roles)), sorted(set(agencies)), sorted(set(zones))
    errors = _check_access(roles, clearance, agencies, zones)
    if actor is not None and actor.id == user.id and (
            roles != sorted(user.roles) or clearance != user.clearance or agencies != sorted(user.agency_codes)
            or zones != sorted(user.zone_codes) or bool(all_agencies) != bool(user.all_agencies)):
        # Separation of duties: an administrator cannot grant themselves case access (or drop their own
        # administration); another administrator must do it, and that is audited under their name.
        errors[""] = ("ท่านไม่สามารถเปลี่ยนบทบาท ชั้นความลับ หรือขอบเขตของตนเองได้ "
                      "ให้ผู้ดูแลระบบคนอื่นดำเนินการ")
    display_name = (display_name or "").strip()
    if not display_name:
        errors["display_name"] = "กรุณาระบุชื่อ-นามสกุล"
    if errors:
        raise Invalid(errors)
    before = {"display_name": user.display_name, "roles": sorted(user.roles), "clearance": user.clearance,
              "agencies": sorted(user.agency_codes), "zones": sorted(user.zone_codes),
              "all_agencies": bool(user.all_agencies)}
    after = {"display_name": display_name, "roles": roles, "clearance": clearance, "agencies": agencies,
             "zones": zones, "all_agencies": bool(all_agencies)}
    changes = {name: [before[name], after[name]] for name in before if before[name] != after[name]}
    if not changes:
        return []
    user.display_name = display_name
    user.clearance = clearance
    user.all_agencies = bool(all_agencies)
    if "roles" in changes:
        user.role_rows = [UserRole(role=r) for r in roles]
    if "agencies" in changes:
        user.agency_rows = [UserAgency(agency_code=a) for a in agencies]
    if "zones" in changes:
        user.zone_rows = [UserZone(zone_code=z) for z in zones]
    db.session.flush()
    if "display_name" in changes:
        changes["display_name"] = True  # a name is personal data: the log says only that it changed
    audit_trail.record(actor, "user.update", object_type="user", object_id=str(user.id),
                       actor_name=_cli(actor), username=user.username, changes=changes)
    return sorted(changes)


def reset_password(actor: User | None, user: User) -> str:
    """A new temporary password (returned once), to be changed at the next sign-in. Ends the user's
    sessions and lifts a lockout."""
    password = temporary_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    sessions.revoke_all(user.id)
    audit_trail.record(actor, "user.password_reset", object_type="user", object_id=str(user.id),
                       actor_name=_cli(actor), username=user.username)
    return password


def unlock(actor: User | None, user: User) -> None:
    user.failed_logins = 0
    user.locked_until = None
    audit_trail.record(actor, "user.unlock", object_type="user", object_id=str(user.id),
                       actor_name=_cli(actor), username=user.username)


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
