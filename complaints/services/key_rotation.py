"""Rotating key-encryption keys (KEKs) and retiring old ones. No field is ever re-encrypted.

A rotation makes a new KEK primary and saves the keyring file *before* any data key is wrapped with
it; then the data keys still wrapped by older KEKs are re-wrapped in batches, each committed by the
caller, so readers are never locked out for longer than one batch and an interrupted rotation simply
continues where it stopped (``kek_id`` says which keys are done). Running apps notice the changed
keyring file and reload it (``KeyringHolder.refresh``). An old KEK can be retired once it wraps
nothing.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select, tuple_

from complaints.clock import utcnow
from complaints.crypto import DecryptionError, Keyring
from complaints.extensions import db, keys
from complaints.models import DataKeyRecord
from complaints.services import audit_trail, vault
from complaints.services.errors import Invalid


class RotationBusy(RuntimeError):
    """Another rotation or retirement holds the keyring lock."""


def keyring_path() -> Path:
    keyring = keys.current
    return Path(keyring.path or current_app.config["KEYRING_PATH"])


@contextmanager
def keyring_lock() -> Iterator[None]:
    """One key operation at a time on this host (a lock file beside the keyring)."""
    path = keyring_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise RotationBusy("another key rotation or retirement is running") from exc
        yield
    finally:
        os.close(fd)


def usage() -> dict[str, int]:
    """How many data keys each KEK wraps (KEKs of the keyring that wrap nothing count 0)."""
    counts = dict(db.session.execute(
        select(DataKeyRecord.kek_id, func.count()).group_by(DataKeyRecord.kek_id)).all())
    return {kek_id: counts.get(kek_id, 0) for kek_id in sorted(set(keys.current.keks) | set(counts))}


def pending() -> int:
    """Data keys not yet wrapped by the primary KEK."""
    return db.session.scalar(select(func.count()).select_from(DataKeyRecord)
                             .where(DataKeyRecord.kek_id != keys.current.primary_kek_id)) or 0


def _save(keyring: Keyring) -> None:
    keyring.save(keyring_path())
    keys.refresh()


def begin(actor=None) -> str:
    """Make a new KEK primary and save the keyring; returns its id. The caller commits the audit entry."""
    keyring = keys.current
    new_kek = keyring.add_kek()
    _save(keyring)
    audit_trail.record(actor, "keys.rotate", actor_name=None if actor else "cli", phase="start", kek=new_kek,
                       data_keys=pending())
    return new_kek


@dataclass
class Batch:
    rewrapped: int
    failed: list[tuple[str, str]]
    cursor: tuple[str, str] | None  # (owner_table, owner_id) of the last key looked at


def rewrap_batch(size: int, after: tuple[str, str] | None = None) -> Batch:
    """Re-wrap up to ``size`` data keys that the primary KEK does not wrap yet, after ``after``."""
    keyring = keys.current
    primary = keyring.primary_kek_id
    query = (select(DataKeyRecord).where(DataKeyRecord.kek_id != primary)
             .order_by(DataKeyRecord.owner_table, DataKeyRecord.owner_id).limit(size))
    if after is not None:
        query = query.where(tuple_(DataKeyRecord.owner_table, DataKeyRecord.owner_id) > tuple_(*after))
    records = list(db.session.scalars(query))
    failed = []
    for record in records:
        try:
            data_key = vault.unwrap(record.owner_table, record.owner_id, record.key_id, record.wrapped)
        except DecryptionError:
            failed.append((record.owner_table, record.owner_id))
            continue
        record.wrapped = keyring.wrap_data_key(data_key, owner_table=record.owner_table, owner_id=record.owner_id)
        record.kek_id = primary
        record.rewrapped_at = utcnow()
    db.session.flush()
    cursor = (records[-1].owner_table, records[-1].owner_id) if records else None
    return Batch(rewrapped=len(records) - len(failed), failed=failed, cursor=cursor)


def finish(actor=None, *, rewrapped: int, failed: int) -> None:
    audit_trail.record(actor, "keys.rotate", actor_name=None if actor else "cli",
                       outcome="error" if failed else "ok", phase="done", kek=keys.current.primary_kek_id,
                       rewrapped=rewrapped, failed=failed, left=pending())


def retire(kek_id: str, actor=None) -> None:
    """Remove an old KEK from the keyring once no data key needs it."""
    keyring = keys.current
    if kek_id not in keyring.keks:
        raise Invalid({"kek": f"ไม่มีกุญแจ {kek_id} ในพวงกุญแจ"})
    if kek_id == keyring.primary_kek_id:
        raise Invalid({"kek": "กุญแจหลักปัจจุบันปลดระวางไม่ได้ ให้หมุนเวียนกุญแจ (keys rotate) ก่อน"})
    wrapped = usage().get(kek_id, 0)
    if wrapped:
        raise Invalid({"kek": f"กุญแจ {kek_id} ยังห่อกุญแจข้อมูลอยู่ {wrapped} ดอก ให้รัน keys rotate ให้เสร็จก่อน"})
    keyring.retire_kek(kek_id)
    _save(keyring)
    audit_trail.record(actor, "keys.retire", actor_name=None if actor else "cli", kek=kek_id)
