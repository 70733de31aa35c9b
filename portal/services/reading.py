"""Reading copies (bản đọc, TT 05/2025 Điều 37): building them in the background,
serving them only to the reader who holds the grant, logging every byte, flagging
readers who fetch faster than a person reads, and deleting copies 5 days after
the window ends.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from watermark.assemble import CopyWriter, Layout, layout
from watermark.encoding import DATA_SAVER, STANDARD
from watermark.mark import MARK_VERSION, copy_key
from watermark.render import deriv_name
from watermark.stamp import Stamp, decode_page, encoded_page, stamp_image

from .. import jobs
from ..db import utcnow
from ..errors import NotFound, NotPermitted
from ..extensions import db
from ..localtime import local_now
from ..models import (
    AccessKind, AccessMode, Job, JobStatus, ReadingAccess, ReadingCopy, ReadingCopyKind, ReadingCopyStatus, ReadingFlag,
    RecordFile, RequestItem, User,
)
from ..models.reading import UNBUILT_STATUSES
from ..permissions import require
from ..urls import external_url
from ..workflow import ItemStatus, on_enter
from .audit import record_event
from .records import on_mode_change
from .mail import send_mail
from .requests import active_grant

BUILD_JOB = "reading_copy.build"
NOTIFY_JOB = "reading_copy.notify"


# --- building ------------------------------------------------------------------------

@on_enter(ItemStatus.GRANTED)
def request_copy(item: RequestItem) -> ReadingCopy | None:
    """After a grant: queue this reader's copy of the file (nothing for an undigitised file)."""
    if not item.file.is_digitised:
        return None
    copy = db.session.scalar(select(ReadingCopy).where(ReadingCopy.item_id == item.id))
    if copy is None:
        copy = ReadingCopy(kind=ReadingCopyKind.READER.value, item_id=item.id, user_id=item.reader_id, file_id=item.file_id,
                           status=ReadingCopyStatus.QUEUED.value, purge_after=_purge_time(item))
        db.session.add(copy)
        db.session.flush()
    copy.job_id = jobs.add(BUILD_JOB, {"copy_id": copy.id}, subject=("reading_copy", copy.id)).id
    db.session.commit()  # the copy and its job together (outbox)
    return copy


def request_staff_copy(user: User, record: RecordFile) -> ReadingCopy:
    """A staff member's review copy (staff watermark), reused while it is fresh."""
    require(user, "reading.staff_review", record)
    if not record.is_digitised:
        raise NotFound(_("Hồ sơ chưa được số hóa."))
    fresh_since = utcnow() - timedelta(hours=current_app.config["STAFF_COPY_HOURS"])
    copy = db.session.scalar(select(ReadingCopy).where(
        ReadingCopy.kind == ReadingCopyKind.STAFF.value, ReadingCopy.user_id == user.id, ReadingCopy.file_id == record.id,
        ReadingCopy.status.in_([*UNBUILT_STATUSES, ReadingCopyStatus.READY.value]), ReadingCopy.created_at >= fresh_since,
    ).order_by(ReadingCopy.id.desc()))
    if copy is not None and not (copy.status == ReadingCopyStatus.READY.value and record.scan_updated_at
                                 and copy.built_at and copy.built_at < record.scan_updated_at):
        return copy
    copy = ReadingCopy(kind=ReadingCopyKind.STAFF.value, user_id=user.id, file_id=record.id, status=ReadingCopyStatus.QUEUED.value,
                       purge_after=utcnow() + timedelta(hours=current_app.config["STAFF_COPY_HOURS"]))
    db.session.add(copy)
    record_event(db.session, user, "reading.staff_copy", "file", record.id)
    db.session.flush()
    copy.job_id = jobs.add(BUILD_JOB, {"copy_id": copy.id}, subject=("reading_copy", copy.id)).id
    db.session.commit()  # the copy and its job together (outbox)
    return copy


