"""The one place that reads the wall clock, so tests and time zones stay consistent.

Times are stored as naive UTC; they are shown in Bangkok time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BANGKOK = ZoneInfo("Asia/Bangkok")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def to_bangkok(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC).astimezone(BANGKOK)


def today_bangkok() -> date:
    return datetime.now(BANGKOK).date()
