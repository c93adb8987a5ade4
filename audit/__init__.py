"""The tamper-evident audit log: a leaf package (sqlalchemy, cryptography and the stdlib only).

Every entry carries an HMAC-SHA256 over its own content and the previous entry's MAC, under a key
kept in the keyring (never in the database). Appends are serialised so the chain never forks; the
table is append-only (database triggers). ``verify`` names the first entry that is wrong.
"""

from audit.chain import AuditEvent, append, entry_mac
from audit.schema import GENESIS_MAC, audit_events, metadata
from audit.verify import Verification, verify

__all__ = [
    "GENESIS_MAC",
    "AuditEvent",
    "Verification",
    "append",
    "audit_events",
    "entry_mac",
    "metadata",
    "verify",
]
