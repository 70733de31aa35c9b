"""The search index schema: every field name lives here, and nowhere else.

One index document per file (hồ sơ); its documents (văn bản) and the text of
its digitised pages are part of it.

* ``text``/``exact``/``pairs`` hold *everything searchable*, cut three ways
  (see :mod:`search.analysis`): folded terms, unfolded tokens for exact-diacritic
  boosts, and folded syllable pairs for two-syllable words and phrases. They
  carry term frequencies but no positions: phrases are pairs, which is much
  faster than positional phrase queries on Whoosh (see ``bench/search``).
* The prefix fields (``title:``, ``ref:`` …) hold folded terms *and* pairs of
  one part of the file, so power users can aim a word or a phrase at it.
* Facet fields hold one untokenised term per value; ``start``/``end`` are the
  file's dates as YYYYMMDD numbers for the date range and the date sort.
* ``card`` stores what a result shows (title, code, dates, fonds, mode …) and
  the text snippets are cut from, so a results page needs no database.
"""
from __future__ import annotations

from collections import Counter

from whoosh import fields, formats
from whoosh.system import pack_uint

# Search fields over everything.
TEXT = "text"
EXACT = "exact"
PAIRS = "pairs"

# The text of the scanned pages, cut the same three ways but kept apart: who may match, score and
# see it depends on the file's mode and on the searcher (see search.engine), so it never mixes with
# the catalogue's own words (which anyone who may see the file may search).
PAGE_TEXT = "page_text"
PAGE_EXACT = "page_exact"
PAGE_PAIRS = "page_pairs"
PAGE_FIELDS = (PAGE_TEXT, PAGE_EXACT, PAGE_PAIRS)
OPEN_MODE = "01"

# Prefix fields (folded terms + pairs of one part of the file).
TITLE = "title"
KEYWORDS = "keywords"
NOTES = "notes"
FONDS_NAME = "fonds"
CODE = "code"
REF = "ref"
DOC_TYPE = "type"
ISSUER = "issuer"
SUMMARY = "summary"
PREFIX_FIELDS = (TITLE, KEYWORDS, NOTES, FONDS_NAME, CODE, REF, DOC_TYPE, ISSUER, SUMMARY)
# Fields holding file codes and document references with all their parts (``text`` has them whole).
REFERENCE_FIELDS = (CODE, REF)

# What users may type before a colon, in English or Vietnamese (folded, no spaces).
PREFIX_ALIASES = {
    "title": TITLE, "tieude": TITLE, "ten": TITLE,
    "keywords": KEYWORDS, "keyword": KEYWORDS, "tukhoa": KEYWORDS,
    "notes": NOTES, "note": NOTES, "ghichu": NOTES,
    "fonds": FONDS_NAME, "phong": FONDS_NAME,
    "code": CODE, "ma": CODE, "mahoso": CODE,
    "ref": REF, "so": REF, "sokyhieu": REF, "kyhieu": REF,
    "type": DOC_TYPE, "loai": DOC_TYPE, "tenloai": DOC_TYPE,
    "issuer": ISSUER, "coquan": ISSUER, "coquanbanhanh": ISSUER,
    "summary": SUMMARY, "trichyeu": SUMMARY,
    "all": TEXT, "text": TEXT, "tatca": TEXT,
}

# Facets and filters (untokenised values).
ID = "id"
FONDS = "fonds_code"
YEAR = "year"
DECADE = "decade"
DOC_TYPE_FACET = "doc_type"
ISSUER_FACET = "issuer_name"
MODE = "mode"
LANGUAGE = "language"
DIGITISED = "digitised"
FACETS = (FONDS, DECADE, YEAR, DOC_TYPE_FACET, ISSUER_FACET, MODE, LANGUAGE, DIGITISED)
START = "start"
END = "end"

# Stored for display.
CARD = "card"

# What the index applied, per file: its id and catalogue version, as columns (read in one
# pass by SearchIndex.applied(), without loading the stored cards).
APPLIED_ID = "applied_id"
APPLIED_VERSION = "applied_version"

CLASSIFIED_MODE = "03"


class TermCounts(formats.Frequency):
    """Term frequencies, computed in one pass over a list of analysed terms.

    The index hands each field a list of terms already cut by
    :mod:`search.analysis`, so the per-token loop of Whoosh's own format is not
    needed (indexing is the slow part of Whoosh: this makes it about 2× faster).
    """

    def word_values(self, value, analyzer, **kwargs):
        if isinstance(value, str):
            value = [t.text for t in analyzer(value, mode="index")]
        boost = self.field_boost
        return ((term, freq, freq * boost, pack_uint(freq)) for term, freq in Counter(value).items())


def _text_field() -> fields.TEXT:
    field = fields.TEXT(phrase=False)
    field.format = TermCounts()
    return field


def _facet_field() -> fields.ID:
    return fields.ID()


def make_schema() -> fields.Schema:
    """A fresh schema object (Whoosh stores it inside the index)."""
    schema = fields.Schema(
        **{ID: fields.ID(stored=True, unique=True), CARD: fields.STORED()},
        **{name: _text_field() for name in (TEXT, EXACT, PAIRS, *PAGE_FIELDS, *PREFIX_FIELDS)},
        **{name: _facet_field() for name in FACETS},
        **{START: fields.NUMERIC(int, bits=32, signed=False, sortable=True),
           END: fields.NUMERIC(int, bits=32, signed=False, sortable=True),
           APPLIED_ID: fields.NUMERIC(int, bits=64, signed=False, sortable=True),
           APPLIED_VERSION: fields.NUMERIC(int, bits=64, signed=False, sortable=True)},
    )
    return schema
