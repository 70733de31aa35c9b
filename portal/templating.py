"""The Jinja environment: templates compiled once per UI language, with their fixed strings already translated.

A page calls ``_('…')`` some 70–100 times. Through Jinja's i18n extension every call is a context lookup,
two ``Context.call`` dispatches, a locale lookup in Flask-Babel and a catalogue lookup: about a fifth of
the time a logged-in page takes (measured with cProfile on ``/ho-so/…``). A string that is a literal
in the template translates to the same text every time for a given language, so it is translated when
the template is compiled, and each language gets its own compiled copy of the template.

Only calls with a literal message are folded (``_('Đăng nhập')``, ``{% trans %}`` without plurals,
and the same with keyword arguments, whose values are then formatted in as the runtime call does).
Anything else (a variable message, plurals, contexts) goes through the runtime callables that
:func:`portal.web.init_web` installs, which look the catalogue up through :func:`request_translations`.
Templates made with ``from_string``, and any without a locale, are not folded. A job or the CLI renders in
the app context's locale (``force_locale`` for a reader's mail), and gets that language's copy.
"""
from __future__ import annotations

import weakref
from contextvars import ContextVar
from typing import Any

from flask import g
from flask.templating import Environment
from flask_babel import get_locale, get_translations
from jinja2 import nodes
from jinja2.visitor import NodeTransformer

# The catalogue the template being compiled is folded with; set only around a load.
_folding: ContextVar[Any] = ContextVar("_folding", default=None)

GETTEXT_NAMES = frozenset({"_", "gettext"})


def request_translations():
    """The translation catalogue of the current locale, looked up once per request and locale.

    Keyed by the locale object, so a mail rendered inside ``force_locale`` gets its own language.
    """
    locale = get_locale()
    cached = g.get("_translations")
    if cached is None or cached[0] is not locale:
        cached = g._translations = (locale, get_translations())
    return cached[1]


class _FoldGettext(NodeTransformer):
    """Replace ``gettext('literal', **kw)`` calls by the translated text (what the runtime call returns)."""

    def __init__(self, translations) -> None:
        self.translations = translations

    def visit_Call(self, node: nodes.Call) -> nodes.Node:  # noqa: N802 - Jinja's visitor naming
        node = self.generic_visit(node)
        if not (isinstance(node.node, nodes.Name) and node.node.name in GETTEXT_NAMES
                and len(node.args) == 1 and isinstance(node.args[0], nodes.Const)
                and isinstance(node.args[0].value, str) and node.dyn_args is None and node.dyn_kwargs is None):
            return node
        text = self.translations.ugettext(node.args[0].value)
        if not node.kwargs:
            try:
                # Jinja's newstyle gettext always formats (so "%%" becomes "%"); do the same now.
                text = text % {}
            except (KeyError, ValueError, TypeError):
                return node  # a message that needs arguments it was not given fails at run time, as before
            return nodes.MarkSafeIfAutoescape(nodes.Const(text), lineno=node.lineno)
        values = nodes.Dict([nodes.Pair(nodes.Const(k.key), k.value, lineno=node.lineno) for k in node.kwargs],
                            lineno=node.lineno)
        # Markup % values escapes the values, exactly as the runtime gettext does under autoescape.
        return nodes.Mod(nodes.MarkSafeIfAutoescape(nodes.Const(text), lineno=node.lineno), values,
                         lineno=node.lineno)


class TranslatedEnvironment(Environment):
    """Flask's environment with one compiled copy of each template per UI language."""

    def __init__(self, app, **options) -> None:
        options.setdefault("cache_size", 2000)  # every template in two languages, never evicted
        super().__init__(app, **options)

    def _load_template(self, name: str, globals):  # noqa: A002 - Jinja's signature
        locale = get_locale()
        if locale is None or self.loader is None:
            return super()._load_template(name, globals)
        key = (weakref.ref(self.loader), name, str(locale))
        template = self.cache.get(key) if self.cache is not None else None
        if template is not None and (not self.auto_reload or template.is_up_to_date):
            if globals:
                template.globals.update(globals)
            return template
        token = _folding.set(request_translations())
        try:
            template = self.loader.load(self, name, self.make_globals(globals))
        finally:
            _folding.reset(token)
        if self.cache is not None:
            self.cache[key] = template
        return template

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        translations = _folding.get()
        if translations is None:
            return tree
        return _FoldGettext(translations).visit(tree)
