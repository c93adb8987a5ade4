"""Revealing a complainant's identity to a user who sees it masked (inspectors, executives).

A reveal needs a written reason and a recent sign-in; it returns the identity for that one response
and writes an audit entry whose reason is encrypted: AES-256-GCM under the case's own data key, bound
to the case and to a random reveal id (so it cannot be moved to another entry), stored base64 in the
entry's details. The reason is thus covered by the audit chain's MAC like the rest of the entry,
readable by the app for auditors, and destroyed with the case when its key is shredded.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select

import audit
from complaints import access
from complaints.clock import utcnow
from complaints.crypto import DataKey, DecryptionError
from complaints.extensions import db
from complaints.models import Case, User, UserSession
from complaints.models.case import ENCRYPTED_FIELDS, IDENTITY_FIELDS
from complaints.services import audit_trail, sessions, vault
from complaints.services.cases import open_value
from complaints.services.errors import Invalid, NotFound, ReauthRequired, Unreadable

ACTION = "identity.reveal"
REASON_TABLE, REASON_COLUMN = "audit_events", "reveal_reason"
MIN_REASON, MAX_REASON = 10, 2000
events = audit.audit_events


def _reason_row(case_id: str, reveal_id: str) -> str:
    return f"{case_id}/{reveal_id}"


def _denied(actor: User, case_id: str) -> NotFound:
    exists = db.session.scalar(select(func.count()).select_from(Case).where(Case.id == str(case_id)))
    audit_trail.record(actor, ACTION, outcome="denied" if exists else "not_found", object_type="case",
                       object_id=str(case_id)[:64])
    return NotFound()


def target(actor: User, case_id: str) -> Case:
    """The case whose complainant the user asks about (metadata only); out of scope is NotFound."""
    case = access.get_visible_case(actor, case_id)
    if case is None or not access.can_reveal_identity(actor, case):
        raise _denied(actor, case_id)
    return case


def reveal(actor: User, case_id: str, reason: str, *, session: UserSession | None,
           max_age: timedelta) -> dict[str, str | None]:
    """The complainant's identity, audited with the (encrypted) reason. Raises ``ReauthRequired``
    when the user's sign-in is older than ``max_age``, ``Invalid`` without a proper reason."""
    case = target(actor, case_id)
    if case.anonymous:
        raise Invalid({"": "เรื่องนี้ผู้ร้องไม่ประสงค์ออกนาม (บัตรสนเท่ห์) จึงไม่มีข้อมูลผู้ร้องให้เปิดดู"})
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise Invalid({"reason": f"กรุณาระบุเหตุผลที่ต้องทราบตัวผู้ร้องเรียนอย่างน้อย {MIN_REASON} ตัวอักษร"})
    if len(reason) > MAX_REASON:
        raise Invalid({"reason": f"เหตุผลยาวเกิน {MAX_REASON} ตัวอักษร"})
    if not sessions.is_recent(session, max_age):
        audit_trail.record(actor, ACTION, outcome="denied", object_type="case", object_id=case.id,
                           reason="reauth_required")
        raise ReauthRequired()
    try:
        data_key = vault.load_data_key("cases", case.id)
        values = {name: open_value(data_key, case.id, name, getattr(case, ENCRYPTED_FIELDS[name]))
                  for name in IDENTITY_FIELDS}
    except DecryptionError as exc:
        audit_trail.record(actor, ACTION, outcome="error", object_type="case", object_id=case.id,
                           reason="decrypt_failed", error=str(exc)[:200])
        raise Unreadable() from exc
    reveal_id = secrets.token_hex(8)
    sealed = data_key.encrypt(reason, table=REASON_TABLE, column=REASON_COLUMN,
                              row_id=_reason_row(case.id, reveal_id))
    audit_trail.record(actor, ACTION, object_type="case", object_id=case.id, reveal_id=reveal_id,
                       fields=list(IDENTITY_FIELDS), reason_ct=base64.b64encode(sealed).decode("ascii"))
    return values


def recently_revealed(actor: User, case_id: str, within: timedelta) -> bool:
    """Whether the user revealed this case's complainant (with a reason, audited) within ``within``."""
    since = utcnow() - within
    return bool(db.session.scalar(
        select(func.count()).select_from(events).where(
            events.c.action == ACTION, events.c.outcome == "ok", events.c.actor_id == actor.id,
            events.c.object_type == "case", events.c.object_id == str(case_id), events.c.occurred_at >= since)
    ))


@dataclass
class RevealEntry:
    seq: int
    occurred_at: datetime
    actor_name: str | None
    display_name: str | None
    case_id: str
    register_no: str | None
    reason: str | None  # None: the case's key is gone (shredded) or the entry was tampered with


def reveal_log(actor: User, limit: int = 200) -> list[RevealEntry]:
    """The latest identity reveals with their reasons decrypted, for auditors. Reading them is audited."""
    rows = db.session.execute(
        select(events.c.seq, events.c.occurred_at, events.c.actor_name, events.c.object_id, events.c.details,
               User.display_name, Case.register_no)
        .outerjoin(User, User.id == events.c.actor_id)
        .outerjoin(Case, and_(Case.id == events.c.object_id, events.c.object_type == "case"))
        .where(events.c.action == ACTION, events.c.outcome == "ok")
        .order_by(events.c.seq.desc()).limit(limit)
    ).all()
    data_keys = vault.load_data_keys("cases", sorted({r.object_id for r in rows}))
    entries = []
    for row in rows:
        details = json.loads(row.details or "{}")
        reason = None
        data_key = data_keys.get(row.object_id)
        if isinstance(data_key, DataKey) and details.get("reason_ct") and details.get("reveal_id"):
            try:
                reason = data_key.decrypt(base64.b64decode(details["reason_ct"]), table=REASON_TABLE,
                                          column=REASON_COLUMN, row_id=_reason_row(row.object_id,
                                                                                   details["reveal_id"]))
            except (DecryptionError, ValueError):
                reason = None
        entries.append(RevealEntry(row.seq, row.occurred_at, row.actor_name, row.display_name, row.object_id,
                                   row.register_no, reason))
    audit_trail.record(actor, "audit.reveal_reasons", count=len(entries))
    return entries
