"""Who read what: every open of the viewer and every page fetch of reading copies, per reader
and per file — when, how many pages, from which address."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..errors import NotFound
from ..extensions import db
from ..models import AccessKind, ReadingAccess, ReadingCopy, RecordFile, User
from ..permissions import require
from .statistics import page_estimate

LIMIT = 1000


@dataclass
class LogLine:
    at: datetime
    kind: str  # open | range | full
    reader: User
    file: RecordFile
    copy_kind: str  # reader | staff
    request_code: str
    pages: int
    address: str


@dataclass
class ReadingLog:
    lines: list[LogLine]
    opens: int
    pages: int
    truncated: bool


def _log(query) -> ReadingLog:
    rows = list(db.session.scalars(query.order_by(ReadingAccess.at.desc(), ReadingAccess.id.desc())
                                   .limit(LIMIT + 1)
                                   .options(selectinload(ReadingAccess.copy).selectinload(ReadingCopy.item),
                                            selectinload(ReadingAccess.copy).selectinload(ReadingCopy.user),
                                            selectinload(ReadingAccess.copy).selectinload(ReadingCopy.file))))
    truncated = len(rows) > LIMIT
    lines = []
    for access in rows[:LIMIT]:
        copy = access.copy
        size = (copy.saver_size_bytes if access.variant == "saver" else None) or copy.size_bytes
        pages = 0 if access.kind == AccessKind.OPEN.value else page_estimate(access.bytes_sent, size, copy.pages)
        if access.kind == AccessKind.FULL.value and copy.pages:
            pages = copy.pages
        lines.append(LogLine(at=access.at, kind=access.kind, reader=copy.user, file=copy.file, copy_kind=copy.kind,
                             request_code=copy.item.request.code if copy.item else "", pages=pages,
                             address=access.address or ""))
    return ReadingLog(lines, sum(1 for line in lines if line.kind == AccessKind.OPEN.value), sum(line.pages for line in lines),
                      truncated)


def for_reader(actor: User, reader_id: int) -> tuple[User, ReadingLog]:
    """Every access of one account (reader, or staff reviewing), newest first."""
    require(actor, "reading.log")
    user = db.session.get(User, reader_id)
    if user is None:
        raise NotFound(_("Không tìm thấy tài khoản."))
    return user, _log(select(ReadingAccess).where(ReadingAccess.user_id == user.id))


def for_file(actor: User, file_id: int) -> tuple[RecordFile, ReadingLog]:
    """Every access to the reading copies of one file, newest first."""
    require(actor, "reading.log")
    record = db.session.get(RecordFile, file_id)
    if record is None:
        raise NotFound(_("Không tìm thấy hồ sơ."))
    return record, _log(select(ReadingAccess).where(ReadingAccess.file_id == record.id))
