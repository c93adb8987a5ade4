"""Wrapped data keys: one per record that has encrypted fields (a case, a survey round).

Deleting a row here destroys its record's data irrecoverably (crypto-shredding).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from complaints.clock import utcnow
from complaints.extensions import db


class DataKeyRecord(db.Model):
    __tablename__ = "data_keys"

    owner_table: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(20))
    kek_id: Mapped[str] = mapped_column(String(40), index=True)
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    rewrapped_at: Mapped[datetime | None] = mapped_column(DateTime)
