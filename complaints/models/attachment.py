"""Files attached to a case (PDF, JPEG, PNG, DOCX), stored encrypted under the case's data key.

The file name and the content are ciphertext bound (associated data) to the case and the file's own
id; the kind is detected from the content, never taken from the name.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, LargeBinary, String, true
from sqlalchemy.orm import Mapped, mapped_column

from complaints.clock import utcnow
from complaints.extensions import db


def new_attachment_id() -> str:
    return str(uuid.uuid4())


class Attachment(db.Model):
    __tablename__ = "attachments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_attachment_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # pdf | jpeg | png | docx, from the content
    size: Mapped[int] = mapped_column(Integer)
    name_ct: Mapped[bytes] = mapped_column(LargeBinary)
    content_ct: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # A complaint letter or an ID card names the complainant: such files are masked like the identity
    # fields. Only files the registrar marks as not identifying (a photo of the road) open for everyone
    # who may read the case.
    identifies_complainant: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
