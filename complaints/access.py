"""The access policy: the only place that decides which endpoints, cases, fields and actions a user
may reach. Everything else asks here.

Two axes limit cases: the agency scope (all agencies for executives and for users given all agencies;
otherwise the agencies and zones assigned) and the classification clearance. Roles grant capabilities;
a user with several roles gets exactly the union of their capabilities.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, false, or_, select, true

from complaints.extensions import db
from complaints.models import Agency, Case, ImportBatch, User
from complaints.models.case import ENCRYPTED_FIELDS, IDENTITY_FIELDS
from complaints.vocabulary import CLASSIFICATION_RANK, CLASSIFICATIONS, ROLES

PUBLIC = "public"  # no sign-in needed
SIGNED_IN = "signed_in"  # any signed-in user, whatever their roles

# Capability -> roles that hold it.
PERMISSIONS: dict[str, frozenset[str]] = {
    "case.read": frozenset({"registrar", "inspector", "executive"}),
    "case.create": frozenset({"registrar"}),
    "case.edit": frozenset({"registrar"}),
    "case.import": frozenset({"registrar"}),  # historical records from XLSX/CSV, within scope and clearance
    "identity.read": frozenset({"registrar"}),  # complainant identity shown without asking
    "identity.reveal": frozenset({"inspector", "executive"}),  # shown on request, with a reason, audited
    "report.read": frozenset({"registrar", "inspector", "executive"}),
    "audit.read": frozenset({"auditor"}),
    "case.viewers": frozenset({"registrar", "executive"}),  # "who viewed this case" on a case they can see
    "admin.users": frozenset({"admin"}),
    "survey.results": frozenset({"admin", "executive"}),
    "survey.manage": frozenset({"admin"}),  # rounds and questions; never who answered what
}

# Endpoint -> capability (or PUBLIC / SIGNED_IN). An endpoint missing here is refused to everyone.
ENDPOINTS: dict[str, str] = {
    "static": PUBLIC,
    "main.font": PUBLIC,
    "main.set_language": PUBLIC,
    "auth.login": PUBLIC,
    "auth.login_code": PUBLIC,  # second step of a sign-in; acts only on a password checked just before
    "auth.login_enrol": PUBLIC,  # the same, for a user who must set up the second factor first
    "auth.logout": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    "auth.reauth": SIGNED_IN,
    "account.security": SIGNED_IN,
    "account.enrol": SIGNED_IN,
    "account.recovery_codes": SIGNED_IN,
    "main.home": SIGNED_IN,
    "cases.index": "case.read",
    "cases.export_csv": "case.read",
    "cases.show": "case.read",
    "cases.new": "case.create",
    "cases.edit": "case.edit",
    "attachments.upload": "case.edit",
    "attachments.download": "case.read",
    "identity.reveal": "identity.reveal",
    "reports.top3": "report.read",
    "reports.top3_csv": "report.read",
    "reports.top3_xlsx": "report.read",
    "reports.agencies": "report.read",
    "reports.agency": "report.read",
    "reports.agency_csv": "report.read",
    "reports.agency_xlsx": "report.read",
    "reports.agency_pdf": "report.read",
    "reports.zones": "report.read",
    "reports.zones_csv": "report.read",
    "reports.zones_xlsx": "report.read",
    "survey.answer": SIGNED_IN,
    "survey.results": "survey.results",
    "survey.results_csv": "survey.results",
    "survey.results_xlsx": "survey.results",
    "survey.report": "survey.results",
    "survey_admin.index": "survey.manage",
    "survey_admin.new": "survey.manage",
    "survey_admin.edit": "survey.manage",
    "survey_admin.delete": "survey.manage",
    "survey_admin.question_new": "survey.manage",
    "survey_admin.question_edit": "survey.manage",
    "survey_admin.question_delete": "survey.manage",
    "survey_admin.question_move": "survey.manage",
    "audit_log.index": "audit.read",
    "audit_log.export_csv": "audit.read",
    "audit_log.verify": "audit.read",
    "audit_log.checkpoint": "audit.read",
    "audit_log.alerts": "audit.read",
    "identity.reveal_log": "audit.read",
    "admin.users": "admin.users",
    "admin.user_new": "admin.users",
    "admin.user_edit": "admin.users",
    "admin.user_disable": "admin.users",
    "admin.user_enable": "admin.users",
    "admin.user_unlock": "admin.users",
    "admin.user_password": "admin.users",
    "admin.user_second_factor": "admin.users",
    "imports.index": "case.import",
    "imports.upload": "case.import",
    "imports.template": "case.import",
    "imports.show": "case.import",
    "imports.update_mapping": "case.import",
    "imports.problems_csv": "case.import",
    "imports.commit": "case.import",
    "imports.status": "case.import",
    "imports.cancel": "case.import",
    "imports.delete_mapping": "case.import",
}

# Endpoints that need a recent sign-in (DESIGN §3: exports and identity reveals). The gate sends a
# user whose sign-in is older than REAUTH_MINUTES through the re-authentication page first. (The
# identity reveal asks for the password in its own form, so that the reason typed is never lost;
# ``services.identity`` enforces it there.) Every export (``.csv``/``.xlsx``) must be listed; a test
# walks the URL map for them.
RECENT_AUTH_ENDPOINTS: frozenset[str] = frozenset({
    "cases.export_csv",
    "reports.top3_csv",
    "audit_log.export_csv",
    "reports.top3_xlsx",
    "reports.agency_csv",
    "reports.agency_xlsx",
    "reports.agency_pdf",
    "reports.zones_csv",
    "reports.zones_xlsx",
    "survey.results_csv",
    "survey.results_xlsx",
    "account.enrol",  # whoever holds a stale session must not bind their own phone to the account
    "account.recovery_codes",
    "imports.problems_csv",  # the problems quote values from an uploaded register
})


def can(user: User | None, capability: str) -> bool:
    """Whether the user holds a capability through any of their roles."""
    if capability == PUBLIC:
        return True
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if capability == SIGNED_IN:
        return True
    return bool(user.roles & PERMISSIONS.get(capability, frozenset()))


def endpoint_capability(endpoint: str | None) -> str | None:
    """The capability an endpoint requires, or ``None`` when it is not declared (deny)."""
    return ENDPOINTS.get(endpoint or "")


def allows_endpoint(user: User | None, endpoint: str | None) -> bool:
    capability = endpoint_capability(endpoint)
    return capability is not None and can(user, capability)


def needs_recent_auth(endpoint: str | None) -> bool:
    return endpoint in RECENT_AUTH_ENDPOINTS


def capabilities(user: User | None) -> frozenset[str]:
    """Every capability the user holds: exactly the union over their roles."""
    return frozenset(capability for capability in PERMISSIONS if can(user, capability))


# -- cases --------------------------------------------------------------------------------------

def cleared_levels(user: User) -> list[str]:
    rank = CLASSIFICATION_RANK.get(user.clearance, -1)
    return [code for code in CLASSIFICATIONS if CLASSIFICATION_RANK[code] <= rank]


def sees_all_agencies(user: User) -> bool:
    return user.all_agencies or user.has_role("executive")


def agency_condition(user: User, column) -> ColumnElement[bool]:
    """SQL condition: ``column`` (an agency code) is in the user's scope."""
    if sees_all_agencies(user):
        return true()
    parts = []
    if user.agency_codes:
        parts.append(column.in_(sorted(user.agency_codes)))
    if user.zone_codes:
        parts.append(column.in_(select(Agency.code).where(Agency.zone_code.in_(sorted(user.zone_codes)))))
    return or_(*parts) if parts else false()


