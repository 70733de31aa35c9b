"""Flask-Login wiring: logging in and out, loading the user from a live server-side session, the current actor."""
from __future__ import annotations

import functools

from flask import Flask, session
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin, current_user, login_user, logout_user
from sqlalchemy import Select, bindparam, select

from .extensions import db, login_manager
from .models import User
from .services import notifications, sessions

SESSION_TOKEN = "sid"  # the key of the server-side session's token in the signed cookie


def init_login(app: Flask) -> None:
    """Configure the login manager for ``app``."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


def current_actor() -> User | AnonymousUserMixin:
    """The person making this request, as the plain object services take first (a visitor is anonymous)."""
    return current_user._get_current_object()  # type: ignore[attr-defined]


@functools.cache
def _user_query() -> Select:
    """One query for every request: the user, whether this browser's session is live, and the bell's count.

    Built once (with bound parameters): building it took as long as running it.
    """
    return (select(User, sessions.live_clause(), notifications.unread_subquery())
            .where(User.id == bindparam("user_id")))


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Load the user for ``"<id>:<session_version>"`` when the cookie's server-side session is live.

    An older version (password changed elsewhere) or an ended session (logout, blocking)
    is no user at all: the request is anonymous.
    """
    user_id, _sep, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit() or len(user_id) > 10:
        return None
    row = db.session.execute(_user_query(), {"user_id": int(user_id),
                                             "token_hash": sessions.token_hash(session.get(SESSION_TOKEN))}).first()
    if row is None:
        return None
    user, live, unread = row
    if not live or not user.is_active_account or user.session_version != int(version):
        return None
    user.unread_at_load = unread  # a plain attribute for this request, not a column
    return user


def log_in(user: User) -> None:
    """Start a fresh session (no fixation) with its server-side row."""
    session.clear()
    login_user(user)
    session[SESSION_TOKEN] = sessions.open_session(user)


def log_out() -> None:
    """End this session server-side (a copy of the cookie stops working) and clear the cookie."""
    sessions.end_session(session.get(SESSION_TOKEN))
    logout_user()
    session.clear()


def current_session_token() -> str | None:
    """The token of this browser's session (kept when the account's other sessions end)."""
    return session.get(SESSION_TOKEN)


def reissue(user: User) -> None:
    """After the account's session version changed: keep this browser logged in."""
    login_user(user)
