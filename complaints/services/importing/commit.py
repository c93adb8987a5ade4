"""Writing a checked import: every case sealed like a hand-entered one, one audit entry, all or nothing.

The work is arranged so that the database is written only at the end: the cases are sealed (their
data keys made, their fields encrypted, their search terms computed by ``build_sealed_case``) while
no transaction is open, then one flush writes them together with the audit entry. On SQLite that
keeps the single write lock for seconds, not for the whole import. The caller commits or rolls back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _

from complaints import access
from complaints.extensions import db
from complaints.models import User
from complaints.services import audit_trail
from complaints.services.cases import build_sealed_case
from complaints.services.errors import Forbidden, Invalid
from complaints.services.importing.plan import ImportPlan, find_existing

Progress = Callable[[str, int, int], None]  # (phase, done, total)


class ImportConflict(Exception):
    """Cases with the same register numbers were registered while this import was running."""


@dataclass
class Source:
    """What the audit entry says about the file: never its name or content."""

    sha256: str
    size: int
    format: str
    batch_id: str | None = None
    mapping_name: str | None = None


def _no_progress(_phase: str, _done: int, _total: int) -> None:
    return None


def commit_plan(actor: User | None, plan: ImportPlan, source: Source, *, skip_invalid: bool = False,
                progress: Progress = _no_progress, every: int = 100) -> dict:
    """Add the plan's ready rows to the session as sealed cases and write the one audit entry.

    ``actor`` is ``None`` for the command line. Raises ``Invalid`` when the plan may not be committed
    and ``ImportConflict`` when some register numbers were taken meanwhile (roll back, preview again).
    Returns the counts that went into the audit entry.
    """
    if actor is not None and not access.can(actor, "case.import"):
        raise Forbidden()
    if not plan.may_commit(skip_invalid):
        reasons = plan.blocking or ([_("ไม่มีแถวที่พร้อมนำเข้า")] if not plan.ready else
                                    [_("มี %(n)s แถวที่มีข้อผิดพลาด แก้ไขไฟล์หรือเลือกข้ามแถวเหล่านั้น",
                                       n=plan.count("invalid"))])
        raise Invalid({"": "; ".join(reasons)})
    ready = plan.ready
    total = len(ready)
    progress("sealing", 0, total)
    with db.session.no_autoflush:
        for done, row in enumerate(ready, start=1):
            build_sealed_case(actor, row.data, row.register_no)
            if done % every == 0 or done == total:
                progress("sealing", done, total)
        progress("saving", total, total)
        taken = find_existing({row.key for row in ready})
    if taken:
        raise ImportConflict(sorted(taken)[:20])
    db.session.flush()
    counts = {**plan.counts(), "imported": total}
    audit_trail.record(
        actor, "import.commit", object_type="import", object_id=source.batch_id,
        actor_name=None if actor else "cli", sha256=source.sha256, size=source.size, format=source.format,
        mapping=source.mapping_name, fiscal_years={str(k): v for k, v in plan.by_fiscal_year().items()},
        **counts,
    )
    return counts