def case_condition(user: User, capability: str = "case.read") -> ColumnElement[bool]:
    """SQL condition selecting exactly the cases the user may see (or count, for ``report.read``)."""
    return scope_condition(user, Case.agency_code, Case.classification, capability)


def scope_condition(user: User, agency_column, classification_column,
                    capability: str = "case.read") -> ColumnElement[bool]:
    """The same rule over copies of a case's agency and classification held elsewhere (the search
    index's documents), for filtering early; ``case_condition`` still decides what is shown."""
    if not can(user, capability):
        return false()
    return agency_condition(user, agency_column) & classification_column.in_(cleared_levels(user))


def visible_cases(user: User) -> Select:
    """``SELECT cases`` limited to what the user may see. Every query for cases starts here."""
    return select(Case).where(case_condition(user))


def get_visible_case(user: User, case_id: str) -> Case | None:
    """One case by id, or ``None`` when it does not exist or the user may not see it (same answer)."""
    return db.session.scalar(visible_cases(user).where(Case.id == str(case_id)))


def agencies_in_scope(user: User) -> Select:
    """``SELECT agencies`` the user may see cases of."""
    if not can(user, "case.read") and not can(user, "report.read"):
        return select(Agency).where(false())
    return select(Agency).where(agency_condition(user, Agency.code))


