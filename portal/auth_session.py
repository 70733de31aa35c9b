"""Flask-Login wiring: loading the user from the session, the current actor, safe ``next`` redirects."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin, current_user

from .extensions import db, login_manager
from .models import User


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


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Load the user for ``"<id>:<session_version>"``; older versions are logged out."""
    user_id, _sep, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active_account or user.session_version != int(version):
        return None
    return user


def safe_next(target: str | None, fallback: str = "public.home") -> str:
    """``target`` if it is a path on this site, else the fallback page's URL."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
                and "\\" not in target:
            return target
    return url_for(fallback)


def redirect_next(fallback: str = "public.home"):
    """Redirect to the ``next`` parameter when safe, else to ``fallback``."""
    return redirect(safe_next(request.values.get("next"), fallback))
