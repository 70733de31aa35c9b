"""The content of scans: recognising each page of a digitised file, and staff's view of it.

* After a scan is stored (``file.scan_attached``) one ``ocr.file`` job is queued
  for the file. The job reads the file page by page: a PDF page with a real text
  layer keeps that text (and its word boxes); every other page is rendered at
  300 dpi at least and read by Tesseract (:mod:`watermark.ocr`). Each page is
  committed as it is done, so staff see the progress and a restarted job goes
  on where it stopped (pages already read from the same scan are skipped).
  When the file is done its search document is refreshed (one index job).
* Without Tesseract's Vietnamese model the job *waits* (:class:`portal.jobs.Wait`)
  with the reason on the staff jobs page; pages with a text layer are stored anyway.
* Staff re-run a file (the recognised pages are read again; corrected pages are
  kept) and correct a page's text; both are audited and the index follows.

Who may *read* the text is not decided here: see :mod:`portal.services.page_search`.
"""
from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, delete, func, select

from search.query import parse, plan
from search.snippets import exact_on, page_snippets, word_matches
from watermark import ocr as recogniser
from watermark.imaging import open_checked

from .. import hooks, jobs
from ..db import utcnow
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..models import WAITING_STATUSES, Job, JobStatus, PageText, RecordFile, ScanKind, User
from ..permissions import require
from .audit import record_event
from .derivatives import pdf_words, render_pdf_page
from .scans import IMAGE_FORMATS, scan_file_path
from .search import reindex as reindex_search

log = logging.getLogger(__name__)

JOB_KIND = "ocr.file"
# Pages wider than this are not rendered larger for reading (an A4 page at 300 dpi is 2480 px).
MAX_RENDER_WIDTH = 5000
MAX_CORRECTION_CHARS = 50_000


def ocr_unavailable() -> str | None:
    """Why pages cannot be recognised on this machine (in the staff's language), or None."""
    reason = recogniser.unavailable_reason(current_app.config.get("OCR_LANGUAGE", "vie"))
    if reason is None:
        return None
    return _("Chưa cài Tesseract với mô hình tiếng Việt (%(reason)s): tác vụ nhận dạng chờ đến khi được cài.",
             reason=reason)


# --- queueing -----------------------------------------------------------------------------

def queue(record: RecordFile, *, force: bool = False) -> Job:
    """Add an OCR job for ``record`` to the current transaction (the caller commits)."""
    payload = {"file_id": record.id}
    if force:
        payload["force"] = True
    return jobs.add(JOB_KIND, payload, subject=("file", record.id))


@hooks.register("file.scan_attached")
def _after_scan(record: RecordFile, actor: User | None = None) -> None:
    """A new scan is read in the background (unless ``OCR_AUTO`` is off)."""
    if current_app.config.get("OCR_AUTO", True) and record.scan_path:
        queue(record)
        db.session.commit()


def rerun(actor: User, record: RecordFile) -> Job:
    """Staff: read the file's pages again (corrected pages are kept). Audited."""
    require(actor, "records.edit", record)
    if not record.scan_path:
        raise ValidationError(_("Hồ sơ chưa có bản quét."))
    record_event(db.session, actor, "file.ocr_rerun", "file", record.id, data={"pages": record.scan_pages})
    job = queue(record, force=True)
    db.session.commit()
    return job


def queue_missing() -> int:
    """Queue every digitised file whose pages are not all read from its current scan (CLI, demo)."""
    done = dict(db.session.execute(
        select(PageText.file_id, func.count()).join(RecordFile, RecordFile.id == PageText.file_id)
        .where(PageText.scan_sha256 == RecordFile.scan_sha256).group_by(PageText.file_id)).all())
    pending = set(db.session.scalars(select(Job.subject_id).where(
        Job.kind == JOB_KIND, Job.status.in_((*WAITING_STATUSES, JobStatus.RUNNING.value)))))
    count = 0
    for record in db.session.scalars(select(RecordFile).where(RecordFile.scan_path.is_not(None))):
        if done.get(record.id, 0) < (record.scan_pages or 0) and str(record.id) not in pending:
            queue(record)
            count += 1
    db.session.commit()
    return count


# --- the job ------------------------------------------------------------------------------

