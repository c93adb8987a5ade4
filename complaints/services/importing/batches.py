"""Uploaded files waiting for their commit: kept encrypted, shredded when done, cancelled or stale.

The upload is read once into a ``SourceTable`` and stored encrypted under the batch's own data key,
with the file name; only the hash, size, format and counts stay in plaintext. Committing or
cancelling deletes the ciphertext and destroys the key; an upload left alone expires after a day.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from complaints import access
from complaints.clock import utcnow
from complaints.crypto import DecryptionError
from complaints.extensions import db
from complaints.models import ImportBatch, User
from complaints.services import audit_trail, vault
from complaints.services.errors import Invalid, NotFound, Unreadable
from complaints.services.importing.layout import Mapping
from complaints.services.importing.sources import SourceTable, UnreadableFile, read_source

TABLE = "import_batches"
KEEP_UPLOADS = timedelta(hours=24)
STALLED_AFTER = timedelta(minutes=5)  # a running job that has not reported for this long has died
OPEN = ("uploaded", "failed")  # a batch in these states can be mapped, committed or cancelled


def create_batch(actor: User, filename: str, content: bytes, mapping: Mapping | None = None,
                 mapping_name: str | None = None) -> ImportBatch:
    """Read an upload and keep it encrypted until commit or cancel; audited without the file name."""
    digest = hashlib.sha256(content).hexdigest()
    try:
        table = read_source(content, filename)
    except UnreadableFile as exc:
        audit_trail.record(actor, "import.upload", outcome="error", sha256=digest, size=len(content),
                           reason="unreadable")
        raise Invalid({"file": str(exc)}) from exc
    batch = ImportBatch(created_by_id=actor.id, source_format=table.format, source_size=len(content),
                        source_sha256=digest, source_encoding=table.encoding,
                        row_count=sum(len(s.rows) for s in table.sheets),
                        mapping=(mapping or Mapping()).to_dict(), mapping_name=mapping_name)
    db.session.add(batch)
    db.session.flush()
    data_key = vault.create_data_key(TABLE, batch.id)
    batch.content_ct = data_key.encrypt_bytes(table.to_bytes(), table=TABLE, column="content_ct", row_id=batch.id)
    batch.filename_ct = data_key.encrypt((filename or "")[:255], table=TABLE, column="filename_ct", row_id=batch.id)
    db.session.flush()
    audit_trail.record(actor, "import.upload", object_type="import", object_id=batch.id, sha256=digest,
                       size=len(content), format=table.format, rows=batch.row_count)
    return batch


def get_batch(actor: User, batch_id: str, action: str = "import.view") -> ImportBatch:
    """The actor's own batch, or ``NotFound`` (audited) whether it is missing or someone else's."""
    batch = access.get_import_batch(actor, batch_id)
    if batch is None:
        audit_trail.record(actor, action, outcome="denied", object_type="import", object_id=str(batch_id)[:64])
        raise NotFound()
    return batch


def open_batch(batch: ImportBatch) -> tuple[SourceTable, str]:
    """The stored table and file name of a batch whose file has not been shredded yet."""
    if batch.content_ct is None:
        raise Invalid({"": _("ไฟล์ของการนำเข้านี้ถูกลบแล้ว กรุณาอัปโหลดใหม่")})
    try:
        data_key = vault.load_data_key(TABLE, batch.id)
        blob = data_key.decrypt_bytes(batch.content_ct, table=TABLE, column="content_ct", row_id=batch.id)
        name = data_key.decrypt(batch.filename_ct, table=TABLE, column="filename_ct", row_id=batch.id)
    except DecryptionError as exc:
        raise Unreadable() from exc
    return SourceTable.from_bytes(blob), name or ""


def file_name(batch: ImportBatch) -> str | None:
    """The uploaded file's name while the batch still holds it (it is shredded with the file)."""
    if batch.filename_ct is None:
        return None
    try:
        return vault.load_data_key(TABLE, batch.id).decrypt(batch.filename_ct, table=TABLE, column="filename_ct",
                                                             row_id=batch.id)
    except DecryptionError:
        return None


def shred(batch: ImportBatch) -> None:
    """Delete the stored file and destroy its key: nothing of it can be read again."""
    batch.content_ct = None
    batch.filename_ct = None
    vault.destroy_data_key(TABLE, batch.id)


def save_mapping(actor: User, batch: ImportBatch, mapping: Mapping) -> None:
    if batch.status not in OPEN:
        raise Invalid({"": _("การนำเข้านี้ดำเนินการไปแล้ว")})
    batch.mapping = mapping.to_dict()
    batch.updated_at = utcnow()
    db.session.flush()


def cancel(actor: User, batch: ImportBatch) -> None:
    if batch.status not in OPEN:
        raise Invalid({"": _("การนำเข้านี้ดำเนินการไปแล้ว ยกเลิกไม่ได้")})
    shred(batch)
    batch.status, batch.finished_at = "cancelled", utcnow()
    db.session.flush()
    audit_trail.record(actor, "import.cancel", object_type="import", object_id=batch.id)


def is_stalled(batch: ImportBatch) -> bool:
    return batch.status in ("queued", "running") and utcnow() - batch.updated_at > STALLED_AFTER


def queue(actor: User, batch: ImportBatch, skip_invalid: bool) -> bool:
    """Mark a batch for its commit job. Only one request can win, across every app process."""
    allowed = list(OPEN) + (["queued", "running"] if is_stalled(batch) else [])
    result = db.session.execute(
        update(ImportBatch)
        .where(ImportBatch.id == batch.id, ImportBatch.status.in_(allowed))
        .values(status="queued", skip_invalid=skip_invalid, phase="queued", progress_done=0, progress_total=0,
                message=None, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.expire(batch)
    return result.rowcount == 1


def recent(actor: User, limit: int = 20) -> list[ImportBatch]:
    return list(db.session.scalars(select(ImportBatch).where(access.import_batch_condition(actor))
                                   .order_by(ImportBatch.created_at.desc()).limit(limit)))


def purge_stale() -> int:
    """Shred uploads that were neither committed nor cancelled within a day. Returns how many."""
    cutoff = utcnow() - KEEP_UPLOADS
    stale = list(db.session.scalars(select(ImportBatch).where(ImportBatch.status.in_(OPEN),
                                                              ImportBatch.content_ct.is_not(None),
                                                              ImportBatch.updated_at < cutoff)))
    for batch in stale:
        shred(batch)
        batch.status, batch.finished_at = "expired", utcnow()
    if stale:
        db.session.flush()
        audit_trail.record(None, "import.expire", actor_name="system", count=len(stale),
                           batches=[b.id for b in stale])
    return len(stale)
