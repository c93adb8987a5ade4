"""From normalised text to the terms of the keyword index, and from a query to the terms it needs.

What a match means (the same definition on both sides): a case matches a query when every word of the
query (split on spaces) occurs in the case's normalised subject, details or conclusion, as written,
like Find in a word processor. ``ไฟ`` therefore finds ``ไฟฟ้า`` and ``ไฟดับ``; ``ถนนชำรุด`` needs
the two words side by side; ``ถนน ชำรุด`` needs both anywhere.

The index has to find every such case without storing text. A case's terms are:

* every dictionary word that occurs in its Thai text, starting and ending on Thai character-cluster
  boundaries (so ``น้ำท่วม`` is a term of ``ท่อระบายน้ำท่วมขัง`` although the segmenter cuts it
  ``ท่อระบายน้ำ|ท่วม|ขัง``, and ``ไฟ`` is a term of ``ไฟฟ้า``);
* every token of PyThaiNLP's ``newmm`` segmentation with the custom dictionary (this covers names,
  misspellings and words that no dictionary holds);
* every run of Latin letters or digits.

A query word is segmented the same way; the dictionary words among its tokens are the terms a
candidate must have (a case that contains the word contains each of them). When a word holds no
dictionary word, its other tokens are required instead. Candidates are then decrypted and checked
against the definition above, so the index may only ever add work, never a wrong answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pythainlp.tokenize import word_tokenize
from pythainlp.tokenize.tcc import tcc_pos

from complaints.search_text.lexicon import Lexicon

THAI_RUN = re.compile(r"[\u0e01-\u0e5b]+")
LATIN_RUN = re.compile(r"[0-9a-z\u00c0-\u024f]+")
MIN_TERM_CHARS = 2  # single letters are not terms (ๆ, ฯ, a lone consonant)
MAX_WORD_CHARS = 48
MAX_QUERY_WORDS = 10
MAX_QUERY_CHARS = 200


@dataclass(frozen=True)
class QueryWord:
    """One word of a query: the text every match must contain, and the index terms that find it."""

    text: str
    terms: tuple[str, ...]


def _boundaries(run: str) -> list[int]:
    return sorted({0, len(run)} | set(tcc_pos(run)))


def _dictionary_words_in(run: str, lexicon: Lexicon) -> set[str]:
    """Every dictionary word in a Thai run that starts and ends on a character-cluster boundary
    (a walk down the dictionary trie from each boundary)."""
    bounds = _boundaries(run)
    ends = set(bounds)
    found = set()
    root, length = lexicon.trie.root, len(run)
    for start in bounds[:-1]:
        node, position = root, start
        while position < length and node.children is not None:
            node = node.children.get(run[position])
            if node is None:
                break
            position += 1
            if node.end and position in ends and position - start >= MIN_TERM_CHARS:
                found.add(run[start:position])
    return found


def _tokens(run: str, lexicon: Lexicon) -> list[str]:
    return [t for t in word_tokenize(run, custom_dict=lexicon.trie, engine="newmm", keep_whitespace=False)
            if t.strip()]


def index_terms(normalised: str, lexicon: Lexicon) -> set[str]:
    """The keyword-index terms of an already normalised text."""
    terms: set[str] = set()
    if not normalised:
        return terms
    for run in THAI_RUN.findall(normalised):
        terms |= _dictionary_words_in(run, lexicon)
        terms.update(t for t in _tokens(run, lexicon) if len(t) >= MIN_TERM_CHARS and len(t) <= MAX_WORD_CHARS)
    terms.update(LATIN_RUN.findall(normalised))
    return terms


def query_words(normalised_query: str, lexicon: Lexicon) -> list[QueryWord]:
    """The words of an already normalised query with the index terms each needs. Words that yield no
    term at all (punctuation, a single letter) are dropped: they are not searched for."""
    words = []
    for text in dict.fromkeys(normalised_query.split(" ")):
        if not text:
            continue
        dictionary, other = [], []
        for run in THAI_RUN.findall(text):
            for token in _tokens(run, lexicon):
                if len(token) < MIN_TERM_CHARS:
                    continue
                (dictionary if token in lexicon.trie else other).append(token)
        latin = LATIN_RUN.findall(text)
        terms = tuple(dict.fromkeys(dictionary + latin if dictionary or latin else other))
        if terms:
            words.append(QueryWord(text=text, terms=terms))
    return words
