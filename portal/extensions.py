"""Flask extensions, created unbound and initialised in the app factory."""
from __future__ import annotations

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

from .db import Database

db = Database()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def user_or_address() -> str:
    """Rate-limit key: the logged-in account, else the client address."""
    from flask_login import current_user

    if getattr(current_user, "is_authenticated", False):
        return f"user:{current_user.id}"
    return get_remote_address()


def login_account() -> str:
    """Rate-limit key for failed logins per account: the email typed, normalised."""
    return "account:" + (request.form.get("email") or "").strip().lower()[:254]


def select_locale() -> str:
    """The UI language: the reader's choice (cookie), else Vietnamese.

    Vietnamese is the archive's language, so we do not follow the browser's
    Accept-Language: an English browser still gets Vietnamese until the
    visitor switches.
    """
    from flask import current_app

    chosen = request.cookies.get("lang") if request else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]
