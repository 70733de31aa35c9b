"""What the index knows about a file: plain data, no database.

The portal builds a :class:`SearchDocument` from a ``RecordFile`` (and the
text layer of its PDF scan); the benchmark builds them from its generated
corpus. :mod:`search.index` turns one into index fields.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field

PARTIAL_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
# A file spanning more years than this gets facet years for its first ones only.
MAX_FACET_YEARS = 60


@dataclass
class SearchDocumentPart:
    """One document (văn bản) inside a file."""

    number: str | None = None
    notation: str | None = None
    doc_type: str | None = None
    issuer: str | None = None
    date: str | None = None
    summary: str = ""

    @property
    def reference(self) -> str:
        """Số/ký hiệu as written, e.g. ``11495/UBND-KGVX``."""
        if self.number and self.notation:
            return f"{self.number}/{self.notation}"
        return self.notation or self.number or ""


@dataclass
class SearchDocument:
    """A file (hồ sơ) as the search index sees it."""

    id: int
    file_code: str
    title: str
    fonds_code: str
    fonds_name: str
    mode: str
    keywords: str = ""
    notes: str = ""
    start_date: str | None = None
    end_date: str | None = None
    language: str = "Tiếng Việt"
    digitised: bool = False
    documents: list[SearchDocumentPart] = field(default_factory=list)
    text: str = ""  # text of the digitised pages not split by page (the benchmark's corpus)
    pages: list[str] = field(default_factory=list)  # the text of each page, in order (OCR or text layer)
    # The catalogue's version of the file (e.g. last-modified in microseconds): the index
    # records which version it applied, so a check can find what it lacks.
    version: int = 0


def date_number(value: str | None, *, end: bool = False) -> int | None:
    """``YYYY[-MM[-DD]]`` as the number YYYYMMDD of its first (or last) day; None if unparseable."""
    match = PARTIAL_DATE_RE.match((value or "").strip())
    if not match:
        return None
    year = int(match.group(1))
    month = int(match.group(2) or (12 if end else 1))
    if not 1 <= month <= 12:
        return None
    last = calendar.monthrange(year, month)[1]
    day = int(match.group(3) or (last if end else 1))
    if not 1 <= day <= last:
        return None
    return year * 10000 + month * 100 + day


def facet_years(doc: SearchDocument) -> list[int]:
    """The years a file covers (start to end), for the year and decade facets."""
    start = date_number(doc.start_date)
    end = date_number(doc.end_date, end=True) or (date_number(doc.start_date, end=True) if start else None)
    if start is None:
        start = end
    if start is None:
        return []
    first, last = start // 10000, max(start, end or start) // 10000
    return list(range(first, min(last, first + MAX_FACET_YEARS - 1) + 1))
