"""Run a :class:`~search.query.Plan` on an index: hits, total, facet counts.

Everything is computed per Whoosh segment on the bit sets and impact lanes of
:mod:`search.vectors`, then merged. Classified files are removed from the
document set *before* anything is counted, scored or suggested, unless the
searcher is staff.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from . import schema as f
from .query import Plan
from .vectors import (
    IMPACT_MAX, LANE_LIMIT, SegmentVectors, TermVector, VectorCache, bits_from_flags, bm25_idf, flags_from_bits,
    lanes_from_bits, positions, top_lanes,
)

# Facets whose counts are computed for every search.
FACET_FIELDS = f.FACETS
# Past this rank, pages are not offered (deep pages cost more and nobody reads them).
MAX_RANK = 2000
# A document set this small is sorted directly; larger ones are walked in date order.
SMALL_SET = 2000
# Files × scoring terms up to which each file is scored on its own (past it, lanes are faster).
SMALL_WORK = 6000
# Added to the score of files holding every exact (diacritic) form the reader typed: they rank first.
EXACT_TIER = 1 << 48

CACHE = VectorCache()


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
        """Integer weights (idf × weight), scaled so no score lane can overflow."""
        raw = {}
        for (name, text), weight in plan.scoring.items():
            df = sum(self._term(seg, name, text, impacts=True).df for seg in self.segments)
            if df:
                raw[(name, text)] = weight * bm25_idf(max(self.doc_count, df), df)
        if not raw:
            return {}
        budget = LANE_LIMIT // IMPACT_MAX - len(raw)
        scale = budget / sum(raw.values())
        return {key: max(1, int(value * scale)) for key, value in raw.items()}

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
                if plan.exact is not None and sort == "relevance" and weights:
                    # Files with every exact form the reader typed come first, then the folded-only ones.
                    exact = self._match(seg, plan.exact, universe, pages) & docs
                    ranked.extend((score + EXACT_TIER, d) for score, d in
                                  self._rank(seg, exact, weights, sort, want, pages))
                    ranked.extend(self._rank(seg, docs & ~exact, weights, sort, want, pages))
                else:
                    ranked.extend(self._rank(seg, docs, weights, sort, want, pages))
        if sort == "relevance" and weights:
            ranked.sort(key=lambda item: (-item[0], item[1]))
        else:
            ranked.sort()
        hits = []
        for item in ranked[offset:want]:
            docnum = item[1] if sort == "relevance" and weights else item[2]
            score = item[0] if sort == "relevance" and weights else 0
            hits.append(Hit(docnum, score, self.searcher.stored_fields(docnum)))
        return Outcome(total, hits, counts)

    def _rank(self, seg: _Segment, docs: int, weights: dict, sort: str, want: int, pages: int = 0) -> list[tuple]:
        n = seg.vectors.n
        if not docs:
            return []
        if sort == "relevance" and weights:
            # Page-text terms score only in files whose pages the searcher may read (``pages``): the
            # order of results must not tell anyone which words a closed file's pages hold.
            vectors = [(weight, self._term(seg, name, text, impacts=True), name in f.PAGE_FIELDS)
                       for (name, text), weight in weights.items()]
            vectors = [item for item in vectors if item[1].df and (pages or not item[2])]
            # Few files × few terms: score each file; more: all files at once in lanes (C-speed big ints).
            if docs.bit_count() * max(1, len(vectors)) <= SMALL_WORK:
                catalogue = [(weight, vector) for weight, vector, page_field in vectors if not page_field]
                page_terms = [(weight, vector) for weight, vector, page_field in vectors if page_field]
                readable = set(positions(docs & pages)) if page_terms else set()
                scored = []
                for d in positions(docs):
                    score = 0
                    for weight, vector in catalogue:
                        score += weight * vector.impact(d)
                    if d in readable:
                        for weight, vector in page_terms:
                            score += weight * vector.impact(d)
                    scored.append((score, d))
                scored.sort(key=lambda item: (-item[0], item[1]))
                return [(score, d + seg.offset) for score, d in scored[:want]]
            scores = 0  # many files: all of them at once, 16 bits per file
            page_lanes = lanes_from_bits(pages, n) * 0xFFFF if pages else 0
            for weight, vector, page_field in vectors:
                scores += weight * (vector.lanes(n) & page_lanes if page_field else vector.lanes(n))
            scores &= lanes_from_bits(docs, n) * 0xFFFF
            return [(score, d + seg.offset) for score, d in top_lanes(scores, n, want)]
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