@jobs.handler(JOB_KIND)
def recognise_file(file_id: int, force: bool = False) -> None:
    """The job: read every page of the file's current scan that is not read yet (idempotent)."""
    record = db.session.get(RecordFile, file_id)
    if record is None:
        return
    if not record.scan_path or not record.scan_sha256:
        db.session.execute(delete(PageText).where(PageText.file_id == file_id))
        db.session.commit()
        return
    sha, pages = record.scan_sha256, record.scan_pages or 0
    # Text read from another scan, or past the last page, is gone.
    db.session.execute(delete(PageText).where(PageText.file_id == file_id,
                                              (PageText.scan_sha256 != sha) | (PageText.page_no > pages)))
    db.session.commit()
    existing = {row.page_no: row for row in db.session.scalars(select(PageText).where(PageText.file_id == file_id))}
    sources = {p.page_no: p.source_name for p in record.page_scans}
    language = current_app.config.get("OCR_LANGUAGE", "vie")
    changed = False
    for page_no in range(1, pages + 1):
        row = existing.get(page_no)
        if row is not None and (row.source == "corrected" or (not force and row.source in ("ocr", "text_layer"))):
            continue
        reading, source = _read_page(record, page_no, sources.get(page_no), language)
        if row is None:
            row = PageText(file_id=file_id, page_no=page_no)
            db.session.add(row)
        row.scan_sha256, row.source, row.text = sha, source, reading.text
        row.words, row.confidence, row.dpi, row.created_at = reading.words, reading.confidence, reading.dpi, utcnow()
        db.session.commit()  # page by page: progress shows, a restart goes on from here
        changed = True
    if changed or force:
        reindex_search([file_id])
        db.session.commit()


def _read_page(record: RecordFile, page_no: int, source_name: str | None,
               language: str) -> tuple[recogniser.PageReading, str]:
    """(what the page says, "text_layer" or "ocr"); raises :class:`jobs.Wait` without Tesseract."""
    if record.scan_kind == ScanKind.PDF.value:
        pdf = scan_file_path(record.scan_path, None)
        text, words = pdf_words(pdf, page_no)
        if recogniser.real_text_layer(text):
            return recogniser.PageReading(text=" ".join(text.split()), words=words), "text_layer"
    reason = ocr_unavailable()
    if reason is not None:
        db.session.rollback()
        raise jobs.Wait(reason, int(current_app.config.get("OCR_WAIT_SECONDS", 600)))
    max_pixels = int(current_app.config["SCAN_MAX_PIXELS"])
    if record.scan_kind == ScanKind.PDF.value:
        image = render_pdf_page(scan_file_path(record.scan_path, None), page_no, MAX_RENDER_WIDTH,
                                recogniser.OCR_DPI)
        image.info["dpi"] = (recogniser.OCR_DPI, recogniser.OCR_DPI)
    else:
        path: Path = scan_file_path(record.scan_path, source_name)
        image = open_checked(path, IMAGE_FORMATS, max_pixels)
    return recogniser.recognise(image, language), "ocr"


# --- what staff see -------------------------------------------------------------------------

@dataclass
class FileProgress:
    """How far the reading of one file is."""

    file: RecordFile
    done: int
    total: int
    confidence: float | None  # mean over recognised pages (None: none recognised)
    corrected: int
    job: Job | None  # the newest OCR job of the file

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done >= self.total

    @property
    def waiting_reason(self) -> str | None:
        """The reason a job waits (Tesseract missing), shown beside the progress."""
        if self.job is not None and self.job.status == JobStatus.RETRYING.value:
            return self.job.last_error
        return None


def _latest_jobs(file_ids: list[int]) -> dict[int, Job]:
    if not file_ids:
        return {}
    rows = db.session.scalars(select(Job).where(Job.kind == JOB_KIND, Job.subject_type == "file",
                                                Job.subject_id.in_([str(i) for i in file_ids]))
                              .order_by(Job.id))
    return {int(job.subject_id): job for job in rows}


def progress(records: list[RecordFile]) -> list[FileProgress]:
    """Progress of each of ``records`` (digitised files)."""
    ids = [r.id for r in records]
    if not ids:
        return []
    stats = {row[0]: row[1:] for row in db.session.execute(
        select(PageText.file_id, func.count(), func.avg(PageText.confidence),
               func.sum(case((PageText.source == "corrected", 1), else_=0)))
        .join(RecordFile, RecordFile.id == PageText.file_id)
        .where(PageText.file_id.in_(ids), PageText.scan_sha256 == RecordFile.scan_sha256)
        .group_by(PageText.file_id))}
    latest = _latest_jobs(ids)
    out = []
    for record in records:
        done, mean, corrected = stats.get(record.id, (0, None, 0))
        out.append(FileProgress(record, int(done or 0), record.scan_pages or 0,
                                round(float(mean), 1) if mean is not None else None, int(corrected or 0),
                                latest.get(record.id)))
    return out


