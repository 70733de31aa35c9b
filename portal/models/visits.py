"""The physical reading room: its calendar (settings, opening hours, closed days),
visits booked by readers, the files handed over on a visit (sổ giao nhận tài liệu),
and readers waiting for a file to be digitised."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Date, ForeignKey, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ..db import Base, utcnow
from .accounts import User
from .records import RecordFile
from .requests import AccessRequest, RequestItem


class RoomSettings(Base):
    """The reading room's settings, kept by staff in the browser (a single row, id 1)."""

    __tablename__ = "reading_room_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    seats: Mapped[int] = mapped_column(default=8)  # readers at once, per session
    max_files_per_visit: Mapped[int] = mapped_column(default=10)  # TT 10/2014: at most 10
    visits_per_week: Mapped[int] = mapped_column(default=2)  # per reader, Monday to Sunday
    change_cutoff_hours: Mapped[int] = mapped_column(default=24)  # move/cancel until this long before
    booking_days_ahead: Mapped[int] = mapped_column(default=30)
    digitise_working_days: Mapped[int] = mapped_column(default=15)  # due date of digitisation on demand
    address: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class OpeningHours(Base):
    """Opening hours of one weekday (0 = Monday): a morning and an afternoon session, either may be closed."""

    __tablename__ = "reading_room_hours"

    weekday: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    morning_opens: Mapped[time | None] = mapped_column(Time)
    morning_closes: Mapped[time | None] = mapped_column(Time)
    afternoon_opens: Mapped[time | None] = mapped_column(Time)
    afternoon_closes: Mapped[time | None] = mapped_column(Time)


class RoomClosure(Base):
    """A day the reading room is closed besides weekends and public holidays (inventory, training…)."""

    __tablename__ = "reading_room_closures"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    reason: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Visit(Base):
    """A booked visit: one reader, one session of one day, one seat while it holds one.

    ``seat_no`` is unique per (day, session): two readers taking the last seat at
    once cannot both insert it. A cancelled visit gives its seat back (NULL).
    """

    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(20), unique=True)
    reader_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("access_requests.id", ondelete="SET NULL"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    session: Mapped[str] = mapped_column(String(10))  # am | pm
    seat_no: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(12), index=True)
    booked_at: Mapped[datetime] = mapped_column(default=utcnow)
    checked_in_at: Mapped[datetime | None]
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    id_document_seen: Mapped[str | None] = mapped_column(String(60))  # what the desk saw (CCCD no.)
    checked_out_at: Mapped[datetime | None]
    checked_out_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)

    reader: Mapped[User] = relationship(foreign_keys=[reader_id])
    request: Mapped[AccessRequest | None] = relationship()
    files: Mapped[list[VisitFile]] = relationship(back_populates="visit", cascade="all, delete-orphan",
                                                  order_by="VisitFile.id")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("day", "session", "seat_no", name="uq_visits_day_session_seat"),)


class VisitFile(Base):
    """One file for a visit and its hand-over and return: a line of the sổ giao nhận tài liệu.

    ``out_file_id`` holds the file id while the file is with a reader and is
    NULL otherwise; being unique, a file cannot be out twice at once.
    """

    __tablename__ = "visit_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("request_items.id", ondelete="CASCADE"), unique=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("record_files.id"), index=True)
    handed_at: Mapped[datetime | None]
    handed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    returned_at: Mapped[datetime | None]
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    out_file_id: Mapped[int | None] = mapped_column(unique=True)

    visit: Mapped[Visit] = relationship(back_populates="files")
    item: Mapped[RequestItem] = relationship(backref=backref("visit_file", uselist=False))
    file: Mapped[RecordFile] = relationship()
    handed_by: Mapped[User | None] = relationship(foreign_keys=[handed_by_id])
    returned_by: Mapped[User | None] = relationship(foreign_keys=[returned_by_id])


class DigitisationRequest(Base):
    """A reader asked for a file to be digitised before reading it (one row per request item)."""

    __tablename__ = "digitisation_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("request_items.id", ondelete="CASCADE"), unique=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("record_files.id"), index=True)
    reader_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(12), index=True, default="waiting")  # waiting | done | cancelled
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_on: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None]

    item: Mapped[RequestItem] = relationship(backref=backref("digitisation", uselist=False))
    file: Mapped[RecordFile] = relationship()
    reader: Mapped[User] = relationship()
