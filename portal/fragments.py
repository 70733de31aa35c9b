"""Public parts of a page kept rendered, for signed-in people too: ``{% public key… %}…{% endpublic %}``.

The page cache (:mod:`portal.page_cache`) keeps whole pages, so only for visitors without an
account. A reader's file page is mostly the same public text as everyone's (the description,
the documents, the citation) around a few personal lines (the basket button, the header). A
template marks the public part::

    {% public 'file-body', file.id %} … only public data in here … {% endpublic %}

and that part is rendered once per key, UI language and *generation* of public pages, then served
from a bounded per-process LRU. The generation is the page cache's: every committed change to a
public model and every search-index update bumps it, so a kept fragment is never older than the
catalogue it shows. The key must name everything the part depends on besides the language and
the catalogue (the file, and whether the viewer is staff when staff see more). Nothing personal
goes inside: no ``current_user``, no CSRF token, no flash.

Data a public part needs can be given to the template as a callable (``fonds=lambda: …``): called
inside the part, its queries then run only when the part is rendered.

Off when the page cache is off (``PAGE_CACHE_ENTRIES`` 0); ``FRAGMENT_CACHE_MB`` bounds it.
"""
from __future__ import annotations

from flask import Flask, current_app
from flask_babel import get_locale
from jinja2 import nodes
from jinja2.ext import Extension
from markupsafe import Markup

from .page_cache import PageCache, generation


class PublicFragments(Extension):
    """The ``{% public … %}`` tag."""

    tags = {"public"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        parts: list[nodes.Expr] = [nodes.Const(parser.name), nodes.Const(lineno)]
        while parser.stream.current.type != "block_end":
            if len(parts) > 2:
                parser.stream.expect("comma")
            parts.append(parser.parse_expression())
        body = parser.parse_statements(("name:endpublic",), drop_needle=True)
        call = self.call_method("_kept", [nodes.Tuple(parts, "load")])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    @staticmethod
    def _kept(key: tuple, caller) -> Markup:
        store: PageCache | None = current_app.extensions.get("fragments")
        if store is None:
            return caller()
        full_key = (current_app.config["DATA_DIR"], generation(), str(get_locale()), *key)
        kept = store.get(full_key)
        if kept is None:
            kept = caller()
            store.put(full_key, kept)
        return kept


def init_fragments(app: Flask) -> None:
    """Give ``app``'s templates the ``{% public %}`` tag, keeping parts when the page cache is on."""
    app.jinja_env.add_extension(PublicFragments)
    if int(app.config.get("PAGE_CACHE_ENTRIES", 0)) > 0:
        app.extensions["fragments"] = PageCache(100_000, int(app.config.get("FRAGMENT_CACHE_MB", 16)) * 1024 * 1024,
                                                size=lambda text: len(text) * 2)
