"""The catalogue's search: the index under ``DATA_DIR/search``, kept in step with the database.

* :func:`reindex` is the one hook the catalogue services call *before* their
  commit (file saved, fonds renamed, scan attached, manifest imported, file
  deleted): it adds one ``search.index`` job row to that transaction, so the
  change and its index job commit together (outbox). The job re-reads those files
  *inside* the index's write lock (see :mod:`search.index`), so two workers never
  write at once and the last job always writes the newest state.
* :func:`rebuild` (``flask search rebuild``) builds a new index from the
  database aside and swaps it in; search stays online.
* :func:`search` runs a reader's search with what the reader may see: anyone
  outside staff searches without classified files, which are filtered inside
  the query so totals, facets and suggestions never count them.
* :func:`check_index` (run by the worker's sweeper every ``SEARCH_CHECK_SECONDS``
  and by ``flask search check``) compares what the index applied (file id and
  version, see :func:`file_version`) with the catalogue, queues what is missing,
  stale or deleted, and keeps its findings for staff and the health report.

The text of digitised pages comes from the PDF's text layer (pypdfium2), in the
job (a worker process; pdfium is not thread-safe), cached by the scan's hash.
"""
from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from search.documents import SearchDocument, SearchDocumentPart
from search.engine import CACHE
from search.index import SearchIndex
from search.results import SearchRequest, SearchResults, execute
from search.snippets import page_snippets

from .. import jobs, page_cache
from ..db import utcnow
from ..extensions import db
from ..models import (
    WAITING_STATUSES, AccessMode, Clearance, Fonds, Job, JobStatus, PageText, RecordFile, RequestItem, ScanKind,
)
from ..permissions import can
from ..workflow import ItemStatus
from .derivatives import pdf_texts
from .scans import scan_file_path

log = logging.getLogger(__name__)

JOB_KIND = "search.index"
REBUILD_JOB = "search.rebuild"
CHECK_FILE = "check.json"
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


