"""The catalogue: fonds (phông), files (hồ sơ) with the TT 05/2025 fields,
documents (văn bản) inside files, and the page scans of a digitised file."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utcnow


class AccessMode(str, enum.Enum):
    """Chế độ sử dụng of a file (domain.md, "Access modes")."""

    OPEN = "01"  # công khai
    CONDITIONAL = "02"  # tiếp cận có điều kiện
    CLASSIFIED = "03"  # mật: invisible outside staff


class ScanKind(str, enum.Enum):
    """How a file's scan is stored: one PDF, or a folder of page images."""

    PDF = "pdf"
    IMAGES = "images"


RETENTION_CODES = ("01", "02", "03", "04", "05", "06", "07")
CONDITION_CODES = ("01", "02", "03")
RELIABILITY_CODES = ("01", "02", "03")
MODE_CODES = tuple(m.value for m in AccessMode)


class Fonds(Base):
    """A fonds (phông lưu trữ): the records of one creating body."""

    __tablename__ = "fonds"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    files: Mapped[list[RecordFile]] = relationship(back_populates="fonds")


class RecordFile(Base):
    """A file (hồ sơ) with its TT 05/2025 metadata and, if digitised, its scan."""

    __tablename__ = "record_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    fonds_id: Mapped[int] = mapped_column(ForeignKey("fonds.id"), index=True)
    file_code: Mapped[str] = mapped_column(String(80), unique=True)
    inventory_no: Mapped[str] = mapped_column(String(20))
    box_no: Mapped[str] = mapped_column(String(20))
    file_no: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text)
    # Dates as catalogued: YYYY, YYYY-MM or YYYY-MM-DD; the *_sort columns hold
    # the first (start) or last (end) day of that period for ordering and ranges.
    start_date: Mapped[str | None] = mapped_column(String(10))
    end_date: Mapped[str | None] = mapped_column(String(10))
    start_sort: Mapped[date | None] = mapped_column(Date, index=True)
    end_sort: Mapped[date | None] = mapped_column(Date)
    retention: Mapped[str] = mapped_column(String(2))
    mode: Mapped[str] = mapped_column(String(2), index=True)
    language: Mapped[str] = mapped_column(String(60), default="Tiếng Việt")
    keywords: Mapped[str | None] = mapped_column(Text)
    document_count: Mapped[int] = mapped_column(default=0)
    sheets: Mapped[int | None]
    pages: Mapped[int | None]
    condition: Mapped[str] = mapped_column(String(2), default="01")
    info_symbol: Mapped[str | None] = mapped_column(String(80))
    reliability: Mapped[str] = mapped_column(String(2), default="02")
    notes: Mapped[str | None] = mapped_column(Text)
    # The stored scan: its ScanKind, its folder under DATA_DIR, its page count.
    scan_kind: Mapped[str | None] = mapped_column(String(10))
    scan_path: Mapped[str | None] = mapped_column(String(300))
    scan_pages: Mapped[int | None]
    scan_sha256: Mapped[str | None] = mapped_column(String(64))
    scan_updated_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    fonds: Mapped[Fonds] = relationship(back_populates="files")
    documents: Mapped[list[Document]] = relationship(
        back_populates="file", cascade="all, delete-orphan", order_by="Document.position"
    )
    page_scans: Mapped[list[PageScan]] = relationship(
        back_populates="file", cascade="all, delete-orphan", order_by="PageScan.page_no"
    )

    __table_args__ = (Index("ix_record_files_fonds_mode", "fonds_id", "mode"),)

    @property
    def is_digitised(self) -> bool:
        return bool(self.scan_kind)

    @property
    def is_classified(self) -> bool:
        return self.mode == AccessMode.CLASSIFIED.value

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in (self.keywords or "").split(";") if k.strip()]


class Document(Base):
    """A document (văn bản) inside a file."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("record_files.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    number: Mapped[str | None] = mapped_column(String(40))
    notation: Mapped[str | None] = mapped_column(String(80))
    date: Mapped[str | None] = mapped_column(String(10))
    doc_type: Mapped[str | None] = mapped_column(String(80))
    issuer: Mapped[str | None] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    first_page: Mapped[int | None]
    pages: Mapped[int | None]

    file: Mapped[RecordFile] = relationship(back_populates="documents")

    @property
    def reference(self) -> str:
        """Số/ký hiệu as written on the document, e.g. ``11495/UBND-KGVX``."""
        if self.number and self.notation:
            return f"{self.number}/{self.notation}"
        return self.notation or self.number or ""


class PageScan(Base):
    """One page of a digitised file's scan."""

    __tablename__ = "page_scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("record_files.id", ondelete="CASCADE"))
    page_no: Mapped[int]
    # For an image scan: the image's name in the scan folder; for a PDF: null.
    source_name: Mapped[str | None] = mapped_column(String(255))
    width: Mapped[int | None]
    height: Mapped[int | None]
    # The reading derivative (about 150 dpi JPEG, pages/NNNN.jpg) and whether it is grayscale.
    deriv_width: Mapped[int | None]
    deriv_height: Mapped[int | None]
    gray: Mapped[bool] = mapped_column(default=True, server_default=true())

    file: Mapped[RecordFile] = relationship(back_populates="page_scans")

    __table_args__ = (UniqueConstraint("file_id", "page_no", name="uq_page_scans_file_page"),)
