"""Attachments: PDF, JPEG, PNG and DOCX files of up to 20 MB, encrypted with the case's data key.

The kind is read from the content (magic bytes; a DOCX is a ZIP holding ``word/document.xml``),
never from the name or the browser's content type. The name is cleaned and given the extension of
the detected kind. Name and content are ciphertext bound to the case and the file's own id. Only users
who may edit the case upload; only users who may see it download, and every download is audited.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from complaints import access
from complaints.crypto import DataKey, DecryptionError
from complaints.extensions import db
from complaints.models import Attachment, Case, User
from complaints.models.attachment import new_attachment_id
from complaints.services import audit_trail, identity, vault
from complaints.services.errors import Forbidden, Invalid, NotFound, Unreadable

TABLE = "attachments"
MAX_BYTES = 20 * 1024 * 1024
MAX_NAME_CHARS = 120
KINDS = {
    "pdf": ("application/pdf", ".pdf", "PDF"),
    "jpeg": ("image/jpeg", ".jpg", "JPEG"),
    "png": ("image/png", ".png", "PNG"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "Word (DOCX)"),
}
UNSAFE_IN_NAME = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


@dataclass
class AttachmentInfo:
    id: str
    name: str | None  # None: the file names the complainant and this user may not open it now
    kind: str
    size: int
    uploaded_at: datetime
    identifies_complainant: bool = True

    @property
    def locked(self) -> bool:
        return self.name is None

    @property
    def label(self) -> str:
        return KINDS[self.kind][2]


@dataclass
class Download:
    name: str
    mimetype: str
    content: bytes


def detect_kind(data: bytes) -> str | None:
    """The kind of a file from its first bytes (and, for a ZIP, its table of contents)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return "docx"
    return None


