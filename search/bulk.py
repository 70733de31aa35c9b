"""A fast Whoosh writer for building a whole index from scratch.

Whoosh's own writer sends every posting through a sorting pool, a temporary
run file and a per-posting write call; at 100,000 files (some 60 million
postings) that takes far longer than the benchmark's 300 s budget. Documents
given to a fresh segment arrive in docnum order, so the postings of each term
are already sorted: :class:`BulkWriter` inverts them in memory (one array of
docnums and one of frequencies per term) and writes each posting list a block
of 128 postings at a time through Whoosh's own postings writer, so the files
are exactly what Whoosh writes and reads.

Whoosh's private parts it needs (the postings writer's block, the term table)
are reached through :mod:`search.whoosh_private`; the two methods it overrides,
``_flush_segment`` and ``_finish``, are the segment writer's own extension points.

Only for new segments in an index nobody else writes to (``flask search
rebuild`` builds aside); incremental updates use Whoosh's normal writer.
"""
from __future__ import annotations

import pickle
import sys
import zlib
from array import array
from collections import Counter
from typing import Any

from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from . import schema as f
from . import whoosh_private
from .schema import TermCounts
from .vectors import IMPACT_MAX, IMPACTS_EXT, impact_table

_BIG_ENDIAN = sys.byteorder == "big"
# Posting lists this short are stored inside the term table instead of the
# postings file (Whoosh reads them back as a list matcher): most terms of an
# archive (references, codes, rare pairs) occur in one or two files, and this
# saves a compressed block per term.
INLINE_LIMIT = 8
# Fields whose frequent terms get their impact lanes stored (see search.vectors): what common
# queries score, so the first search after a rebuild does not compute them.
IMPACT_FIELDS = (f.TEXT, f.EXACT, f.PAIRS, f.TITLE, *f.PAGE_FIELDS)
# ... for terms in at least this many files, and a tenth of the segment (about 40 kB per term and 100,000 files).
STORED_MIN_DF = 2000


