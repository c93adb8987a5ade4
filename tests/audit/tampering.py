"""What an attacker with write access to the database does to the log: bypass the append-only
triggers (SQLite: drop them; PostgreSQL: ``session_replication_role = replica``) and rewrite rows."""

from __future__ import annotations

from sqlalchemy import select, text

import audit
from audit.schema import APPEND_ONLY_TRIGGERS
from complaints.extensions import db


def bypass_triggers() -> None:
    """In the session's transaction: the triggers no longer stop UPDATE and DELETE."""
    if db.engine.dialect.name == "sqlite":
        for name in APPEND_ONLY_TRIGGERS["sqlite"]:
            db.session.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
    else:
        db.session.execute(text("SET LOCAL session_replication_role = replica"))


def tamper(*statements: str, **params) -> None:
    """Run SQL against the log with the triggers bypassed, and commit."""
    bypass_triggers()
    for statement in statements:
        db.session.execute(text(statement), params)
    db.session.commit()


def entry(seq: int) -> dict:
    return dict(db.session.execute(select(audit.audit_events).where(audit.audit_events.c.seq == seq)).mappings().one())


def renumber(first: int, shift: int) -> None:
    """Move entries #first.. by ``shift`` (two steps, so no number is ever taken twice)."""
    tamper(f"UPDATE audit_events SET seq = -(seq + {shift}) WHERE seq >= {first}",
           "UPDATE audit_events SET seq = -seq WHERE seq < 0")


def forged(seq: int, prev_mac: str, **fields) -> dict:
    """A plausible entry made without the MAC key (the attacker's best effort)."""
    from datetime import datetime

    row = {"seq": seq, "occurred_at": datetime(2026, 1, 1, 3, 0), "actor_id": None, "actor_name": "ghost",
           "action": "auth.login", "object_type": None, "object_id": None, "outcome": "ok", "request_id": None,
           "ip": None, "details": "{}", "prev_mac": prev_mac, **fields}
    row["mac"] = audit.entry_mac(b"not the register's key, a guess...", row)
    return row


def insert(row: dict) -> None:
    bypass_triggers()
    db.session.execute(audit.audit_events.insert().values(**row))
    db.session.commit()