def sanitise_name(raw: str | None, kind: str) -> str:
    """A file name safe to store and to offer for download: no folders, no control or invisible
    characters (such as a right-to-left override), no characters Windows refuses, at most 120 characters,
    and the extension of the detected kind."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
    name = UNSAFE_IN_NAME.sub("_", name)
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = " ".join(stem.split()).strip(" ._-")[:MAX_NAME_CHARS - 6].rstrip(" .")
    return (stem or "ไฟล์แนบ") + KINDS[kind][1]


def _row_id(attachment: Attachment) -> str:
    return f"{attachment.case_id}/{attachment.id}"


def _data_key(actor: User, case: Case, action: str) -> DataKey:
    try:
        return vault.load_data_key("cases", case.id)
    except DecryptionError as exc:
        audit_trail.record(actor, action, outcome="error", object_type="case", object_id=case.id,
                           reason="decrypt_failed")
        raise Unreadable() from exc


def _visible_case(actor: User, case_id: str, action: str) -> Case:
    case = access.get_visible_case(actor, case_id)
    if case is None:
        exists = db.session.get(Case, str(case_id)) is not None
        audit_trail.record(actor, action, outcome="denied" if exists else "not_found", object_type="case",
                           object_id=str(case_id)[:64])
        raise NotFound()
    return case


def add_attachment(actor: User, case_id: str, filename: str | None, data: bytes, *,
                   identifies_complainant: bool = True) -> Attachment:
    """Store an uploaded file encrypted. ``Invalid`` (in Thai) for a wrong kind, an empty or too big file.
    Unless the registrar says otherwise, a file is taken to name the complainant."""
    case = _visible_case(actor, case_id, "attachment.upload")
    if not access.can_edit_case(actor, case):
        audit_trail.record(actor, "attachment.upload", outcome="denied", object_type="case", object_id=case.id)
        raise Forbidden()
    kind = detect_kind(data)
    problem = None
    if not data:
        problem = "empty", "ไฟล์ว่างเปล่า กรุณาเลือกไฟล์อีกครั้ง"
    elif len(data) > MAX_BYTES:
        problem = "too_large", "ไฟล์ใหญ่เกิน 20 MB กรุณาลดขนาดไฟล์หรือแบ่งเป็นหลายไฟล์"
    elif kind is None:
        problem = "type", "รับเฉพาะไฟล์ PDF, JPEG, PNG หรือ Word (DOCX) เนื้อไฟล์นี้ไม่ใช่ชนิดที่รับ"
    if problem:
        audit_trail.record(actor, "attachment.upload", outcome="rejected", object_type="case", object_id=case.id,
                           reason=problem[0], size=len(data))
        raise Invalid({"file": problem[1]})
    data_key = _data_key(actor, case, "attachment.upload")
    attachment = Attachment(id=new_attachment_id(), case_id=case.id, kind=kind, size=len(data),
                            uploaded_by_id=actor.id, identifies_complainant=identifies_complainant)
    row_id = _row_id(attachment)
    attachment.name_ct = data_key.encrypt(sanitise_name(filename, kind), table=TABLE, column="name_ct", row_id=row_id)
    attachment.content_ct = data_key.encrypt_bytes(data, table=TABLE, column="content_ct", row_id=row_id)
    db.session.add(attachment)
    db.session.flush()
    audit_trail.record(actor, "attachment.upload", object_type="case", object_id=case.id,
                       attachment=attachment.id, kind=kind, size=len(data),
                       identifies_complainant=identifies_complainant)
    return attachment


def _may_open(actor: User, case: Case, attachment: Attachment, reveal_window: timedelta) -> bool:
    if not attachment.identifies_complainant or access.can(actor, "identity.read"):
        return True
    return access.may_open_attachment(actor, True, identity.recently_revealed(actor, case.id, reveal_window))


def list_attachments(actor: User, case: Case, reveal_window: timedelta) -> list[AttachmentInfo]:
    """The attachments of a case the user has just been allowed to view (``cases.view_case``). The names
    of files that name the complainant stay hidden from users who may not open them."""
    records = list(db.session.scalars(select(Attachment).where(Attachment.case_id == case.id)
                                      .order_by(Attachment.uploaded_at, Attachment.id)))
    if not records:
        return []
    data_key = _data_key(actor, case, "attachment.list")
    try:
        return [AttachmentInfo(id=a.id, name=data_key.decrypt(a.name_ct, table=TABLE, column="name_ct",
                                                              row_id=_row_id(a))
                               if _may_open(actor, case, a, reveal_window) else None,
                               kind=a.kind, size=a.size, uploaded_at=a.uploaded_at,
                               identifies_complainant=a.identifies_complainant) for a in records]
    except DecryptionError as exc:
        audit_trail.record(actor, "attachment.list", outcome="error", object_type="case", object_id=case.id,
                           reason="decrypt_failed")
        raise Unreadable() from exc


def open_attachment(actor: User, case_id: str, attachment_id: str, reveal_window: timedelta) -> Download:
    """Decrypt one attachment for download, after the access check, with its audit entry."""
    case = _visible_case(actor, case_id, "attachment.download")
    attachment = db.session.scalar(select(Attachment).where(Attachment.id == str(attachment_id),
                                                            Attachment.case_id == case.id))
    if attachment is None:
        audit_trail.record(actor, "attachment.download", outcome="not_found", object_type="case",
                           object_id=case.id, attachment=str(attachment_id)[:64])
        raise NotFound()
    if not _may_open(actor, case, attachment, reveal_window):
        audit_trail.record(actor, "attachment.download", outcome="denied", object_type="case", object_id=case.id,
                           attachment=attachment.id, reason="identity_masked")
        raise Forbidden()
    data_key = _data_key(actor, case, "attachment.download")
    try:
        name = data_key.decrypt(attachment.name_ct, table=TABLE, column="name_ct", row_id=_row_id(attachment))
        content = data_key.decrypt_bytes(attachment.content_ct, table=TABLE, column="content_ct",
                                         row_id=_row_id(attachment))
    except DecryptionError as exc:
        audit_trail.record(actor, "attachment.download", outcome="error", object_type="case", object_id=case.id,
                           attachment=attachment.id, reason="decrypt_failed")
        raise Unreadable() from exc
    audit_trail.record(actor, "attachment.download", object_type="case", object_id=case.id,
                       attachment=attachment.id, kind=attachment.kind, size=attachment.size)
    return Download(name=name, mimetype=KINDS[attachment.kind][0], content=content)