def latest_staff_copy(user: User, record: RecordFile) -> ReadingCopy | None:
    """The user's newest review copy of ``record`` that is still fresh."""
    mark_failed_copies()
    return db.session.scalar(select(ReadingCopy).where(
        ReadingCopy.kind == ReadingCopyKind.STAFF.value, ReadingCopy.user_id == user.id, ReadingCopy.file_id == record.id,
        ReadingCopy.status != ReadingCopyStatus.PURGED.value, ReadingCopy.purge_after > utcnow(),
    ).order_by(ReadingCopy.id.desc()))


def _purge_time(item: RequestItem) -> datetime | None:
    days = timedelta(days=current_app.config["READING_COPY_PURGE_DAYS"])
    end = item.ended_at or item.grant_ends_at
    return end + days if end else None


@jobs.handler(BUILD_JOB)
def build_copy(copy_id: int) -> None:
    """Background job: rasterised, watermarked PDF of every page.

    Idempotent: a run after a killed one removes what that left (a half-written
    ``.part`` or a finished file never recorded) and builds the one copy again;
    a ready copy is left alone. The reader's mail is a job of its own, committed
    with "ready", so it is sent once even if this job runs twice.
    """
    copy = db.session.get(ReadingCopy, copy_id)
    if copy is None or copy.status in (ReadingCopyStatus.READY.value, ReadingCopyStatus.PURGED.value):
        return
    if copy.kind == ReadingCopyKind.READER.value and copy.file.is_classified:  # reclassified since the grant: never built
        copy.status, copy.purged_at = ReadingCopyStatus.PURGED.value, utcnow()
        db.session.commit()
        return
    copy.status = ReadingCopyStatus.BUILDING.value
    db.session.commit()
    record = copy.file
    user = copy.user
    if copy.kind == ReadingCopyKind.READER.value:
        code = copy.item.request.code if copy.item else ""
    else:
        code = _("NGHIỆP VỤ - chỉ để kiểm tra")
    stamp = Stamp(archive_name=current_app.config["ARCHIVE_NAME"], reader_name=user.full_name,
                  account_id=user.id, request_code=code or "", issued_at=local_now(),
                  mark_key=copy_key(mark_secret(), copy.id))
    data_dir = Path(current_app.config["DATA_DIR"])
    folder = data_dir / str(record.scan_path)
    stem = f"copies/{copy.id}-{secrets.token_hex(6)}"
    relative, saver_relative = f"{stem}.pdf", f"{stem}.saver.pdf"
    out, saver_out = data_dir / relative, data_dir / saver_relative
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(out.parent, copy)
    title = f"{record.file_code} - {_('bản đọc')}"
    standard, saver = CopyWriter(title), CopyWriter(title)
    try:
        # Stamped and marked once per page, at the derivative's resolution; encoded twice.
        for scan in record.page_scans:
            stamped = stamp_image(decode_page((folder / deriv_name(scan.page_no)).read_bytes()), stamp,
                                  scan.page_no)
            standard.add(encoded_page(stamped, STANDARD))
            saver.add(encoded_page(stamped, DATA_SAVER))
        # Each file is written aside and renamed: it appears whole or not at all; the copy is
        # recorded (below) only once both are there.
        saver.save(saver_out)
        count = standard.save(out)
    except BaseException:
        for path in (out, saver_out):  # a full disk leaves no half copy behind
            path.with_suffix(".part").unlink(missing_ok=True)
        saver_out.unlink(missing_ok=True)
        raise
    copy.status, copy.path, copy.pages = ReadingCopyStatus.READY.value, relative, count
    copy.size_bytes, copy.built_at, copy.stamp_text, copy.error = out.stat().st_size, utcnow(), stamp.trace_line, None
    copy.saver_path, copy.saver_size_bytes = saver_relative, saver_out.stat().st_size
    copy.stamp_archive, copy.mark_version = stamp.archive_name, MARK_VERSION
    if copy.kind == ReadingCopyKind.READER.value and copy.item is not None:
        jobs.add(NOTIFY_JOB, {"copy_id": copy.id}, subject=("reading_copy", copy.id))
    db.session.commit()


