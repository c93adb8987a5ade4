"""Keeping the blind indexes of cases current: hashing terms and names, writing and rebuilding them.

Every way a case is created or changed (``cases.build_sealed_case``, ``cases.update_case``) calls
``index_case`` with the plaintext it has just sealed; nothing else ever sees that plaintext here. The
terms and names are HMAC-SHA256 under a key per column and index (``Keyring.index_key``), truncated
to ``SEARCH_TERM_BITS`` / ``SEARCH_NAME_BITS``. Rows are written after the flush that gives a new
case its index document id, in the same transaction as the case itself. Indexing never flushes or
opens a transaction by itself: an import seals all its cases before it writes anything.
"""

from __future__ import annotations

import secrets
import time
from array import array
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import delete, event, func, select

from complaints.clock import utcnow
from complaints.crypto import DataKey, DecryptionError, blind_index
from complaints.extensions import db, keys
from complaints.models import ENCRYPTED_FIELDS, Agency, Case, SearchDocument, SearchTerm
from complaints.search_text import (
    PIPELINE_VERSION,
    Lexicon,
    agency_words,
    index_terms,
    lexicon_for,
    names_in,
    normalise_text,
)
from complaints.services import vault

TABLE = "cases"
KEYWORD_FIELDS = {"subject": 1, "details": 2, "conclusion": 3}
NAME_FIELDS = {"complainant_name": 11, "persons_concerned": 12}
FIELDS = {**KEYWORD_FIELDS, **NAME_FIELDS}
KEYWORD_INDEX, NAME_INDEX = "keywords", "names"
INSERT_CHUNK = 20_000
_PENDING = "search_index_pending"
_ON_CONNECTION = "search_index_on_connection"  # the session holds a database transaction
INSERT_TERMS = "INSERT INTO search_terms (field, term, doc_id) VALUES (?, ?, ?)"
_SETTINGS_TTL = 30.0
_settings_cache: dict[str, tuple[float, IndexSettings]] = {}
_key_cache: dict[tuple[bytes, str, str], bytes] = {}
_stale_cache: dict[str, tuple[float, bool]] = {}


@dataclass(frozen=True)
class IndexSettings:
    """Everything that decides which hashes a text gives. ``version`` changes when any of it does."""

    lexicon: Lexicon
    term_bits: int
    name_bits: int

    @property
    def version(self) -> str:
        return f"{PIPELINE_VERSION}.{self.lexicon.digest}.{self.term_bits}.{self.name_bits}"


def settings() -> IndexSettings:
    """The current settings (the agency names are read again at most every 30 seconds)."""
    config = current_app.config
    cache_key = str(db.engine.url)
    cached = _settings_cache.get(cache_key)
    term_bits, name_bits = config.get("SEARCH_TERM_BITS", 24), config.get("SEARCH_NAME_BITS", 16)
    if cached and time.monotonic() - cached[0] < _SETTINGS_TTL \
            and (cached[1].term_bits, cached[1].name_bits) == (term_bits, name_bits):
        return cached[1]
    names = _agency_names()
    current = IndexSettings(lexicon=lexicon_for(agency_words(names)), term_bits=term_bits, name_bits=name_bits)
    _settings_cache[cache_key] = (time.monotonic(), current)
    return current


def _agency_names() -> list[tuple[str, str]]:
    """(kind, Thai name) of every agency. Through the session when it is already in a transaction;
    otherwise on a connection of its own, so that creating cases (an import seals thousands before it
    writes anything) never opens a transaction, and on SQLite never takes the write lock early."""
    query = select(Agency.kind, Agency.name_th)
    if db.session().info.get(_ON_CONNECTION):
        return [tuple(row) for row in db.session.execute(query)]
    with db.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]


@event.listens_for(db.session, "after_begin")
def _began_on_connection(session, _transaction, _connection) -> None:
    session.info[_ON_CONNECTION] = True


@event.listens_for(db.session, "after_transaction_end")
def _ended(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_ON_CONNECTION, None)


def forget_settings() -> None:
    """Drop the cached settings and index state (after reference data changed, a reindex, in tests)."""
    _settings_cache.clear()
    _stale_cache.clear()


