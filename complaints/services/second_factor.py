"""The TOTP second factor (RFC 6238, pyotp) and single-use recovery codes.

- The TOTP secret is encrypted with AES-256-GCM under the user's own data key (``data_keys`` row
  ("users", user id), wrapped by the keyring's KEK like every case key, so ``keys rotate`` covers it),
  bound to ``users.totp_secret_ct`` of that user. The database alone never yields a secret; a reset
  destroys the key (crypto-shredding).
- A code is accepted once: the time step it matched is stored and only later steps are accepted
  afterwards, with an atomic conditional UPDATE so two workers cannot both accept the same code.
- Recovery codes are random (about 49 bits each), shown once, and stored as HMAC-SHA256 under a key
  derived from the keyring, so a stolen database cannot even be brute-forced offline. Each works once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

import pyotp
from sqlalchemy import delete, func, or_, select, update

from complaints.clock import utcnow
from complaints.crypto import DataKey, DecryptionError
from complaints.extensions import db, keys
from complaints.models import RecoveryCode, User
from complaints.services import audit_trail, sessions, vault
from complaints.services.errors import Invalid

TABLE = "users"
COLUMN = "totp_secret_ct"
STEP_SECONDS = 30
DRIFT_STEPS = 1  # accept the previous and the next time step too (clock drift, typing time)
DIGITS = 6
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/i/l: easy to read back from paper
RECOVERY_LENGTH = 10

# verify() answers
OK, BAD, REPLAYED, NOT_ENROLLED = "ok", "bad", "replayed", "not_enrolled"


def _row_id(user: User) -> str:
    return str(user.id)


def _data_key(user: User, *, create: bool = False) -> DataKey:
    try:
        return vault.load_data_key(TABLE, _row_id(user))
    except DecryptionError:
        if not create:
            raise
        return vault.create_data_key(TABLE, _row_id(user))


def _secret(user: User) -> str | None:
    if user.totp_secret_ct is None:
        return None
    return _data_key(user).decrypt(user.totp_secret_ct, table=TABLE, column=COLUMN, row_id=_row_id(user))


def _store_secret(user: User, secret: str) -> None:
    data_key = _data_key(user, create=True)
    user.totp_secret_ct = data_key.encrypt(secret, table=TABLE, column=COLUMN, row_id=_row_id(user))


def _step(now: datetime) -> int:
    return int(now.replace(tzinfo=UTC).timestamp()) // STEP_SECONDS


def _digits(code: str) -> str:
    return "".join(ch for ch in (code or "") if ch.isdigit())


def looks_like_totp(code: str) -> bool:
    cleaned = (code or "").replace(" ", "").replace("-", "")
    return cleaned.isdigit() and len(cleaned) == DIGITS


def provisioning_uri(user: User, secret: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=issuer)


# -- enrolment ----------------------------------------------------------------------------------

def pending_secret(user: User) -> str:
    """The secret of an enrolment in progress, made (and stored encrypted) on first call.

    Asking again returns the same secret, so reloading the page does not invalidate a half-scanned QR.
    """
    if user.has_second_factor:
        raise Invalid({"": "บัญชีนี้ตั้งค่ารหัสยืนยันตัวตนสองชั้นไว้แล้ว"})
    secret = None
    if user.totp_secret_ct is not None:
        try:
            secret = _secret(user)
        except DecryptionError:
            secret = None  # a destroyed key: start again
    if secret is None:
        secret = pyotp.random_base32()
        _store_secret(user, secret)
        user.totp_last_step = None
        db.session.flush()
    return secret


def confirm_enrolment(user: User, code: str, now: datetime | None = None) -> list[str]:
    """Turn the pending secret on once the user proves their app produces its codes.

    Returns the new recovery codes (plaintext, to be shown once).
    """
    now = now or utcnow()
    if user.has_second_factor or user.totp_secret_ct is None:
        raise Invalid({"code": "ไม่พบการตั้งค่าที่รอยืนยัน กรุณาเริ่มใหม่"})
    step = _match_step(user, code, now)
    if step is None or step < 0:
        audit_trail.record(user, "user.second_factor_enrol", outcome="failed", object_type="user",
                           object_id=str(user.id), reason="bad_code")
        raise Invalid({"code": "รหัส 6 หลักไม่ถูกต้อง ตรวจสอบเวลาของโทรศัพท์ให้ตรง แล้วกรอกรหัสล่าสุดจากแอป"})
    user.totp_enrolled_at = now
    codes = _new_recovery_codes(user, now)
    audit_trail.record(user, "user.second_factor_enrol", object_type="user", object_id=str(user.id),
                       recovery_codes=len(codes))
    return codes


def enrol_now(actor: User | None, user: User, now: datetime | None = None) -> tuple[str, list[str]]:
    """Enrol without a confirming code (the command line hands the secret to the user); returns
    the secret and the recovery codes."""
    now = now or utcnow()
    secret = pyotp.random_base32()
    _store_secret(user, secret)
    user.totp_enrolled_at = now
    user.totp_last_step = None
    codes = _new_recovery_codes(user, now)
    audit_trail.record(actor, "user.second_factor_enrol", object_type="user", object_id=str(user.id),
                       actor_name=None if actor else "cli", recovery_codes=len(codes), confirmed=False)
    return secret, codes


def reset(actor: User | None, user: User) -> None:
    """Remove the second factor (lost phone): secret, key and recovery codes go; sessions end."""
    user.totp_secret_ct = None
    user.totp_enrolled_at = None
    user.totp_last_step = None
    vault.destroy_data_key(TABLE, _row_id(user))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    sessions.revoke_all(user.id)
    audit_trail.record(actor, "user.second_factor_reset", object_type="user", object_id=str(user.id),
                       actor_name=None if actor else "cli", username=user.username)


# -- verification -------------------------------------------------------------------------------

def _match_step(user: User, code: str, now: datetime) -> int | None:
    """The time step whose code equals ``code`` (within the allowed drift), else ``None``."""
    digits = _digits(code)
    if len(digits) != DIGITS:
        return None
    try:
        secret = _secret(user)
    except DecryptionError:
        return None
    if secret is None:
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = _step(now)
    matched = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), digits):
            matched = step
    if matched is None:
        return None
    # Atomic: only one request (in any worker) can move the last step forward to this one.
    moved = db.session.execute(
        update(User)
        .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < matched))
        .values(totp_last_step=matched)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        return -1  # the code was right but has been used already
    db.session.expire(user, ["totp_last_step"])
    return matched


def verify_totp(user: User, code: str, now: datetime | None = None) -> str:
    """``OK``, ``BAD``, ``REPLAYED`` or ``NOT_ENROLLED``. A code is accepted at most once."""
    if not user.has_second_factor:
        return NOT_ENROLLED
    step = _match_step(user, code, now or utcnow())
    if step is None:
        return BAD
    return REPLAYED if step < 0 else OK


# -- recovery codes -----------------------------------------------------------------------------

def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _hash(user: User, code: str) -> str:
    key = keys.current.index_key("recovery_codes", "code_hash", "v1")
    return hmac.new(key, f"{user.id}:{_normalise(code)}".encode(), hashlib.sha256).hexdigest()


def _new_recovery_codes(user: User, now: datetime) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    while len(codes) < RECOVERY_CODE_COUNT:
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        code = f"{raw[:5]}-{raw[5:]}"
        if code not in codes:
            codes.append(code)
    for code in codes:
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash(user, code), created_at=now))
    db.session.flush()
    return codes


def regenerate_recovery_codes(user: User) -> list[str]:
    if not user.has_second_factor:
        raise Invalid({"": "ยังไม่ได้ตั้งค่ารหัสยืนยันตัวตนสองชั้น"})
    codes = _new_recovery_codes(user, utcnow())
    audit_trail.record(user, "user.recovery_codes", object_type="user", object_id=str(user.id), count=len(codes))
    return codes


def use_recovery_code(user: User, code: str, now: datetime | None = None) -> bool:
    """Spend a recovery code: true once per code, atomically (two workers cannot both spend it)."""
    if not user.has_second_factor or len(_normalise(code)) != RECOVERY_LENGTH:
        return False
    spent = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(user, code),
               RecoveryCode.used_at.is_(None))
        .values(used_at=now or utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    return spent == 1


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ) or 0
