"""Appending to the chain."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection

from audit import checkpoints
from audit.schema import GENESIS_MAC, HEAD_ID, audit_events, audit_head

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
    message = json.dumps(values, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def head_mac(key: bytes, seq: int, mac: str) -> str:
    """HMAC over the head record, so that it cannot be moved back without the key."""
    message = b"complaints-audit-head:v1\n%d\n%s" % (int(seq), str(mac).encode("ascii", "replace"))
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def lock_for_append(connection: Connection) -> None:
    """Serialise appenders. PostgreSQL: an advisory lock held to the end of the transaction.

    SQLite: the application opens every transaction with ``BEGIN IMMEDIATE``, which already holds
    the database's single write lock, so nothing more is needed here.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})


# Built once: an append runs three statements (read the head, insert, move the head).
_READ_HEAD = select(
    audit_head.c.seq, audit_head.c.mac, audit_head.c.checkpoint_seq, audit_head.c.checkpoint_at,
    select(func.max(audit_events.c.seq)).scalar_subquery().label("last_seq"),
).where(audit_head.c.id == HEAD_ID)
_INSERT = audit_events.insert()
_MOVE_HEAD = audit_head.update().where(audit_head.c.id == HEAD_ID)
_NEW_HEAD = audit_head.insert()


@dataclass
class _Position:
    after: int  # the number the next entry follows
    prev_mac: str  # the MAC it links to
    checkpoint_seq: int | None
    checkpoint_at: datetime | None


def _position(connection: Connection) -> _Position:
    """Where the next entry goes.

    The head record is the truth: after entries were deleted from the end, the next entry still
    follows the head (the gap stays visible); after rows were slipped in past the head, the next
    entry takes a fresh number but links to the head (the intruders stay visible).
    """
    head = connection.execute(_READ_HEAD).first()
    if head is not None:
        return _Position(max(int(head.seq), int(head.last_seq or 0)), head.mac, head.checkpoint_seq,
                         head.checkpoint_at)
    # No head yet: a new log, or one written before the head record existed.
    last = connection.execute(select(audit_events.c.seq, audit_events.c.mac)
                              .order_by(audit_events.c.seq.desc()).limit(1)).first()
    latest = checkpoints.latest(connection)
    return _Position(int(last.seq) if last else 0, last.mac if last else GENESIS_MAC,
                     latest.seq if latest else None, latest.created_at if latest else None)


def append(
    connection: Connection,
    key: bytes,
    event: AuditEvent,
    *,
    signer: checkpoints.Signer | None = None,
    policy: checkpoints.CheckpointPolicy | None = None,
) -> int:
    """Append one entry in the caller's transaction and return its sequence number.

    With a ``signer`` and a ``policy``, a signed checkpoint is written too when one is due.
    """
    lock_for_append(connection)
    position = _position(connection)
    seq = position.after + 1
    now = datetime.now(UTC).replace(tzinfo=None)
    occurred = event.occurred_at or now
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
        "prev_mac": position.prev_mac,
    }
    row["mac"] = entry_mac(key, row)
    connection.execute(_INSERT, row)
    checkpoint_seq, checkpoint_at = position.checkpoint_seq, position.checkpoint_at
    if signer is not None and policy is not None and policy.due(seq, now, checkpoint_seq, checkpoint_at):
        checkpoints.write(connection, signer, seq, row["mac"], now)
        checkpoint_seq, checkpoint_at = seq, now
    head = {"seq": seq, "mac": row["mac"], "head_mac": head_mac(key, seq, row["mac"]), "updated_at": now,
            "checkpoint_seq": checkpoint_seq, "checkpoint_at": checkpoint_at}
    if connection.execute(_MOVE_HEAD, head).rowcount == 0:
        connection.execute(_NEW_HEAD, {"id": HEAD_ID, **head})
    return seq


def checkpoint_head(connection: Connection, signer: checkpoints.Signer) -> checkpoints.Checkpoint | None:
    """A signed checkpoint of the chain's current end (reusing the latest if it is already there)."""
    lock_for_append(connection)
    head = connection.execute(
        select(audit_head.c.seq, audit_head.c.mac).where(audit_head.c.id == HEAD_ID)).first()
    if head is None:
        last = connection.execute(select(audit_events.c.seq, audit_events.c.mac)
                                  .order_by(audit_events.c.seq.desc()).limit(1)).first()
        if last is None:
            return None
        head = last
    existing = checkpoints.at(connection, int(head.seq))
    if existing is not None:
        return existing
    checkpoint = checkpoints.write(connection, signer, int(head.seq), head.mac)
    connection.execute(_MOVE_HEAD, {"checkpoint_seq": checkpoint.seq, "checkpoint_at": checkpoint.created_at})
    return checkpoint
