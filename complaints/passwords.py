"""Password hashing (argon2id) and the password policy.

The policy: at least 12 characters, and not guessable by zxcvbn's estimate (score 3 of 4 or better),
which rejects common passwords, keyboard walks, dates and the user's own name.
"""

from __future__ import annotations

import contextlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MIN_SCORE = 3

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_DUMMY_HASH = _hasher.hash("not a password of anyone")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        _burn(password)  # the same time as a real check, so unknown accounts do not answer faster
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def _burn(password: str) -> None:
    with contextlib.suppress(VerifyMismatchError, VerificationError, InvalidHashError):
        _hasher.verify(_DUMMY_HASH, password)


def password_problems(password: str, user_inputs: list[str] | None = None) -> list[str]:
    """Reasons (in Thai) why a password is not acceptable; empty when it is."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"รหัสผ่านต้องยาวอย่างน้อย {MIN_LENGTH} ตัวอักษร")
    if len(password) > 256:
        problems.append("รหัสผ่านยาวเกิน 256 ตัวอักษร")
    if not problems:
        result = zxcvbn(password[:100], user_inputs=[s for s in (user_inputs or []) if s])
        if result["score"] < MIN_SCORE:
            problems.append(
                "รหัสผ่านนี้เดาง่ายเกินไป (เป็นคำที่ใช้กันทั่วไป รูปแบบแป้นพิมพ์ วันที่ หรือชื่อผู้ใช้) "
                "ลองใช้วลีหลายคำที่คนอื่นเดาไม่ได้"
            )
    return problems
