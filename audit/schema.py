"""The audit tables. They have their own MetaData so the package stays independent of the application.

- ``audit_events``: the chain itself, one row per entry, append-only (database triggers).
- ``audit_head``: one row recording where the chain ends (its last number and MAC, under an HMAC of
  its own). Every append moves it in the same transaction, so entries deleted from the end of the
  log leave the head pointing past them; appends continue from the head, never from the last row.
- ``audit_checkpoints``: Ed25519-signed (number, MAC) pairs written every N entries or M minutes,
  append-only; the latest can be copied off the host and given back to ``verify``.
"""

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, MetaData, String, Table, Text

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

GENESIS_MAC = "0" * 64

SEQ = BigInteger().with_variant(Integer, "sqlite")

audit_events = Table(
    "audit_events",
    metadata,
    # seq is assigned by append() under a lock: 1, 2, 3, ... without gaps.
    Column("seq", SEQ, primary_key=True, autoincrement=False),
    Column("occurred_at", DateTime, nullable=False),
    Column("actor_id", Integer, nullable=True),
    Column("actor_name", String(150), nullable=True),
    Column("action", String(60), nullable=False),
    Column("object_type", String(40), nullable=True),
    Column("object_id", String(64), nullable=True),
    Column("outcome", String(20), nullable=False),
    Column("request_id", String(40), nullable=True),
    Column("ip", String(64), nullable=True),
    # Canonical JSON of non-secret facts (ids, counts, field names). Never plaintext of case fields
    # or search terms; anything sensitive (a reveal reason) is stored encrypted by the caller.
    Column("details", Text, nullable=False, default="{}"),
    Column("prev_mac", String(64), nullable=False),
    Column("mac", String(64), nullable=False),
)

Index("ix_audit_events_object", audit_events.c.object_type, audit_events.c.object_id)
Index("ix_audit_events_actor", audit_events.c.actor_id, audit_events.c.occurred_at)
Index("ix_audit_events_action", audit_events.c.action, audit_events.c.occurred_at)
Index("ix_audit_events_occurred", audit_events.c.occurred_at)

HEAD_ID = 1

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # always HEAD_ID: one row
    Column("seq", SEQ, nullable=False),  # the number of the last entry appended
    Column("mac", String(64), nullable=False),  # that entry's MAC
    Column("head_mac", String(64), nullable=False),  # HMAC over (seq, mac) under the audit key
    Column("updated_at", DateTime, nullable=False),
    # The latest signed checkpoint (kept here so that an append needs no extra query to know when
    # the next is due; ``verify`` relies on audit_checkpoints, not on these).
    Column("checkpoint_seq", SEQ, nullable=True),
    Column("checkpoint_at", DateTime, nullable=True),
)

audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("seq", SEQ, primary_key=True, autoincrement=False),  # the entry the checkpoint covers
    Column("mac", String(64), nullable=False),  # that entry's MAC
    Column("created_at", DateTime, nullable=False),
    Column("key_id", String(16), nullable=False),  # which Ed25519 key signed it
    Column("signature", String(128), nullable=False),  # hex
)

# The database triggers that keep the log append-only (created by the migrations). ``complaints
# audit verify`` warns when one is missing: only someone with rights over the schema drops them.
APPEND_ONLY_TRIGGERS = {
    "sqlite": ("audit_events_no_update", "audit_events_no_delete", "audit_checkpoints_no_update",
               "audit_checkpoints_no_delete", "audit_head_no_delete"),
    "postgresql": ("audit_events_no_change", "audit_events_no_truncate", "audit_checkpoints_no_change",
                   "audit_checkpoints_no_truncate", "audit_head_no_delete", "audit_head_no_truncate"),
}
