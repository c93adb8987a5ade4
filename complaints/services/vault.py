"""Per-record data keys: creating, wrapping, unwrapping and destroying them.

The keyring's KEKs wrap each record's data key; the wrapped key lives in ``data_keys``. Nothing
here decides who may decrypt: callers have asked ``access`` first.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from complaints.crypto import DataKey, DecryptionError
from complaints.extensions import db, keys
from complaints.models import DataKeyRecord


def create_data_key(owner_table: str, owner_id: str) -> DataKey:
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


def _unwrap(record: DataKeyRecord) -> DataKey:
    return keys.current.unwrap_data_key(
        record.wrapped, owner_table=record.owner_table, owner_id=record.owner_id, data_key_id=record.key_id
    )


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
