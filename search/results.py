"""One search, end to end: parse, plan, run, snippets, "did you mean".

Framework-free: the portal's service and the benchmark both call
:func:`execute`. Facet values come back as raw values (codes); the portal adds
human labels.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from . import schema as f
from .analysis import both_syllables, fold, has_marks, normalize, tokens_as_typed
from .documents import date_number
from .engine import CACHE, MAX_RANK, Engine, Filters
from .index import SearchIndex
from .query import And, Not, Or, ParsedQuery, Plan, Words, parse, plan
from .snippets import mark, snippets

SORTS = ("relevance", "-date", "date")
MAX_SUGGESTION_TRIES = 6


@dataclass
class SearchRequest:
    """What the reader asked for."""

    text: str = ""
    facets: dict[str, list[str]] = field(default_factory=dict)
    date_from: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD
    date_to: str | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    staff: bool = False
    with_facets: bool = True
    with_snippets: bool = True  # snippets and marked words in the titles
    match_all: bool = False  # with no words and no filters: every file (e.g. for facet counts)
    # Conditional files whose page text this searcher may read (a reader's active grants).
    readable: frozenset[int] = frozenset()

    def filters(self) -> Filters:
        return Filters(
            facets={k: list(v) for k, v in self.facets.items() if k in f.FACETS and v},
            date_from=date_number(self.date_from) if self.date_from else None,
            date_to=date_number(self.date_to, end=True) if self.date_to else None,
        )

    @property
    def is_empty(self) -> bool:
        return not self.text.strip() and not self.filters().active() and not self.match_all


@dataclass
class Result:
    id: int
    title: Markup
    file_code: str
    start_date: str | None
    end_date: str | None
    fonds_code: str
    fonds_name: str
    mode: str
    digitised: bool
    language: str
    snippets: list[Markup]
    score: int
    # Filled by the caller that may read the file's pages: how many pages hold a query word and the
    # best of them as (page number, snippet).
    page_count: int = 0
    pages: list[tuple[int, Markup]] = field(default_factory=list)


@dataclass
class SearchResults:
    request: SearchRequest
    total: int = 0
    results: list[Result] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    plan: Plan | None = None  # what the query meant (its words to mark, for page snippets)
    suggestion: str | None = None
    fallback: bool = False  # the query's syntax was broken; it was read as plain words
    ready: bool = True  # False when there is no index yet
    grants: dict[int, int] = field(default_factory=dict)  # file id → the searcher's granted request item

    @property
    def pages(self) -> int:
        shown = min(self.total, MAX_RANK)
        return max(1, -(-shown // self.request.per_page))


def execute(index: SearchIndex, request: SearchRequest) -> SearchResults:
    """Run ``request`` on the current index."""
    out = SearchResults(request)
    if request.is_empty:
        return out
    path, searcher = index.current()
    if searcher is None:
        out.ready = False
        return out
    parsed = parse(request.text)
    out.fallback = parsed.fallback
    query_plan = plan(parsed)
    out.plan = query_plan
    if parsed.root is None and not request.filters().active() and not request.match_all:
        return out
    index_key = str(path)
    engine = Engine(searcher, index_key)
    CACHE.retain(index_key, [seg.vectors.key for seg in engine.segments])
    sort = request.sort if request.sort in SORTS else "relevance"
    page = max(1, request.page)
    outcome = engine.run(
        query_plan, request.filters(), staff=request.staff, sort=sort,
        offset=(page - 1) * request.per_page, limit=request.per_page,
        facets=f.FACETS if request.with_facets else (), readable=request.readable,
    )
    out.total = outcome.total
    out.facets = outcome.facets
    for hit in outcome.hits:
        out.results.append(_result(hit.fields, hit.score, query_plan, request.with_snippets))
    if outcome.total == 0 and parsed.root is not None:
        out.suggestion = suggest(engine, parsed, query_plan, staff=request.staff)
    return out


def _result(stored: dict, score: int, query_plan: Plan, with_snippets: bool) -> Result:
    card = stored.get(f.CARD) or {}
    get = card.get
    found: list[Markup] = []
    if with_snippets:
        words, exact = query_plan.highlight, query_plan.highlight_exact
        title = mark(get("title", ""), words, exact)
        sources = [_document_line(ref, kind, summary) for ref, kind, summary in get("documents", [])]
        sources += [get("keywords", ""), get("notes", "")]
        found = snippets(sources, words, exact=exact)
    else:  # counts, the bare-query benchmark: nothing is marked, the title comes as stored (escaped)
        title = escape(normalize(get("title", "")))
    return Result(
        id=int(stored[f.ID]), title=title, file_code=get("file_code", ""), start_date=get("start_date"),
        end_date=get("end_date"), fonds_code=get("fonds_code", ""), fonds_name=get("fonds_name", ""),
        mode=get("mode", ""), digitised=bool(get("digitised")), language=get("language", ""), snippets=found,
        score=score,
    )


def _document_line(reference: str, kind: str, summary: str) -> str:
    """A document as one line: reference, type and summary, the type once ("Đơn khiếu nại", not "Đơn Đơn …")."""
    if kind and fold(summary).startswith(fold(kind)):
        kind = ""
    return " ".join(part for part in (reference, kind, summary) if part)


# --- did you mean ---------------------------------------------------------------------------

def suggest(engine: Engine, parsed: ParsedQuery, query_plan: Plan, *, staff: bool) -> str | None:
    """A corrected query that finds visible files, or None.

    Each word that is in no visible file is replaced by a close indexed word
    (one edit, else two) that is: the one that forms a phrase with its
    neighbours in most files, then the one found with the other words in most
    files, then the most frequent. The corrected query must find a visible file.
    Words only classified files contain are never offered to the public:
    every candidate is counted on visible files only.
    """
    typed_text = " ".join(_positive_words(parsed.root))
    tokens = [t for segment in both_syllables(typed_text)[0] for t in segment]
    shown = tokens_as_typed(typed_text)
    if not tokens or len(tokens) > 12 or len(shown) != len(tokens):
        return None
    bad = [i for i, token in enumerate(tokens) if not engine.visible_count(f.TEXT, token, staff)]
    if not bad:
        return None
    corrected = list(tokens)
    for i in bad:
        best = None
        for distance, frequency, word in _candidates(engine, tokens[i], staff):
            trial = corrected[:i] + [word] + corrected[i + 1:]
            words = engine.count(plan(parse(" ".join(trial))), staff)
            if not words:
                continue
            phrase = engine.count(plan(parse('"' + " ".join(trial) + '"')), staff) if len(trial) > 1 else 0
            key = (distance, -phrase, -words, -frequency, word)
            if best is None or key < best[0]:
                best = (key, word)
        if best is None:
            return None
        corrected[i] = best[1]
    return _with_marks(engine, plan(parse(" ".join(corrected))), corrected, shown, set(bad), staff)


def _candidates(engine: Engine, token: str, staff: bool) -> list[tuple[int, int, str]]:
    """(edit distance, visible files, word) of indexed words close to ``token``, closest first."""
    found: list[tuple[int, int, str]] = []
    if not token.isalpha():  # numbers and references are not spelled
        return found
    for distance in (1, 2):
        if distance == 2 and len(token) < 4:
            break
        for word in engine.near_words(f.TEXT, token, distance):
            count = engine.visible_count(f.TEXT, word, staff)
            if count:
                found.append((distance, count, word))
        if found:
            break
    found.sort(key=lambda item: (item[0], -item[1], item[2]))
    return found[:MAX_SUGGESTION_TRIES]


def _positive_words(node) -> list[str]:
    if isinstance(node, Words):
        return [node.text]
    if isinstance(node, (And, Or)):
        return [w for child in node.children for w in _positive_words(child)]
    if isinstance(node, Not):
        return []
    return []


def _with_marks(engine: Engine, check: Plan, corrected: list[str], shown: list[str],
                replacements: set[int], staff: bool) -> str:
    """Write the suggestion as readers write: with diacritics, taken from a visible file that matches.

    The words are taken together where the file has them as a run ("địa giới hành chính"), so each
    gets the form it has *there*; one by one, a word could take the marks of another word that folds
    the same ("chỉnh" of "chấn chỉnh" for "chính"), which is how non-words were proposed. Words the
    reader typed with marks are kept as typed.
    """
    outcome = engine.run(check, staff=staff, limit=1, facets=())
    forms: dict[str, Counter] = {}
    run: list[str] | None = None
    if outcome.hits:
        card = outcome.hits[0].fields.get(f.CARD) or {}
        texts = [card.get("title", ""), card.get("keywords", ""), *(s for _r, _k, s in card.get("documents", []))]
        for text in texts:
            folded, exact = both_syllables(text)
            for plain_words, marked_words in zip(folded, exact):
                for plain, marked in zip(plain_words, marked_words):
                    forms.setdefault(plain, Counter())[marked] += 1
                if run is None:
                    for at in range(len(plain_words) - len(corrected) + 1):
                        if plain_words[at:at + len(corrected)] == corrected:
                            run = marked_words[at:at + len(corrected)]
                            break
    words = []
    for i, word in enumerate(corrected):
        typed_with_marks = has_marks(shown[i])
        if i not in replacements and (typed_with_marks or run is None):
            words.append(shown[i])
            continue
        if run is not None:
            form = run[i]
        elif word in forms:
            form = forms[word].most_common(1)[0][0]
        else:
            form = word
        if shown[i].isupper() and len(shown[i]) > 1:
            form = form.upper()
        elif shown[i][:1].isupper():
            form = form[:1].upper() + form[1:]
        words.append(form)
    return " ".join(words)


__all__ = ["SORTS", "Result", "SearchRequest", "SearchResults", "execute", "suggest"]
