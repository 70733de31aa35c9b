"""Run a :class:`~search.query.Plan` on an index: hits, total, facet counts.

Everything is computed per Whoosh segment on the bit sets and impact lanes of
:mod:`search.vectors`, then merged. Classified files are removed from the
document set *before* anything is counted, scored or suggested, unless the
searcher is staff.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from . import schema as f
from .query import Plan
from .vectors import (
    IMPACT_MAX, LANE_LIMIT, SegmentVectors, TermVector, VectorCache, bits_from_flags, bm25_idf, flags_array,
    flags_from_bits, positions, top_scores,
)

# Facets whose counts are computed for every search.
FACET_FIELDS = f.FACETS
# Past this rank, pages are not offered (deep pages cost more and nobody reads them).
MAX_RANK = 2000
# A document set this small is sorted directly; larger ones are walked in date order.
SMALL_SET = 2000

# Added to the score of files holding every exact (diacritic) form the reader typed: they rank first.
EXACT_TIER = 1 << 48

CACHE = VectorCache()


def _score_each(files: int, terms: int, n: int) -> bool:
    """Whether scoring ``files`` one by one is cheaper than scoring all ``n`` of the segment at once.

    Measured (2 cores, NumPy 2): one by one costs about 0.5 + 0.12 × terms µs a file; all at once
    about 15 µs plus 1.2 + n / 4000 µs a term. Both sides here are in units of 0.12 µs.
    """
    return files * (4 + terms) <= 125 + terms * (10 + n // 480)


@dataclass
class Filters:
    """Facet selections (OR within a facet, AND across) and a date range (YYYYMMDD, inclusive)."""

    facets: dict[str, list[str]] = field(default_factory=dict)
    date_from: int | None = None
    date_to: int | None = None

    def active(self) -> bool:
        return bool(any(self.facets.values()) or self.date_from or self.date_to)


@dataclass
class Hit:
    docnum: int
    score: int
    fields: dict


@dataclass
class Outcome:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]


@dataclass
class _Segment:
    vectors: SegmentVectors
    reader: object
    offset: int


class Engine:
    """Searches one Whoosh searcher (one version of the index)."""

    def __init__(self, searcher, index_key: str, cache: VectorCache = CACHE) -> None:
        self.searcher = searcher
        self.cache = cache
        reader = searcher.reader()
        self.segments = [
            _Segment(cache.segment(leaf, index_key), leaf, offset) for leaf, offset in reader.leaf_readers()
        ]
        self.doc_count = reader.doc_count_all()
        self._held: dict[int, list] = {}  # segment offset → its scoring terms (see _weights)

    # --- building blocks --------------------------------------------------------------

    def _term(self, seg: _Segment, name: str, text: str, impacts: bool = False) -> TermVector:
        return self.cache.term(seg.vectors, name, text, impacts)

    def _match(self, seg: _Segment, node, universe: int, pages: int = 0) -> int:
        """Files of ``seg`` matching ``node``; page terms count only within ``pages`` (readable page text)."""
        kind = node[0]
        if kind == "term":
            return self._term(seg, node[1], node[2]).bits
        if kind == "page":
            return self._term(seg, node[1], node[2]).bits & pages if pages else 0
        if kind == "and":
            bits = universe
            for child in sorted(node[1], key=lambda c: c[0] == "not"):
                if child[0] == "not":
                    bits &= ~self._match(seg, child[1], universe, pages)
                else:
                    bits &= self._match(seg, child, universe, pages)
                if not bits:
                    break
            return bits
        if kind == "or":
            bits = 0
            for child in node[1]:
                bits |= self._match(seg, child, universe, pages)
            return bits
        if kind == "not":
            return universe & ~self._match(seg, node[1], universe, pages)
        raise ValueError(node)

    def _readable_pages(self, seg: _Segment, universe: int, staff: bool, readable: frozenset[int]) -> int:
        """Files of ``seg`` whose page text the searcher may match, score and see.

        Staff: every visible file. Anyone else: open files, and the files in ``readable``
        (a reader's active grants). Classified files are outside ``universe`` already.
        """
        if staff:
            return universe
        bits = seg.vectors.facet(f.MODE).get(f.OPEN_MODE, 0)
        for file_id in readable:
            bits |= self._term(seg, f.ID, str(file_id)).bits
        return bits & universe

    def _visible(self, seg: _Segment, staff: bool) -> int:
        bits = seg.vectors.live(seg.reader)
        if not staff:
            bits &= ~seg.vectors.facet(f.MODE).get(f.CLASSIFIED_MODE, 0)
        return bits

    def _date_bits(self, seg: _Segment, filters: Filters) -> int | None:
        if not (filters.date_from or filters.date_to):
            return None
        years = seg.vectors.facet(f.YEAR)
        low = (filters.date_from or 0) // 10000
        high = (filters.date_to or 99991231) // 10000
        bits = 0
        for value, value_bits in years.items():
            if value.isdigit() and low <= int(value) <= high:
                bits |= value_bits
        # Files in the first or last year may still fall outside a range given to the day.
        edge = 0
        if filters.date_from and filters.date_from % 10000 != 101:
            edge |= years.get(str(low), 0)
        if filters.date_to and filters.date_to % 10000 != 1231:
            edge |= years.get(str(high), 0)
        edge &= bits
        if edge:
            starts, ends = seg.vectors.dates(f.START), seg.vectors.dates(f.END)
            outside = bytearray(seg.vectors.n)
            for d in positions(edge):
                start, end = starts[d] or ends[d], ends[d] or starts[d]
                if (filters.date_to and start > filters.date_to) or (filters.date_from and end < filters.date_from):
                    outside[d] = 1
            bits &= ~bits_from_flags(outside)
        return bits

    def _facet_bits(self, seg: _Segment, filters: Filters) -> dict[str, int]:
        out = {}
        for name, values in filters.facets.items():
            if values:
                table = seg.vectors.facet(name)
                bits = 0
                for value in values:
                    bits |= table.get(value, 0)
                out[name] = bits
        return out

    def _weights(self, plan: Plan) -> dict[tuple[str, str], int]:
        """Integer weights (idf × weight), scaled so no score can overflow 15 bits.

        Also keeps, per segment, the scoring terms it holds (weight, vector, page term?) for :meth:`_rank`.
        """
        raw = {}
        held: dict[tuple[str, str], list] = {}
        term = self.cache.term  # a tight loop: a long query has 60 terms × segments
        segments = [(seg.offset, seg.vectors) for seg in self.segments]
        for key, weight in plan.scoring.items():
            name, text = key
            found = []
            df = 0
            for offset, vectors in segments:
                vector = term(vectors, name, text, True)
                if vector.df:
                    found.append((offset, vector))
                    df += vector.df
            if df:
                raw[key] = weight * bm25_idf(max(self.doc_count, df), df)
                held[key] = found
        self._held = {seg.offset: [] for seg in self.segments}
        if not raw:
            return {}
        budget = LANE_LIMIT // IMPACT_MAX - len(raw)
        scale = budget / sum(raw.values())
        weights = {key: max(1, int(value * scale)) for key, value in raw.items()}
        for (name, text), weight in weights.items():
            page_field = name in f.PAGE_FIELDS
            for offset, vector in held[(name, text)]:
                self._held[offset].append((weight, vector, page_field))
        return weights

    # --- the search -----------------------------------------------------------------------

    def run(self, plan: Plan, filters: Filters | None = None, *, staff: bool = False, sort: str = "relevance",
            offset: int = 0, limit: int = 20, facets: Sequence[str] = FACET_FIELDS,
            readable: frozenset[int] = frozenset()) -> Outcome:
        """Search; ``sort`` is "relevance", "date" (oldest first) or "-date" (newest first).

        ``readable``: ids of conditional files whose page text this searcher may read (active grants).
        """
        filters = filters or Filters()
        want = min(offset + limit, MAX_RANK)
        weights = self._weights(plan) if sort == "relevance" else {}
        total = 0
        counts: dict[str, dict[str, int]] = {name: {} for name in facets}
        ranked: list[tuple] = []
        for seg in self.segments:
            n = seg.vectors.n
            if n == 0:
                continue
            universe = self._visible(seg, staff)
            pages = self._readable_pages(seg, universe, staff, readable)
            matched = self._match(seg, plan.match, universe, pages) & universe if plan.match else universe
            dates = self._date_bits(seg, filters)
            if dates is not None:
                matched &= dates
            selected = self._facet_bits(seg, filters)
            docs = matched
            for bits in selected.values():
                docs &= bits
            total += docs.bit_count()
            for name in facets:
                # Counts of a facet ignore its own selection, so other values stay choosable.
                base = matched
                for other, bits in selected.items():
                    if other != name:
                        base &= bits
                target = counts[name]
                for value, bits in seg.vectors.facet(name).items():
                    hits = (base & bits).bit_count()
                    if hits:
                        target[value] = target.get(value, 0) + hits
            if docs and want > 0:
                exact = None
                if plan.exact is not None and sort == "relevance" and weights:
                    # Files with every exact form the reader typed come first, then the folded-only ones.
                    exact = self._match(seg, plan.exact, universe, pages) & docs
                ranked.extend(self._rank(seg, docs, weights, sort, want, pages, exact))
        if sort == "relevance" and weights:
            ranked.sort(key=lambda item: (-item[0], item[1]))
        else:
            ranked.sort()
        hits = []
        for item in ranked[offset:want]:
            docnum = item[1] if sort == "relevance" and weights else item[2]
            score = item[0] if sort == "relevance" and weights else 0
            hits.append(Hit(docnum, score, self._stored(docnum)))
        return Outcome(total, hits, counts)

    def _stored(self, docnum: int) -> dict:
        """Stored fields of the index-wide document ``docnum``."""
        for seg in reversed(self.segments):
            if docnum >= seg.offset:
                return seg.vectors.stored(docnum - seg.offset)
        raise IndexError(docnum)

    def _rank(self, seg: _Segment, docs: int, weights: dict, sort: str, want: int, pages: int = 0,
              exact: int | None = None) -> list[tuple]:
        """The best ``want`` of ``docs`` in ``seg``; by relevance, files in ``exact`` first (``EXACT_TIER``)."""
        n = seg.vectors.n
        if not docs:
            return []
        if sort == "relevance" and weights:
            # Page-text terms score only in files whose pages the searcher may read (``pages``): the
            # order of results must not tell anyone which words a closed file's pages hold.
            vectors = [item for item in self._held[seg.offset] if pages or not item[2]]
            # Few files: score each; more: every file of the segment at once, in arrays.
            if _score_each(docs.bit_count(), len(vectors), n):
                return self._rank_each(seg, docs, vectors, want, pages, exact)
            return self._rank_all(seg, docs, vectors, want, pages, exact)
        # Date order (or no words to score): oldest first for "date", newest first otherwise.
        newest_first = sort != "date"
        starts = seg.vectors.dates(f.START)
        count = docs.bit_count()
        if count <= SMALL_SET:
            members = positions(docs)
        else:
            flags = flags_from_bits(docs, n)
            members = []
            for d in seg.vectors.date_order(newest_first):
                if flags[d]:
                    members.append(d)
                    if len(members) >= want:
                        break
        out = []
        for d in members:
            key = starts[d] or (0 if newest_first else 99999999)
            out.append(((-key if newest_first else key), d, d + seg.offset))
        out.sort()
        return out[:want]

    @staticmethod
    def _rank_each(seg: _Segment, docs: int, vectors: list, want: int, pages: int, exact: int | None) -> list[tuple]:
        """Score file by file (few files × few terms)."""
        catalogue = [(weight, vector) for weight, vector, page_field in vectors if not page_field]
        page_terms = [(weight, vector) for weight, vector, page_field in vectors if page_field]
        readable = set(positions(docs & pages)) if page_terms else set()
        first = set(positions(exact)) if exact else set()
        scored = []
        for d in positions(docs):
            score = EXACT_TIER if d in first else 0
            for weight, vector in catalogue:
                score += weight * vector.impact(d)
            if d in readable:
                for weight, vector in page_terms:
                    score += weight * vector.impact(d)
            scored.append((score, d))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return [(score, d + seg.offset) for score, d in scored[:want]]

    @staticmethod
    def _rank_all(seg: _Segment, docs: int, vectors: list, want: int, pages: int,
                    exact: int | None) -> list[tuple]:
        """Score every file of the segment at once (NumPy), then take the best by tier."""
        n = seg.vectors.n
        scores = np.zeros(n, dtype=np.uint16)
        page_scores = None
        for weight, vector, page_field in vectors:
            if page_field:
                if page_scores is None:
                    page_scores = np.zeros(n, dtype=np.uint16)
                vector.add_to(page_scores, weight)
            else:
                vector.add_to(scores, weight)
        if page_scores is not None:
            # Page terms count only where the searcher may read the pages; the weights keep the sum in 15 bits.
            np.bitwise_and(page_scores, seg.vectors.lane_mask(pages), out=page_scores)
            np.add(scores, page_scores, out=scores)
        out: list[tuple] = []
        if exact:
            first = top_scores(scores, np.flatnonzero(flags_array(exact, n)), want)
            out = [(score + EXACT_TIER, d + seg.offset) for score, d in first]
            docs &= ~exact
            want -= len(out)
            # The folded-only files of this segment rank below its exact ones: enough of those, none needed.
            if want <= 0 or not docs:
                return out
        rest = top_scores(scores, np.flatnonzero(flags_array(docs, n)), want)
        return out + [(score, d + seg.offset) for score, d in rest]

    def count(self, plan: Plan, staff: bool) -> int:
        """How many files ``plan`` matches among those the searcher may see, on catalogue words only.

        (It serves "did you mean", which never offers what only page text holds.)
        """
        total = 0
        for seg in self.segments:
            if seg.vectors.n == 0:
                continue
            universe = self._visible(seg, staff)
            total += (self._match(seg, plan.match, universe) & universe if plan.match else universe).bit_count()
        return total

    def near_words(self, name: str, token: str, distance: int) -> set[str]:
        """Indexed words of field ``name`` within ``distance`` edits of ``token`` (any segment)."""
        found: set[str] = set()
        for seg in self.segments:
            if seg.vectors.n:
                found |= seg.vectors.vocabulary(name).near(token, distance)
        return found

    def visible_count(self, name: str, text: str, staff: bool) -> int:
        """How many files the searcher may see contain the term ``name:text``."""
        return sum((self._term(seg, name, text).bits & self._visible(seg, staff)).bit_count()
                   for seg in self.segments if seg.vectors.n)


__all__ = ["CACHE", "Engine", "Filters", "Hit", "Outcome"]
