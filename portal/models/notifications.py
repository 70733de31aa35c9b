"""Notifications in the portal (the bell) and the anonymous daily count of exhibition visits."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, utcnow


class Notification(Base):
    """One message to one person: what the mail said, and where to look in the portal."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(300))
    # A path inside the portal ("/phieu/12"), never an external address.
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)


class ExhibitionVisit(Base):
    """How many times an exhibition was viewed on one day; who viewed it is never stored."""

    __tablename__ = "exhibition_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    exhibition_id: Mapped[int] = mapped_column(ForeignKey("exhibitions.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    views: Mapped[int] = mapped_column(default=0)

    __table_args__ = (UniqueConstraint("exhibition_id", "day", name="uq_exhibition_visits_exhibition_day"),)
