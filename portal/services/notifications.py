"""Notifications in the portal: the bell and its unread count.

Every mail the portal sends to a person with an account also becomes a
notification, through one hook on the mail service (:func:`mail.after_send`),
so no workflow has to remember to notify twice. The notification keeps the
subject and a path inside the portal; links that carry a secret token (password
setting, email confirmation) are not stored.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import ScalarSelect, func, select, update

from ..db import utcnow
from ..errors import NotFound
from ..extensions import db
from ..models import Notification, User
from .mail import after_send

# Mails whose link holds a one-time token: the bell shows the subject but never keeps the token.
TOKEN_TEMPLATES = frozenset({"reset_password", "confirm_email", "staff_invite"})


def _portal_path(link: Any) -> str | None:
    """The path and query of an absolute or relative link, or None."""
    if not link:
        return None
    parts = urlsplit(str(link))
    if not parts.path.startswith("/"):
        return None
    path = "/" + parts.path.lstrip("/")  # never "//host/…", which a browser would treat as another site
    return (path + (f"?{parts.query}" if parts.query else ""))[:500]


@after_send
def notify_from_mail(to: str, subject: str, template: str, context: dict[str, Any]) -> Notification | None:
    """Mirror one sent mail into the addressee's notifications (nobody with that email: nothing)."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == to.strip().lower()))
    if user is None:
        return None
    link = None if template in TOKEN_TEMPLATES else _portal_path(context.get("link"))
    notification = Notification(user_id=user.id, subject=subject[:300], link=link)
    db.session.add(notification)
    db.session.commit()
    return notification


def unread_subquery() -> ScalarSelect[int]:
    """SQL: the unread count of the user of the row in hand (``User.id``), to load with the user."""
    return select(func.count(Notification.id)).where(
        Notification.user_id == User.id, Notification.read_at.is_(None)).scalar_subquery()


def unread_count(user: Any) -> int:
    """How many notifications ``user`` has not opened (0 for visitors).

    The count loaded with the user at the start of the request is used when there is one
    (``user.unread_at_load``): the bell on every page then costs no query of its own.
    """
    if not getattr(user, "is_authenticated", False):
        return 0
    loaded = getattr(user, "unread_at_load", None)
    if loaded is not None:
        return int(loaded)
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def recent(user: User, limit: int = 100) -> list[Notification]:
    """The user's notifications, newest first."""
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id.desc()).limit(limit)))


def open_notification(user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read and return it (another user's: NotFound)."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        raise NotFound(_("Không tìm thấy thông báo."))
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.commit()
    return notification


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user read; return how many."""
    result = db.session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=utcnow()))
    db.session.commit()
    return result.rowcount or 0
