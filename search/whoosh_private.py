"""Every use of Whoosh's private parts, in one place, for one tested version.

The search engine reads posting blocks, term tables and the length column
directly (:mod:`search.vectors`), and the bulk builder writes posting blocks and
inlined terms itself (:mod:`search.bulk`): that is what makes a results page
take milliseconds at 100,000 files. Those are private attributes of
whoosh-reloaded, so they are all reached through the functions below, and the
module refuses to load with any other version than :data:`TESTED_VERSION`
(``requirements.txt`` pins it): an upgrade fails here, loudly and at start-up,
instead of returning wrong results somewhere else. After an upgrade, run
``tests/test_search_index.py`` (it compares what these functions read with
Whoosh's own matchers), then change :data:`TESTED_VERSION`.
"""
from __future__ import annotations

from collections.abc import Iterator
from importlib.metadata import PackageNotFoundError, version
from itertools import accumulate
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3TermInfo, _lenfield
from whoosh.filedb.filestore import Storage
from whoosh.index import TOC
from whoosh.system import pack_ushort

TESTED_VERSION = "2.7.5"


def installed_version() -> str | None:
    """The installed whoosh-reloaded version, or None when it is not installed as that distribution."""
    try:
        return version("whoosh-reloaded")
    except PackageNotFoundError:
        return None


def check_version(found: str | None = None) -> None:
    """Raise RuntimeError unless the installed Whoosh is the version these functions were written for."""
    found = found if found is not None else installed_version()
    if found != TESTED_VERSION:
        raise RuntimeError(
            f"search/ reads Whoosh's private data structures and was tested with whoosh-reloaded "
            f"{TESTED_VERSION}, but {found or 'no whoosh-reloaded'} is installed. Install the version pinned in "
            f"requirements.txt, or port search/whoosh_private.py to the new version and its tests.")


check_version()  # at import: every process that searches or indexes fails at start-up, not mid-query


# --- reading a segment -----------------------------------------------------------------

def length_codes(reader: Any, field: str) -> bytes:
    """One byte per document of the segment: Whoosh's quantised length of ``field`` (empty when none)."""
    column = reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    if column is None:
        return b""
    return column._dbfile.get(column._basepos, column._count)


def segment_storage(reader: Any) -> Storage:
    """The storage a segment reader reads its files from."""
    return reader._storage


def has_term(reader: Any, field: str, tbytes: bytes) -> bool:
    """Whether the segment's term table holds ``tbytes`` in ``field``."""
    return (field, tbytes) in reader._terms


def term_matcher(reader: Any, field: str, tbytes: bytes, fmt: Any) -> Any:
    """A raw posting-list matcher of the term (no deletions applied)."""
    return reader._terms.matcher(field, tbytes, fmt)


def posting_blocks(matcher: Any) -> Iterator[tuple[list[int], Any]]:
    """(docnums, weights) of each block of a posting list, read without the matcher's per-posting calls.

    ``weights`` is None (all 1), one float for the whole block, or a sequence.
    """
    if not hasattr(matcher, "_read_data"):  # a short list stored in the term table
        yield list(matcher._ids), matcher._weights
        return
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        deltas, weights, _values = matcher._data
        yield list(accumulate(deltas)), weights
        matcher._next_block()


def toc_filename(indexname: str, generation: int) -> str:
    """The file name of an index's table of contents for ``generation``."""
    return TOC._filename(indexname, generation)


def read_toc(ix: Any) -> TOC:
    """The index's current table of contents."""
    return ix._read_toc()


# --- writing a segment ----------------------------------------------------------------

def check_writer_open(writer: Any) -> None:
    """Raise as Whoosh does when documents are added to a closed writer."""
    writer._check_state()


def mark_added(writer: Any) -> None:
    """Tell Whoosh's segment writer that it holds documents (so commit writes the segment)."""
    writer._added = True


def perdoc_field_lengths(perdocwriter: Any) -> dict[str, int]:
    """Total length of each field over the segment, as the per-document writer counted it."""
    return perdocwriter._fieldlengths


def postings_block_limit(fieldwriter: Any) -> int:
    """How many postings Whoosh puts in one block."""
    return fieldwriter._postwriter._blocklimit


def set_postings_block(fieldwriter: Any, ids: Any, weights: Any, values: list[bytes],
                       lengths: tuple[int, int] | None) -> None:
    """Load one block of postings into the field writer's postings writer (written by the next call)."""
    postwriter = fieldwriter._postwriter
    postwriter._values = values
    postwriter._ids = ids
    postwriter._weights = weights
    postwriter._maxweight = max(weights)
    if lengths is not None:
        postwriter._minlength, postwriter._maxlength = lengths


def write_postings_block(fieldwriter: Any) -> None:
    """Write the loaded block now (the last block of a term is written by ``finish_term``)."""
    fieldwriter._postwriter._write_block()


def add_inlined_term(fieldwriter: Any, tbytes: bytes, ids: tuple[int, ...], weights: tuple[float, ...],
                     values: tuple[Any, ...], lengths: tuple[int, int] | None) -> None:
    """Write a short posting list into the term table itself (what Whoosh calls inlined postings)."""
    info = W3TermInfo()
    info._weight = float(sum(weights))
    info._df = len(ids)
    info._maxweight = max(weights)
    info._minid, info._maxid = ids[0], ids[-1]
    if lengths is not None:
        info._minlength, info._maxlength = lengths
    info.set_inlined(ids, weights, values)
    fieldwriter._tindex.add(pack_ushort(fieldwriter._fieldid) + tbytes, info.to_bytes())


def finish_segment(writer: Any) -> Any:
    """Write a segment writer's documents as a segment and close it without touching the index's TOC."""
    segment = writer._finalize_segment()
    writer._finish()
    return segment
