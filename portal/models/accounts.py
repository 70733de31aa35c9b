"""Accounts: users with a role, reader profiles (TT 05/2025 Điều 35) and consents."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utcnow


class Role(str, enum.Enum):
    """Who somebody is to the archive (domain.md, "People and roles")."""

    READER = "reader"
    ARCHIVIST = "archivist"
    LEADER = "leader"
    ADMIN = "admin"


STAFF_ROLES = frozenset({Role.ARCHIVIST, Role.LEADER, Role.ADMIN})


class Clearance(str, enum.Enum):
    """A reader account's identity check by staff."""

    PENDING = "pending"  # chưa xác minh
    CLEARED = "cleared"  # đã xác minh
    BLOCKED = "blocked"  # bị khóa


class IdKind(str, enum.Enum):
    """Which identity document the reader gave."""

    CITIZEN_ID = "cccd"  # số định danh cá nhân, 12 digits
    PASSPORT = "passport"


class ConsentPurpose(str, enum.Enum):
    """Personal-data processing purposes, each consented to separately."""

    ACCOUNT = "account"  # account and reading: required to have an account
    STATISTICS = "statistics"
    NEWSLETTER = "newsletter"


class User(UserMixin, Base):
    """Anyone who logs in: readers and staff."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default=Role.READER.value)
    clearance: Mapped[str] = mapped_column(String(20), default=Clearance.PENDING.value)
    clearance_reason: Mapped[str | None] = mapped_column(Text)
    email_confirmed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Bumped on password change: every session carrying an older value ends.
    session_version: Mapped[int] = mapped_column(default=1)
    # Failed logins in a row; the owner is told by email when they reach the lock-out threshold.
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    lockout_notified_at: Mapped[datetime | None]
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # Reading copies served at the data saver's lower resolution (the reader's choice, kept per account).
    data_saver: Mapped[bool] = mapped_column(default=False, server_default=false())

    profile: Mapped[ReaderProfile | None] = relationship(
        back_populates="user", uselist=False, cascade="all, delete-orphan"
    )
    consents: Mapped[list[Consent]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Consent.id"
    )

    # --- Flask-Login -----------------------------------------------------
    def get_id(self) -> str:
        """Session id: account id plus session version (logout everywhere)."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.is_active_account

    # --- convenience -----------------------------------------------------
    @property
    def is_staff(self) -> bool:
        """True for archivists, leaders and admins."""
        return self.role in {r.value for r in STAFF_ROLES}

    @property
    def is_reader(self) -> bool:
        return self.role == Role.READER.value

    @property
    def is_cleared(self) -> bool:
        return self.clearance == Clearance.CLEARED.value

    def has_consent(self, purpose: ConsentPurpose) -> bool:
        """Whether an unwithdrawn consent for ``purpose`` exists."""
        return any(
            c.purpose == purpose.value and c.withdrawn_at is None for c in self.consents
        )


class ReaderProfile(Base):
    """The legal account fields of a reader (TT 05/2025 Điều 35); nothing more."""

    __tablename__ = "reader_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    id_kind: Mapped[str] = mapped_column(String(20))
    id_number: Mapped[str] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(20))
    employer: Mapped[str | None] = mapped_column(String(255))
    priority_category: Mapped[str | None] = mapped_column(String(2))
    notes: Mapped[str | None] = mapped_column(Text)
    # A new identity document the reader gave, waiting for staff to check it (then it replaces
    # the one above). Not unique: whether another account holds it is never told to the reader.
    pending_id_kind: Mapped[str | None] = mapped_column(String(20))
    pending_id_number: Mapped[str | None] = mapped_column(String(20))

    user: Mapped[User] = relationship(back_populates="profile")

    __table_args__ = (UniqueConstraint("id_kind", "id_number", name="uq_reader_profiles_identity"),)


class Consent(Base):
    """One purpose the reader agreed to, when, and when it was withdrawn."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(20))
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="consents")

    __table_args__ = (Index("ix_consents_user_purpose", "user_id", "purpose"),)


class LoginSession(Base):
    """One logged-in browser: the session cookie carries its token, this row says it is still live.

    Logging out ends the row, so a copied cookie stops working; blocking a reader or
    changing a password ends the account's rows at once (server-side, not when the
    cookie expires). Only a hash of the token is stored.
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(40))
