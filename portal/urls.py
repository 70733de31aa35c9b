"""Absolute links that leave the site (mails): built from the configured public address.

A link in a mail must never come from the request that caused it: the ``Host``
header is whatever the client sent, so a password-reset link built from it can
point at an attacker's site with a valid token. :func:`external_url` uses
``PUBLIC_BASE_URL`` only, and needs no request context, so web requests,
background jobs and CLI commands build the same links the same way.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, request

# What ``make run`` serves when nothing is configured (development and the demo).
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


def public_base_url() -> str:
    """The configured public address, without a trailing slash."""
    base = current_app.config.get("PUBLIC_BASE_URL") or DEVELOPMENT_BASE_URL
    return base.rstrip("/")


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of ``endpoint`` on the configured public address.

    Works with only an app context (jobs, CLI): the URL map is bound to the
    public address itself, never to a request.
    """
    parts = urlsplit(public_base_url())
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


def public_url_of_request() -> str:
    """This request's path and query on the configured public address (for a page's printed address)."""
    return public_base_url().rstrip("/") + request.full_path.rstrip("?")


def public_host(base_url: str | None) -> str | None:
    """The host name (without port) of a configured public address, for trusted hosts."""
    if not base_url:
        return None
    return urlsplit(base_url).hostname
