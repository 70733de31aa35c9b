"""Copies (Phiếu yêu cầu sao và xác thực tài liệu lưu trữ): the fee schedule versions, copy
orders with their files and page ranges, payments recorded by staff, and downloads."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utcnow
from .accounts import User
from .records import RecordFile


class FeeSchedule(Base):
    """One version of the fee schedule (biểu phí), in force from ``effective_from`` (whole đồng)."""

    __tablename__ = "fee_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    effective_from: Mapped[date] = mapped_column(Date, index=True)
    # Price per page by kind (plain, certified) and medium (digital, paper).
    page_plain_digital: Mapped[int]
    page_plain_paper: Mapped[int]
    page_certified_digital: Mapped[int]
    page_certified_paper: Mapped[int]
    certification_fee: Mapped[int]  # per certified copy (per set on paper)
    postage: Mapped[int]  # per order sent by post
    # Reduction in percent (0–100) per fee category code, e.g. {"01": 50, "02": 100}.
    reductions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_example: Mapped[bool] = mapped_column(default=False)  # demo values, not a real decision
    decision: Mapped[str | None] = mapped_column(Text)  # the decision that set these fees
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User | None] = relationship()


class CopyOrder(Base):
    """One copy order: kind, delivery, files and pages, the quote it was given, and its progress."""

    __tablename__ = "copy_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(20), unique=True)
    reader_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # plain | certified
    delivery: Mapped[str] = mapped_column(String(10))  # download | post | pickup
    paper_sets: Mapped[int] = mapped_column(default=1)
    postal_address: Mapped[str | None] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(String(2))
    purpose_details: Mapped[str | None] = mapped_column(Text)
    fee_category: Mapped[str] = mapped_column(String(2))
    notes: Mapped[str | None] = mapped_column(Text)
    # "01": an archivist decides; "02": archivist then leader (a conditional file without a leader grant).
    mode: Mapped[str] = mapped_column(String(2))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    submit_token: Mapped[str] = mapped_column(String(64), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # The quote: the amount and the schedule version it came from; a later schedule never changes it.
    fee_schedule_id: Mapped[int] = mapped_column(ForeignKey("fee_schedules.id"))
    amount: Mapped[int]
    quote_lines: Mapped[list[Any]] = mapped_column(JSON, default=list)
    forwarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    forwarded_at: Mapped[datetime | None]
    forward_opinion: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    paid_at: Mapped[datetime | None]
    produced_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None] = mapped_column(index=True)
    ended_at: Mapped[datetime | None]
    tracking_number: Mapped[str | None] = mapped_column(String(60))
    # The produced PDF (one per order), its fingerprint, and the download window.
    pdf_path: Mapped[str | None] = mapped_column(String(300))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    pdf_pages: Mapped[int | None]
    pdf_size: Mapped[int | None]
    pdfa_passed: Mapped[bool | None]
    production_note: Mapped[str | None] = mapped_column(Text)
    signer: Mapped[str | None] = mapped_column(Text)
    download_until: Mapped[datetime | None] = mapped_column(index=True)
    purged_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    reader: Mapped[User] = relationship(foreign_keys=[reader_id])
    fee_schedule: Mapped[FeeSchedule] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    forwarded_by: Mapped[User | None] = relationship(foreign_keys=[forwarded_by_id])
    files: Mapped[list[CopyOrderFile]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="CopyOrderFile.position")
    payments: Mapped[list[CopyPayment]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="CopyPayment.id")

    __mapper_args__ = {"version_id_col": version}

    @property
    def page_count(self) -> int:
        return sum(f.page_count for f in self.files)

    @property
    def is_paper(self) -> bool:
        return self.delivery in ("post", "pickup")


class CopyOrderFile(Base):
    """One file in a copy order and the pages chosen from it."""

    __tablename__ = "copy_order_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("copy_orders.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("record_files.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    pages_spec: Mapped[str] = mapped_column(String(400))  # normalised, e.g. "1-3, 7"
    page_count: Mapped[int]
    mode: Mapped[str] = mapped_column(String(2))  # the file's mode when ordered

    order: Mapped[CopyOrder] = relationship(back_populates="files")
    file: Mapped[RecordFile] = relationship()

    __table_args__ = (UniqueConstraint("order_id", "file_id", name="uq_copy_order_files_order_file"),)


class CopyPayment(Base):
    """A payment recorded by staff (at the desk, by bank transfer, or an online-payment reference)."""

    __tablename__ = "copy_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("copy_orders.id", ondelete="CASCADE"), index=True)
    amount: Mapped[int]
    method: Mapped[str] = mapped_column(String(12))  # desk | transfer | online | exempt
    reference: Mapped[str | None] = mapped_column(String(120))
    receipt_no: Mapped[str | None] = mapped_column(String(60))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[CopyOrder] = relationship(back_populates="payments")
    recorded_by: Mapped[User | None] = relationship()


class CopyDownload(Base):
    """One download of a digital copy by its orderer."""

    __tablename__ = "copy_downloads"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("copy_orders.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    bytes_sent: Mapped[int] = mapped_column(default=0)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_copy_downloads_order_at", "order_id", "at"),)
