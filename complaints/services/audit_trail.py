"""Writing audit entries from services, in the caller's transaction.

The web layer binds the request id and client address for the duration of a request; the CLI
binds its own. Details must be non-secret facts (ids, counts, field names): never plaintext of case
fields or search terms.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from flask import current_app

import audit
from complaints.extensions import db, keys

_origin: ContextVar[tuple[str | None, str | None]] = ContextVar("audit_origin", default=(None, None))


def bind_origin(request_id: str | None, ip: str | None):
    """Set the request id and address that entries of this context carry; returns a reset token."""
    return _origin.set((request_id, ip))


def reset_origin(token) -> None:
    _origin.reset(token)


def record(
    actor,
    action: str,
    *,
    outcome: str = "ok",
    object_type: str | None = None,
    object_id: str | None = None,
    actor_name: str | None = None,
    **details: Any,
) -> int:
    """Append an entry to the audit chain in the current transaction; returns its number."""
    request_id, ip = _origin.get()
    event = audit.AuditEvent(
        action=action,
        outcome=outcome,
        actor_id=getattr(actor, "id", None),
        actor_name=actor_name or getattr(actor, "username", None),
        object_type=object_type,
        object_id=object_id,
        details=details,
        request_id=request_id,
        ip=ip,
    )
    keyring = keys.current
    return audit.append(db.session.connection(), keyring.audit_mac_key, event,
                        signer=keyring.audit_signing_key, policy=checkpoint_policy())


def checkpoint_policy() -> audit.CheckpointPolicy:
    """Every N entries or M minutes, from the settings (``COMPLAINTS_AUDIT_CHECKPOINT_*``)."""
    config = current_app.config
    return audit.CheckpointPolicy(every_entries=config.get("AUDIT_CHECKPOINT_ENTRIES", 500),
                                  every_minutes=config.get("AUDIT_CHECKPOINT_MINUTES", 60))