def overview(actor: User, *, low_only: bool = False, limit: int = 500) -> list[FileProgress]:
    """Staff: every digitised file with its progress; ``low_only``: those below the confidence threshold."""
    require(actor, "records.edit")
    if not low_only:
        records = list(db.session.scalars(select(RecordFile).where(RecordFile.scan_path.is_not(None))
                                          .order_by(RecordFile.file_code).limit(limit)))
        return progress(records)
    threshold = float(current_app.config.get("OCR_LOW_CONFIDENCE", 75))
    mean = func.avg(PageText.confidence)
    low = list(db.session.execute(
        select(PageText.file_id).join(RecordFile, RecordFile.id == PageText.file_id)
        .where(PageText.scan_sha256 == RecordFile.scan_sha256, PageText.confidence.is_not(None))
        .group_by(PageText.file_id).having(mean < threshold).order_by(mean).limit(limit)).scalars())
    records = {r.id: r for r in db.session.scalars(select(RecordFile).where(RecordFile.id.in_(low)))} if low else {}
    return progress([records[i] for i in low if i in records])


@dataclass
class Backlog:
    """What recognition still has to do, for the admin's health panel."""

    pages: int  # scanned pages with no text read from the current scan
    files: int  # files with such pages
    failed: int  # recognition jobs that failed
    unavailable: str | None  # why nothing can be read now (Tesseract missing), or None


def backlog() -> Backlog:
    """Pages and files still waiting for their text, failed jobs, and whether recognition can run."""
    done = (select(PageText.file_id, func.count().label("n")).join(RecordFile, RecordFile.id == PageText.file_id)
            .where(PageText.scan_sha256 == RecordFile.scan_sha256).group_by(PageText.file_id).subquery())
    rows = db.session.execute(select(RecordFile.scan_pages, func.coalesce(done.c.n, 0))
                              .outerjoin(done, done.c.file_id == RecordFile.id)
                              .where(RecordFile.scan_path.is_not(None))).all()
    missing = [max(0, int(pages or 0) - int(read)) for pages, read in rows]
    failed = db.session.scalar(select(func.count(Job.id)).where(
        Job.kind == JOB_KIND, Job.status == JobStatus.FAILED.value)) or 0
    return Backlog(sum(missing), sum(1 for m in missing if m), int(failed), ocr_unavailable())


def page_texts(record: RecordFile) -> list[PageText]:
    """The pages read from the file's current scan, in order."""
    if not record.scan_sha256:
        return []
    return list(db.session.scalars(select(PageText).where(
        PageText.file_id == record.id, PageText.scan_sha256 == record.scan_sha256).order_by(PageText.page_no)))


def correct_page(actor: User, record: RecordFile, page_no: int, text: str) -> PageText:
    """Staff: replace a page's recognised text (audited; the index follows)."""
    require(actor, "records.edit", record)
    text = unicodedata.normalize("NFC", (text or "").replace("\r\n", "\n")).strip()
    if len(text) > MAX_CORRECTION_CHARS:
        raise ValidationError(_("Văn bản của trang quá dài."))
    row = db.session.scalar(select(PageText).where(PageText.file_id == record.id, PageText.page_no == page_no,
                                                   PageText.scan_sha256 == record.scan_sha256))
    if row is None:
        raise NotFound(_("Trang này chưa được nhận dạng."))
    before = row.text
    row.text, row.source, row.corrected_by_id, row.corrected_at = text, "corrected", actor.id, utcnow()
    row.confidence = None  # read by a person now: it no longer counts towards the file's low confidence
    record_event(db.session, actor, "file.page_text_correct", "file", record.id,
                 data={"page": page_no, "chars_before": len(before), "chars_after": len(text)})
    reindex_search([record.id])
    db.session.commit()
    return row


# --- search inside one file (the viewer) ------------------------------------------------------

MAX_PAGE_HITS = 50


def search_in_file(record: RecordFile, text: str) -> dict:
    """The pages of ``record`` holding the words of ``text``: page number, snippet and word boxes.

    The caller has checked that the user may read this file now (an active grant, or staff):
    this reads the text itself, so the viewer's search box needs no text layer in the copy.
    """
    query_plan = plan(parse(text[:200]))
    words, exact = query_plan.highlight, query_plan.highlight_exact
    pages = page_texts(record)
    if not words or not pages:
        return {"query": text[:200], "pages": 0, "hits": []}
    total, best = page_snippets([p.text for p in pages], words, exact, limit=MAX_PAGE_HITS)
    by_number = {p.page_no: p for p in pages}
    hits = []
    for number, snippet in sorted(best):
        row = by_number.get(number)
        strict = row is not None and exact_on(row.text, words, exact)
        boxes = [w[:4] for w in (row.words if row is not None else [])
                 if word_matches(str(w[4]), words, exact, strict)]
        hits.append({"page": number, "snippet": str(snippet), "boxes": boxes})
    return {"query": text[:200], "pages": total, "hits": hits}
