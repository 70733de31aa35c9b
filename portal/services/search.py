"""The catalogue's search: the index under ``DATA_DIR/search``, kept in step with the database.

* :func:`reindex` is the one hook the catalogue services call after a commit
  (file saved, fonds renamed, scan attached, manifest imported, file deleted):
  it submits one ``search.index`` job with the ids. The job re-reads those files
  *inside* the index's write lock (see :mod:`search.index`), so two workers never
  write at once and the last job always writes the newest state.
* :func:`rebuild` (``flask search rebuild``) builds a new index from the
  database aside and swaps it in; search stays online.
* :func:`search` runs a reader's search with what the reader may see: anyone
  outside staff searches without classified files, which are filtered inside
  the query so totals, facets and suggestions never count them.

The text of digitised pages comes from the PDF's text layer (pypdfium2), in the
job (a worker process; pdfium is not thread-safe), cached by the scan's hash.
"""
from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from search.documents import SearchDocument, SearchDocumentPart
from search.engine import CACHE
from search.index import SearchIndex
from search.results import SearchRequest, SearchResults, execute

from .. import jobs, page_cache
from ..extensions import db
from ..models import Fonds, RecordFile
from ..permissions import can
from .derivatives import pdf_texts
from .scans import scan_file_path

log = logging.getLogger(__name__)

JOB_KIND = "search.index"
BATCH = 500
# The text layer kept per file (a longer text is cut; the index and snippets use the start).
MAX_TEXT_CHARS = 200_000


# --- the index ---------------------------------------------------------------------

def get_index() -> SearchIndex:
    """The app's search index (one object per app; searchers are cached per thread)."""
    index = current_app.extensions.get("search_index")
    if index is None:
        index = SearchIndex(Path(current_app.config["DATA_DIR"]) / "search",
                            lock_timeout=current_app.config.get("SEARCH_LOCK_TIMEOUT", 600))
        CACHE.max_bytes = int(current_app.config.get("SEARCH_CACHE_MB", 256)) * 1024 * 1024
        current_app.extensions["search_index"] = index
    return index


def _text_cache() -> Path:
    return Path(current_app.config["DATA_DIR"]) / "search" / "text"