def _remove_leftovers(folder: Path, copy: ReadingCopy) -> None:
    """Files of this copy from an attempt that died: a ``.part``, or a PDF the database never recorded."""
    recorded = {copy.path, copy.saver_path} if copy.path else set()  # the two are recorded together
    for leftover in folder.glob(f"{copy.id}-*"):
        if f"copies/{leftover.name}" not in recorded:
            leftover.unlink(missing_ok=True)


@jobs.handler(NOTIFY_JOB)
def notify_copy_ready(copy_id: int) -> None:
    """Background job: tell the reader the copy is ready (one mail per copy, keyed by it)."""
    copy = db.session.get(ReadingCopy, copy_id)
    if copy is None or copy.status != ReadingCopyStatus.READY.value or copy.kind != ReadingCopyKind.READER.value or copy.item is None:
        return
    send_mail(copy.user.email, _("Bản đọc hồ sơ %(code)s đã sẵn sàng", code=copy.file.file_code), "copy_ready",
              key=f"copy-ready-{copy.id}", copy=copy, link=external_url("viewer.read", item_id=copy.item_id))


def mark_secret() -> str:
    """The secret every copy's invisible-mark key is derived from (WATERMARK_SECRET, else SECRET_KEY)."""
    return current_app.config.get("WATERMARK_SECRET") or current_app.config["SECRET_KEY"]


def mark_failed_copies() -> None:
    """Copies whose job ended failed show as failed (the job row keeps the error)."""
    rows = db.session.execute(select(ReadingCopy, Job).join(Job, Job.id == ReadingCopy.job_id).where(
        ReadingCopy.status.in_(UNBUILT_STATUSES), Job.status == JobStatus.FAILED.value))
    for copy, job in rows:
        copy.status, copy.error = ReadingCopyStatus.FAILED.value, job.last_error
    db.session.commit()


def retry_copy(actor: User, copy: ReadingCopy) -> None:
    """Staff: build a failed copy again."""
    require(actor, "jobs.manage")
    copy.status, copy.error = ReadingCopyStatus.QUEUED.value, None
    record_event(db.session, actor, "reading.retry_copy", "reading_copy", copy.id)
    db.session.commit()
    if copy.job_id:
        jobs.retry(copy.job_id)
    else:
        copy.job_id = jobs.add(BUILD_JOB, {"copy_id": copy.id}, subject=("reading_copy", copy.id)).id
        db.session.commit()
    mark_failed_copies()


# --- access ------------------------------------------------------------------------------

def reader_item(user: User, item_id: int) -> RequestItem:
    """The reader's own item, or NotFound (another reader's item does not exist for them)."""
    item = db.session.get(RequestItem, item_id)
    if item is None or item.reader_id != getattr(user, "id", None):
        raise NotFound(_("Không tìm thấy bản đọc."))
    require(user, "reading.read", item)
    return item


def grant_is_active(item: RequestItem) -> bool:
    """Checked on every access: the window is open (an ended one is expired right here)."""
    if item.file.is_classified:  # the file's mode now rules, whatever the grant said
        return False
    active = active_grant(item.reader, item.file_id)
    return active is not None and active.id == item.id


def copy_of_item(item: RequestItem) -> ReadingCopy | None:
    mark_failed_copies()
    return db.session.scalar(select(ReadingCopy).where(ReadingCopy.item_id == item.id))


def copy_for_serving(user: User, copy_id: int) -> ReadingCopy:
    """The copy, if and only if ``user`` may receive its bytes now; else NotFound/NotPermitted."""
    copy = db.session.get(ReadingCopy, copy_id)
    if copy is None or copy.user_id != getattr(user, "id", None) or copy.status != ReadingCopyStatus.READY.value or not copy.path:
        raise NotFound(_("Không tìm thấy bản đọc."))
    if copy.kind == ReadingCopyKind.READER.value:
        if copy.item is None or not grant_is_active(copy.item):
            raise NotPermitted(_("Thời hạn đọc đã kết thúc hoặc quyền đọc đã bị thu hồi."))
    else:
        require(user, "reading.staff_review", copy.file)
        if copy.purge_after and copy.purge_after <= utcnow():
            raise NotPermitted(_("Bản kiểm tra đã hết hạn; hãy mở lại."))
    return copy


