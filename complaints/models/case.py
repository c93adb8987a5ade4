"""A register entry. Metadata is plaintext (for access control and statistics); everything that
identifies a person or tells the story is ciphertext under the case's data key."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from complaints.clock import utcnow
from complaints.extensions import db
from complaints.models.reference import Agency, Category
from complaints.models.user import User

# The encrypted-field contract: field name -> column holding its ciphertext. Each ciphertext is
# bound to ("cases", field name, case id) through its associated data.
ENCRYPTED_FIELDS = {
    "subject": "subject_ct",
    "details": "details_ct",
    "complainant_name": "complainant_name_ct",
    "complainant_contact": "complainant_contact_ct",
    "complainant_id_no": "complainant_id_no_ct",
    "persons_concerned": "persons_concerned_ct",
    "conclusion": "conclusion_ct",
}
IDENTITY_FIELDS = ("complainant_name", "complainant_contact", "complainant_id_no")


def new_case_id() -> str:
    return str(uuid.uuid4())


class Case(db.Model):
    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("fiscal_year", "register_no", name="uq_cases_fiscal_year_register_no"),
        Index("ix_cases_agency_year", "agency_code", "fiscal_year"),
        Index("ix_cases_received", "received_date", "created_at"),
        Index("ix_cases_year_category", "fiscal_year", "category_code"),
        # Covering index for search: from a candidate's id to everything that scope, filters and the
        # newest-first order need, without reading the row and its ciphertexts.
        Index("ix_cases_search_order", "id", "received_date", "created_at", "agency_code", "classification",
              "fiscal_year", "category_code", "status", "kind", "outcome", "assigned_inspector_id"),
        # Covers every report query (counts by agency, year, topic, status, outcome, kind; ages; the
        # viewer's clearance), so that summaries read the index alone and never the wide rows.
        Index("ix_cases_report", "agency_code", "fiscal_year", "category_code", "status", "classification",
              "outcome", "kind", "received_date", "closed_date", "assigned_inspector_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_case_id)
    register_no: Mapped[str] = mapped_column(String(40))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    received_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    classification: Mapped[str] = mapped_column(String(20), default="unclassified")
    urgency: Mapped[str] = mapped_column(String(20), default="normal")
    channel: Mapped[str] = mapped_column(String(20))
    agency_code: Mapped[str] = mapped_column(ForeignKey("agencies.code"))
    category_code: Mapped[str] = mapped_column(ForeignKey("categories.code"))
    status: Mapped[str] = mapped_column(String(20), default="received")
    outcome: Mapped[str | None] = mapped_column(String(30))
    closed_date: Mapped[date | None] = mapped_column(Date)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    assigned_inspector_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    subject_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    details_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    complainant_name_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    complainant_contact_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    complainant_id_no_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    persons_concerned_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    conclusion_ct: Mapped[bytes | None] = mapped_column(LargeBinary)

    agency: Mapped[Agency] = relationship(lazy="joined")
    category: Mapped[Category] = relationship(lazy="joined")
    assigned_inspector: Mapped[User | None] = relationship(foreign_keys=[assigned_inspector_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])


class RegisterCounter(db.Model):
    """The last automatically assigned register number of each fiscal year."""

    __tablename__ = "register_counters"

    fiscal_year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)