def page_text(record: RecordFile) -> str:
    """The text layer of a PDF scan ("" for images, no scan, or a PDF without text)."""
    if record.scan_kind != "pdf" or not record.scan_path or not record.scan_sha256:
        return ""
    cached = _text_cache() / f"{record.scan_sha256}.txt"
    try:
        return cached.read_text(encoding="utf-8")
    except FileNotFoundError:
        pass
    text = extract_pdf_text(scan_file_path(record.scan_path, None))
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_name(f"{cached.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, cached)
    return text


def extract_pdf_text(path: Path, limit: int = MAX_TEXT_CHARS) -> str:
    """The text of every page of a PDF, as far as it has a text layer."""
    try:
        pages = pdf_texts(path)
    except Exception as exc:  # noqa: BLE001 - pdfium raises PdfiumError, OSError and friends
        log.warning("no text from %s: %s", path, exc)
        return ""
    parts: list[str] = []
    size = 0
    for text in pages:
        text = " ".join(text.split())
        if text:
            parts.append(text)
            size += len(text) + 1
        if size >= limit:
            break
    return "\n".join(parts)[:limit]


def search_document(record: RecordFile) -> SearchDocument:
    """What the index knows about ``record`` (its fonds and documents loaded)."""
    return SearchDocument(
        id=record.id, file_code=record.file_code, title=record.title, fonds_code=record.fonds.code,
        fonds_name=record.fonds.name, mode=record.mode, keywords=record.keywords or "", notes=record.notes or "",
        start_date=record.start_date, end_date=record.end_date, language=record.language or "",
        digitised=record.is_digitised,
        documents=[SearchDocumentPart(number=d.number, notation=d.notation, doc_type=d.doc_type, issuer=d.issuer,
                                      date=d.date, summary=d.summary or "") for d in record.documents],
        text=page_text(record),
    )


def load_documents(ids: Sequence[int]) -> list[SearchDocument]:
    """The files with these ids that exist now, as search documents."""
    out: list[SearchDocument] = []
    for start in range(0, len(ids), BATCH):
        chunk = list(ids[start:start + BATCH])
        records = db.session.scalars(
            select(RecordFile).where(RecordFile.id.in_(chunk))
            .options(selectinload(RecordFile.documents), selectinload(RecordFile.fonds))
        ).all()
        out.extend(search_document(r) for r in records)
    db.session.rollback()  # read-only: end the transaction, so a long job holds no snapshot
    return out


# --- keeping the index in step ------------------------------------------------------------

def reindex(file_ids: Iterable[int] = (), *, fonds_id: int | None = None, file_codes: Iterable[str] = ()) -> None:
    """Queue one index update for these files (call after your commit).

    ``fonds_id`` means every file of that fonds (its name is in each file's
    document); ``file_codes`` are resolved when the job runs. Ids of deleted
    files remove them from the index.
    """
    payload: dict[str, Any] = {}
    ids = sorted({int(i) for i in file_ids})
    codes = sorted({str(c) for c in file_codes if c})
    if ids:
        payload["file_ids"] = ids
    if codes:
        payload["file_codes"] = codes
    if fonds_id is not None:
        payload["fonds_id"] = int(fonds_id)
    if not payload:
        return
    subject = ("file", ids[0]) if len(ids) == 1 and len(payload) == 1 else None
    jobs.submit(JOB_KIND, payload, subject=subject)


@jobs.handler(JOB_KIND)
def index_files(file_ids: Sequence[int] = (), file_codes: Sequence[str] = (), fonds_id: int | None = None) -> None:
    """The job: bring the index up to date for these files."""
    ids = set(file_ids)
    if file_codes:
        for start in range(0, len(file_codes), BATCH):
            chunk = list(file_codes[start:start + BATCH])
            ids.update(db.session.scalars(select(RecordFile.id).where(RecordFile.file_code.in_(chunk))))
    if fonds_id is not None:
        ids.update(db.session.scalars(select(RecordFile.id).where(RecordFile.fonds_id == fonds_id)))
    if not ids:
        return
    _warm_text_cache(ids)
    get_index().update(sorted(ids), load_documents)
    page_cache.bump()  # search results kept for visitors now differ


def _warm_text_cache(ids: Iterable[int]) -> None:
    """Extract PDF text before taking the write lock, so the lock is held briefly."""
    ids = list(ids)
    for start in range(0, len(ids), BATCH):
        rows = db.session.scalars(
            select(RecordFile).where(RecordFile.id.in_(ids[start:start + BATCH]), RecordFile.scan_kind == "pdf")
        ).all()
        for record in rows:
            page_text(record)


def all_file_ids() -> list[int]:
    return list(db.session.scalars(select(RecordFile.id).order_by(RecordFile.id)))


def rebuild(progress: Callable[[int], None] | None = None, procs: int = 1,
            ids: list[int] | None = None) -> Path:
    """Build a fresh index from the database aside, then swap it in (search stays online)."""
    ids = all_file_ids() if ids is None else ids

    def batches() -> Iterator[list[SearchDocument]]:
        for start in range(0, len(ids), BATCH):
            yield load_documents(ids[start:start + BATCH])

    path = get_index().rebuild(batches(), load_documents, progress=progress, procs=procs)
    page_cache.bump()
    return path


# --- searching ---------------------------------------------------------------------------

def search(user: Any, request: SearchRequest) -> SearchResults:
    """Search as ``user``: staff see classified files, everyone else never does."""
    request.staff = can(user, "catalogue.search_classified")
    return execute(get_index(), request)


def fonds_names(codes: Iterable[str]) -> dict[str, str]:
    """Fonds codes → names, for the fonds facet."""
    codes = list(codes)
    if not codes:
        return {}
    return dict(db.session.execute(select(Fonds.code, Fonds.name).where(Fonds.code.in_(codes))).all())
