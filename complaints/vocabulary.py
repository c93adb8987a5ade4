"""The coded values of the register and their labels (Thai source text, English in the catalogue).

Codes are stable and stored in the database; labels are for people.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ROLES = {
    "registrar": _l("เจ้าหน้าที่ทะเบียน"),
    "inspector": _l("ผู้ตรวจราชการ"),
    "executive": _l("ผู้บริหาร"),
    "auditor": _l("ผู้ตรวจสอบบันทึกการเข้าถึง"),
    "admin": _l("ผู้ดูแลระบบ"),
}

# Ordered from least to most restricted (ระเบียบว่าด้วยการรักษาความลับของทางราชการ พ.ศ. 2544).
CLASSIFICATIONS = {
    "unclassified": _l("ไม่มีชั้นความลับ"),
    "confidential": _l("ลับ"),
    "secret": _l("ลับมาก"),
    "top_secret": _l("ลับที่สุด"),
}
CLASSIFICATION_RANK = {code: rank for rank, code in enumerate(CLASSIFICATIONS)}

KINDS = {
    "complaint": _l("เรื่องร้องเรียน"),
    "secret_matter": _l("เรื่องลับ"),
}

URGENCIES = {
    "normal": _l("ปกติ"),
    "urgent": _l("ด่วน"),
    "very_urgent": _l("ด่วนมาก"),
    "most_urgent": _l("ด่วนที่สุด"),
}

CHANNELS = {
    "letter": _l("หนังสือ/จดหมาย"),
    "hotline_1555": _l("สายด่วน กทม. 1555"),
    "hotline_1111": _l("ศูนย์บริการประชาชน 1111"),
    "traffy": _l("Traffy Fondue"),
    "damrongdhama": _l("ศูนย์ดำรงธรรม"),
    "walk_in": _l("ยื่นด้วยตนเอง"),
    "phone": _l("โทรศัพท์"),
    "email": _l("อีเมล"),
    "referral": _l("หน่วยงานส่งต่อ"),
}

STATUSES = {
    "received": _l("รับเรื่อง"),
    "in_progress": _l("อยู่ระหว่างดำเนินการ"),
    "concluded": _l("มีผลสรุปแล้ว"),
    "closed": _l("ยุติ/ปิดเรื่อง"),
}
# Statuses of a case that still waits for work (counted as "not yet concluded" in reports).
OPEN_STATUSES = ("received", "in_progress")

# The coded supervisor's conclusion (ผลสรุปของผู้บังคับบัญชา).
OUTCOMES = {
    "substantiated": _l("มีมูล"),
    "partly_substantiated": _l("มีมูลบางส่วน"),
    "unsubstantiated": _l("ไม่มีมูล"),
    "resolved": _l("แก้ไขปัญหาแล้ว"),
    "referred": _l("ส่งหน่วยงานที่เกี่ยวข้อง"),
    "disciplinary": _l("ดำเนินการทางวินัย"),
    "terminated": _l("ยุติเรื่อง"),
}

AGENCY_KINDS = {
    "district": _l("สำนักงานเขต"),
    "department": _l("สำนัก/หน่วยงาน"),
}


def label(vocabulary: dict, code: str | None) -> str:
    """The label of a code, or the code itself when unknown (never an error on old data)."""
    if code is None:
        return ""
    return str(vocabulary.get(code, code))


def choices(vocabulary: dict, blank: str | None = None) -> list[tuple[str, str]]:
    items = [(code, str(text)) for code, text in vocabulary.items()]
    return ([("", blank)] if blank is not None else []) + items