def copy_path(copy: ReadingCopy) -> Path:
    """The standard file of a copy on disk."""
    return Path(current_app.config["DATA_DIR"]) / str(copy.path)


SAVER = "saver"
"""The variant name of the data saver's file (``ReadingAccess.variant``); the standard file has none."""


def served_variant(user: User, copy: ReadingCopy, asked: str | None = None) -> str | None:
    """Which file of ``copy`` goes to ``user``: the data saver's if they chose it and it exists.

    ``asked`` is the variant the viewer page named in the PDF's address (``"saver"``
    or ``"standard"``), so that a viewer opened before the choice changed keeps
    reading ranges of the file it started with; without it the account decides.
    """
    wants_saver = asked == SAVER if asked in (SAVER, "standard") else bool(getattr(user, "data_saver", False))
    return SAVER if wants_saver and copy.saver_path else None


def variant_path(copy: ReadingCopy, variant: str | None) -> Path:
    """The file of ``copy`` for ``variant`` (see :func:`served_variant`)."""
    relative = copy.saver_path if variant == SAVER else copy.path
    return Path(current_app.config["DATA_DIR"]) / str(relative)


def variant_size(copy: ReadingCopy, variant: str | None) -> int:
    """Bytes of the file of ``copy`` for ``variant``: what one page weighs is this over the page count."""
    return (copy.saver_size_bytes if variant == SAVER else copy.size_bytes) or 0


def copy_layout(copy: ReadingCopy, variant: str | None) -> Layout | None:
    """Where the first page ends and the cross-reference table begins in the file of ``copy``.

    The viewer fetches both at once on opening (see ``watermark.assemble.layout``); None when unknown.
    """
    path = variant_path(copy, variant)
    try:
        stat = path.stat()
    except OSError:
        return None
    return _layout(str(path), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=256)
def _layout(path: str, size: int, mtime_ns: int) -> Layout | None:
    # Keyed by size and time as well: a rebuilt copy under the same name is read again.
    try:
        return layout(Path(path))
    except (OSError, ValueError):
        return None


# Served bytes: a range, or the whole PDF at once. Both count toward the pace that raises a flag.
BYTE_KINDS = (AccessKind.RANGE.value, AccessKind.FULL.value)


def log_access(user: User, copy: ReadingCopy, kind: AccessKind, start: int | None, end: int | None,
               sent: int, address: str | None = None, variant: str | None = None) -> ReadingFlag | None:
    """Record an open, a range or a full download served; flag the reader when the pace is inhuman.

    A full download is the whole file in one response: it counts like the ranges
    that would have carried the same bytes, so 25 full downloads raise the flag
    just as fetching every page 25 times would. ``variant`` names the file served
    (:func:`served_variant`): a data-saver page weighs less, so its bytes count
    against the data saver's page size.
    """
    flag = None
    # The last minute's bytes before this one is added (counting this one twice would flag a reader
    # at half the configured pace).
    recent = 0
    page_bytes = variant_size(copy, variant) / copy.pages if copy.pages else 0
    counted = kind in BYTE_KINDS and copy.kind == ReadingCopyKind.READER.value and page_bytes
    if counted:
        since = utcnow() - timedelta(minutes=1)
        recent = db.session.scalar(select(func.coalesce(func.sum(ReadingAccess.bytes_sent), 0)).where(
            ReadingAccess.user_id == user.id, ReadingAccess.at >= since,
            ReadingAccess.kind.in_(BYTE_KINDS))) or 0
    db.session.add(ReadingAccess(copy_id=copy.id, user_id=user.id, file_id=copy.file_id, kind=AccessKind(kind).value,
                                 range_start=start, range_end=end, bytes_sent=sent, variant=variant,
                                 address=(address or "")[:45] or None))
    if counted:
        pages_per_minute = (recent + sent) / page_bytes
        limit = current_app.config["READING_MAX_PAGES_PER_MINUTE"]
        if pages_per_minute > limit:
            open_flag = db.session.scalar(select(ReadingFlag.id).where(
                ReadingFlag.user_id == user.id, ReadingFlag.resolved_at.is_(None),
                ReadingFlag.created_at >= utcnow() - timedelta(minutes=10)))
            if open_flag is None:
                flag = ReadingFlag(user_id=user.id, file_id=copy.file_id, pages_per_minute=round(pages_per_minute, 1))
                db.session.add(flag)
                db.session.flush()
                record_event(db.session, None, "reading.flag", "user", user.id,
                             reason=f"{pages_per_minute:.0f} pages/min", data={"file_id": copy.file_id})
    db.session.commit()
    return flag