def layer_pages(record: RecordFile) -> list[str]:
    """The text layer of each page of a PDF scan ([] for images or no scan), cached by the scan's hash.

    What the index uses for a file whose pages are not read yet (see :func:`file_pages`).
    """
    if record.scan_kind != ScanKind.PDF.value or not record.scan_path or not record.scan_sha256:
        return []
    cached = _text_cache() / f"{record.scan_sha256}.json"
    try:
        return json.loads(cached.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        pass
    pages = extract_pdf_pages(scan_file_path(record.scan_path, None))
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_name(f"{cached.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_text(json.dumps(pages, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, cached)
    return pages


def extract_pdf_pages(path: Path, limit: int = MAX_TEXT_CHARS) -> list[str]:
    """The text of each page of a PDF, as far as it has a text layer (cut after ``limit`` characters)."""
    try:
        pages = pdf_texts(path)
    except Exception as exc:  # noqa: BLE001 - pdfium raises PdfiumError, OSError and friends
        log.warning("no text from %s: %s", path, exc)
        return []
    out: list[str] = []
    size = 0
    for text in pages:
        text = " ".join(text.split())[:max(0, limit - size)]
        out.append(text)
        size += len(text)
    return out


def file_pages(record: RecordFile, read: dict[int, str] | None = None) -> list[str]:
    """The text of each page of ``record``: what was read (OCR, text layer, corrections), else the text layer.

    ``read`` (page number → text) saves the query when the caller loaded the pages of many files.
    """
    if not record.scan_path:
        return []
    if read is None:
        read = dict(db.session.execute(select(PageText.page_no, PageText.text).where(
            PageText.file_id == record.id, PageText.scan_sha256 == record.scan_sha256)).all())
    layer = layer_pages(record) if len(read) < (record.scan_pages or 0) else []
    count = max(record.scan_pages or 0, len(layer))
    return [read.get(n) or (layer[n - 1] if n - 1 < len(layer) else "") for n in range(1, count + 1)]


def _read_pages(records: Sequence[RecordFile]) -> dict[int, dict[int, str]]:
    """File id → page number → text read from its current scan, for many files in one query."""
    wanted = {r.id: r.scan_sha256 for r in records if r.scan_path}
    out: dict[int, dict[int, str]] = {i: {} for i in wanted}
    if not wanted:
        return out
    rows = db.session.execute(select(PageText.file_id, PageText.page_no, PageText.text, PageText.scan_sha256)
                              .where(PageText.file_id.in_(list(wanted))))
    for file_id, page_no, text, sha in rows:
        if wanted.get(file_id) == sha:
            out[file_id][page_no] = text
    return out


def _text_moments(ids: Sequence[int] | None = None) -> dict[int, datetime]:
    """File id → when its page text last changed (read or corrected); all files when ``ids`` is None."""
    newest = func.max(func.coalesce(PageText.corrected_at, PageText.created_at))
    query = select(PageText.file_id, newest, func.max(PageText.created_at)).group_by(PageText.file_id)
    if ids is not None:
        query = query.where(PageText.file_id.in_(list(ids)))
    return {file_id: max(m for m in (a, b) if m is not None) for file_id, a, b in db.session.execute(query)
            if a is not None or b is not None}


def search_document(record: RecordFile, read: dict[int, str] | None = None,
                    text_moment: datetime | None = None) -> SearchDocument:
    """What the index knows about ``record`` (its fonds and documents loaded; ``read``: see :func:`file_pages`).

    Its version counts the page text too (``text_moment``), so the index check finds a file whose
    recognised or corrected text the index lacks.
    """
    return SearchDocument(
        id=record.id, file_code=record.file_code, title=record.title, fonds_code=record.fonds.code,
        fonds_name=record.fonds.name, mode=record.mode, keywords=record.keywords or "", notes=record.notes or "",
        start_date=record.start_date, end_date=record.end_date, language=record.language or "",
        digitised=record.is_digitised,
        documents=[SearchDocumentPart(number=d.number, notation=d.notation, doc_type=d.doc_type, issuer=d.issuer,
                                      date=d.date, summary=d.summary or "") for d in record.documents],
        pages=file_pages(record, read),
        version=file_version(record.updated_at, record.fonds.updated_at, record.scan_updated_at, text_moment),
    )


def file_version(*moments: datetime | None) -> int:
    """A file's version for the index: its newest change (file, fonds, scan) in microseconds."""
    newest = max((m for m in moments if m is not None), default=None)
    if newest is None:
        return 0
    return int((newest - datetime(1970, 1, 1)).total_seconds() * 1_000_000)


def load_documents(ids: Sequence[int]) -> list[SearchDocument]:
    """The files with these ids that exist now, as search documents."""
    out: list[SearchDocument] = []
    for start in range(0, len(ids), BATCH):
        chunk = list(ids[start:start + BATCH])
        records = db.session.scalars(
            select(RecordFile).where(RecordFile.id.in_(chunk))
            .options(selectinload(RecordFile.documents), selectinload(RecordFile.fonds))
        ).all()
        read = _read_pages(records)
        moments = _text_moments(chunk)
        out.extend(search_document(r, read.get(r.id), moments.get(r.id)) for r in records)
    db.session.rollback()  # read-only: end the transaction, so a long job holds no snapshot
    return out


# --- keeping the index in step ------------------------------------------------------------

def reindex(file_ids: Iterable[int] = (), *, fonds_id: int | None = None, file_codes: Iterable[str] = ()) -> None:
    """Add one index job for these files to the current transaction (call it before your commit).

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
    jobs.add(JOB_KIND, payload, subject=subject)


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
            select(RecordFile).where(RecordFile.id.in_(ids[start:start + BATCH]), RecordFile.scan_kind == ScanKind.PDF.value)
        ).all()
        for record in rows:
            layer_pages(record)


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


@jobs.handler(REBUILD_JOB)
def rebuild_job() -> None:
    """The job the index check queues when the index is missing or predates version columns."""
    rebuild()


# --- drift check ------------------------------------------------------------------------

@dataclass
class IndexCheck:
    """What the index check found (kept in ``DATA_DIR/search/check.json``)."""

    checked_at: str = ""
    catalogue: int = 0  # files in the database
    indexed: int = 0  # files in the index
    missing: list[int] = field(default_factory=list)  # in the catalogue, not in the index
    stale: list[int] = field(default_factory=list)  # in both, the index holds an older version
    extra: list[int] = field(default_factory=list)  # in the index, deleted from the catalogue
    pending_jobs: int = 0  # index jobs queued or running at the time of the check
    queued: str = ""  # "" | "update" | "rebuild": what the check queued
    needs_rebuild: bool = False  # the index predates version columns or is absent

    @property
    def waiting(self) -> int:
        """How many files wait for the index."""
        return len(self.missing) + len(self.stale) + len(self.extra)

    @property
    def in_sync(self) -> bool:
        return self.waiting == 0 and not self.needs_rebuild


def pending_index_jobs() -> int:
    """Index jobs (updates and rebuilds) not finished yet."""
    return db.session.scalar(select(func.count()).select_from(Job).where(
        Job.kind.in_((JOB_KIND, REBUILD_JOB)), Job.status.in_((*WAITING_STATUSES, JobStatus.RUNNING.value)))) or 0


def check_index(queue: bool = True) -> IndexCheck:
    """Compare the index with the catalogue; queue what is missing (unless index jobs are pending).

    Pending index jobs will bring their files: the check then only reports, and the
    next check queues whatever is still missing. A missing or old-format index is
    rebuilt as a whole (one job) rather than file by file.
    """
    rows = db.session.execute(select(RecordFile.id, RecordFile.updated_at, Fonds.updated_at,
                                     RecordFile.scan_updated_at).join(Fonds, Fonds.id == RecordFile.fonds_id))
    moments = _text_moments()
    catalogue = {row[0]: file_version(*row[1:], moments.get(row[0])) for row in rows}
    pending = pending_index_jobs()
    db.session.rollback()
    index = get_index()
    applied = index.applied()
    result = IndexCheck(checked_at=utcnow().isoformat(timespec="seconds"), catalogue=len(catalogue),
                        pending_jobs=pending)
    if applied is None or (not index.exists() and catalogue):
        result.needs_rebuild = True
        result.indexed = index.doc_count()
        result.missing = sorted(catalogue)
    else:
        result.indexed = len(applied)
        result.missing = sorted(set(catalogue) - set(applied))
        result.extra = sorted(set(applied) - set(catalogue))
        result.stale = sorted(i for i, v in catalogue.items() if i in applied and applied[i] < v)
    if queue and pending == 0 and (result.waiting or result.needs_rebuild):
        if result.needs_rebuild:
            jobs.submit(REBUILD_JOB, {})
            result.queued = "rebuild"
        else:
            reindex([*result.missing, *result.stale, *result.extra])
            db.session.commit()
            result.queued = "update"
        log.warning("search index drift: %d missing, %d stale, %d deleted; queued %s",
                    len(result.missing), len(result.stale), len(result.extra), result.queued)
    _save_check(result)
    return result


def _save_check(result: IndexCheck) -> None:
    folder = Path(current_app.config["DATA_DIR"]) / "search"
    folder.mkdir(parents=True, exist_ok=True)
    data = asdict(result)
    for name in ("missing", "stale", "extra"):  # counts and a sample are enough for staff
        data[f"{name}_count"] = len(data[name])
        data[name] = data[name][:50]
    tmp = folder / f"{CHECK_FILE}.{secrets.token_hex(4)}.tmp"
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, folder / CHECK_FILE)


@dataclass
class IndexState:
    """The index as staff and the health report see it."""

    catalogue: int  # files in the database now
    indexed: int  # files in the index now
    pending_jobs: int  # index jobs not finished
    last_check: dict[str, Any] | None  # the last check's findings (counts), None if never run
    waiting: int  # files the last check found waiting (0 if none or never checked)

    @property
    def in_sync(self) -> bool:
        """"Chỉ mục đồng bộ": counts agree, nothing pending, the last check found nothing waiting."""
        return self.catalogue == self.indexed and self.pending_jobs == 0 and self.waiting == 0


def index_state() -> IndexState:
    """Cheap live figures plus the last check's findings.

    Files waiting: those named by unfinished index jobs; else, if no index job
    finished since the last check, what that check found; else the difference
    of the counts.
    """
    catalogue = db.session.scalar(select(func.count()).select_from(RecordFile)) or 0
    pending_rows = list(db.session.scalars(select(Job.payload).where(
        Job.kind.in_((JOB_KIND, REBUILD_JOB)), Job.status.in_((*WAITING_STATUSES, JobStatus.RUNNING.value)))))
    last_done = db.session.scalar(select(func.max(Job.finished_at)).where(
        Job.kind.in_((JOB_KIND, REBUILD_JOB)), Job.status == JobStatus.DONE.value))
    db.session.rollback()
    indexed = get_index().doc_count()
    try:
        last = json.loads((Path(current_app.config["DATA_DIR"]) / "search" / CHECK_FILE).read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        last = None
    if pending_rows:
        waiting = sum(len(p.get("file_ids", ())) + len(p.get("file_codes", ())) for p in pending_rows)
        waiting = max(waiting, catalogue - indexed, 1)
    # The check's findings stand only if no index job finished since (a job finishing in the same second as
    # the check may have come after it: then the live counts are the better answer).
    elif last and (last_done is None or last_done.isoformat(timespec="seconds") < last["checked_at"]):
        waiting = sum(last.get(f"{n}_count", 0) for n in ("missing", "stale", "extra"))
    else:
        waiting = abs(catalogue - indexed)
    return IndexState(catalogue=catalogue, indexed=indexed, pending_jobs=len(pending_rows),
                      last_check=last, waiting=waiting)


# --- searching ---------------------------------------------------------------------------

def granted_files(user: Any) -> dict[int, int]:
    """File id → request item of the reader's active reading windows (conditional or open files).

    These are the files whose page text the reader may search and see beyond open files
    (domain: "Content of scans"). A blocked reader, or a classified file, has none.
    """
    if not getattr(user, "is_authenticated", False) or getattr(user, "clearance", None) == Clearance.BLOCKED.value:
        return {}
    rows = db.session.execute(
        select(RequestItem.file_id, RequestItem.id).join(RecordFile, RecordFile.id == RequestItem.file_id)
        .where(RequestItem.reader_id == user.id, RequestItem.status == ItemStatus.GRANTED.value,
               RequestItem.grant_ends_at > utcnow(), RecordFile.mode != AccessMode.CLASSIFIED.value))
    return {file_id: item_id for file_id, item_id in rows}


def may_read_pages(user: Any, record_mode: str, file_id: int, grants: dict[int, int] | None = None) -> bool:
    """Whether ``user`` may search and see the words of a file's pages (domain: "Content of scans")."""
    if can(user, "catalogue.search_classified"):
        return True
    if record_mode == AccessMode.CLASSIFIED.value:
        return False
    if record_mode == AccessMode.OPEN.value:
        return True
    return file_id in (granted_files(user) if grants is None else grants)


def search(user: Any, request: SearchRequest) -> SearchResults:
    """Search as ``user``: staff see classified files, everyone else never does.

    Page text counts (matches, scores, snippets) for open files, for staff, and for the
    conditional files the reader holds an active grant for; nothing else of it is ever used.
    Each result the searcher may read gets the pages that hold the query's words, with a snippet.
    """
    request.staff = can(user, "catalogue.search_classified")
    grants = {} if request.staff else granted_files(user)
    request.readable = frozenset(grants)
    found = execute(get_index(), request)
    found.grants = grants
    if request.with_snippets and found.results and found.plan is not None and found.plan.highlight:
        _add_page_snippets(user, found, grants)
    return found


def _add_page_snippets(user: Any, found: SearchResults, grants: dict[int, int]) -> None:
    allowed = [r.id for r in found.results if r.digitised and may_read_pages(user, r.mode, r.id, grants)]
    if not allowed:
        return
    records = db.session.scalars(select(RecordFile).where(RecordFile.id.in_(allowed))).all()
    read = _read_pages(records)
    pages = {r.id: file_pages(r, read.get(r.id)) for r in records}
    db.session.rollback()
    for result in found.results:
        if result.id in pages:
            result.page_count, result.pages = page_snippets(pages[result.id], found.plan.highlight,
                                                            found.plan.highlight_exact)


def fonds_names(codes: Iterable[str]) -> dict[str, str]:
    """Fonds codes → names, for the fonds facet."""
    codes = list(codes)
    if not codes:
        return {}
    return dict(db.session.execute(select(Fonds.code, Fonds.name).where(Fonds.code.in_(codes))).all())
