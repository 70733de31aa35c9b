"""Where the site sends people back to: the one place every ``next`` and redirect target is cleaned.

A target chosen by the client (``?next=``, a hidden form field) is only followed when
it is a path on this site: no scheme, no host, no protocol-relative ``//`` or
backslash trick, and no control character (a CR or LF would reach the ``Location``
header, which the server refuses with a 500). Anything else goes to a fallback page.
"""
from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from flask import redirect, request, url_for
from werkzeug.urls import iri_to_uri

MAX_TARGET_CHARS = 2000


def _has_control(target: str) -> bool:
    return any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in target)


def safe_target(target: str | None, fallback: str = "public.home") -> str:
    """``target`` (as an ASCII URI) if it is a path on this site, else the fallback page's URL."""
    if target and len(target) <= MAX_TARGET_CHARS and target.startswith("/") and not target.startswith("//") \
            and "\\" not in target and not _has_control(target):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return iri_to_uri(target)
    return url_for(fallback)


def redirect_back(fallback: str = "public.home", target: str | None = None):
    """A redirect to ``target`` (default: the ``next`` parameter) when safe, else to ``fallback``."""
    return redirect(safe_target(request.values.get("next") if target is None else target, fallback))
