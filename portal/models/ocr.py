"""The recognised text of a digitised file's pages (OCR, or the PDF's own text layer)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, utcnow


class PageText(Base):
    """The text of one page, its word boxes and how sure the recognition was.

    ``words`` is a list of ``[x0, y0, x1, y1, word]`` with coordinates as fractions
    of the page's width and height (top-left origin), so boxes fit any rendering.
    ``scan_sha256`` names the scan the text was read from: a replaced scan makes it stale.
    """

    __tablename__ = "page_texts"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("record_files.id", ondelete="CASCADE"), index=True)
    page_no: Mapped[int]
    scan_sha256: Mapped[str] = mapped_column(String(64))
    # "ocr" (Tesseract), "text_layer" (the PDF's own text) or "corrected" (by staff)
    source: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    words: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # Mean word confidence 0–100 (None for a text layer)
    confidence: Mapped[float | None] = mapped_column(Float)
    dpi: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    corrected_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("file_id", "page_no", name="uq_page_texts_file_page"),)