def can_edit_case(user: User, case: Case) -> bool:
    return can(user, "case.edit") and may_enter_classification(user, case.classification)


def may_enter_classification(user: User, classification: str) -> bool:
    """Registrars cannot enter or raise a case above their own clearance."""
    return CLASSIFICATION_RANK.get(classification, 99) <= CLASSIFICATION_RANK.get(user.clearance, -1)


def classifications_for_entry(user: User) -> list[str]:
    return cleared_levels(user)


def can_reveal_identity(user: User, case: Case) -> bool:
    """Whether the user may ask to see the complainant of a case they can see (with a reason)."""
    return can(user, "identity.reveal") and can(user, "case.read")


def readable_fields(user: User, case: Case) -> set[str]:
    """The encrypted fields of a visible case that the user may read; identity is masked unless allowed."""
    return searchable_fields(user)


def searchable_fields(user: User) -> set[str]:
    """The encrypted fields a user's searches may look into: only fields they may read, since a hit on a
    masked field (the complainant's name) would tell them what it holds."""
    fields = set(ENCRYPTED_FIELDS)
    if not can(user, "identity.read"):
        fields -= set(IDENTITY_FIELDS)
    return fields


# -- imports ------------------------------------------------------------------------------------

def import_batch_condition(user: User) -> ColumnElement[bool]:
    """SQL condition: the import batches a user may see. An uploaded file is its uploader's alone."""
    if not can(user, "case.import"):
        return false()
    return ImportBatch.created_by_id == user.id


def get_import_batch(user: User, batch_id: str) -> ImportBatch | None:
    """One import batch by id, or ``None`` when it does not exist or is not the user's (same answer)."""
    return db.session.scalar(select(ImportBatch).where(import_batch_condition(user),
                                                       ImportBatch.id == str(batch_id)))


def importable_agency_codes(user: User | None) -> set[str]:
    """Agency codes a user may import cases for: the active agencies in scope (all of them for the CLI)."""
    query = select(Agency.code).where(Agency.active.is_(True))
    if user is not None:
        query = query.where(agency_condition(user, Agency.code) if can(user, "case.import") else false())
    return set(db.session.scalars(query))


def audit_case_labels(user: User, case_ids) -> dict[str, str]:
    """Register numbers of cases named in the audit log, for auditors: a reference, never content."""
    ids = sorted({str(i) for i in case_ids if i})
    if not can(user, "audit.read") or not ids:
        return {}
    return dict(db.session.execute(select(Case.id, Case.register_no).where(Case.id.in_(ids))).all())


def known_roles() -> frozenset[str]:
    return frozenset(ROLES)


def may_open_attachment(user: User, identifies_complainant: bool, revealed_recently: bool) -> bool:
    """A file that names the complainant opens like the identity itself: for users who read identity,
    or right after the user revealed it (with a reason) on this case."""
    return not identifies_complainant or can(user, "identity.read") or revealed_recently