def _key(column: str, index: str) -> bytes:
    keyring = keys.current
    cache_key = (keyring.index_root, column, index)
    found = _key_cache.get(cache_key)
    if found is None:
        found = _key_cache[cache_key] = keyring.index_key(TABLE, column, index)
    return found


def term_hash(name: str, term: str, current: IndexSettings) -> int:
    """The keyword-index hash of a normalised term in one field."""
    return blind_index(_key(name, KEYWORD_INDEX), term, current.term_bits)


def name_hash(name: str, person: str, current: IndexSettings) -> int:
    """The name-index hash of a normalised name in one field."""
    return blind_index(_key(name, NAME_INDEX), person, current.name_bits)


def hashes_of(values: dict[str, str | None], current: IndexSettings) -> set[tuple[int, int]]:
    """(field, hash) pairs of a case's plaintext values."""
    found: set[tuple[int, int]] = set()
    for name, field in KEYWORD_FIELDS.items():
        key = _key(name, KEYWORD_INDEX)
        found.update((field, blind_index(key, term, current.term_bits))
                     for term in index_terms(normalise_text(values.get(name)), current.lexicon))
    for name, field in NAME_FIELDS.items():
        key = _key(name, NAME_INDEX)
        found.update((field, blind_index(key, person, current.name_bits)) for person in names_in(values.get(name)))
    return found


# -- writing ------------------------------------------------------------------------------------

DAY_SHIFT = 40  # a document id is the day received (high bits) and 40 random bits


def new_doc_id(received: date) -> int:
    """A document id that sorts by the day the case was received: newest-first searches read the term
    index backwards by day and stop early. Random below the day (2^40 values a day: no collisions)."""
    return (received.toordinal() << DAY_SHIFT) | secrets.randbits(DAY_SHIFT)


def doc_id_range(first: date, last: date) -> tuple[int, int]:
    """The document ids of cases received from ``first`` to ``last`` inclusive."""
    return first.toordinal() << DAY_SHIFT, ((last.toordinal() + 1) << DAY_SHIFT) - 1


def index_case(case: Case, values: dict[str, str | None], *, new: bool = False) -> None:
    """(Re)index one case from its plaintext. ``new``: the case is being created in this session. A
    case whose received date changed gets a new document id (the old one and its terms go)."""
    current = settings()
    received = case.received_date
    document = None if new else _document(case.id)
    if document is not None and document.doc_id >> DAY_SHIFT != received.toordinal():
        db.session.info.get(_PENDING, {}).pop(case.id, None)
        db.session.execute(delete(SearchTerm).where(SearchTerm.doc_id == document.doc_id))
        db.session.delete(document)
        db.session.flush()  # the old row goes before its successor (same case id) is inserted
        document = None
    existed = document is not None
    if document is None:
        document = SearchDocument(doc_id=new_doc_id(received), case_id=case.id)
        db.session.add(document)
    document.version = current.version
    document.indexed_at = utcnow()
    copy_scope(case, document)
    pending = db.session.info.setdefault(_PENDING, {})
    pending[case.id] = (document, existed, _packed(hashes_of(values, current)))


def _document(case_id: str) -> SearchDocument | None:
    return db.session.scalar(select(SearchDocument).where(SearchDocument.case_id == case_id))


def copy_scope(case: Case, document: SearchDocument | None = None) -> None:
    """Make the index document's copy of the case's agency and classification equal to the case's.
    Called whenever a case is indexed or its agency or classification changes."""
    document = document or _document(case.id)
    if document is not None:
        document.agency_code, document.classification = case.agency_code, case.classification


def _packed(hashes: set[tuple[int, int]]) -> dict[int, array]:
    """The hashes of a case waiting for the flush, compactly (a bulk creation may hold many thousands)."""
    packed: dict[int, array] = {}
    for field, term in hashes:
        packed.setdefault(field, array("q")).append(term)
    return packed


