"""Keeping the audit log honest: verifying it, signed checkpoints, the state of its safeguards.

``verify`` reads the log on its own connection in one consistent snapshot (PostgreSQL REPEATABLE
READ; SQLite a deferred read transaction, which does not hold up writers), so that entries appended
meanwhile cannot look like tampering. Each verification is itself an audit entry (``audit.verify``);
the auditor's page shows the latest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import func, select, text

import audit
from audit import checkpoints
from audit.schema import APPEND_ONLY_TRIGGERS
from complaints.extensions import db, keys
from complaints.models import User
from complaints.services import audit_trail

events = audit.audit_events


def public_keys() -> dict[str, Ed25519PublicKey]:
    """The Ed25519 public keys that checkpoints may be signed with, by key id."""
    public = keys.current.audit_signing_key().public_key()
    return {checkpoints.key_id(public): public}


def _snapshot():
    connection = db.engine.connect()
    if connection.dialect.name == "postgresql":
        return connection.execution_options(isolation_level="REPEATABLE READ")
    return connection.execution_options(sqlite_begin="DEFERRED")


def verify(external: audit.Checkpoint | None = None) -> audit.Verification:
    """Verify the whole log, and that it still reaches ``external`` (a checkpoint kept off the host)."""
    with _snapshot() as connection, connection.begin():
        return audit.verify(connection, keys.current.audit_mac_key, public_keys=public_keys(), external=external)


def read_checkpoint_file(content: str | bytes) -> audit.Checkpoint:
    """Parse a checkpoint file; raises ``audit.CheckpointFileError`` (English message) when it is not one."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise audit.CheckpointFileError("the file is not UTF-8 text") from exc
    return checkpoints.read_file(content)


def missing_triggers() -> list[str]:
    """The append-only triggers that are gone (or disabled). Only someone with schema rights removes them."""
    dialect = db.engine.dialect.name
    expected = APPEND_ONLY_TRIGGERS.get(dialect, ())
    if dialect == "sqlite":
        present = set(db.session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
    elif dialect == "postgresql":
        present = set(db.session.scalars(text(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'")))
    else:
        return []
    return [name for name in expected if name not in present]


def record_verification(actor: User | None, result: audit.Verification, missing: list[str]) -> int:
    """The verification as an audit entry: what was checked and the problems found (never case data)."""
    return audit_trail.record(
        actor, "audit.verify", outcome="ok" if result.ok else "failed",
        actor_name=None if actor else "cli",
        entries=result.entries, last_seq=result.last_seq, bad_seq=result.bad_seq,
        problems=[p.as_dict() for p in result.problems[:10]],
        more_problems=max(0, len(result.problems) - 10) + result.more_problems,
        checkpoints=result.checkpoints,
        external_seq=result.external.seq if result.external else None,
        missing_triggers=missing,
    )


@dataclass
class LastVerification:
    seq: int
    at: datetime
    by: str | None  # display name, or None when run from the command line
    ok: bool
    entries: int
    last_seq: int
    bad_seq: int | None
    problems: list[dict] = field(default_factory=list)
    more_problems: int = 0
    checkpoints: int = 0
    external_seq: int | None = None
    missing_triggers: list[str] = field(default_factory=list)


def last_verification() -> LastVerification | None:
    row = db.session.execute(
        select(events.c.seq, events.c.occurred_at, events.c.outcome, events.c.details, events.c.actor_name,
               User.display_name)
        .outerjoin(User, User.id == events.c.actor_id)
        .where(events.c.action == "audit.verify")
        .order_by(events.c.seq.desc()).limit(1)
    ).first()
    if row is None:
        return None
    try:
        details = json.loads(row.details or "{}")
    except ValueError:
        details = {}
    return LastVerification(
        seq=row.seq, at=row.occurred_at, by=row.display_name, ok=row.outcome == "ok",
        entries=details.get("entries", 0), last_seq=details.get("last_seq", 0), bad_seq=details.get("bad_seq"),
        problems=details.get("problems", []), more_problems=details.get("more_problems", 0),
        checkpoints=details.get("checkpoints", 0), external_seq=details.get("external_seq"),
        missing_triggers=details.get("missing_triggers", []),
    )


def _with_public_key(checkpoint: audit.Checkpoint) -> audit.Checkpoint:
    public = keys.current.audit_signing_key().public_key()
    return replace(checkpoint, public_key=checkpoints.public_key_hex(public))


def export_checkpoint(actor: User | None, destination: str) -> audit.Checkpoint:
    """A signed checkpoint of the log's current end, for keeping off the host; the export is audited
    first, so the checkpoint covers its own entry."""
    audit_trail.record(actor, "audit.checkpoint", actor_name=None if actor else "cli", destination=destination)
    checkpoint = audit.checkpoint_head(db.session.connection(), keys.current.audit_signing_key)
    return _with_public_key(checkpoint)


def latest_checkpoint() -> audit.Checkpoint | None:
    checkpoint = checkpoints.latest(db.session.connection())
    return _with_public_key(checkpoint) if checkpoint else None


def adopt_legacy_log() -> int | None:
    """A log written before the head record and checkpoints existed gets both now, with an entry
    that says so. Returns the number of entries adopted, or None when there was nothing to do."""
    has_head = db.session.scalar(select(func.count()).select_from(audit.audit_head))
    has_checkpoints = db.session.scalar(select(func.count()).select_from(audit.audit_checkpoints))
    entries = db.session.scalar(select(func.count()).select_from(events))
    if has_head or has_checkpoints or not entries:
        return None
    audit_trail.record(None, "audit.adopt", actor_name="cli", entries=entries)
    return entries
