"""The text pipeline behind the blind indexes: normalising, segmenting Thai, choosing index terms.

Pure functions (PyThaiNLP and the stdlib); the services hash what these produce. ``PIPELINE_VERSION``
names the pipeline: raise it whenever a change here would give different terms or names for the same
text, then run ``complaints reindex``.
"""

from complaints.search_text.lexicon import Lexicon, agency_words, lexicon_for
from complaints.search_text.normalise import names_in, normalise_name, normalise_text
from complaints.search_text.terms import MAX_QUERY_CHARS, MAX_QUERY_WORDS, QueryWord, index_terms, query_words

PIPELINE_VERSION = 1

__all__ = [
    "MAX_QUERY_CHARS",
    "MAX_QUERY_WORDS",
    "PIPELINE_VERSION",
    "Lexicon",
    "QueryWord",
    "agency_words",
    "index_terms",
    "lexicon_for",
    "names_in",
    "normalise_name",
    "normalise_text",
    "query_words",
]
