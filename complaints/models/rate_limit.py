"""Counters for per-address rate limits, kept in the database so that every worker process (and every
app server) sees the same numbers.

One row per (bucket, subject, minute): a sliding window is the sum of the last N minutes' rows.
"""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from complaints.extensions import db


class RateLimitCounter(db.Model):
    __tablename__ = "rate_limit_counters"

    bucket: Mapped[str] = mapped_column(String(30), primary_key=True)  # e.g. "sign_in_failure"
    subject: Mapped[str] = mapped_column(String(64), primary_key=True)  # e.g. the client address
    minute: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # Unix time // 60
    count: Mapped[int] = mapped_column(Integer, default=0)
