"""Per-record data keys: creating, wrapping, unwrapping and destroying them.

The keyring's KEKs wrap each record's data key; the wrapped key lives in ``data_keys``. Nothing
here decides who may decrypt: callers have asked ``access`` first.
"""

from __future__ import annotations

from sqlalchemy import delete, inspect, select

from complaints.crypto import DataKey, DecryptionError, UnknownKeyError
from complaints.extensions import db, keys
from complaints.models import DataKeyRecord


def create_data_key(owner_table: str, owner_id: str) -> DataKey:
    keys.refresh()  # a rotation in another process may have made a new primary KEK
    data_key = DataKey.generate()
    wrapped = keys.current.wrap_data_key(data_key, owner_table=owner_table, owner_id=owner_id)
    db.session.add(
        DataKeyRecord(
            owner_table=owner_table,
            owner_id=owner_id,
            key_id=data_key.key_id,
            kek_id=keys.current.primary_kek_id,
            wrapped=wrapped,
        )
    )
    return data_key


def unwrap(owner_table: str, owner_id: str, key_id: str, wrapped: bytes) -> DataKey:
    """Unwrap one stored data key. A KEK the keyring lacks may be new (a rotation in another process):
    the keyring file is read again once."""
    try:
        return keys.current.unwrap_data_key(wrapped, owner_table=owner_table, owner_id=owner_id, data_key_id=key_id)
    except UnknownKeyError:
        if not keys.refresh():
            raise
    return keys.current.unwrap_data_key(wrapped, owner_table=owner_table, owner_id=owner_id, data_key_id=key_id)


def _unwrap(record: DataKeyRecord) -> DataKey:
    return unwrap(record.owner_table, record.owner_id, record.key_id, record.wrapped)


def load_data_key(owner_table: str, owner_id: str) -> DataKey:
    record = db.session.get(DataKeyRecord, (owner_table, owner_id))
    if record is None:
        raise DecryptionError(f"{owner_table} {owner_id} has no data key (destroyed or never made)")
    return _unwrap(record)


def load_data_keys(owner_table: str, owner_ids: list[str]) -> dict[str, DataKey | DecryptionError]:
    """Data keys of many records in one query; a key that fails to unwrap maps to its error."""
    found: dict[str, DataKey | DecryptionError] = {}
    if not owner_ids:
        return found
    rows = db.session.scalars(
        select(DataKeyRecord).where(
            DataKeyRecord.owner_table == owner_table, DataKeyRecord.owner_id.in_(owner_ids)
        )
    )
    for record in rows:
        try:
            found[record.owner_id] = _unwrap(record)
        except DecryptionError as exc:
            found[record.owner_id] = exc
    for owner_id in owner_ids:
        found.setdefault(owner_id, DecryptionError(f"{owner_table} {owner_id} has no data key"))
    return found


def destroy_data_key(owner_table: str, owner_id: str) -> None:
    """Crypto-shredding: without its data key a record's ciphertext can never be read again."""
    db.session.execute(
        delete(DataKeyRecord).where(
            DataKeyRecord.owner_table == owner_table, DataKeyRecord.owner_id == owner_id
        )
    )


def keyring_problem() -> str | None:
    """Why the loaded keyring cannot be this database's, or ``None``. Run at start-up (fail closed):
    one data key per KEK in use must unwrap, and the newest audit entry's MAC must verify."""
    import hmac

    import audit

    tables = set(inspect(db.engine).get_table_names())
    keyring = keys.current
    if "data_keys" in tables:
        for kek_id in db.session.scalars(select(DataKeyRecord.kek_id).distinct()):
            record = db.session.scalar(select(DataKeyRecord).where(DataKeyRecord.kek_id == kek_id).limit(1))
            if kek_id not in keyring.keks:
                return (f"the keyring lacks key-encryption key {kek_id}, which wraps data keys in this database "
                        "(wrong keyring file, or an old backup of it)")
            try:
                _unwrap(record)
            except DecryptionError:
                return f"key-encryption key {kek_id} of this keyring does not unwrap this database's data keys"
    if "audit_events" in tables:
        last = db.session.execute(select(audit.audit_events).order_by(audit.audit_events.c.seq.desc())
                                  .limit(1)).mappings().first()
        if last is not None and not hmac.compare_digest(audit.entry_mac(keyring.audit_mac_key, dict(last)),
                                                        last["mac"]):
            return "the keyring's audit key does not verify this database's audit log (wrong keyring file?)"
    return None
