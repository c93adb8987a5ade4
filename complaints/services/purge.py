"""Purging a case: crypto-shredding for retention limits and PDPA erasure.

The case's wrapped data key is destroyed, so its ciphertext (fields, attachments) can never be read
again, even from a backup taken before the purge; its blind-index rows, attachments and the case row
go with it. What remains is the audit trail: that the case existed, when it was purged and why.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select

from complaints.extensions import db
from complaints.models import Attachment, Case
from complaints.services import audit_trail, search_index, vault
from complaints.services.cases import TABLE
from complaints.services.errors import Invalid, NotFound

REASONS = {
    "retention": "พ้นระยะเวลาการเก็บรักษา",
    "erasure_request": "เจ้าของข้อมูลขอให้ลบ (PDPA)",
    "entered_in_error": "บันทึกผิดพลาด",
}


@dataclass
class Purged:
    case_id: str
    register_no: str
    fiscal_year: int
    attachments: int


def purge_case(actor, case_id: str, reason: str) -> Purged:
    """Destroy a case irrecoverably. For operators (the command line); the caller commits."""
    if reason not in REASONS:
        raise Invalid({"reason": "เหตุผลต้องเป็น " + ", ".join(REASONS)})
    case = db.session.get(Case, str(case_id))
    if case is None:
        raise NotFound()
    attachments = db.session.scalar(select(func.count()).select_from(Attachment)
                                    .where(Attachment.case_id == case.id)) or 0
    purged = Purged(case_id=case.id, register_no=case.register_no, fiscal_year=case.fiscal_year,
                    attachments=attachments)
    vault.destroy_data_key(TABLE, case.id)
    search_index.remove_case(case.id)
    db.session.execute(delete(Attachment).where(Attachment.case_id == case.id))
    db.session.delete(case)
    db.session.flush()
    audit_trail.record(actor, "case.purge", actor_name=None if actor else "cli", object_type="case",
                       object_id=purged.case_id, register_no=purged.register_no, fiscal_year=purged.fiscal_year,
                       agency=case.agency_code, reason=reason, attachments=attachments)
    return purged
