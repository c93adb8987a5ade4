"""Turning what people typed into the register's codes: agencies, topics, coded values, dates.

Every resolver answers ``Resolved(value, warning, error)``: a value it is sure of; a value with a
Thai warning when it had to guess (a near spelling, a keyword, a default); or a Thai error and no
value. Answers are cached per distinct text, so 10,000 rows cost a few hundred look-ups.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from flask_babel import gettext as _

from complaints.thai import BE_OFFSET, DateParseError, excel_serial_date, parse_date


@dataclass(frozen=True)
class Resolved:
    value: object = None
    warning: str | None = None
    error: str | None = None


BLANK = Resolved()
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u00a0]")


def cell_text(value) -> str:
    """A cell as clean text: NFC, invisible characters gone, spaces collapsed, line breaks kept."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, float) and value.is_integer():
        return str(int(value))
    elif isinstance(value, datetime):
        return (value.date() if value.time() == datetime.min.time() else value).isoformat()
    elif isinstance(value, date):
        return value.isoformat()
    else:
        text = str(value)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if _INVISIBLE_RE.search(text):
        text = _INVISIBLE_RE.sub(lambda m: " " if m.group() == "\u00a0" else "", text)
    if "\n" in text or "\r" in text:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        return "\n".join(" ".join(line.split()) for line in lines).strip()
    return " ".join(text.split())


def value_key(text: str) -> str:
    """How a raw value is keyed in a value mapping: case and spacing do not matter."""
    return " ".join(cell_text(text).lower().split())


def compact(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "").translate(_INVISIBLE).lower().replace("ฏ", "ฎ")
    return re.sub(r"[\s.\-_'’,()\"“”/]+", "", text)


# -- coded values -------------------------------------------------------------------------------

VOCABULARY_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "kind": {
        "complaint": ("เรื่องร้องเรียน", "ร้องเรียน", "complaint"),
        "secret_matter": ("เรื่องลับ", "secret matter", "secret_matter"),
    },
    "classification": {
        "unclassified": ("ไม่มีชั้นความลับ", "ไม่ลับ", "ปกติ", "ทั่วไป", "-", "unclassified", "none"),
        "confidential": ("ลับ", "confidential"),
        "secret": ("ลับมาก", "secret"),
        "top_secret": ("ลับที่สุด", "top secret", "top_secret"),
    },
    "urgency": {
        "normal": ("ปกติ", "-", "normal"),
        "urgent": ("ด่วน", "urgent"),
        "very_urgent": ("ด่วนมาก", "very urgent", "very_urgent"),
        "most_urgent": ("ด่วนที่สุด", "most urgent", "most_urgent"),
    },
    "channel": {
        "letter": ("หนังสือ/จดหมาย", "หนังสือ", "จดหมาย", "หนังสือร้องเรียน", "ไปรษณีย์", "letter", "mail", "post"),
        "hotline_1555": ("สายด่วน กทม. 1555", "1555", "สายด่วน 1555", "สายด่วนกทม", "hotline 1555"),
        "hotline_1111": ("ศูนย์บริการประชาชน 1111", "1111", "สำนักนายกรัฐมนตรี", "hotline 1111"),
        "traffy": ("Traffy Fondue", "traffy", "ทราฟฟี่ฟองดูว์", "ทราฟฟี่"),
        "damrongdhama": ("ศูนย์ดำรงธรรม", "ดำรงธรรม", "damrongdhama"),
        "walk_in": ("ยื่นด้วยตนเอง", "มาด้วยตนเอง", "ด้วยตนเอง", "walk-in", "walk in"),
        "phone": ("โทรศัพท์", "โทร", "phone", "telephone"),
        "email": ("อีเมล", "อีเมล์", "e-mail", "email"),
        "referral": ("หน่วยงานส่งต่อ", "ส่งต่อ", "หนังสือส่งต่อ", "referral"),
    },
    "status": {
        "received": ("รับเรื่อง", "รับเรื่องแล้ว", "รอรับเรื่อง", "รอดำเนินการ", "ใหม่", "received", "new"),
        "in_progress": ("อยู่ระหว่างดำเนินการ", "ระหว่างดำเนินการ", "กำลังดำเนินการ", "ดำเนินการ", "in progress",
                        "in_progress"),
        "concluded": ("มีผลสรุปแล้ว", "สรุปผลแล้ว", "มีผลสรุป", "concluded"),
        "closed": ("ยุติ/ปิดเรื่อง", "ปิดเรื่อง", "ปิดเรื่องแล้ว", "เสร็จสิ้น", "ดำเนินการแล้วเสร็จ", "แล้วเสร็จ",
                   "closed", "done"),
    },
    "outcome": {
        "substantiated": ("มีมูล", "มีมูลความจริง", "ข้อร้องเรียนมีมูล", "substantiated"),
        "partly_substantiated": ("มีมูลบางส่วน", "partly substantiated", "partially substantiated",
                                 "partly_substantiated"),
        "unsubstantiated": ("ไม่มีมูล", "ไม่มีมูลความจริง", "ข้อร้องเรียนไม่มีมูล", "unsubstantiated"),
        "resolved": ("แก้ไขปัญหาแล้ว", "แก้ไขแล้ว", "ดำเนินการแก้ไขแล้ว", "resolved"),
        "referred": ("ส่งหน่วยงานที่เกี่ยวข้อง", "ส่งเรื่องต่อ", "ส่งหน่วยงานอื่น", "referred"),
        "disciplinary": ("ดำเนินการทางวินัย", "ลงโทษทางวินัย", "ตั้งกรรมการสอบสวน", "สอบสวนวินัย", "disciplinary",
                         "disciplinary action"),
        "terminated": ("ยุติเรื่อง", "ยุติ", "ถอนเรื่อง", "terminated"),
    },
}
# Fields where a value that merely contains a known word is accepted (longest word wins), with a warning.
CONTAINS_OK = {"channel", "urgency"}
# A status written as a conclusion: "ยุติเรื่อง" means closed, and says the outcome too.
STATUS_FROM_OUTCOME = {"terminated": "closed"}


