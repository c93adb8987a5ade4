"""The audit table. It has its own MetaData so the package stays independent of the application."""

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

audit_events = Table(
    "audit_events",
    metadata,
    # seq is assigned by append() under a lock: 1, 2, 3, ... without gaps.
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
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
