"""Finding cases by keyword and by name without decrypting the register.

One search box: the query is looked up in the keyword index (subject, details, conclusion) and, as a
whole name, in the name index (persons concerned; the complainant's name only for users who may see
complainants). In SQL, candidates are limited to what the user may see and to the chosen filters
first; then each candidate is decrypted and checked against the query, in date order, and only the
cases that really match are shown or counted. The audit entry records how many words were searched
and how many cases matched, never the words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import ColumnElement, and_, bindparam, exists, func, or_, select, union, union_all
from sqlalchemy.orm import aliased

from complaints import access
from complaints.crypto import DataKey, DecryptionError
from complaints.extensions import db
from complaints.models import ENCRYPTED_FIELDS, Case, SearchDocument, SearchTerm, User
from complaints.search_text import (
    MAX_QUERY_CHARS,
    MAX_QUERY_WORDS,
    QueryWord,
    names_in,
    normalise_name,
    normalise_text,
    query_words,
)
from complaints.services import audit_trail, search_index, vault
from complaints.services.cases import TABLE, CaseFilters, CasePage, CaseRow, filtered_query, open_value
from complaints.services.errors import Forbidden, Invalid

TEXT_FIELDS = tuple(search_index.KEYWORD_FIELDS)
MIN_NAME_CHARS = 4
POSTINGS_CAP = 20_000  # index rows counted per term to find the rarest of several
MAX_DOC_ID = 2**63 - 1  # no upper bound on document ids
NO_LIMIT = 2**63 - 1  # a LIMIT that keeps every row
CHUNK = 1000
CANDIDATE_COLUMNS = ("subject_ct", "details_ct", "conclusion_ct")
assert tuple(ENCRYPTED_FIELDS[name] for name in TEXT_FIELDS) == CANDIDATE_COLUMNS
# Fixed text; only the number of placeholders in IN (...) varies.
FETCH_CANDIDATES = (
    "SELECT c.id, c.subject_ct, c.details_ct, c.conclusion_ct, k.key_id, k.wrapped FROM cases c "
    "LEFT JOIN data_keys k ON k.owner_table = 'cases' AND k.owner_id = c.id WHERE c.id IN ({})"
)


@dataclass(frozen=True)
class SearchQuery:
    """What the user typed, normalised: the words for the keyword index and the whole name."""

    words: tuple[QueryWord, ...]
    name: str

    @property
    def terms(self) -> int:
        """How many words were searched (what the audit log may know about a query)."""
        return max(len(self.words), 1 if self.name else 0)


@dataclass
class SearchPage(CasePage):
    terms: int = 0
    truncated: bool = False  # more candidates than SEARCH_VERIFY_LIMIT: the result is partial
    unreadable: list[str] = field(default_factory=list)
    stale_index: bool = False


def parse_query(text: str | None) -> SearchQuery:
    """Normalise and segment a query; ``Invalid`` (in Thai) when nothing searchable is left."""
    raw = (text or "").strip()
    if len(raw) > MAX_QUERY_CHARS:
        raise Invalid({"q": f"คำค้นยาวเกิน {MAX_QUERY_CHARS} ตัวอักษร กรุณาใช้คำที่สั้นลง"})
    if len(raw.split()) > MAX_QUERY_WORDS:
        raise Invalid({"q": f"ใช้คำค้นได้ไม่เกิน {MAX_QUERY_WORDS} คำ กรุณาเลือกเฉพาะคำสำคัญ"})
    current = search_index.settings()
    words = tuple(query_words(normalise_text(raw), current.lexicon))
    name = normalise_name(raw)
    if len(name.replace(" ", "")) < MIN_NAME_CHARS:
        name = ""
    if not words and not name:
        raise Invalid({"q": "กรุณาพิมพ์คำค้นอย่างน้อย 2 ตัวอักษร เช่น ถนนชำรุด หรือชื่อ-นามสกุล"})
    return SearchQuery(words=words, name=name)


# -- candidates (SQL, no decryption) ------------------------------------------------------------

def _holds(table, pairs) -> ColumnElement[bool]:
    """The index row holds one of these (field, hash) pairs."""
    return or_(*(and_(table.field == f, table.term == t) for f, t in pairs))


def _has_any(pairs: list[tuple[int, int]]):
    return select(SearchTerm.doc_id).where(_holds(SearchTerm, pairs))


def _postings(pairs: tuple[tuple[int, int], ...]) -> int:
    """How often a term is indexed, over its fields (counted up to POSTINGS_CAP; a document holding it
    in two fields counts twice, which is good enough to find the rarest term and cheaper to count)."""
    postings = union_all(*(select(SearchTerm.doc_id).where(_holds(SearchTerm, [pair])) for pair in pairs))
    return db.session.scalar(select(func.count()).select_from(postings.limit(POSTINGS_CAP).subquery()))


def _required_terms(query: SearchQuery, current: search_index.IndexSettings) -> list[tuple[tuple[int, int], ...]]:
    """For each term of each query word, the (field, hash) pairs that hold it in one of the text fields.
    With several terms the rarest comes first: it drives the look-up, the others are probed."""
    required = list(dict.fromkeys(
        tuple((search_index.FIELDS[name], search_index.term_hash(name, term, current)) for name in TEXT_FIELDS)
        for word in query.words for term in word.terms))
    if len(required) > 1:
        counts = {pairs: _postings(pairs) for pairs in required}
        required.sort(key=counts.__getitem__)
    return required


def _candidates(actor: User, filters: CaseFilters, required: list, name_pairs: list, limit: int) -> tuple[list, bool]:
    """Up to ``limit`` candidates (doc_id, id, created_at), newest first as the case list is ordered
    (received date, then entry time), and whether there were more.

    One branch per (field, hash) pair of the rarest term (other terms are probed) and of the name: the
    cases the user may see, within the filters, whose index document holds it, read from the term
    index by document id. The branches are merged by document id, which orders by received day:
    SQLite merges them as it reads and stops after ``limit + 1`` rows, so a common word costs no more
    than a rare one. Within a day document ids are random: the day of the last row is read whole and
    put in order, so a partial result holds exactly the newest cases."""
    base = (filtered_query(actor, filters)
            .with_only_columns(SearchTerm.doc_id.label("doc_id"), Case.id.label("id"),
                               Case.created_at.label("created_at"))
            .join(SearchDocument, SearchDocument.case_id == Case.id)
            .join(SearchTerm, SearchTerm.doc_id == SearchDocument.doc_id)
            .where(access.scope_condition(actor, SearchDocument.agency_code, SearchDocument.classification),
                   SearchTerm.doc_id.between(bindparam("low"), bindparam("high"))))
    probes = []
    for pairs in required[1:]:
        other = aliased(SearchTerm)
        probes.append(exists().where(other.doc_id == SearchDocument.doc_id, _holds(other, pairs)))
    branches = [base.where(_holds(SearchTerm, [pair]), *probes) for pair in (required[0] if required else [])]
    branches += [base.where(_holds(SearchTerm, [pair])) for pair in name_pairs]
    per_branch = {}
    if db.session.get_bind().dialect.name == "postgresql":
        # PostgreSQL (before 17) does not merge UNION branches as it reads them: each branch stops on
        # its own after limit + 1 rows, newest first; the union of those holds the newest limit + 1.
        # (A common word as an executive: 78 ms -> 4 ms at 100,000 cases.)
        branches = [select(*branch.order_by(SearchTerm.doc_id.desc()).limit(bindparam("per_branch"))
                           .subquery().c) for branch in branches]
        per_branch = {"per_branch": limit + 1}
    compound = union(*branches)
    newest = compound.order_by(compound.selected_columns.doc_id.desc()).limit(limit + 1)
    rows = db.session.execute(newest, {"low": 0, "high": MAX_DOC_ID, **per_branch}).all()
    if len(rows) > limit:
        day = date.fromordinal(rows[-1].doc_id >> search_index.DAY_SHIFT)
        low, high = search_index.doc_id_range(day, day)
        whole_day = {"low": low, "high": high, **({"per_branch": NO_LIMIT} if per_branch else {})}
        rows = [row for row in rows if row.doc_id > high] + db.session.execute(compound, whole_day).all()
    rows.sort(key=lambda row: row.id)
    rows.sort(key=lambda row: (row.doc_id >> search_index.DAY_SHIFT, row.created_at), reverse=True)
    return rows[:limit], len(rows) > limit


def _name_fields(actor: User) -> list[str]:
    return [name for name in search_index.NAME_FIELDS if name in access.searchable_fields(actor)]


def _name_pairs(query: SearchQuery, actor: User, current: search_index.IndexSettings) -> list[tuple[int, int]]:
    """The (field, hash) pairs of the whole name in the name fields this user may search."""
    if not query.name:
        return []
    return [(search_index.FIELDS[n], search_index.name_hash(n, query.name, current)) for n in _name_fields(actor)]


# -- checking each candidate after decryption ----------------------------------------------------

@dataclass
class _Found:
    matched: list[tuple[str, str | None]]  # (case id, subject), newest first
    unreadable: list[str]
    truncated: bool


def _decrypt(data_key: DataKey, case_id: str, ciphertexts: dict, name: str) -> str | None:
    return open_value(data_key, case_id, name, ciphertexts.get(ENCRYPTED_FIELDS[name]))


def _matches_words(data_key: DataKey, case_id: str, ciphertexts: dict, words: list[str], subject: str | None) -> bool:
    """Every word occurs in one of the text fields: the subject, then the others decrypted one at a time
    while a word is still missing."""
    missing = [word for word in words if word not in normalise_text(subject)]
    for name in (name for name in TEXT_FIELDS if name != "subject"):
        if not missing:
            break
        text = normalise_text(_decrypt(data_key, case_id, ciphertexts, name))
        missing = [word for word in missing if word not in text]
    return not missing


def _matches_name(data_key: DataKey, case_id: str, ciphertexts: dict, name: str, fields: list[str]) -> bool:
    return any(name in names_in(_decrypt(data_key, case_id, ciphertexts, field_name)) for field_name in fields)


def _check(actor: User, query: SearchQuery, order: list, name_docs: set[int], truncated: bool) -> _Found:
    """Decrypt each candidate, in order, and keep those that really match; a candidate that fails to
    decrypt is reported, never shown."""
    found = _Found([], [], truncated)
    words = [word.text for word in query.words]
    ciphertexts = _ciphertexts([row.id for row in order])
    name_fields = _name_fields(actor)
    name_columns = _name_columns([row.id for row in order if row.doc_id in name_docs], name_fields)
    for row in order:
        case_id = row.id
        stored = ciphertexts.get(case_id, {})
        if case_id in name_columns:
            stored = {**stored, **name_columns[case_id]}
        try:
            if stored.get("wrapped") is None:
                raise DecryptionError(f"case {case_id} has no data key")
            data_key = vault.unwrap(TABLE, case_id, stored["key_id"], stored["wrapped"])
            subject = _decrypt(data_key, case_id, stored, "subject")
            if (words and _matches_words(data_key, case_id, stored, words, subject)) or (
                    row.doc_id in name_docs and _matches_name(data_key, case_id, stored, query.name, name_fields)):
                found.matched.append((case_id, subject))
        except DecryptionError:
            found.unreadable.append(case_id)
    return found


# -- the search ---------------------------------------------------------------------------------

def _find(actor: User, filters: CaseFilters, query: SearchQuery, limit: int) -> _Found:
    """The cases the user may see, within the filters, that match the query: candidates from the
    indexes, newest first, within scope and filters (SQL, no ciphertext read); then each is decrypted
    and checked. Scope is checked on the index documents' copies of agency and classification, then
    on the case itself (the covering index ix_cases_search_order answers without touching the rows)."""
    current = search_index.settings()
    required = _required_terms(query, current)
    name_pairs = _name_pairs(query, actor, current)
    name_docs = set(db.session.scalars(_has_any(name_pairs))) if name_pairs else set()
    if not required and not name_docs:
        return _Found([], [], False)
    order, truncated = _candidates(actor, filters, required, name_pairs if name_docs else [], limit)
    return _check(actor, query, order, name_docs, truncated)


def _ciphertexts(case_ids: list[str]) -> dict[str, dict]:
    """Text ciphertexts and the wrapped data key of each case, by id. (The driver's own query: for a
    thousand candidates SQLAlchemy's row handling would double the time.)"""
    connection = db.session.connection()
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    found = {}
    for start in range(0, len(case_ids), CHUNK):
        chunk = tuple(case_ids[start:start + CHUNK])
        placeholders = ", ".join([marker] * len(chunk))
        for case_id, *ciphertexts, key_id, wrapped in connection.exec_driver_sql(
                FETCH_CANDIDATES.format(placeholders), chunk).all():
            found[case_id] = {**dict(zip(CANDIDATE_COLUMNS, ciphertexts, strict=True)), "key_id": key_id,
                              "wrapped": wrapped}
    return found


def _name_columns(case_ids: list[str], fields: list[str]) -> dict[str, dict[str, bytes | None]]:
    """The name ciphertexts of the (few) candidates that came from the name index."""
    if not case_ids or not fields:
        return {}
    columns = [getattr(Case, ENCRYPTED_FIELDS[name]) for name in fields]
    rows = db.session.execute(select(Case.id, *columns).where(Case.id.in_(case_ids))).all()
    return {row.id: dict(row._mapping) for row in rows}


def _load(ids: list[str]) -> list[Case]:
    """Cases by id (already checked as visible and matching), in the order of ``ids``."""
    by_id = {case.id: case for case in db.session.scalars(select(Case).where(Case.id.in_(ids)))} if ids else {}
    return [by_id[case_id] for case_id in ids]


def _details(filters: CaseFilters, query: SearchQuery, found: _Found, limit: int) -> dict:
    details = {"filters": filters.active(), "terms": query.terms, "results": len(found.matched)}
    if found.truncated:
        details["partial"] = limit
    if found.unreadable:
        details["failed"] = found.unreadable
    return details


def search_cases(actor: User, filters: CaseFilters, text: str | None, page: int = 1, per_page: int = 25) -> SearchPage:
    """One page of the cases the user may see that match the query and the filters, newest first."""
    if not access.can(actor, "case.read"):
        raise Forbidden()
    query = parse_query(text)
    limit = current_app.config["SEARCH_VERIFY_LIMIT"]
    found = _find(actor, filters, query, limit)
    total = len(found.matched)
    page = max(1, min(page, max(1, -(-total // per_page))))
    shown = found.matched[(page - 1) * per_page: page * per_page]
    by_id = {case.id: case for case in _load([case_id for case_id, _ in shown])}
    audit_trail.record(actor, "case.search", outcome="error" if found.unreadable else "ok",
                       page=page, shown=[case_id for case_id, _ in shown], **_details(filters, query, found, limit))
    return SearchPage(rows=[CaseRow(case=by_id[case_id], subject=subject) for case_id, subject in shown],
                      total=total, page=page, per_page=per_page, terms=query.terms, truncated=found.truncated,
                      unreadable=found.unreadable, stale_index=search_index.is_stale())


def export_search(actor: User, filters: CaseFilters, text: str | None) -> list[Case]:
    """Every case the user may see that matches the query and the filters (metadata only), audited as
    an export. Checks up to SEARCH_EXPORT_LIMIT candidates (a page of results checks fewer)."""
    if not access.can(actor, "case.read"):
        raise Forbidden()
    query = parse_query(text)
    limit = current_app.config["SEARCH_EXPORT_LIMIT"]
    found = _find(actor, filters, query, limit)
    ids = [case_id for case_id, _ in found.matched]
    cases = [case for start in range(0, len(ids), 500)
             for case in _load(ids[start:start + 500])]
    audit_trail.record(actor, "case.export", outcome="error" if found.unreadable else "ok", format="csv",
                       count=len(cases), **_details(filters, query, found, limit))
    return cases