class BulkWriter(SegmentWriter):
    """Adds documents to one new segment; ``commit(merge=False)`` writes it."""

    def __init__(self, ix, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        # field -> term (str for our term-list fields, bytes for the others) -> (docnums, freqs)
        self._inverted: dict[str, dict[Any, tuple[array, array]]] = {}
        # field -> the (quantised) field length of each document of this segment
        self._lengths: dict[str, array] = {
            name: array("I") for name, field in self.schema.items() if field.scorable
        }

    def add_document(self, **fields: Any) -> None:
        whoosh_private.check_writer_open(self)
        schema = self.schema
        perdoc = self.perdocwriter
        docnum = self.docnum
        perdoc.start_doc(docnum)
        lengths = dict.fromkeys(self._lengths, 0)
        for name in sorted(fields):
            if name.startswith("_"):
                continue
            value = fields[name]
            if value is None:
                continue
            field = schema[name]
            length = 0
            if field.indexed:
                inverted = self._inverted.setdefault(name, {})
                if isinstance(field.format, TermCounts) and isinstance(value, list):
                    items = Counter(value).items()
                    length = len(value)
                else:
                    items = [(tbytes, freq) for tbytes, freq, _w, _v in field.index(value)]
                    length = sum(freq for _t, freq in items)
                for term, freq in items:
                    try:
                        docnums, freqs = inverted[term]
                    except KeyError:
                        docnums, freqs = inverted[term] = (array("I"), array("I"))
                    docnums.append(docnum)
                    freqs.append(freq)
                if field.scorable:
                    lengths[name] = byte_to_length(length_to_byte(length))
            stored = fields.get("_stored_" + name, value)
            perdoc.add_field(name, field, stored if field.stored else None, length if field.scorable else 0)
            if field.column_type and stored is not None:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(stored))
        for name, length in lengths.items():
            self._lengths[name].append(length)
        perdoc.finish_doc()
        whoosh_private.mark_added(self)
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        writer = self.fieldwriter
        base = self.docbase
        impacts = _ImpactWriter(self.newsegment.create_file(self.storage, IMPACTS_EXT), self.docnum - base,
                                whoosh_private.perdoc_field_lengths(self.perdocwriter))
        for name in sorted(self._inverted):
            field = self.schema[name]
            inverted = self._inverted.pop(name)
            doc_lengths = self._lengths.get(name)
            if name in IMPACT_FIELDS:
                impacts.start_field(name, doc_lengths)
            counted = isinstance(field.format, TermCounts)
            boost = field.format.field_boost
            writer.start_field(name, field)
            limit = whoosh_private.postings_block_limit(writer)
            for term in sorted(inverted):
                docnums, freqs = inverted[term]
                tbytes = term.encode("utf-8") if isinstance(term, str) else term
                count = len(docnums)
                if count <= INLINE_LIMIT:
                    self._inline_term(writer, tbytes, docnums, freqs, doc_lengths, counted, boost)
                    continue
                if name in IMPACT_FIELDS and count >= impacts.min_df:
                    impacts.add(name, term, docnums, freqs, base)
                writer.start_term(tbytes)
                for start in range(0, count, limit):
                    ids = docnums[start:start + limit]
                    chunk = freqs[start:start + limit]
                    if counted:
                        weights = array("f", chunk if boost == 1.0 else [f * boost for f in chunk])
                        values = array("I", chunk)
                        if not _BIG_ENDIAN:
                            values.byteswap()  # pack_uint is big-endian
                        packed = [values.tobytes()]
                    else:
                        weights = array("f", [boost] * len(ids))
                        packed = []
                    lengths = None
                    if doc_lengths is not None:
                        block_lengths = [doc_lengths[d - base] for d in ids]
                        lengths = (min(block_lengths), max(block_lengths))
                    whoosh_private.set_postings_block(writer, ids, weights, packed, lengths)
                    if start + limit < count:
                        whoosh_private.write_postings_block(writer)
                writer.finish_term()  # writes the last block
            writer.finish_field()
        writer.close()
        impacts.close()

    def _finish(self) -> None:
        # Unlike Whoosh's writer, leave the temporary folder: writers in other processes may be
        # building segments of the same index with it (build_segments removes it at the end).
        self.is_closed = True

    def _inline_term(self, writer, tbytes: bytes, docnums: array, freqs: array, doc_lengths, counted: bool,
                     boost: float) -> None:
        """Write a short posting list into the term table (what Whoosh calls inlined postings)."""
        ids = tuple(docnums)
        weights = tuple(float(f) * boost for f in freqs) if counted else (boost,) * len(ids)
        # As Whoosh's own blocks read back: a frequency per posting, or no value (None) at all.
        values = tuple(pack_uint(f) for f in freqs) if counted else (None,) * len(ids)
        lengths = None
        if doc_lengths is not None:
            block_lengths = [doc_lengths[d - self.docbase] for d in ids]
            lengths = (min(block_lengths), max(block_lengths))
        whoosh_private.add_inlined_term(writer, tbytes, ids, weights, values, lengths)


class _ImpactWriter:
    """Writes the ``.imp`` segment file: zlib-compressed impact lanes of frequent terms, then a table."""

    def __init__(self, out, doc_count: int, field_lengths: dict[str, int]) -> None:
        self.out = out
        self.doc_count = doc_count
        self.field_lengths = field_lengths
        self.min_df = max(STORED_MIN_DF, doc_count // 10)
        self.table: dict[tuple[str, str], tuple[int, int, int]] = {}
        self.codes = b""
        self.impacts: list[bytes] = []

    def start_field(self, name: str, doc_lengths: array | None) -> None:
        self.codes = bytes(length_to_byte(x) for x in doc_lengths) if doc_lengths is not None else b""
        self.impacts = impact_table(self.field_lengths.get(name, 0), self.doc_count)

    def add(self, name: str, term, docnums: array, freqs: array, base: int) -> None:
        if not isinstance(term, str) or not self.codes:
            return
        lanes = array("H", bytes(2 * self.doc_count))
        codes, table = self.codes, self.impacts
        for d, tf in zip(docnums, freqs):
            d -= base
            lanes[d] = table[tf if tf < IMPACT_MAX else IMPACT_MAX][codes[d]]
        if _BIG_ENDIAN:
            lanes.byteswap()
        blob = zlib.compress(lanes.tobytes(), 1)
        self.table[(name, term)] = (self.out.tell(), len(blob), len(docnums))
        self.out.write(blob)

    def close(self) -> None:
        at = self.out.tell()
        self.out.write(pickle.dumps(self.table, 4))
        self.out.write(at.to_bytes(8, "little"))
        self.out.close()