class VocabularyResolver:
    def __init__(self, field_code: str, vocabulary: dict, overrides: dict[str, str]):
        self.field = field_code
        self.codes = set(vocabulary)
        self.overrides = overrides
        self.index: dict[str, str] = {}
        for code, label in vocabulary.items():
            msgid = label._args[0] if hasattr(label, "_args") else str(label)
            for alias in (code, msgid, *VOCABULARY_ALIASES.get(field_code, {}).get(code, ())):
                self.index.setdefault(compact(alias) or alias, code)
        self.cache: dict[str, Resolved] = {}

    def resolve(self, raw: str) -> Resolved:
        if raw not in self.cache:
            self.cache[raw] = self._resolve(raw)
        return self.cache[raw]

    def _resolve(self, raw: str) -> Resolved:
        key = value_key(raw)
        if self.overrides.get(key) in self.codes:
            return Resolved(self.overrides[key])
        squeezed = compact(raw) or raw.strip()
        if squeezed in self.index:
            return Resolved(self.index[squeezed])
        if self.field in CONTAINS_OK:
            hits = sorted((k for k in self.index if len(k) >= 3 and k in squeezed), key=len, reverse=True)
            if hits:
                return Resolved(self.index[hits[0]], warning=_("ตีความ “%(raw)s” จากคำที่พบ กรุณาตรวจสอบ", raw=raw))
        return Resolved(error=_("ไม่รู้จักค่า “%(raw)s”", raw=raw))


# -- dates, flags, numbers ----------------------------------------------------------------------

SERIAL_RANGE = (20000, 80000)  # Excel day numbers from 1954 to 2119


def resolve_date(cell) -> Resolved:
    """A date from a cell: an Excel date, an Excel day number, or text as Thai offices write it."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return BLANK
    if isinstance(cell, datetime):
        cell = cell.date()
    if isinstance(cell, date):
        if cell.year >= 2400:  # a B.E. year typed into a date cell of an English Excel
            try:
                return Resolved(cell.replace(year=cell.year - BE_OFFSET))
            except ValueError:
                return Resolved(error=_("ไม่มีวันที่ %(d)s ในปฏิทิน", d=cell.isoformat()))
        return Resolved(cell)
    if isinstance(cell, bool):
        return Resolved(error=_("“%(raw)s” ไม่ใช่วันที่", raw=cell))
    if isinstance(cell, int | float):
        if SERIAL_RANGE[0] <= cell <= SERIAL_RANGE[1]:
            return Resolved(excel_serial_date(cell))
        return Resolved(error=_("ตัวเลข %(raw)s ไม่ใช่วันที่", raw=cell_text(cell)))
    return _date_from_text(cell_text(cell))


@lru_cache(maxsize=8192)
def _date_from_text(text: str) -> Resolved:
    try:
        return Resolved(parse_date(text, excel_serial=True))
    except DateParseError as exc:
        return Resolved(error=str(exc))


TRUE_WORDS = {"ใช่", "ไม่ประสงค์ออกนาม", "บัตรสนเท่ห์", "✓", "✔", "/", "x", "y", "yes", "true", "1", "จริง"}
FALSE_WORDS = {"ไม่ใช่", "ไม่", "n", "no", "false", "0", "เท็จ", "-"}
ANONYMOUS_NAMES = {"ไม่ประสงค์ออกนาม", "บัตรสนเท่ห์", "ไม่ระบุชื่อ", "ไม่ระบุ", "ไม่ทราบชื่อ", "anonymous", "-"}


def resolve_flag(cell) -> Resolved:
    text = value_key(cell_text(cell))
    if not text:
        return BLANK
    if text in TRUE_WORDS:
        return Resolved(True)
    if text in FALSE_WORDS:
        return Resolved(False)
    return Resolved(error=_("ค่า “%(raw)s” ควรเป็น ใช่ หรือ ไม่ใช่", raw=cell_text(cell)))


def is_anonymous_name(text: str) -> bool:
    return value_key(text) in ANONYMOUS_NAMES


def check_id_no(text: str) -> Resolved:
    """A Thai national ID (13 digits with a check digit); anything else is kept, with a warning."""
    digits = re.sub(r"[\s\-]", "", text)
    if not digits:
        return BLANK
    if not (digits.isdigit() and len(digits) == 13):
        return Resolved(text, warning=_("เลขประจำตัวประชาชนไม่ครบ 13 หลัก"))
    total = sum(int(d) * (13 - i) for i, d in enumerate(digits[:12]))
    if (11 - total % 11) % 10 != int(digits[12]):
        return Resolved(digits, warning=_("เลขประจำตัวประชาชนไม่ผ่านการตรวจเลขหลักสุดท้าย"))
    return Resolved(digits)


def resolve_year(cell) -> Resolved:
    text = cell_text(cell)
    if not text:
        return BLANK
    match = re.fullmatch(r"(?:ปีงบประมาณ|ปีงบ|พ\.ศ\.|fy)?\s*(\d{2}|\d{4})", text.lower())
    if not match:
        return Resolved(error=_("“%(raw)s” ไม่ใช่ปีงบประมาณ", raw=text))
    year = int(match.group(1))
    if year < 100:
        year += 2500
    elif year < 2400:
        year += BE_OFFSET
    return Resolved(year)
