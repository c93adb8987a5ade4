"""Appending to the chain."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import Connection

from audit.schema import GENESIS_MAC, audit_events

# Any fixed 64-bit number; every append on PostgreSQL takes this transaction-level advisory lock.
PG_LOCK_KEY = 0x636F6D706C61696E  # "complain"

MAC_FIELDS = (
    "seq", "occurred_at", "actor_id", "actor_name", "action", "object_type", "object_id",
    "outcome", "request_id", "ip", "details", "prev_mac",
)


@dataclass
class AuditEvent:
    action: str
    outcome: str = "ok"
    actor_id: int | None = None
    actor_name: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    request_id: str | None = None
    ip: str | None = None
    occurred_at: datetime | None = None


def canonical_details(details: dict[str, Any]) -> str:
    return json.dumps(details or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _canonical_time(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def entry_mac(key: bytes, row: dict[str, Any]) -> str:
    """HMAC-SHA256 over an entry's fields (including the previous MAC), canonically encoded."""
    values = []
    for name in MAC_FIELDS:
        value = row[name]
        if isinstance(value, datetime):
            value = _canonical_time(value)
        values.append(value)
    message = json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def lock_for_append(connection: Connection) -> None:
    """Serialise appenders. PostgreSQL: an advisory lock held to the end of the transaction.

    SQLite: the application opens every transaction with ``BEGIN IMMEDIATE``, which already holds
    the database's single write lock, so nothing more is needed here.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})


def append(connection: Connection, key: bytes, event: AuditEvent) -> int:
    """Append one entry in the caller's transaction and return its sequence number."""
    lock_for_append(connection)
    last = connection.execute(
        select(audit_events.c.seq, audit_events.c.mac).order_by(audit_events.c.seq.desc()).limit(1)
    ).first()
    seq, prev_mac = (last.seq + 1, last.mac) if last else (1, GENESIS_MAC)
    occurred = event.occurred_at or datetime.now(UTC).replace(tzinfo=None)
    row = {
        "seq": seq,
        "occurred_at": occurred,
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": None if event.object_id is None else str(event.object_id),
        "outcome": event.outcome,
        "request_id": event.request_id,
        "ip": event.ip,
        "details": canonical_details(event.details),
        "prev_mac": prev_mac,
    }
    row["mac"] = entry_mac(key, row)
    connection.execute(audit_events.insert().values(**row))
    return seq
