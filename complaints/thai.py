"""Thai calendar and text: Buddhist-era dates, fiscal years, collation.

Buddhist era (พ.ศ.) = Gregorian year + 543. A Thai government fiscal year runs from
1 October to 30 September and is named by the later B.E. year: FY 2564 is
1 Oct 2020 to 30 Sep 2021.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pythainlp.util import collate as _collate
from pythainlp.util import thai_strftime

BE_OFFSET = 543

MONTHS_FULL = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)
MONTHS_ABBR = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)
MONTHS_EN = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
BANGKOK = ZoneInfo("Asia/Bangkok")
EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of Excel's 1900 date system (with its 1900 leap-year bug)


class DateParseError(ValueError):
    """The text is not a date this module understands; the message is in Thai."""


def fiscal_year(day: date) -> int:
    """The B.E. fiscal year that a date belongs to."""
    return day.year + BE_OFFSET + (1 if day.month >= 10 else 0)


def fiscal_year_bounds(fy: int) -> tuple[date, date]:
    """First and last day of a B.E. fiscal year."""
    year = fy - BE_OFFSET
    return date(year - 1, 10, 1), date(year, 9, 30)


def parse_fiscal_years(text: str | None, *, longest: int = 20) -> list[int] | None:
    """Fiscal years from ``"2564"`` or a range ``"2563-2565"``: ``[]`` for blank (every year), ``None``
    when the text is not a year or a sensible range."""
    raw = (text or "").strip().translate(THAI_DIGITS).replace(" ", "")
    if not raw:
        return []
    start, dash, end = raw.partition("-")
    if not dash:
        end = start
    if not (start.isdigit() and end.isdigit() and len(start) == len(end) == 4):
        return None
    first, last = int(start), int(end)
    if not (2400 <= first <= last <= first + longest):
        return None
    return list(range(first, last + 1))


def format_date(day: date | datetime | None, style: str = "short") -> str:
    """A date in the Buddhist era: short ``15 ม.ค. 2564``, long ``15 มกราคม 2564``, numeric ``15/01/2564``."""
    if day is None:
        return ""
    if style == "numeric":
        return f"{day.day:02d}/{day.month:02d}/{day.year + BE_OFFSET}"
    if isinstance(day, date) and not isinstance(day, datetime):
        day = datetime(day.year, day.month, day.day)
    pattern = {"short": "%-d %b %Y", "long": "%-d %B %Y", "datetime": "%-d %b %Y %H:%M"}[style]
    return thai_strftime(day, pattern)


def _year(raw: str) -> int:
    value = int(raw)
    if len(raw) <= 2:  # "64" in a Thai register means 2564
        return value + 2500 - BE_OFFSET
    if value >= 2400:
        return value - BE_OFFSET
    if 1900 <= value <= 2200:
        return value
    raise DateParseError(f"ปี {raw} ไม่ถูกต้อง")


def _month(raw: str) -> int:
    token = raw.strip().lower().rstrip(".")
    if token.isdigit():
        return int(token)
    for index, (full, abbr, english) in enumerate(zip(MONTHS_FULL, MONTHS_ABBR, MONTHS_EN, strict=True)):
        if token in (full, abbr.rstrip("."), abbr.replace(".", ""), english, english[:3]):
            return index + 1
    raise DateParseError(f"ไม่รู้จักเดือน “{raw}”")


_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_WORDS = re.compile(r"^(\d{1,2})\s*([^\d\s]+(?:\s*[^\d\s]+)*?)\s*(?:พ\.ศ\.|ค\.ศ\.)?\s*(\d{2}|\d{4})$")
_MONTH_FIRST = re.compile(r"^([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})$")
_SERIAL = re.compile(r"^\d{1,6}(?:\.\d+)?$")
_LEADING = re.compile(r"^(?:ลงวันที่|วันที่|วัน)\s*")
# A time after the date: "10:30", "10.30 น.", "เวลา 10:30:15", "T13:27:54.48+00".
_TIME = re.compile(
    r"(?:\s*,\s*|\s+|T)(?:เวลา\s*)?\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?\s*(?:น\.?|นาฬิกา)?"
    r"\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?$"
)


def excel_serial_date(value: float) -> date:
    """The date of an Excel serial day number (1900 date system, as Thai offices' Excel uses)."""
    days = int(value)
    if not 1 <= days <= 2958465:
        raise DateParseError(f"เลข {value} ไม่ใช่วันที่ของ Excel")
    return EXCEL_EPOCH + timedelta(days=days)


def _aware_timestamp(text: str) -> date | None:
    """A timestamp with a UTC offset (``2023-05-12 13:27:54+00``) as a date in Bangkok."""
    if not re.search(r"\d[T ]\d{1,2}:\d{2}.*(?:Z|[+-]\d{2}(?::?\d{2})?)$", text):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(BANGKOK).date()


def parse_date(text: str, *, excel_serial: bool = False) -> date:
    """Parse a date as Thai offices write it.

    Accepts ``15/01/2564``, ``15-1-64``, ``15 ม.ค. 2564``, ``15 มกราคม 2564``, ``วันที่ 15 ม.ค. 64``,
    ``2021-01-15``, Gregorian ``15/01/2021``, ``15 Jan 2021`` and ``January 15, 2021``, each optionally
    followed by a time (``10:30``, ``10.30 น.``). A timestamp with a UTC offset
    (``2023-05-12 20:27:54+00``) gives its date in Bangkok. Years of 2400 and above are Buddhist era;
    two-digit years are Buddhist era (``64`` = 2564). With ``excel_serial`` a bare day number such as
    ``44211`` is read as an Excel serial date.
    """
    cleaned = " ".join(unicodedata.normalize("NFC", (text or "").translate(THAI_DIGITS)).split())
    if not cleaned:
        raise DateParseError("กรุณาระบุวันที่")
    if excel_serial and _SERIAL.match(cleaned):
        return excel_serial_date(float(cleaned))
    if (aware := _aware_timestamp(cleaned)) is not None:
        return aware
    cleaned = _TIME.sub("", _LEADING.sub("", cleaned)).strip()
    try:
        if match := _ISO.match(cleaned):
            year = int(match.group(1))
            year = year - BE_OFFSET if year >= 2400 else year
            return date(year, int(match.group(2)), int(match.group(3)))
        if match := _NUMERIC.match(cleaned):
            return date(_year(match.group(3)), int(match.group(2)), int(match.group(1)))
        if match := _WORDS.match(cleaned):
            return date(_year(match.group(3)), _month(match.group(2)), int(match.group(1)))
        if match := _MONTH_FIRST.match(cleaned):
            return date(_year(match.group(3)), _month(match.group(1)), int(match.group(2)))
    except ValueError as exc:
        if isinstance(exc, DateParseError):
            raise
        raise DateParseError(f"ไม่มีวันที่ “{text}” ในปฏิทิน") from exc
    raise DateParseError(f"อ่านวันที่ “{text}” ไม่ได้ ใช้รูปแบบ วว/ดด/ปปปป เช่น 15/01/2564")


def normalize_text(text: str) -> str:
    """NFC, collapsed whitespace: the form that Thai text is compared and indexed in."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def thai_sorted(items: Iterable, key=None) -> list:
    """Sort by Thai collation (not code points), optionally by a key function."""
    items = list(items)
    if key is None:
        return _collate(items)
    keys = _collate(list({key(item) for item in items}))
    order = {value: index for index, value in enumerate(keys)}
    return sorted(items, key=lambda item: order[key(item)])
