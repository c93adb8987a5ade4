"""The commit of an import, run in a background thread so the page can show its progress.

Works with several app processes: the batch row is claimed with one conditional UPDATE (only one
process runs a batch), progress and a heartbeat are written to that row through a separate
connection, and any process can answer the status poll. Cases, the shredding of the stored file and
the audit entry are committed together at the end, or not at all.
"""

from __future__ import annotations

import threading
import time

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from complaints import access
from complaints.clock import utcnow
from complaints.extensions import db
from complaints.models import ImportBatch, User
from complaints.services import audit_trail, importing
from complaints.services.errors import Forbidden, Invalid
from complaints.services.importing import batches

CLAIM_ATTEMPTS = 100
CLAIM_PAUSE = 0.2
PROGRESS_EVERY = 0.5  # seconds between progress writes


def start(app: Flask, batch_id: str, user_id: int, request_id: str | None, ip: str | None) -> threading.Thread:
    thread = threading.Thread(target=run, args=(app, batch_id, user_id, request_id, ip), daemon=True,
                              name=f"import-{batch_id[:8]}")
    thread.start()
    app.extensions.setdefault("import_threads", []).append(thread)
    return thread


def run(app: Flask, batch_id: str, user_id: int, request_id: str | None = None, ip: str | None = None) -> None:
    with app.app_context():
        token = audit_trail.bind_origin(request_id, ip)
        try:
            if _claim(batch_id):
                _commit(batch_id, user_id)
        finally:
            db.session.remove()
            audit_trail.reset_origin(token)


def _claim(batch_id: str) -> bool:
    """Take the queued batch. Waits while the request that queued it is still committing."""
    for _attempt in range(CLAIM_ATTEMPTS):
        with db.engine.begin() as connection:
            claimed = connection.execute(
                update(ImportBatch).where(ImportBatch.id == batch_id, ImportBatch.status == "queued")
                .values(status="running", phase="reading", updated_at=utcnow())
            ).rowcount
        if claimed:
            return True
        time.sleep(CLAIM_PAUSE)
    current_app.logger.warning("import %s was not queued; nothing to do", batch_id)
    return False


class ProgressWriter:
    """Writes phase and counts to the batch row, outside the import's transaction; never fails the job."""

    def __init__(self, batch_id: str):
        self.batch_id, self.phase, self.last = batch_id, None, 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if phase == self.phase and done < total and now - self.last < PROGRESS_EVERY:
            return
        self.phase, self.last = phase, now
        try:
            with db.engine.begin() as connection:
                connection.execute(update(ImportBatch).where(ImportBatch.id == self.batch_id)
                                   .values(phase=phase, progress_done=done, progress_total=total,
                                           updated_at=utcnow()))
        except OperationalError:
            current_app.logger.warning("progress of import %s not written (database busy)", self.batch_id)


def _failure_message(exc: Exception) -> str:
    if isinstance(exc, importing.ImportConflict):
        return _("ระหว่างนำเข้ามีการบันทึกเรื่องที่ใช้เลขทะเบียนรับเดียวกันเข้ามา ไม่มีการบันทึกข้อมูลใด ๆ "
                 "กรุณาตรวจสอบตัวอย่างอีกครั้งแล้วนำเข้าใหม่")
    if isinstance(exc, Invalid):
        return "; ".join(exc.errors.values())
    if isinstance(exc, Forbidden):
        return _("ท่านไม่มีสิทธิ์นำเข้าข้อมูล")
    return _("การนำเข้าล้มเหลว ไม่มีการบันทึกข้อมูลใด ๆ กรุณาลองใหม่หรือแจ้งผู้ดูแลระบบ")


def _commit(batch_id: str, user_id: int) -> None:
    progress = ProgressWriter(batch_id)
    user = None
    try:
        user = db.session.get(User, user_id)
        if user is None or not user.is_active or not access.can(user, "case.import"):
            raise Forbidden()
        batch = db.session.get(ImportBatch, batch_id)
        table, _name = batches.open_batch(batch)
        plan = importing.build_plan(table, importing.Mapping.from_dict(batch.mapping), importing.load_reference(user))
        source = importing.Source(batch.source_sha256, batch.source_size, batch.source_format, batch.id,
                                  batch.mapping_name)
        skip_invalid = batch.skip_invalid
        # End the reading transaction before sealing: on SQLite no lock is held while cases are encrypted.
        db.session.expunge(user)
        db.session.rollback()
        counts = importing.commit_plan(user, plan, source, skip_invalid=skip_invalid, progress=progress)
        batch = db.session.get(ImportBatch, batch_id)
        batches.shred(batch)
        batch.status, batch.phase, batch.result = "done", "done", counts
        batch.progress_done = batch.progress_total = counts["imported"]
        batch.finished_at = batch.updated_at = utcnow()
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        if not isinstance(exc, Invalid | Forbidden | importing.ImportConflict):
            current_app.logger.exception("import %s failed", batch_id)
        batch = db.session.get(ImportBatch, batch_id)
        batch.status, batch.phase, batch.message = "failed", "failed", _failure_message(exc)
        batch.finished_at = batch.updated_at = utcnow()
        actor = db.session.get(User, user_id)
        audit_trail.record(actor, "import.commit", outcome="error", object_type="import", object_id=batch_id,
                           sha256=batch.source_sha256, reason=type(exc).__name__)
        db.session.commit()
