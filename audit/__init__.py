"""The tamper-evident audit log: a leaf package (sqlalchemy, cryptography and the stdlib only).

Every entry carries an HMAC-SHA256 over its own content and the previous entry's MAC, under a key
kept in the keyring (never in the database). Appends are serialised so the chain never forks; the
table is append-only (database triggers); a head record and Ed25519-signed checkpoints show where
the chain ended, so that entries cut from the end are noticed too. ``verify`` names the first entry
that is wrong.
"""

from audit.chain import AuditEvent, append, checkpoint_head, entry_mac
from audit.checkpoints import Checkpoint, CheckpointFileError, CheckpointPolicy
from audit.schema import GENESIS_MAC, audit_checkpoints, audit_events, audit_head, metadata
from audit.verify import Problem, Verification, verify

__all__ = [
    "GENESIS_MAC",
    "AuditEvent",
    "Checkpoint",
    "CheckpointFileError",
    "CheckpointPolicy",
    "Problem",
    "Verification",
    "append",
    "audit_checkpoints",
    "audit_events",
    "audit_head",
    "checkpoint_head",
    "entry_mac",
    "metadata",
    "verify",
]
