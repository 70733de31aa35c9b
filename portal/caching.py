"""Who may keep a copy of a response: personal pages are never stored by browsers or proxies.

A page about one person (their profile, their requests, a reader's record for staff,
the audit trail, the registers) must not stay in a shared cache or in the browser's
history cache after logout. Whole blueprints are marked with :func:`personal_blueprint`;
a single view elsewhere with :func:`personal`.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import Blueprint, Response, make_response

NO_STORE = "private, no-store"


def no_store(response: Response) -> Response:
    """Mark ``response`` as never to be stored."""
    response.headers["Cache-Control"] = NO_STORE
    response.headers.pop("Expires", None)
    return response


def personal_blueprint(bp: Blueprint) -> Blueprint:
    """Every response of ``bp`` is personal (registered once, at import)."""
    bp.after_request(no_store)
    return bp


def personal(view: Callable) -> Callable:
    """One view whose responses are personal."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        return no_store(make_response(view(*args, **kwargs)))

    return wrapped
