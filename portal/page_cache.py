"""Public pages kept rendered for anonymous visitors, dropped when the catalogue changes.

The home page, the fonds and file pages, search results and exhibitions are the
same for every visitor without an account (in each language), and most traffic
is such visitors. Rendering one costs queries, permission filters and a few
hundred translated strings; serving it again from memory costs a dictionary look-up.

What may be served from here, and when it is stale:

- Only GET/HEAD of the endpoints in :data:`CACHEABLE_ENDPOINTS`, from a request
  that carries no cookie but the language choice (a signed-in person, or anyone
  with a session, always gets a freshly rendered page), and only a 200 HTML page
  whose rendering did not write to the session (a CSRF token) — so nothing
  personal can be stored.
- Every committed change to a public model (fonds, files, documents, scans,
  exhibitions) and every search-index update *bumps the generation*: a small
  file under ``DATA_DIR`` replaced atomically, so every worker process sees the
  bump on its next request (one ``stat``) and stops using what it kept.
"""
from __future__ import annotations

import os
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TypeVar

from flask import Flask, Response, current_app, g, has_app_context, request, session
from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import select_locale
from .models import (
    Document, Exhibition, ExhibitionImage, ExhibitionItem, ExhibitionSection, Fonds, PageScan, RecordFile,
)

T = TypeVar("T")

# The pages a visitor without an account sees exactly like every other such visitor.
CACHEABLE_ENDPOINTS = frozenset({
    "public.home", "public.fonds_index", "public.fonds_detail", "public.file_detail",
    "search.results", "search.advanced",
    "exhibitions.index",  # (an exhibition page counts its views: not kept)
})
# Changing one of these changes what anonymous pages show.
PUBLIC_MODELS = (Fonds, RecordFile, Document, PageScan, Exhibition, ExhibitionSection, ExhibitionItem,
                 ExhibitionImage)
ANONYMOUS_COOKIES = frozenset({"lang"})
# The first visitor's remaining allowance is not every visitor's: these are never kept with a page.
PERSONAL_HEADERS = frozenset({"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "retry-after"})


@dataclass(frozen=True)
class _Page:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


class PageCache:
    """A bounded LRU of rendered pages (or fragments: ``size`` measures a value), per process."""

    def __init__(self, max_entries: int, max_bytes: int, size: Callable[[object], int] | None = None) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._size = size or (lambda page: len(page.body))
        self._pages: OrderedDict[tuple, object] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple):
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: tuple, page) -> None:
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self._bytes -= self._size(old)
            self._pages[key] = page
            self._bytes += self._size(page)
            while self._pages and (len(self._pages) > self.max_entries or self._bytes > self.max_bytes):
                _key, dropped = self._pages.popitem(last=False)
                self._bytes -= self._size(dropped)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._bytes = 0


def generation_file(data_dir: str | Path) -> Path:
    """The file whose identity is the current generation of public pages."""
    return Path(data_dir) / "cache" / "public-pages.generation"


def bump(data_dir: str | Path | None = None) -> None:
    """Make every process drop the pages it keeps (the catalogue or the index changed)."""
    path = generation_file(data_dir or current_app.config["DATA_DIR"])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_text(secrets.token_hex(8))
    os.replace(tmp, path)  # a new inode: other processes see the change in one stat


def generation() -> tuple[int, int]:
    """The current generation of public pages, as this process sees it (one ``stat``)."""
    return _generation(current_app.config["DATA_DIR"])


def _generation(data_dir: str) -> tuple[int, int]:
    try:
        stat = generation_file(data_dir).stat()
    except FileNotFoundError:
        return (0, 0)
    return (stat.st_ino, stat.st_mtime_ns)


_MEMO: dict[tuple, object] = {}
_MEMO_LOCK = threading.Lock()


def memo(key: tuple, compute: Callable[[], T]) -> T:
    """``compute()``'s result, kept in this process until the public catalogue next changes.

    For small plain values that every page of a kind needs and nobody's identity changes
    (the catalogue's counts for visitors and readers): logged-in pages, which the page cache
    cannot keep, then skip those queries too. Never for ORM objects (they outlive their session).
    """
    generation = _generation(current_app.config["DATA_DIR"])
    full_key = (current_app.config["DATA_DIR"], generation, *key)
    try:
        return _MEMO[full_key]  # type: ignore[return-value]
    except KeyError:
        pass
    value = compute()
    with _MEMO_LOCK:
        if len(_MEMO) > 256:  # old generations: drop everything, the current ones refill at once
            _MEMO.clear()
        _MEMO[full_key] = value
    return value


def _key() -> tuple | None:
    """The cache key of this request, or None when it must be rendered for this visitor."""
    if request.method not in ("GET", "HEAD") or request.endpoint not in CACHEABLE_ENDPOINTS:
        return None
    if not set(request.cookies) <= ANONYMOUS_COOKIES:
        return None
    return (request.full_path, select_locale(), _generation(current_app.config["DATA_DIR"]))


def _note_public_changes(db_session: Session, _flush_context, _instances) -> None:
    if any(isinstance(obj, PUBLIC_MODELS) for obj in (*db_session.new, *db_session.dirty, *db_session.deleted)):
        db_session.info["public_pages_changed"] = True


def _bump_after_commit(db_session: Session) -> None:
    if db_session.info.pop("public_pages_changed", False) and has_app_context():
        bump()


def _forget_on_rollback(db_session: Session, _previous_transaction) -> None:
    db_session.info.pop("public_pages_changed", None)


def init_page_cache(app: Flask) -> None:
    """Serve and keep anonymous public pages for ``app`` (``PAGE_CACHE_ENTRIES`` 0 turns it off)."""
    entries = int(app.config.get("PAGE_CACHE_ENTRIES", 0))
    if entries <= 0:
        return
    cache = PageCache(entries, int(app.config.get("PAGE_CACHE_MB", 32)) * 1024 * 1024)
    app.extensions["page_cache"] = cache

    def serve_kept_page():
        key = _key()
        if key is None:
            return None
        page = cache.get(key)
        if page is not None:
            return Response(page.body, status=page.status, headers=list(page.headers))
        g.page_cache_key = key
        return None

    # First of all hooks, before the rate limiter's: a kept page costs a dictionary look-up, so serving it
    # spends nothing the search limit protects (a Redis round trip would cost more than the page). A page
    # that has to be rendered still passes the limiter.
    app.before_request_funcs.setdefault(None, []).insert(0, serve_kept_page)

    @app.after_request
    def keep_page(response: Response) -> Response:
        key = g.pop("page_cache_key", None)
        if (key is not None and response.status_code == 200 and response.mimetype == "text/html"
                and not response.direct_passthrough and not session.modified and "Set-Cookie" not in response.headers):
            headers = tuple((k, v) for k, v in response.headers.items() if k.lower() not in PERSONAL_HEADERS)
            cache.put(key, _Page(200, headers, response.get_data()))
        return response


# Registered once for every session: commits that touch public models bump the generation.
if not event.contains(Session, "before_flush", _note_public_changes):
    event.listen(Session, "before_flush", _note_public_changes)
    event.listen(Session, "after_commit", _bump_after_commit)
    event.listen(Session, "after_soft_rollback", _forget_on_rollback)