@event.listens_for(db.session, "after_flush_postexec")
def _write_pending(session, _flush_context) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    connection = session.connection()
    replaced = [document.doc_id for document, existed, _ in pending.values() if existed]
    for start in range(0, len(replaced), 500):
        connection.execute(delete(SearchTerm).where(SearchTerm.doc_id.in_(replaced[start:start + 500])))
    # The driver's own executemany: SQLAlchemy's per-row parameter handling would double the cost of
    # indexing a bulk creation.
    statement = INSERT_TERMS.replace("?", "%s") if connection.dialect.paramstyle != "qmark" else INSERT_TERMS
    rows: list[tuple[int, int, int]] = []
    for document, _, packed in pending.values():
        rows.extend((field, term, document.doc_id) for field, terms in packed.items() for term in terms)
        if len(rows) >= INSERT_CHUNK:
            connection.exec_driver_sql(statement, rows)
            rows = []
    if rows:
        connection.exec_driver_sql(statement, rows)


@event.listens_for(db.session, "after_soft_rollback")
def _forget_pending(session, _previous_transaction) -> None:
    session.info.pop(_PENDING, None)


def remove_case(case_id: str) -> None:
    """Remove a case from every index (when it is purged)."""
    db.session.info.get(_PENDING, {}).pop(case_id, None)
    documents = select(SearchDocument.doc_id).where(SearchDocument.case_id == case_id).scalar_subquery()
    db.session.execute(delete(SearchTerm).where(SearchTerm.doc_id == documents))
    db.session.execute(delete(SearchDocument).where(SearchDocument.case_id == case_id))


# -- state and rebuilding -----------------------------------------------------------------------

@dataclass
class IndexStatus:
    cases: int
    current: int
    version: str

    @property
    def stale(self) -> int:
        return self.cases - self.current


def status() -> IndexStatus:
    current = settings()
    cases = db.session.scalar(select(func.count()).select_from(Case)) or 0
    indexed = db.session.scalar(select(func.count()).select_from(SearchDocument)
                                .where(SearchDocument.version == current.version)) or 0
    return IndexStatus(cases=cases, current=indexed, version=current.version)


def is_stale() -> bool:
    """Cheap check for the search page (cached for 30 seconds): some case is indexed with an older
    pipeline, or not at all."""
    current = settings()
    cache_key = f"{db.engine.url}|{current.version}"
    cached = _stale_cache.get(cache_key)
    if cached and time.monotonic() - cached[0] < _SETTINGS_TTL:
        return cached[1]
    outdated = db.session.scalar(select(SearchDocument.doc_id).where(SearchDocument.version != current.version)
                                 .limit(1))
    stale = outdated is not None or (db.session.scalar(select(func.count()).select_from(SearchDocument)) or 0) \
        < (db.session.scalar(select(func.count()).select_from(Case)) or 0)
    _stale_cache[cache_key] = (time.monotonic(), stale)
    return stale


@dataclass
class BatchResult:
    done: int
    failed: list[str]
    last_case_id: str | None


def reindex_batch(after: str | None, limit: int, *, everything: bool = False) -> BatchResult:
    """Rebuild the index of up to ``limit`` cases with ids after ``after`` (in id order): the stale
    and unindexed ones, or ``everything``. Cases that fail to decrypt are listed, not indexed."""
    current = settings()
    query = select(Case).outerjoin(SearchDocument, SearchDocument.case_id == Case.id).order_by(Case.id).limit(limit)
    if after is not None:
        query = query.where(Case.id > after)
    if not everything:
        query = query.where((SearchDocument.doc_id.is_(None)) | (SearchDocument.version != current.version))
    batch = list(db.session.scalars(query))
    data_keys = vault.load_data_keys(TABLE, [case.id for case in batch])
    failed = []
    for case in batch:
        try:
            data_key = data_keys[case.id]
            if not isinstance(data_key, DataKey):
                raise data_key
            index_case(case, open_indexed_fields(case, data_key))
        except DecryptionError:
            failed.append(case.id)
    db.session.flush()
    _stale_cache.clear()
    return BatchResult(done=len(batch) - len(failed), failed=failed, last_case_id=batch[-1].id if batch else None)


def open_indexed_fields(case: Case, data_key: DataKey) -> dict[str, str | None]:
    """The plaintext of the fields that the indexes cover."""
    return {
        name: data_key.decrypt(getattr(case, ENCRYPTED_FIELDS[name]), table=TABLE, column=ENCRYPTED_FIELDS[name],
                               row_id=case.id)
        for name in FIELDS
    }

