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
from sqlalchemy import and_, exists, func, or_, select
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
from complaints.services.cases import TABLE, CaseFilters, CasePage, CaseRow, filtered_query
from complaints.services.errors import Forbidden, Invalid

TEXT_FIELDS = tuple(search_index.KEYWORD_FIELDS)
MIN_NAME_CHARS = 4
POSTINGS_CAP = 20_000
MIN_WINDOW_DAYS = 31
WINDOWS_ABOVE = 4  # read by date windows when the rarest term has more documents than this many times the limit
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

def _has_any(pairs: list[tuple[int, int]]):
    return select(SearchTerm.doc_id).where(or_(*(and_(SearchTerm.field == f, SearchTerm.term == t)
                                                 for f, t in pairs)))


def _postings(pairs: list[tuple[int, int]]) -> int:
    """How many documents hold a term (counted up to POSTINGS_CAP): the rarest term drives the search."""
    return db.session.scalar(select(func.count()).select_from(_has_any(pairs).limit(POSTINGS_CAP).subquery()))


def _required_terms(query: SearchQuery, current: search_index.IndexSettings) -> tuple[list, int]:
    """For each term of each query word, the (field, hash) pairs that hold it in one of the text fields,
    rarest term first (it drives the look-up, the others are probed); and how many documents hold the
    rarest (counted up to POSTINGS_CAP)."""
    required = list(dict.fromkeys(
        tuple((search_index.FIELDS[name], search_index.term_hash(name, term, current)) for name in TEXT_FIELDS)
        for word in query.words for term in word.terms))
    counts = {pairs: _postings(list(pairs)) for pairs in required}
    required.sort(key=counts.__getitem__)
    return required, (counts[required[0]] if required else 0)


def _keyword_candidates(required: list[tuple[tuple[int, int], ...]], low: int, high: int):
    """Documents with ids in [low, high] holding every required term: index range scans of the rarest
    term, primary-key probes for the others."""
    driver, *others = required
    candidates = select(SearchTerm.doc_id).where(
        or_(*(and_(SearchTerm.field == f, SearchTerm.term == t, SearchTerm.doc_id.between(low, high))
              for f, t in driver)))
    for pairs in others:
        other = aliased(SearchTerm)
        candidates = candidates.where(exists().where(
            other.doc_id == SearchTerm.doc_id, or_(*(and_(other.field == f, other.term == t) for f, t in pairs))))
    return candidates


def _name_fields(actor: User) -> list[str]:
    return [name for name in search_index.NAME_FIELDS if name in access.searchable_fields(actor)]


def _name_candidates(query: SearchQuery, actor: User, current: search_index.IndexSettings) -> set[int]:
    names = _name_fields(actor)
    if not query.name or not names:
        return set()
    pairs = [(search_index.FIELDS[n], search_index.name_hash(n, query.name, current)) for n in names]
    return set(db.session.scalars(_has_any(pairs)))


# -- checking each candidate after decryption ----------------------------------------------------

class _Opened:
    """A candidate's fields, decrypted one at a time as the check needs them."""

    def __init__(self, case_id: str, data_key: DataKey, ciphertexts: dict):
        self.case_id, self.data_key, self.ciphertexts, self.values = case_id, data_key, ciphertexts, {}

    def get(self, name: str) -> str | None:
        if name not in self.values:
            column = ENCRYPTED_FIELDS[name]
            self.values[name] = self.data_key.decrypt(self.ciphertexts.get(column), table=TABLE, column=column,
                                                      row_id=self.case_id)
        return self.values[name]


def _matches_words(opened: _Opened, words: tuple[QueryWord, ...]) -> bool:
    missing = {word.text for word in words}
    for name in TEXT_FIELDS:
        text = normalise_text(opened.get(name))
        missing = {word for word in missing if word not in text}
        if not missing:
            return True
    return False


def _matches_name(opened: _Opened, name: str, fields: list[str]) -> bool:
    return any(name in names_in(opened.get(field_name)) for field_name in fields)


# -- the search ---------------------------------------------------------------------------------

@dataclass
class _Found:
    matched: list[tuple[str, str | None]]  # (case id, subject), newest first
    unreadable: list[str]
    truncated: bool


def _indexed_days() -> tuple[int, int] | None:
    """The first and last day (ordinals) on which an indexed case was received."""
    # two queries: SQLite reads min() or max() alone from the end of the index, both together by a scan
    oldest = db.session.scalar(select(func.min(SearchDocument.doc_id)))
    newest = db.session.scalar(select(func.max(SearchDocument.doc_id)))
    if oldest is None or newest is None:
        return None
    return oldest >> search_index.DAY_SHIFT, newest >> search_index.DAY_SHIFT


