"""Named column mappings that registrars save and reuse for files laid out the same way."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from complaints import access
from complaints.clock import utcnow
from complaints.extensions import db
from complaints.models import ImportMapping, User
from complaints.services import audit_trail
from complaints.services.errors import Forbidden, Invalid, NotFound
from complaints.services.importing.layout import Mapping
from complaints.thai import normalize_text, thai_sorted


def _check(actor: User | None) -> None:
    if actor is not None and not access.can(actor, "case.import"):
        raise Forbidden()


def list_mappings(actor: User | None) -> list[ImportMapping]:
    _check(actor)
    return thai_sorted(db.session.scalars(select(ImportMapping)), key=lambda m: m.name)


def find(actor: User | None, name: str) -> ImportMapping | None:
    _check(actor)
    return db.session.scalar(select(ImportMapping).where(ImportMapping.name == normalize_text(name)))


def get(actor: User | None, mapping_id: int) -> ImportMapping:
    _check(actor)
    found = db.session.get(ImportMapping, mapping_id)
    if found is None:
        raise NotFound()
    return found


def save(actor: User, name: str, mapping: Mapping) -> ImportMapping:
    """Save (or replace) a mapping under a name."""
    _check(actor)
    name = normalize_text(name)
    if not name or len(name) > 100:
        raise Invalid({"mapping_name": _("กรุณาตั้งชื่อการจับคู่ (ไม่เกิน 100 ตัวอักษร)")})
    record = find(actor, name)
    if record is None:
        record = ImportMapping(name=name, created_by_id=actor.id)
        db.session.add(record)
    record.mapping, record.updated_at = mapping.to_dict(), utcnow()
    db.session.flush()
    audit_trail.record(actor, "import.mapping.save", object_type="import_mapping", object_id=str(record.id),
                       name=name, columns=len(mapping.columns))
    return record


def delete(actor: User, mapping_id: int) -> None:
    record = get(actor, mapping_id)
    audit_trail.record(actor, "import.mapping.delete", object_type="import_mapping", object_id=str(record.id),
                       name=record.name)
    db.session.delete(record)
    db.session.flush()
