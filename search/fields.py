"""Turn a :class:`~search.documents.SearchDocument` into the fields of one index document."""
from __future__ import annotations

from typing import Any

from . import schema as f
from .analysis import PAIR_SEP, VALUE_SEP, both_syllables, expand_references, normalize
from .documents import SearchDocument, date_number, facet_years

# How much of the notes is kept for snippets (the whole text is indexed).
CARD_TEXT_CHARS = 4000


def _join(values) -> str:
    return VALUE_SEP.join(v for v in values if v)


def _facet_value(value: str | None) -> str:
    return " ".join(normalize(value or "").split())


def _flat(segments: list[list[str]]) -> list[str]:
    return [token for segment in segments for token in segment]


def _pairs(segments: list[list[str]]) -> list[str]:
    return [a + PAIR_SEP + b for segment in segments for a, b in zip(segment, segment[1:])]


def _with_parts(tokens: list[str]) -> list[str]:
    """``tokens`` with the parts of reference strings (only scanned when there may be one)."""
    if any(("/" in t or "-" in t or "." in t) for t in tokens):
        return expand_references(tokens)
    return tokens


def _numeric(token: str) -> bool:
    return any(c.isdigit() for c in token)


def index_fields(doc: SearchDocument) -> dict[str, Any]:
    """The keyword arguments of ``writer.add_document`` for ``doc``.

    Each part of the file is cut once (:func:`~search.analysis.both_syllables`);
    the all-fields ``text``/``exact``/``pairs`` are the concatenation of the parts.
    """
    parts = doc.documents
    sources = {
        f.TITLE: doc.title,
        f.KEYWORDS: doc.keywords.replace(";", "\n"),
        f.NOTES: doc.notes,
        f.FONDS_NAME: doc.fonds_name,
        f.CODE: doc.file_code,
        f.REF: _join(p.reference for p in parts),
        f.DOC_TYPE: _join(p.doc_type for p in parts),
        f.ISSUER: _join(p.issuer for p in parts),
        f.SUMMARY: _join(p.summary for p in parts),
        None: _join(p.date for p in parts),  # searched, but not a prefix field
    }
    text: list[str] = []
    exact: list[str] = []
    pair_terms: list[str] = []
    fields: dict[str, Any] = {f.ID: str(doc.id)}
    for name, value in sources.items():
        if not value:
            continue
        folded_segments, exact_segments = both_syllables(value)
        tokens = _flat(folded_segments)
        terms = _with_parts(tokens)
        pairs = _pairs(folded_segments)
        # The parts of file codes and document references are searched in their own fields
        # (a query with a reference string looks there too); "text" keeps them whole.
        text.extend(tokens if name in f.REFERENCE_FIELDS else terms)
        # Exact forms only matter for words with marks; numbers and codes without marks are left out.
        exact.extend(t for t in _flat(exact_segments) if not _numeric(t) or not t.isascii())
        pair_terms.extend(pairs)
        if name is not None:
            fields[name] = terms + pairs
    fields[f.TEXT] = text
    fields[f.EXACT] = exact
    fields[f.PAIRS] = pair_terms
    page_text: list[str] = []
    page_exact: list[str] = []
    page_pairs: list[str] = []
    for value in (doc.pages or ([doc.text] if doc.text else [])):
        if not value:
            continue
        folded_segments, exact_segments = both_syllables(value)
        page_text.extend(_with_parts(_flat(folded_segments)))
        page_exact.extend(t for t in _flat(exact_segments) if not _numeric(t) or not t.isascii())
        page_pairs.extend(_pairs(folded_segments))
    fields[f.PAGE_TEXT] = page_text
    fields[f.PAGE_EXACT] = page_exact
    fields[f.PAGE_PAIRS] = page_pairs

    years = facet_years(doc)
    fields[f.YEAR] = [str(y) for y in years]
    fields[f.DECADE] = sorted({f"{y // 10 * 10}" for y in years})
    fields[f.FONDS] = doc.fonds_code
    fields[f.DOC_TYPE_FACET] = sorted({_facet_value(p.doc_type) for p in parts if p.doc_type})
    fields[f.ISSUER_FACET] = sorted({_facet_value(p.issuer) for p in parts if p.issuer})
    fields[f.MODE] = doc.mode
    fields[f.LANGUAGE] = _facet_value(doc.language) or "Tiếng Việt"
    fields[f.DIGITISED] = "1" if doc.digitised else "0"
    start = date_number(doc.start_date)
    end = date_number(doc.end_date, end=True) or date_number(doc.start_date, end=True)
    if start is not None:
        fields[f.START] = start
    if end is not None:
        fields[f.END] = end
    fields[f.APPLIED_ID] = doc.id
    fields[f.APPLIED_VERSION] = doc.version
    fields[f.CARD] = {
        "title": normalize(doc.title), "file_code": doc.file_code, "start_date": doc.start_date,
        "end_date": doc.end_date, "fonds_code": doc.fonds_code, "fonds_name": normalize(doc.fonds_name),
        "mode": doc.mode, "digitised": doc.digitised, "language": doc.language,
        "keywords": normalize(doc.keywords),
        "documents": [(normalize(p.reference), normalize(p.doc_type or ""), normalize(p.summary))
                      for p in parts[:20]],
        "notes": normalize(doc.notes)[:CARD_TEXT_CHARS],
        # No page text: who may see it is decided per searcher (portal.services.page_search cuts its snippets).
    }
    # Whoosh skips empty values anyway; dropping them keeps the call small.
    return {k: v for k, v in fields.items() if v not in ([], "", None)}
