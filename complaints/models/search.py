"""The blind indexes of cases: which hashed terms and names each case holds.

A ``SearchDocument`` gives each indexed case an integer that sorts by the day it was received (so that
the term table stays compact and can be read newest first), records the pipeline version it was
indexed with and copies the case's agency and classification (a search's first scope filter).
A ``SearchTerm`` is one truncated HMAC of a normalised term or name, under a key per indexed column;
nothing here is plaintext.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from complaints.clock import utcnow
from complaints.extensions import db


class SearchDocument(db.Model):
    __tablename__ = "search_documents"

    # The day received (high bits) and random low bits, assigned by search_index.new_doc_id, so that the
    # term index can be read newest first, day by day.
    doc_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                        autoincrement=False)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    version: Mapped[str] = mapped_column(String(40), index=True)
    # Copies of the case's agency and classification (metadata, not secret), kept equal to the case's by
    # search_index: a search drops candidates outside the user's scope here, before it looks up the
    # cases. The condition on the case itself still decides what is shown.
    agency_code: Mapped[str] = mapped_column(String(40))
    classification: Mapped[str] = mapped_column(String(20))
    indexed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class SearchTerm(db.Model):
    __tablename__ = "search_terms"

    # Which index: 1-3 the keyword index of subject, details, conclusion; 11-12 the name index of the
    # complainant's name and the persons concerned (see complaints.services.search_index.FIELDS).
    field: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    term: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                      autoincrement=False)
    doc_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                        ForeignKey("search_documents.doc_id", ondelete="CASCADE"),
                                        primary_key=True, index=True)