def open_flags(user: User) -> list[ReadingFlag]:
    require(user, "reading.flags")
    return list(db.session.scalars(select(ReadingFlag).where(ReadingFlag.resolved_at.is_(None))
                                   .order_by(ReadingFlag.id.desc())))


def resolve_flag(user: User, flag_id: int) -> None:
    require(user, "reading.flags")
    flag = db.session.get(ReadingFlag, flag_id)
    if flag is None:
        raise NotFound(_("Không tìm thấy cảnh báo."))
    flag.resolved_at, flag.resolved_by_id = utcnow(), user.id
    record_event(db.session, user, "reading.flag_resolve", "user", flag.user_id)
    db.session.commit()


# --- purging ---------------------------------------------------------------------------------

@on_enter(ItemStatus.EXPIRED, ItemStatus.REVOKED)
def schedule_purge_for_ended(item: RequestItem) -> None:
    """A window ended early (revoked): the copy goes 5 days after that, not after the planned end."""
    copy = db.session.scalar(select(ReadingCopy).where(ReadingCopy.item_id == item.id))
    if copy is not None:
        copy.purge_after = _purge_time(item)
        db.session.commit()


def _delete_files(copy: ReadingCopy) -> None:
    """Both files of a copy (the standard one and the data saver's) leave the disk."""
    for relative in (copy.path, copy.saver_path):
        if relative:
            (Path(current_app.config["DATA_DIR"]) / relative).unlink(missing_ok=True)


def purge_copies(now: datetime | None = None) -> int:
    """Delete every copy whose time is up (window end + 5 days; staff copies after a day)."""
    now = now or utcnow()
    due = list(db.session.scalars(select(ReadingCopy).where(
        ReadingCopy.purge_after <= now, ReadingCopy.status != ReadingCopyStatus.PURGED.value)))
    for copy in due:
        _delete_files(copy)
        copy.status, copy.purged_at = ReadingCopyStatus.PURGED.value, now
        record_event(db.session, None, "reading.purge", "reading_copy", copy.id, to_state=ReadingCopyStatus.PURGED.value)
        db.session.commit()
    return len(due)


@on_mode_change
def purge_on_reclassification(actor: User | None, record: RecordFile, old_mode: str, new_mode: str) -> None:
    """A file that became classified keeps no reader's copy: each is deleted now (staff copies stay)."""
    if new_mode != AccessMode.CLASSIFIED.value:
        return
    copies = list(db.session.scalars(select(ReadingCopy).where(
        ReadingCopy.file_id == record.id, ReadingCopy.kind == ReadingCopyKind.READER.value, ReadingCopy.status != ReadingCopyStatus.PURGED.value)))
    now = utcnow()
    for copy in copies:
        _delete_files(copy)
        copy.status, copy.purged_at, copy.purge_after = ReadingCopyStatus.PURGED.value, now, now
        record_event(db.session, actor, "reading.purge", "reading_copy", copy.id, to_state=ReadingCopyStatus.PURGED.value,
                     reason="reclassified", data={"file_id": record.id})
    db.session.commit()


def failed_copies(user: User) -> list[ReadingCopy]:
    require(user, "jobs.manage")
    mark_failed_copies()
    return list(db.session.scalars(select(ReadingCopy).where(ReadingCopy.status == ReadingCopyStatus.FAILED.value)
                                   .order_by(ReadingCopy.id.desc())))
