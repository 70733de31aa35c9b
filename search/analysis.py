"""Vietnamese text analysis for the search index, and for queries.

Pure functions of text, so the index, the query parser, the snippets and the
benchmark all cut text the same way:

1. :func:`normalize`: Unicode NFC first. A Vietnamese letter typed on one
   keyboard may arrive precomposed (``ữ``, U+1EEF) or as a base letter plus
   combining marks; NFC makes both the same string.
2. :func:`syllables`: a tokenizer that keeps Vietnamese letters (every Unicode
   letter and digit) and keeps reference strings whole: ``11495/UBND-KGVX``,
   ``30/2020/NĐ-CP``, ``UBND-DN.2020.015`` are one token each. It returns
   *segments*: runs of tokens not separated by the end of a sentence or a
   bracket, so a two-syllable pair is never formed across a full stop.
3. Lowercase (``str.lower`` on NFC text, which keeps every Vietnamese letter).
4. :func:`fold` for the folded fields: tone and vowel marks removed and
   ``đ`` → ``d``, so ``lưu trữ``, ``luu tru`` and ``LƯU TRỮ`` meet, and ``Đồng``
   is ``dong``. The unfolded field keeps the lowercase form for exact-diacritic
   boosts (``ma``, ``mà``, ``mã``, ``má`` stay four words there).

No stop words are removed: Vietnamese has none that English lists would know,
and ``và``, ``các`` are syllables of real words.

Terms for the index (all lowercase):

* :func:`folded_terms`: folded syllables, plus, for a reference string, the
  whole string and each run of its parts (``39/kh-ubnd`` also gives ``39``,
  ``kh``, ``ubnd``, ``39/kh`` and ``kh-ubnd``), so ``KH-UBND`` finds
  ``39/KH-UBND``.
* :func:`exact_terms`: the same tokens, not folded (no parts).
* :func:`pair_terms`: folded syllable bigrams, ``"luu tru"`` (the space can never
  occur inside a syllable, so a pair never collides with a syllable). Vietnamese
  words are mostly two syllables; a two-syllable word or a quoted phrase is
  looked up as one or a few pair terms instead of a positional phrase query.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

__all__ = [
    "PAIR_SEP", "both_syllables", "exact_terms", "expand_references", "fold", "folded_terms", "has_marks", "normalize", "pair_terms", "pairs",
    "reference_parts", "syllables", "token_spans", "tokens_as_typed",
]

# A token: letters and digits, optionally joined by / - . into a reference string.
TOKEN_RE = re.compile(r"[^\W_]+(?:[/\-.][^\W_]+)*")
# Where a run of syllables ends: sentence punctuation followed by a space or the
# end, brackets, line breaks, and the record separator we put between values.
BREAK_RE = re.compile(r"[.;:!?…](?=\s|$)|[()\[\]{}\"“”\n\r\x1e]")
PART_SEP_RE = re.compile(r"[/\-.]")
# Separator between two syllables of a pair term.
PAIR_SEP = " "
# Separator between the values of one field (two titles, two summaries …).
VALUE_SEP = "\n\x1e\n"
# A reference string with more parts than this gives its parts but not every run.
MAX_RUN_PARTS = 6


def _fold_table() -> dict[int, str | None]:
    """Map every precomposed Latin letter to its base letter; đ/Đ → d/D."""
    table: dict[int, str | None] = {}
    for code in list(range(0x00C0, 0x0250)) + list(range(0x1E00, 0x1F00)):
        char = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
        if base != char and len(base) == 1:
            table[code] = base
    table.update({ord("đ"): "d", ord("Đ"): "D", ord("ð"): "d", ord("Ð"): "D"})
    return table


FOLD_TABLE = _fold_table()


def normalize(text: str) -> str:
    """Unicode NFC (a no-op, and fast, for text that already is)."""
    return unicodedata.normalize("NFC", text)


def lower(text: str) -> str:
    """Lowercase without changing the length (offsets into the text stay valid)."""
    low = text.lower()
    if len(low) != len(text):  # e.g. "İ" lowercases to two characters; keep those as they are
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return low


def fold(text: str) -> str:
    """Lowercase, remove Vietnamese tone and vowel marks, đ → d. Keeps the length.

    Expects NFC text (see :func:`normalize`).
    """
    return lower(text).translate(FOLD_TABLE)


def has_marks(text: str) -> bool:
    """Whether ``text`` carries any diacritic or đ (i.e. folding changes it)."""
    low = lower(normalize(text))
    return low != low.translate(FOLD_TABLE)


def syllables(text: str, *, folded: bool = True) -> list[list[str]]:
    """Tokens of ``text`` in order, lowercased (and folded), grouped in segments.

    A new segment starts after sentence punctuation, a bracket or a line break.
    """
    return both_syllables(text)[0 if folded else 1]


def both_syllables(text: str) -> tuple[list[list[str]], list[list[str]]]:
    """(folded, unfolded) segments of ``text`` in one pass; the two line up token for token."""
    low = lower(normalize(text))
    folded: list[list[str]] = []
    exact: list[list[str]] = []
    for chunk in BREAK_RE.split(low):
        words = TOKEN_RE.findall(chunk)
        if not words:
            continue
        dates = "/" in chunk or "-" in chunk
        if dates:
            words = [_canonical(t) for t in words]
        exact.append(words)
        if chunk.isascii():
            folded.append(words)
            continue
        plain = TOKEN_RE.findall(chunk.translate(FOLD_TABLE))
        if len(plain) != len(words):  # cannot happen with NFC text; be safe
            plain = [w.translate(FOLD_TABLE) for w in words]
        elif dates:
            plain = [_canonical(t) for t in plain]
        folded.append(plain)
    return folded, exact


# Dates are written 5/3/2020, 05/03/2020 or 2020-03-05; all become 5/3/2020.
_DMY_RE = re.compile(r"^0*(\d{1,2})/0*(\d{1,2})/(\d{4})$")
_ISO_RE = re.compile(r"^(\d{4})-0*(\d{1,2})-0*(\d{1,2})$")


def _canonical(token: str) -> str:
    """A date written one of the usual ways → ``d/m/yyyy``; anything else unchanged."""
    if "/" in token:
        match = _DMY_RE.match(token)
        if match:
            return f"{match.group(1)}/{match.group(2)}/{match.group(3)}"
    elif "-" in token and token[:1].isdigit():
        match = _ISO_RE.match(token)
        if match:
            return f"{match.group(3)}/{match.group(2)}/{match.group(1)}"
    return token


def reference_parts(token: str) -> list[str]:
    """The parts and runs of parts of a reference string, without the whole.

    ``"30/2020/nd-cp"`` → ``30``, ``2020``, ``nd``, ``cp``, ``30/2020``,
    ``2020/nd``, ``nd-cp``, ``30/2020/nd``, ``2020/nd-cp``. A plain syllable has
    none.
    """
    pieces = PART_SEP_RE.split(token)
    if len(pieces) < 2:
        return []
    seps = PART_SEP_RE.findall(token)
    out = list(pieces)
    if len(pieces) <= MAX_RUN_PARTS:
        for size in range(2, len(pieces)):
            for start in range(len(pieces) - size + 1):
                run = pieces[start]
                for k in range(start + 1, start + size):
                    run += seps[k - 1] + pieces[k]
                out.append(run)
    return out


def expand_references(tokens: list[str]) -> list[str]:
    """``tokens`` with the parts of each reference string after it."""
    out = []
    for token in tokens:
        out.append(token)
        if "/" in token or "-" in token or "." in token:
            out.extend(reference_parts(token))
    return out


def folded_terms(text: str) -> list[str]:
    """Folded index terms of ``text``: syllables and reference strings with their parts."""
    return [term for segment in syllables(text) for term in expand_references(segment)]


def exact_terms(text: str) -> list[str]:
    """Unfolded (lowercase) tokens of ``text``, for exact-diacritic boosts."""
    return [token for segment in syllables(text, folded=False) for token in segment]


def pairs(segment: list[str]) -> list[str]:
    """The bigram terms of one segment of syllables."""
    return [a + PAIR_SEP + b for a, b in zip(segment, segment[1:])]


def pair_terms(text: str) -> list[str]:
    """Folded syllable bigrams of ``text`` (never across a segment break)."""
    return [pair for segment in syllables(text) for pair in pairs(segment)]


def tokens_as_typed(text: str) -> list[str]:
    """The tokens of ``text`` as written (NFC, case kept), one for each token :func:`syllables` gives."""
    return [t for chunk in BREAK_RE.split(normalize(text)) for t in TOKEN_RE.findall(chunk)]


def token_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, folded token) for each token of ``text`` (NFC), for highlighting."""
    folded = fold(text)
    for match in TOKEN_RE.finditer(folded):
        yield match.start(), match.end(), match.group()
