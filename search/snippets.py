"""Highlighted snippets: the passages of a result that contain the query's words.

Text is escaped; only our own ``<mark>`` tags are markup. A word matches when
its folded form is one of the query's folded words, as a whole token or a
whole run of a reference string (so ``luu tru`` marks ``lưu trữ`` and
``KH-UBND`` marks that part of ``39/KH-UBND``).
"""
from __future__ import annotations

import re

from markupsafe import Markup, escape

from .analysis import fold, normalize

WIDTH = 220  # characters of context per snippet


_WORD = r"[^\W_]"
_CACHE: dict[frozenset, re.Pattern] = {}


def _pattern(words: set[str]) -> re.Pattern:
    """A regex finding any of ``words`` as whole tokens (or whole runs inside a reference) of folded text."""
    key = frozenset(words)
    pattern = _CACHE.get(key)
    if pattern is None:
        alternatives = "|".join(re.escape(w) for w in sorted(key, key=len, reverse=True))
        pattern = re.compile(f"(?<!{_WORD})(?:{alternatives})(?!{_WORD})")
        if len(_CACHE) > 256:
            _CACHE.clear()
        _CACHE[key] = pattern
    return pattern


def _spans(text: str, words: set[str], limit: int = 200,
           exact: set[str] | None = None, fallback: bool = True) -> list[tuple[int, int, str]]:
    """(start, end, folded word) of each match in ``text`` (NFC; folding keeps offsets).

    With ``exact`` (the reader typed diacritics: the lower-case forms typed), a word whose
    folded form has a typed exact form matches only as typed ("Đồng Nai" marks "Nai", never
    "nại" or "động"); when ``text`` holds none of the typed forms (the file matched on folded
    forms only), the folded matches are marked.
    """
    found = []
    for match in _pattern(words).finditer(fold(text)):
        found.append((match.start(), match.end(), match.group()))
        if len(found) >= limit:
            break
    if exact and found:
        typed = {fold(e) for e in exact}
        precise = [(a, b, w) for a, b, w in found if w not in typed or text[a:b].lower() in exact]
        if any(w in typed for _a, _b, w in precise) or not fallback:
            return precise
    return found


def mark(text: str, words: set[str], exact: set[str] | None = None) -> Markup:
    """All of ``text``, escaped, with matching words marked (see :func:`_spans` for ``exact``)."""
    text = normalize(text or "")
    if not words:
        return Markup(escape(text))
    # Plain strings joined once: Markup's own ``+`` escapes and allocates at every step, and a
    # results page marks twenty titles and their snippets.
    out = []
    last = 0
    for start, end, _token in _spans(text, words, exact=exact):
        out.append(escape(text[last:start]))
        out.append("<mark>")
        out.append(escape(text[start:end]))
        out.append("</mark>")
        last = end
    out.append(escape(text[last:]))
    return Markup("".join(out))


def _best_window(text: str, spans: list[tuple[int, int, str]]) -> tuple[int, int, float]:
    """The window of ``WIDTH`` characters holding the most distinct matching words (one pass)."""
    best = (0, min(len(text), WIDTH), 0.0)
    counts: dict[str, int] = {}
    j = 0
    for i, (start, _end, word) in enumerate(spans):
        window_start = max(0, start - WIDTH // 4)
        window_end = window_start + WIDTH
        while j < len(spans) and spans[j][1] <= window_end:
            counts[spans[j][2]] = counts.get(spans[j][2], 0) + 1
            j += 1
        score = len(counts) + 0.1 * (j - i)
        if score > best[2]:
            best = (window_start, min(len(text), window_end), score)
        if counts.get(word, 0) > 1:
            counts[word] -= 1
        else:
            counts.pop(word, None)
    return best


def _clip(text: str, start: int, end: int) -> tuple[int, int]:
    """Move a window's edges to spaces so words are not cut."""
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    if end < len(text):
        space = text.rfind(" ", end - 20, end)
        end = space if space > start else end
    return start, end


def snippets(sources: list[str], words: set[str], limit: int = 2, exact: set[str] | None = None) -> list[Markup]:
    """Up to ``limit`` marked passages from ``sources`` (in order of preference)."""
    return [piece for _score, piece in _scored_snippets(sources, words, limit, exact)]


def _scored_snippets(sources: list[str], words: set[str], limit: int,
                     exact: set[str] | None) -> list[tuple[float, Markup]]:
    if not words:
        return []
    words = {w for w in words if w}
    found = []
    for index, source in enumerate(sources):
        text = " ".join(normalize(source or "").split())
        if not text:
            continue
        spans = _spans(text, words, exact=exact)
        if not spans:
            continue
        start, end, score = _best_window(text, spans)
        found.append((score, -index, text, start, end))
    found.sort(reverse=True)
    out = []
    for score, _index, text, start, end in found[:limit]:
        start, end = _clip(text, start, end)
        piece = mark(text[start:end], words, exact)
        out.append((score, (Markup("… ") if start > 0 else Markup("")) + piece
                    + (Markup(" …") if end < len(text) else Markup(""))))
    return out


def page_snippets(pages: list[str], words: set[str], exact: set[str] | None = None,
                  limit: int = 3) -> tuple[int, list[tuple[int, Markup]]]:
    """(how many pages hold a query word, up to ``limit`` (page number, snippet)), best pages first.

    ``pages[i]`` is the text of page ``i + 1``. A page ranks by the distinct query words it holds.
    """
    scored = []
    for number, text in enumerate(pages, start=1):
        found = _scored_snippets([text], words, 1, exact)
        if found:
            scored.append((found[0][0], -number, found[0][1]))
    scored.sort(key=lambda item: (-item[0], -item[1]))
    return len(scored), [(-negative, piece) for _score, negative, piece in scored[:limit]]


def word_matches(word: str, words: set[str], exact: set[str] | None = None, strict: bool = False) -> bool:
    """Whether one word of a page (a word box) is a hit for the query's words.

    ``strict`` (the page holds a typed exact form, see :func:`exact_on`): only exact forms are hits,
    as :func:`mark` decides for the page's text.
    """
    return bool(_spans(normalize(word), words, limit=1, exact=exact, fallback=not strict))


def exact_on(text: str, words: set[str], exact: set[str] | None) -> bool:
    """Whether ``text`` holds a typed exact form (then only exact forms are marked in it)."""
    if not exact:
        return False
    typed = {fold(e) for e in exact}
    text = normalize(text)
    return any(w in typed and text[a:b].lower() in exact for a, b, w in _spans(text, words))
