"""The segmentation dictionary: PyThaiNLP's Thai word list, the domain words and the agency names.

A ``Lexicon`` is identified by a digest of its words; the index records the digest it was built with,
so a change of dictionary (a new agency, a PyThaiNLP upgrade) is noticed and the index rebuilt.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from pythainlp.corpus.common import thai_words
from pythainlp.util import Trie

from complaints.search_text.domain_words import DOMAIN_WORDS
from complaints.search_text.normalise import normalise_text

_cache: dict[tuple[str, ...], Lexicon] = {}
_base: list[frozenset[str]] = []
_lock = threading.Lock()


@dataclass(frozen=True)
class Lexicon:
    trie: Trie
    digest: str
    size: int


def agency_words(names: Iterable[tuple[str, str]]) -> set[str]:
    """Dictionary words for agencies, from (kind, Thai name) pairs: the name, and for a district the
    forms that Thai text uses (เขตบางรัก, สำนักงานเขตบางรัก)."""
    words = set()
    for kind, name in names:
        name = normalise_text(name)
        if not name:
            continue
        words.add(name.replace(" ", ""))
        if kind == "district":
            words.update({f"เขต{name}", f"สำนักงานเขต{name}"})
    return words


def _base_words() -> frozenset[str]:
    if not _base:
        _base.append(frozenset(normalise_text(w) for w in (*thai_words(), *DOMAIN_WORDS)))
    return _base[0]


def lexicon_for(extra: Iterable[str]) -> Lexicon:
    """The lexicon of the base and domain words plus ``extra``, built once per process."""
    key = tuple(sorted({normalise_text(w) for w in extra}))
    found = _cache.get(key)
    if found is not None:
        return found
    with _lock:
        if key not in _cache:
            words = sorted(w for w in _base_words() | set(key) if w and " " not in w)
            digest = hashlib.sha256("\n".join(words).encode("utf-8")).hexdigest()[:16]
            while len(_cache) >= 2:  # an agency list changed: keep the new lexicon and one before it
                _cache.pop(next(iter(_cache)))
            _cache[key] = Lexicon(trie=Trie(words), digest=digest, size=len(words))
        return _cache[key]