def _first_window(postings: int, limit: int, total_days: int) -> int:
    """Days in the first window of received dates. A term held by few documents is read in one window
    (one query is cheaper than several); otherwise the window is sized to hold about twice the limit, if
    cases were spread evenly over time."""
    if postings <= WINDOWS_ABOVE * limit:
        return total_days
    return max(MIN_WINDOW_DAYS, total_days * 2 * limit // max(postings, 1))


def _next_window(days_read: int, found: int, needed: int, previous: int) -> int:
    """Days in the next window: as many as the yield so far (cases the user may see per day read)
    predicts for the candidates still needed, with a quarter to spare; four times the previous window
    when nothing was found yet (a scope of few agencies, a rare term)."""
    if not found:
        return previous * 4
    return max(MIN_WINDOW_DAYS, -(-needed * days_read * 5 // (found * 4)))


def _find(actor: User, filters: CaseFilters, query: SearchQuery, limit: int) -> _Found:
    current = search_index.settings()
    required, postings = _required_terms(query, current)
    name_docs = _name_candidates(query, actor, current)
    if not required and not name_docs:
        return _Found([], [], False)
    # 1. Which candidates, newest first: scope and filters in SQL, no ciphertext read yet. Scope is
    #    checked first on the index documents' copies of agency and classification, then on the case
    #    (the covering index ix_cases_search_order answers without touching the rows). The term index
    #    is read by windows of received dates, newest first, until there are more candidates than can
    #    be checked.
    order: list = []
    days = _indexed_days()
    if days is None:
        return _Found([], [], False)
    first, last = days
    window, high = _first_window(postings + len(name_docs), limit, last - first + 1), last
    while high >= first and len(order) <= limit:
        low = max(first, high - window + 1)
        low_id, high_id = search_index.doc_id_range(date.fromordinal(low), date.fromordinal(high))
        sources = [SearchDocument.doc_id.in_(_keyword_candidates(required, low_id, high_id))] if required else []
        names_here = sorted(d for d in name_docs if low_id <= d <= high_id)
        if names_here:
            sources.append(SearchDocument.doc_id.in_(names_here))
        if sources:
            order += db.session.execute(
                filtered_query(actor, filters).with_only_columns(Case.id, SearchDocument.doc_id)
                .join(SearchDocument, SearchDocument.case_id == Case.id)
                .where(access.scope_condition(actor, SearchDocument.agency_code, SearchDocument.classification),
                       or_(*sources))
                .order_by(Case.received_date.desc(), Case.created_at.desc(), Case.id)
                .limit(limit + 1 - len(order))
            ).all()
        window = _next_window(last - low + 1, len(order), limit + 1 - len(order), window)
        high = low - 1
    found = _Found([], [], len(order) > limit)
    order = order[:limit]
    # 2. Their ciphertexts and wrapped keys; each is decrypted and checked in that order.
    ciphertexts = _ciphertexts([case_id for case_id, _ in order])
    name_fields = _name_fields(actor)
    name_columns = _name_columns([case_id for case_id, doc_id in order if doc_id in name_docs], name_fields)
    for case_id, doc_id in order:
        row = ciphertexts.get(case_id, {})
        try:
            if row.get("wrapped") is None:
                raise DecryptionError(f"case {case_id} has no data key")
            opened = _Opened(case_id, vault.unwrap(TABLE, case_id, row["key_id"], row["wrapped"]),
                             {**row, **name_columns.get(case_id, {})})
            if (query.words and _matches_words(opened, query.words)) or (
                    doc_id in name_docs and _matches_name(opened, query.name, name_fields)):
                found.matched.append((case_id, opened.get("subject")))
        except DecryptionError:
            found.unreadable.append(case_id)
    return found


def _ciphertexts(case_ids: list[str]) -> dict[str, dict]:
    """Text ciphertexts and the wrapped data key of each case, by id. (The driver's own query: for a
    thousand candidates SQLAlchemy's row handling would double the time.)"""
    connection = db.session.connection()
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    found = {}
    for start in range(0, len(case_ids), CHUNK):
        chunk = tuple(case_ids[start:start + CHUNK])
        placeholders = ", ".join([marker] * len(chunk))
        rows = connection.exec_driver_sql(FETCH_CANDIDATES.format(placeholders), chunk)
        for case_id, *ciphertexts, key_id, wrapped in rows:
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
    limit = current_app.config.get("SEARCH_VERIFY_LIMIT", 500)
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
    an export. Checks up to ten times as many candidates as a page of results does."""
    if not access.can(actor, "case.read"):
        raise Forbidden()
    query = parse_query(text)
    limit = 10 * current_app.config.get("SEARCH_VERIFY_LIMIT", 500)
    found = _find(actor, filters, query, limit)
    ids = [case_id for case_id, _ in found.matched]
    cases = [case for start in range(0, len(ids), 500)
             for case in _load(ids[start:start + 500])]
    audit_trail.record(actor, "case.export", outcome="error" if found.unreadable else "ok", format="csv",
                       count=len(cases), **_details(filters, query, found, limit))
    return cases
