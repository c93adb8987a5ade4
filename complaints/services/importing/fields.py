"""What a column of an old register can hold, and recognising it by its header.

Headers are matched after normalising (NFC, case, spaces, punctuation and hints in brackets
removed), against Thai and English synonyms: exactly first, then by a long synonym the header starts
with. A header that could mean two fields (``ประเภท``: topic or kind?) is decided by which field its
values fit.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Field:
    code: str
    label: object  # a lazy Thai string
    kind: str  # text | date | code | register | flag | year
    synonyms: tuple[str, ...]
    multi: bool = False  # several columns may feed it (joined, nothing is lost)


FIELDS: tuple[Field, ...] = (
    Field("register_no", _l("เลขทะเบียนรับ"), "register", (
        "เลขทะเบียนรับ", "เลขทะเบียน", "ทะเบียนรับ", "เลขรับ", "เลขที่รับ", "เลขที่ทะเบียนรับ", "เลขรับที่",
        "เลขที่เรื่อง", "รหัสเรื่อง", "register_no", "register no", "registration no", "reg no", "case no",
        "ticket_id", "ticket id", "ticket")),
    Field("received_date", _l("วันที่รับเรื่อง"), "date", (
        "วันที่รับเรื่อง", "วันที่รับ", "วันรับเรื่อง", "วันที่ลงรับ", "วันที่ร้องเรียน", "วันที่แจ้ง", "วันที่",
        "วันเดือนปี", "received_date", "received date", "date received", "date", "timestamp")),
    Field("kind", _l("ลักษณะเรื่อง (เรื่องลับ/เรื่องร้องเรียน)"), "code", (
        "ลักษณะเรื่อง", "ชนิดเรื่อง", "เรื่องลับ/เรื่องร้องเรียน", "kind")),
    Field("classification", _l("ชั้นความลับ"), "code", (
        "ชั้นความลับ", "ระดับความลับ", "ชั้นลับ", "classification")),
    Field("urgency", _l("ชั้นความเร็ว"), "code", (
        "ชั้นความเร็ว", "ความเร่งด่วน", "ความด่วน", "urgency", "priority")),
    Field("channel", _l("ช่องทางที่รับเรื่อง"), "code", (
        "ช่องทางที่รับเรื่อง", "ช่องทางรับเรื่อง", "ช่องทางการร้องเรียน", "ช่องทาง", "แหล่งที่มา", "ที่มาของเรื่อง",
        "channel", "source")),
    Field("agency", _l("หน่วยงาน"), "code", (
        "หน่วยงาน", "หน่วยงานที่ถูกร้องเรียน", "หน่วยงานที่รับผิดชอบ", "หน่วยงานรับผิดชอบ", "สำนักงานเขต",
        "สำนัก/เขต", "เขต", "agency", "district", "department", "organization")),
    Field("category", _l("ประเภทเรื่อง (หัวข้อ)"), "code", (
        "ประเภทเรื่อง", "หัวข้อเรื่อง", "หัวข้อ", "ประเด็นปัญหา", "ประเด็น", "ประเภทปัญหา", "ประเภทการร้องเรียน",
        "กลุ่มเรื่อง", "category", "topic", "type")),
    Field("subject", _l("เรื่อง"), "text", (
        "เรื่อง", "ชื่อเรื่อง", "เรื่องที่ร้องเรียน", "หัวเรื่อง", "เรื่องร้องเรียน", "subject", "title"), multi=True),
    Field("details", _l("รายละเอียด"), "text", (
        "รายละเอียด", "รายละเอียดเรื่อง", "รายละเอียดการร้องเรียน", "ข้อร้องเรียน", "ข้อความ", "details",
        "description", "comment", "หมายเหตุ", "notes", "remark"), multi=True),
    Field("complainant_name", _l("ชื่อผู้ร้องเรียน"), "text", (
        "ชื่อผู้ร้องเรียน", "ผู้ร้องเรียน", "ชื่อผู้ร้อง", "ผู้ร้อง", "ชื่อผู้แจ้ง", "ผู้แจ้ง", "ชื่อ-สกุล",
        "ชื่อ-นามสกุล", "complainant", "complainant name")),
    Field("complainant_contact", _l("ที่อยู่/ช่องทางติดต่อผู้ร้องเรียน"), "text", (
        "ที่อยู่ผู้ร้องเรียน", "ที่อยู่ผู้ร้อง", "ที่อยู่/ช่องทางติดต่อ", "ช่องทางติดต่อ", "เบอร์โทรศัพท์", "เบอร์โทร",
        "หมายเลขโทรศัพท์", "โทรศัพท์", "contact", "phone"), multi=True),
    Field("complainant_id_no", _l("เลขประจำตัวประชาชนผู้ร้องเรียน"), "text", (
        "เลขประจำตัวประชาชน", "เลขบัตรประชาชน", "เลขบัตรประจำตัวประชาชน", "เลขประจำตัวประชาชนผู้ร้องเรียน",
        "citizen id", "national id", "id card")),
    Field("anonymous", _l("ไม่ประสงค์ออกนาม (บัตรสนเท่ห์)"), "flag", (
        "ไม่ประสงค์ออกนาม", "บัตรสนเท่ห์", "anonymous")),
    Field("persons_concerned", _l("เจ้าหน้าที่/บุคคลที่เกี่ยวข้อง"), "text", (
        "เจ้าหน้าที่/บุคคลที่เกี่ยวข้อง", "ผู้ถูกร้องเรียน", "ผู้ถูกร้อง", "เจ้าหน้าที่ที่เกี่ยวข้อง", "บุคคลที่เกี่ยวข้อง",
        "persons concerned", "accused"), multi=True),
    Field("status", _l("สถานะ"), "code", (
        "สถานะ", "สถานะเรื่อง", "สถานะการดำเนินการ", "status")),
    Field("outcome", _l("ผลสรุป (รหัส)"), "code", (
        "ผลการพิจารณา", "ผลการตรวจสอบ", "outcome", "result")),
    Field("conclusion", _l("ผลสรุปของผู้บังคับบัญชา (ข้อความ)"), "text", (
        "ผลสรุปของผู้บังคับบัญชา", "ความเห็นผู้บังคับบัญชา", "ข้อสั่งการ", "สรุปผล", "ผลการดำเนินการ",
        "conclusion"), multi=True),
    Field("closed_date", _l("วันที่ยุติเรื่อง"), "date", (
        "วันที่ยุติเรื่อง", "วันที่ยุติ", "วันที่ปิดเรื่อง", "วันที่แล้วเสร็จ", "closed_date", "closed date",
        "date closed")),
    Field("fiscal_year", _l("ปีงบประมาณ (ใช้ตรวจสอบเท่านั้น)"), "year", (
        "ปีงบประมาณ", "ปีงบ", "fiscal year", "fiscal_year", "fy")),
)
FIELD_BY_CODE = {f.code: f for f in FIELDS}
# Headers that name a column to leave out (a running number), so it is not offered as unknown.
IGNORED_HEADERS = ("ลำดับ", "ลำดับที่", "ที่", "no", "#", "ข้อ")
# Headers that could mean two fields: decided by which one the column's values fit.
AMBIGUOUS = {
    "ประเภท": ("category", "kind"),
    "type": ("category", "kind"),
    "ผลสรุป": ("outcome", "conclusion"),
    "ผล": ("outcome", "conclusion"),
}
PREFIX_MIN = 4  # a header may start with a synonym at least this long ("รายละเอียดเพิ่มเติม")

_PUNCT = re.compile(r"[\s*:：.#_\-/\\\[\]'\"“”‘’,;]+")
_BRACKETS = re.compile(r"\([^)]*\)|（[^）]*）")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


@lru_cache(maxsize=8192)
def _header_key(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE).lower()
    without_hints = _BRACKETS.sub("", text)
    if _PUNCT.sub("", without_hints):
        text = without_hints
    return _PUNCT.sub("", text)


def header_key(text) -> str:
    """The normalised form of a header: what mappings are keyed by, so they survive cosmetic changes."""
    return _header_key(str(text or ""))


_EXACT: dict[str, list[tuple[str, int]]] = {}
for _field in FIELDS:
    for _rank, _synonym in enumerate(_field.synonyms):
        _EXACT.setdefault(header_key(_synonym), []).append((_field.code, _rank))
_IGNORED = {header_key(h) for h in IGNORED_HEADERS}


@dataclass(frozen=True)
class HeaderMatch:
    fields: tuple[str, ...]  # one field, or the candidates of an ambiguous header
    score: int  # 3 exact, 2 starts with a synonym
    rank: int  # the synonym's position (earlier = more typical)
    length: int


def match_header(key: str) -> HeaderMatch | None:
    """The field(s) a normalised header names, or ``None``."""
    if not key or key in _IGNORED:
        return None
    if key in AMBIGUOUS:
        return HeaderMatch(AMBIGUOUS[key], 3, 0, len(key))
    if key in _EXACT:
        code, rank = _EXACT[key][0]
        return HeaderMatch((code,), 3, rank, len(key))
    best = None
    for synonym, entries in _EXACT.items():
        if len(synonym) >= PREFIX_MIN and key.startswith(synonym):
            code, rank = entries[0]
            candidate = HeaderMatch((code,), 2, rank, len(synonym))
            if best is None or candidate.length > best.length:
                best = candidate
    return best


def is_ignored_header(key: str) -> bool:
    return key in _IGNORED


HEADER_LENGTH = 40  # a header cell is short; a longer text that starts with a synonym is data


def header_score(cells) -> int:
    """How many different fields the cells of a row name (to find the header row)."""
    fields = set()
    for cell in cells:
        if isinstance(cell, str) and len(cell.strip()) <= HEADER_LENGTH and (match := match_header(header_key(cell))):
            fields.add(match.fields)
    return len(fields)
