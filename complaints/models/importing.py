"""Imports of historical records: an uploaded file waiting for its commit, and saved column mappings.

The uploaded file holds personal data in plaintext, so a batch keeps it only encrypted under its own
data key (``data_keys`` row ``import_batches``/id); the commit or a cancel deletes the ciphertext and
destroys the key. The plaintext columns say how far the work is and what it counted, nothing more.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from complaints.clock import utcnow
from complaints.extensions import db

BATCH_STATUSES = ("uploaded", "queued", "running", "done", "failed", "cancelled", "expired")


def new_batch_id() -> str:
    return str(uuid.uuid4())


class ImportBatch(db.Model):
    __tablename__ = "import_batches"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_batch_id)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)  # also the job's heartbeat
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20), default="uploaded")
    source_format: Mapped[str] = mapped_column(String(10))
    source_size: Mapped[int] = mapped_column(Integer)
    source_sha256: Mapped[str] = mapped_column(String(64))
    source_encoding: Mapped[str | None] = mapped_column(String(60))
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    filename_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    content_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    mapping_name: Mapped[str | None] = mapped_column(String(100))
    skip_invalid: Mapped[bool] = mapped_column(Boolean, default=False)
    phase: Mapped[str | None] = mapped_column(String(20))
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[dict | None] = mapped_column(JSON)
    message: Mapped[str | None] = mapped_column(Text)


class ImportMapping(db.Model):
    """A named, reusable column mapping (with value mappings and defaults), shared by registrars."""

    __tablename__ = "import_mappings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
