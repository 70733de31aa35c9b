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

    def _match(self, seg: _Segment, node, universe: int) -> int:
        kind = node[0]
        if kind == "term":
            return self._term(seg, node[1], node[2]).bits
        if kind == "and":
            bits = universe
            for child in sorted(node[1], key=lambda c: c[0] == "not"):
                if child[0] == "not":
                    bits &= ~self._match(seg, child[1], universe)
                else:
                    bits &= self._match(seg, child, universe)
                if not bits:
                    break
            return bits
        if kind == "or":
            bits = 0
            for child in node[1]:
                bits |= self._match(seg, child, universe)
            return bits
        if kind == "not":
            return universe & ~self._match(seg, node[1], universe)
        raise ValueError(node)

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
            offset: int = 0, limit: int = 20, facets: Sequence[str] = FACET_FIELDS) -> Outcome:
        """Search; ``sort`` is "relevance", "date" (oldest first) or "-date" (newest first)."""
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
            matched = self._match(seg, plan.match, universe) & universe if plan.match else universe
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
                ranked.extend(self._rank(seg, docs, weights, sort, want))
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

    def _rank(self, seg: _Segment, docs: int, weights: dict, sort: str, want: int) -> list[tuple]:
        n = seg.vectors.n
        if sort == "relevance" and weights:
            vectors = [(weight, self._term(seg, name, text, impacts=True)) for (name, text), weight in weights.items()]
            vectors = [(weight, vector) for weight, vector in vectors if vector.df]
            if docs.bit_count() <= SMALL_SET:  # few files: score each one
                scored = []
                for d in positions(docs):
                    score = 0
                    for weight, vector in vectors:
                        score += weight * vector.impact(d)
                    scored.append((score, d))
                scored.sort(key=lambda item: (-item[0], item[1]))
                return [(score, d + seg.offset) for score, d in scored[:want]]
            scores = 0  # many files: all of them at once, 16 bits per file
            for weight, vector in vectors:
                scores += weight * vector.lanes(n)
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
        """How many files ``plan`` matches among those the searcher may see."""
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
