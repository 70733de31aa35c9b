"""The query language, and what a query means in terms of index fields.

Readers type words: ``luu tru``, ``Đồng Nai``, ``11495/UBND-KGVX``. Power users
may add

* ``"quoted phrases"``,
* ``AND``, ``OR``, ``NOT`` (upper case), ``-word`` (not), parentheses,
* field prefixes: ``title:``/``tieude:``, ``ref:``/``so:``, ``keywords:``/``tukhoa:``,
  ``fonds:``/``phong:``, ``code:``/``ma:``, ``type:``/``loai:``,
  ``issuer:``/``coquan:``, ``summary:``/``trichyeu:``, ``notes:``/``ghichu:``
  (see :data:`search.schema.PREFIX_ALIASES`).

A query that does not parse (an unclosed quote or bracket, a dangling
operator or prefix, nesting deeper than :data:`MAX_DEPTH`) is never an error: it
is read again as plain words. Queries longer than :data:`MAX_QUERY_CHARS` are cut.

Meaning (:func:`plan`): a run of words requires every syllable (folded, so
accents and đ/d do not matter); adjacent syllables score as pairs (two-syllable
words, found as one pair term); when the reader typed any diacritic, the exact
(unfolded) syllables score extra, so ``mã`` ranks files with ``mã`` above files
with only ``ma``; words in the title score extra. A quoted phrase requires its
pairs (each two adjacent syllables), which is how phrases are found without
positions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import schema as f
from .analysis import PAIR_SEP, fold, has_marks, normalize, pairs, syllables

# Scoring weights (BM25 × weight).
TEXT_WEIGHT = 1.0
PAIR_WEIGHT = 1.5
EXACT_WEIGHT = 3.0
TITLE_WEIGHT = 1.0
FIELD_WEIGHT = 1.0
MAX_QUERY_CHARS = 500
MAX_TERMS = 64
# Brackets and NOTs nested deeper than this are not a query a person writes: the text is read
# as plain words instead (the parser recurses once per level; 250 brackets exhausted the stack).
MAX_DEPTH = 16


class QuerySyntaxError(ValueError):
    """Raised inside the parser; :func:`parse` falls back to plain words."""


# --- syntax tree ------------------------------------------------------------------

@dataclass
class Words:
    """A run of words (or one quoted phrase) aimed at ``field``."""

    field: str
    text: str
    phrase: bool = False


@dataclass
class And:
    children: list


@dataclass
class Or:
    children: list


@dataclass
class Not:
    child: object


@dataclass
class ParsedQuery:
    """What the reader typed, parsed."""

    text: str
    root: object | None
    fallback: bool = False  # the syntax was broken and the query was read as plain words

    @property
    def marks(self) -> bool:
        """Whether the reader typed with diacritics (then exact forms rank first)."""
        return has_marks(self.text)


# --- lexer and parser ----------------------------------------------------------------

_TOKEN_RE = re.compile(r'\s+|"[^"]*"|"|\(|\)|[^\s"()]+')
_OPERATORS = {"AND": "AND", "OR": "OR", "NOT": "NOT", "&&": "AND", "||": "OR"}


def _prefix_field(word: str) -> str | None:
    key = fold(word).replace("_", "").replace("-", "")
    return f.PREFIX_ALIASES.get(key)


def _lex(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    for match in _TOKEN_RE.finditer(text):
        raw = match.group()
        if raw.isspace():
            tokens.append(("SPACE", raw))
        elif raw == '"':
            raise QuerySyntaxError("unclosed quote")
        elif raw.startswith('"'):
            tokens.append(("PHRASE", raw[1:-1]))
        elif raw in "()":
            tokens.append(("LP" if raw == "(" else "RP", raw))
        elif raw in _OPERATORS:
            tokens.append((_OPERATORS[raw], raw))
        else:
            tokens.append(("WORD", raw))
    return tokens


class _Parser:
    """query := or ; or := and (OR and)* ; and := unary+ (AND between optional) ;
    unary := NOT unary | -primary | +primary | primary ;
    primary := ( or ) | prefix:value | "phrase" | word."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = -1  # the query itself is level 0; each bracket or NOT adds one

    def deeper(self) -> None:
        """Enter one more level of brackets or NOT; too deep is a syntax error (then plain words)."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QuerySyntaxError("nested too deep")

    def peek(self, skip_space: bool = True) -> tuple[str, str]:
        pos = self.pos
        while skip_space and pos < len(self.tokens) and self.tokens[pos][0] == "SPACE":
            pos += 1
        return self.tokens[pos] if pos < len(self.tokens) else ("END", "")

    def peek_after(self) -> tuple[str, str]:
        """The token right after the next one, with no space skipped."""
        pos = self.pos
        while pos < len(self.tokens) and self.tokens[pos][0] == "SPACE":
            pos += 1
        pos += 1
        return self.tokens[pos] if pos < len(self.tokens) else ("END", "")

    def take(self, skip_space: bool = True) -> tuple[str, str]:
        while skip_space and self.pos < len(self.tokens) and self.tokens[self.pos][0] == "SPACE":
            self.pos += 1
        token = self.tokens[self.pos] if self.pos < len(self.tokens) else ("END", "")
        self.pos += 1
        return token

    def parse(self):
        node = self.parse_or(f.TEXT)
        if self.peek()[0] != "END":
            raise QuerySyntaxError("unexpected " + self.peek()[1])
        return node

    def parse_or(self, field_name: str):
        self.deeper()
        children = [self.parse_and(field_name)]
        while self.peek()[0] == "OR":
            self.take()
            children.append(self.parse_and(field_name))
        self.depth -= 1
        return children[0] if len(children) == 1 else Or(children)

    def parse_and(self, field_name: str):
        children: list = []
        while True:
            kind = self.peek()[0]
            if kind in ("END", "RP", "OR"):
                break
            if kind == "AND":
                self.take()
                if self.peek()[0] in ("END", "RP", "OR", "AND"):
                    raise QuerySyntaxError("dangling AND")
                children.append(None)  # a marker: an explicit AND breaks a run of words
                continue
            children.append(self.parse_unary(field_name))
        if not children or children[-1] is None:
            raise QuerySyntaxError("empty group")
        merged: list = []
        for child in children:  # adjacent plain words of one field form one run
            if (isinstance(child, Words) and not child.phrase and merged and isinstance(merged[-1], Words)
                    and not merged[-1].phrase and merged[-1].field == child.field):
                merged[-1] = Words(child.field, merged[-1].text + " " + child.text)
            else:
                merged.append(child)
        merged = [c for c in merged if c is not None]
        return merged[0] if len(merged) == 1 else And(merged)

    def parse_unary(self, field_name: str):
        kind, raw = self.peek()
        if kind == "NOT":
            self.take()
            self.deeper()
            node = Not(self.parse_unary(field_name))
            self.depth -= 1
            return node
        if kind == "WORD" and raw in ("-", "+") and self.peek_after()[0] in ("PHRASE", "LP"):
            self.take()
            return Not(self.parse_primary(field_name)) if raw == "-" else self.parse_primary(field_name)
        if kind == "WORD" and raw.startswith("-") and len(raw) > 1:
            self.take()
            self.tokens.insert(self.pos, ("WORD", raw[1:]))
            return Not(self.parse_primary(field_name))
        if kind == "WORD" and raw.startswith("+") and len(raw) > 1:
            self.take()
            self.tokens.insert(self.pos, ("WORD", raw[1:]))
        return self.parse_primary(field_name)

    def parse_primary(self, field_name: str):
        kind, raw = self.take()
        if kind == "LP":
            node = self.parse_or(field_name)
            if self.take()[0] != "RP":
                raise QuerySyntaxError("unclosed bracket")
            return node
        if kind == "PHRASE":
            return Words(field_name, raw, phrase=True)
        if kind == "WORD":
            name, colon, rest = raw.partition(":")
            target = _prefix_field(name) if colon else None
            if target is not None:
                if rest:  # prefix:word
                    return Words(target, rest)
                following = self.peek(skip_space=False)[0]
                if following == "PHRASE":
                    return Words(target, self.take(skip_space=False)[1], phrase=True)
                if following == "LP":
                    self.take(skip_space=False)
                    node = self.parse_or(target)
                    if self.take()[0] != "RP":
                        raise QuerySyntaxError("unclosed bracket")
                    return node
                raise QuerySyntaxError("prefix without a value")
            return Words(field_name, raw)
        raise QuerySyntaxError("unexpected " + (raw or "end"))


def parse(text: str) -> ParsedQuery:
    """Parse a query; broken syntax is read as plain words (``fallback``)."""
    text = normalize(text or "")[:MAX_QUERY_CHARS].strip()
    if not text:
        return ParsedQuery(text, None)
    try:
        return ParsedQuery(text, _Parser(_lex(text)).parse())
    except QuerySyntaxError:
        return ParsedQuery(text, _plain_words(text), fallback=True)


def _plain_words(text: str):
    words = []
    for raw in re.split(r'[\s"()]+', text):
        raw = raw.lstrip("+-")
        name, colon, rest = raw.partition(":")
        if colon and _prefix_field(name) is not None:
            raw = rest
        if raw and raw not in _OPERATORS:
            words.append(raw)
    return Words(f.TEXT, " ".join(words)) if words else None


# --- what a query means ------------------------------------------------------------------

@dataclass
class Plan:
    """A query in terms of index terms.

    ``match`` is a boolean tree of ``("term", field, text)``, ``("page", field, text)`` (a term of
    the page text: it counts only in files whose pages the searcher may read), ``("and", [...])``,
    ``("or", [...])``, ``("not", x)``, or None (everything); ``scoring`` maps
    (field, term) to its weight; ``highlight`` holds the folded syllables to mark
    in snippets.
    """

    match: tuple | None
    scoring: dict[tuple[str, str], float] = field(default_factory=dict)
    highlight: set[str] = field(default_factory=set)
    terms: list[str] = field(default_factory=list)  # folded words to check for "did you mean"
    # When the reader typed diacritics: the exact (lower-case) forms to mark, and a tree that holds for
    # files with every exact form (they rank above files that match only folded forms).
    highlight_exact: set[str] = field(default_factory=set)
    exact: tuple | None = None


def plan(query: ParsedQuery) -> Plan:
    """Turn a parsed query into required terms and scoring terms."""
    result = Plan(None)
    if query.root is not None:
        result.match = _compile(query.root, result, query.marks, negated=False)
    if query.marks and result.highlight_exact:
        needed = [("or", (("term", f.EXACT, e), ("page", f.PAGE_EXACT, e)))
                  for e in sorted(result.highlight_exact) if not e.isascii() or not any(c.isdigit() for c in e)]
        result.exact = None if not needed else needed[0] if len(needed) == 1 else ("and", needed)
    if len(result.scoring) > MAX_TERMS:
        result.scoring = dict(list(result.scoring.items())[:MAX_TERMS])
    return result


def _score(result: Plan, name: str, term: str, weight: float) -> None:
    key = (name, term)
    result.scoring[key] = result.scoring.get(key, 0.0) + weight


def _compile(node, result: Plan, marks: bool, negated: bool):
    if isinstance(node, And):
        parts = [p for p in (_compile(c, result, marks, negated) for c in node.children) if p is not None]
        return None if not parts else parts[0] if len(parts) == 1 else ("and", parts)
    if isinstance(node, Or):
        parts = [_compile(c, result, marks, negated) for c in node.children]
        if any(p is None for p in parts):
            return None
        return parts[0] if len(parts) == 1 else ("or", parts)
    if isinstance(node, Not):
        inner = _compile(node.child, result, marks, negated=not negated)
        return None if inner is None else ("not", inner)
    return _compile_words(node, result, marks, negated)


def _token(name: str, token: str, everything: bool) -> tuple:
    """What one query token requires. In the all-fields query it may also be a part of a file code
    or a document reference, which ``text`` holds whole (``KGVX`` finds ``11495/UBND-KGVX``)."""
    if everything:
        return ("or", (("term", name, token), *(("term", ref, token) for ref in f.REFERENCE_FIELDS),
                       ("page", f.PAGE_TEXT, token)))
    return ("term", name, token)


def _compile_words(node: Words, result: Plan, marks: bool, negated: bool):
    folded = syllables(node.text)
    exact = syllables(node.text, folded=False)
    tokens = [t for segment in folded for t in segment]
    if not tokens:
        return None
    everything = node.field == f.TEXT
    terms_field = f.TEXT if everything else node.field
    pair_field = f.PAIRS if everything else node.field
    word_pairs = [p for segment in folded for p in pairs(segment)]
    if node.phrase and word_pairs:
        required = [("or", (("term", pair_field, p), ("page", f.PAGE_PAIRS, p))) if everything
                    else ("term", pair_field, p) for p in word_pairs]
        # a syllable left alone in its segment (e.g. "a. b") still has to be there
        required += [_token(terms_field, s[0], everything) for s in folded if len(s) == 1]
    else:
        required = [_token(terms_field, t, everything) for t in tokens]
    if not negated:
        for t in tokens:
            _score(result, terms_field, t, TEXT_WEIGHT if everything else FIELD_WEIGHT)
            if everything:
                for name in f.REFERENCE_FIELDS:
                    _score(result, name, t, FIELD_WEIGHT)
            result.highlight.add(t)
        for p in word_pairs:
            _score(result, pair_field, p, PAIR_WEIGHT)
        if everything:
            for t in tokens:
                _score(result, f.TITLE, t, TITLE_WEIGHT)
            for p in word_pairs:
                _score(result, f.TITLE, p, TITLE_WEIGHT)
            for t in tokens:
                _score(result, f.PAGE_TEXT, t, TEXT_WEIGHT)
            for p in word_pairs:
                _score(result, f.PAGE_PAIRS, p, PAIR_WEIGHT)
            if marks:
                for e in (t for segment in exact for t in segment):
                    _score(result, f.EXACT, e, EXACT_WEIGHT)
                    _score(result, f.PAGE_EXACT, e, EXACT_WEIGHT)
            result.terms.extend(t for t in tokens if PAIR_SEP not in t)
        if marks:
            result.highlight_exact.update(e.lower() for segment in exact for e in segment)
    required = list(dict.fromkeys(required))
    return required[0] if len(required) == 1 else ("and", required)
