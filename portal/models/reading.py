"""Reading copies (bản đọc) built per reader and grant, the log of every byte served,
and flags raised when a reader fetches far more than a person can read."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utcnow
from .accounts import User
from .records import RecordFile
from .requests import RequestItem


class ReadingCopyStatus(str, enum.Enum):
    """A reading copy's life: queued → building → ready | failed; ready → purged (after the window + 5 days)."""

    QUEUED = "queued"
    BUILDING = "building"
    READY = "ready"
    FAILED = "failed"
    PURGED = "purged"


# Asked for and not yet (or not any more) usable.
UNBUILT_STATUSES = (ReadingCopyStatus.QUEUED.value, ReadingCopyStatus.BUILDING.value)


class ReadingCopyKind(str, enum.Enum):
    """Whose copy: a reader's under a grant, or a staff member's review copy."""

    READER = "reader"
    STAFF = "staff"


class AccessKind(str, enum.Enum):
    """A line of the reading log: the viewer opened, a byte range served, the whole file served."""

    OPEN = "open"
    RANGE = "range"
    FULL = "full"


class ReadingCopy(Base):
    """A watermarked PDF of one file for one reader (or one staff member reviewing it)."""

    __tablename__ = "reading_copies"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default=ReadingCopyKind.READER.value)  # ReadingCopyKind
    item_id: Mapped[int | None] = mapped_column(ForeignKey("request_items.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("record_files.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=ReadingCopyStatus.QUEUED.value, index=True)  # ReadingCopyStatus
    path: Mapped[str | None] = mapped_column(String(300))
    pages: Mapped[int | None]
    size_bytes: Mapped[int | None]
    # The same pages at the data saver's lower resolution (watermark.encoding.DATA_SAVER), built
    # in the same pass, for readers who chose it; null for copies built before it existed.
    saver_path: Mapped[str | None] = mapped_column(String(300))
    saver_size_bytes: Mapped[int | None]
    stamp_text: Mapped[str | None] = mapped_column(Text)
    # What the leak tracer needs to draw the page again as this copy showed it: the archive's
    # name on the stamp and the invisible mark's scheme (watermark.mark.MARK_VERSION; null: no mark).
    # The mark's key is not stored: it is derived from WATERMARK_SECRET and the copy's id.
    stamp_archive: Mapped[str | None] = mapped_column(String(300))
    mark_version: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    job_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    built_at: Mapped[datetime | None]
    purge_after: Mapped[datetime | None] = mapped_column(index=True)
    purged_at: Mapped[datetime | None]

    item: Mapped[RequestItem | None] = relationship()
    user: Mapped[User] = relationship()
    file: Mapped[RecordFile] = relationship()


class ReadingAccess(Base):
    """One open of the viewer or one range of a copy served: who, what, when, how many bytes."""

    __tablename__ = "reading_accesses"

    id: Mapped[int] = mapped_column(primary_key=True)
    copy_id: Mapped[int] = mapped_column(ForeignKey("reading_copies.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    file_id: Mapped[int] = mapped_column(ForeignKey("record_files.id"))
    kind: Mapped[str] = mapped_column(String(10))  # AccessKind
    range_start: Mapped[int | None]
    range_end: Mapped[int | None]
    bytes_sent: Mapped[int] = mapped_column(default=0)
    # Which file of the copy was served: "saver" for the data saver's, null for the standard one.
    variant: Mapped[str | None] = mapped_column(String(10))
    # The client's address as the server saw it (after the configured proxies), for "who read what".
    address: Mapped[str | None] = mapped_column(String(45))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    copy: Mapped[ReadingCopy] = relationship()

    __table_args__ = (Index("ix_reading_accesses_user_at", "user_id", "at"),
                      Index("ix_reading_accesses_file_at", "file_id", "at"))


class ReadingFlag(Base):
    """A reader fetched pages faster than a person reads: staff should look."""

    __tablename__ = "reading_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("record_files.id"))
    pages_per_minute: Mapped[float]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    file: Mapped[RecordFile] = relationship()
