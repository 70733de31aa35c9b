"""Access requests (phiếu yêu cầu đọc tài liệu): the basket, requests, their items
(one decision and one reading window per requested file) and the message thread."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utcnow
from .accounts import User
from .records import RecordFile


class BasketEntry(Base):
    """A file a reader has put aside to request."""

    __tablename__ = "basket_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    reader_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    file_id: Mapped[int] = mapped_column(ForeignKey("record_files.id", ondelete="CASCADE"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    file: Mapped[RecordFile] = relationship()

    __table_args__ = (UniqueConstraint("reader_id", "file_id", name="uq_basket_entries_reader_file"),)


class AccessRequest(Base):
    """One submitted request form with its purpose, topic and fee category."""

    __tablename__ = "access_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(20), unique=True)
    reader_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    purpose: Mapped[str] = mapped_column(String(2))
    purpose_details: Mapped[str | None] = mapped_column(Text)
    research_topic: Mapped[str] = mapped_column(Text)
    fee_category: Mapped[str] = mapped_column(String(2))
    notes: Mapped[str | None] = mapped_column(Text)
    letter_path: Mapped[str | None] = mapped_column(String(300))
    letter_name: Mapped[str | None] = mapped_column(String(255))
    letter_mime: Mapped[str | None] = mapped_column(String(40))
    # The token of the submit form: a second submit with the same token is the same request.
    submit_token: Mapped[str] = mapped_column(String(64), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    reader: Mapped[User] = relationship()
    items: Mapped[list[RequestItem]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="RequestItem.id"
    )
    messages: Mapped[list[RequestMessage]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="RequestMessage.id"
    )


class RequestItem(Base):
    """One requested file: its own status, deadline, decision and reading window."""

    __tablename__ = "request_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("access_requests.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("record_files.id"), index=True)
    reader_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    # The file's access mode when requested: it decides the path (one or two levels).
    mode: Mapped[str] = mapped_column(String(2))
    # How the reader will use the file: online (digitised), reading_room (a booked visit) or
    # digitise (read online once staff have scanned it). Undigitised files ask the reader.
    use: Mapped[str] = mapped_column(String(12), default="online", server_default="online")
    due_on: Mapped[date] = mapped_column(Date, index=True)
    forwarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    forwarded_at: Mapped[datetime | None]
    forward_opinion: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    grant_starts_at: Mapped[datetime | None]
    grant_ends_at: Mapped[datetime | None] = mapped_column(index=True)
    reminder_sent_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    end_reason: Mapped[str | None] = mapped_column(Text)
    # Optimistic locking: two staff deciding at once → exactly one UPDATE matches.
    version: Mapped[int] = mapped_column(default=1)

    request: Mapped[AccessRequest] = relationship(back_populates="items")
    file: Mapped[RecordFile] = relationship()
    reader: Mapped[User] = relationship(foreign_keys=[reader_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    forwarded_by: Mapped[User | None] = relationship(foreign_keys=[forwarded_by_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_request_items_reader_file", "reader_id", "file_id"),)


class RequestMessage(Base):
    """A message in a request's thread between the reader and staff."""

    __tablename__ = "request_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("access_requests.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[AccessRequest] = relationship(back_populates="messages")
    author: Mapped[User] = relationship()
