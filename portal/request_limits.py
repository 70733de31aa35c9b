"""How big a request body may be, per route, refused before it is read.

Most forms carry a few kilobytes of text, so every route takes at most
``FORM_MAX_BYTES``. A route that takes a file says which configured size it
accepts with :func:`accepts_upload` (a letter, an exhibition picture, a scan, a
manifest bundle). A body announced larger than its route allows gets 413 at once,
before any hook reads the form; one sent without a length is cut off at the same
limit while it is read.
"""
from __future__ import annotations

from typing import Callable

from flask import Flask, abort, current_app, request

UPLOAD_LIMIT_ATTR = "upload_limit_keys"


def accepts_upload(*config_keys: str) -> Callable[[Callable], Callable]:
    """Let a view take a file of the configured size(s) ``config_keys`` (plus the form around it)."""

    def mark(view: Callable) -> Callable:
        setattr(view, UPLOAD_LIMIT_ATTR, config_keys)
        return view

    return mark


def body_limit(endpoint: str | None) -> int:
    """The largest body the route of ``endpoint`` accepts, in bytes."""
    config = current_app.config
    view = current_app.view_functions.get(endpoint or "")
    keys = getattr(view, UPLOAD_LIMIT_ATTR, ())
    limit = int(config["FORM_MAX_BYTES"]) + sum(int(config[key]) for key in keys)
    ceiling = config.get("MAX_CONTENT_LENGTH")
    return min(limit, int(ceiling)) if ceiling else limit


def _limit_body() -> None:
    limit = body_limit(request.endpoint)
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        abort(413)


def init_body_limits(app: Flask) -> None:
    """Check body sizes first, before any other hook (CSRF among them) reads the form."""
    app.before_request_funcs.setdefault(None, []).insert(0, _limit_body)
