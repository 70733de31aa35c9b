"""Online exhibitions (triển lãm tài liệu lưu trữ trực tuyến, Luật Lưu trữ 2024 Điều 40).

An exhibition has a cover, a title, a summary and sections in order; a section
has rich text and items in order; an item is an uploaded image with a caption
and credit, or a catalogue file shown by its metadata and, optionally, one page.
Every picture the public sees is an :class:`ExhibitionImage`: web derivatives
made once (at upload, or when staff choose a file's page), never a raw scan.
Vietnamese fields are required; the ``*_en`` fields are the optional English version.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utcnow
from .records import RecordFile


class ItemKind(str, enum.Enum):
    """What an exhibition item shows."""

    IMAGE = "image"  # an uploaded picture with caption and credit
    FILE = "file"  # a catalogue file: metadata and one chosen page


class ExhibitionImage(Base):
    """A picture made for the web: derivatives under ``DATA_DIR/exhibitions/<key>/``.

    ``widths`` lists the ``w<width>.webp`` files made (smallest first); ``thumb.webp``
    is always there. ``file_id``/``page_no`` say which scanned page it was made from,
    so the page's file can be checked again each time it is served.
    """

    __tablename__ = "exhibition_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    width: Mapped[int]  # of the largest derivative
    height: Mapped[int]
    widths: Mapped[list[int]] = mapped_column(JSON)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("record_files.id", ondelete="CASCADE"), index=True)
    page_no: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    file: Mapped[RecordFile | None] = relationship()

    def file_name(self, width: int | None = None) -> str:
        """``w960.webp`` for a width, ``thumb.webp`` without one."""
        return f"w{width}.webp" if width else "thumb.webp"


class Exhibition(Base):
    """One online exhibition; the public sees it only while ``is_published``."""

    __tablename__ = "exhibitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    summary_en: Mapped[str | None] = mapped_column(Text)
    cover_image_id: Mapped[int | None] = mapped_column(ForeignKey("exhibition_images.id", ondelete="SET NULL"))
    is_published: Mapped[bool] = mapped_column(default=False, index=True)
    is_featured: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    cover: Mapped[ExhibitionImage | None] = relationship()
    sections: Mapped[list[ExhibitionSection]] = relationship(
        back_populates="exhibition", cascade="all, delete-orphan", order_by="ExhibitionSection.position"
    )


class ExhibitionSection(Base):
    """A section: a heading, sanitised rich text, and items in order."""

    __tablename__ = "exhibition_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    exhibition_id: Mapped[int] = mapped_column(ForeignKey("exhibitions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")  # HTML, sanitised by nh3 on save
    body_en: Mapped[str | None] = mapped_column(Text)

    exhibition: Mapped[Exhibition] = relationship(back_populates="sections")
    items: Mapped[list[ExhibitionItem]] = relationship(
        back_populates="section", cascade="all, delete-orphan", order_by="ExhibitionItem.position"
    )


class ExhibitionItem(Base):
    """An image, or a catalogue file with one chosen page.

    For a conditional file (mode 02) a page is shown only when staff ticked
    ``page_publishable``; a classified file (03) can never be an item.
    """

    __tablename__ = "exhibition_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("exhibition_sections.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(10))
    image_id: Mapped[int | None] = mapped_column(ForeignKey("exhibition_images.id", ondelete="SET NULL"), index=True)
    caption: Mapped[str | None] = mapped_column(Text)
    caption_en: Mapped[str | None] = mapped_column(Text)
    credit: Mapped[str | None] = mapped_column(String(300))
    credit_en: Mapped[str | None] = mapped_column(String(300))
    file_id: Mapped[int | None] = mapped_column(ForeignKey("record_files.id", ondelete="CASCADE"), index=True)
    page_no: Mapped[int | None]
    page_publishable: Mapped[bool] = mapped_column(default=False)

    section: Mapped[ExhibitionSection] = relationship(back_populates="items")
    image: Mapped[ExhibitionImage | None] = relationship()
    file: Mapped[RecordFile | None] = relationship()
