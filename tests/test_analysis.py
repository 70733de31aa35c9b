"""Vietnamese analysis (search/analysis.py) and the query language (search/query.py): pure functions."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search import schema as f
from search.analysis import (
    both_syllables, exact_terms, fold, folded_terms, has_marks, normalize, pair_terms, reference_parts, syllables,
)
from search.query import And, Not, Or, Words, parse, plan


def test_nfc_first_so_decomposed_input_is_the_same_word():
    decomposed = unicodedata.normalize("NFD", "Lưu trữ Đồng Nai")
    assert decomposed != "Lưu trữ Đồng Nai"
    assert syllables(decomposed) == syllables("Lưu trữ Đồng Nai") == [["luu", "tru", "dong", "nai"]]
    assert exact_terms(decomposed) == ["lưu", "trữ", "đồng", "nai"]
    assert normalize(decomposed) == "Lưu trữ Đồng Nai"


@pytest.mark.parametrize("typed", ["luu tru", "lưu trữ", "LƯU TRỮ", "Lưu Trữ", "LuU TrU"])
def test_folding_removes_every_mark(typed):
    assert folded_terms(typed) == ["luu", "tru"]


def test_d_with_stroke_folds_to_d_in_folded_fields_only():
    assert fold("Đồng Nai đã") == "dong nai da"
    assert folded_terms("Đồng Nai") == folded_terms("Dong Nai") == folded_terms("dong nai") == ["dong", "nai"]
    assert exact_terms("Đồng Nai") == ["đồng", "nai"]


def test_tones_are_distinct_words_in_the_exact_field():
    assert exact_terms("ma mà mã má mạ mả") == ["ma", "mà", "mã", "má", "mạ", "mả"]
    assert set(folded_terms("ma mà mã má mạ mả")) == {"ma"}


def test_every_vietnamese_letter_folds_to_ascii():
    letters = "aàảãáạăằẳẵắặâầẩẫấậeèẻẽéẹêềểễếệiìỉĩíịoòỏõóọôồổỗốộơờởỡớợuùủũúụưừửữứựyỳỷỹýỵđ"
    for letter in letters + letters.upper():
        assert fold(letter).isascii(), letter
        assert len(fold(letter)) == 1


def test_references_are_kept_whole_with_their_parts():
    terms = folded_terms("Văn bản số 11495/UBND-KGVX")
    assert "11495/ubnd-kgvx" in terms and "ubnd-kgvx" in terms and "11495" in terms and "kgvx" in terms
    assert folded_terms("30/2020/NĐ-CP")[0] == "30/2020/nd-cp"
    assert reference_parts("39/kh-ubnd") == ["39", "kh", "ubnd", "39/kh", "kh-ubnd"]
    assert exact_terms("30/2020/NĐ-CP") == ["30/2020/nđ-cp"]


def test_dates_are_written_one_way():
    assert syllables("ngày 05/03/2020, 5/3/2020 và 2020-03-05") == [["ngay", "5/3/2020", "5/3/2020", "va", "5/3/2020"]]


def test_no_stop_words_are_removed():
    assert folded_terms("và các của the and of") == ["va", "cac", "cua", "the", "and", "of"]


def test_pairs_do_not_cross_a_sentence_end():
    assert pair_terms("văn thư, lưu trữ. Tài liệu") == ["van thu", "thu luu", "luu tru", "tai lieu"]
    assert pair_terms("(lưu trữ) hồ sơ") == ["luu tru", "ho so"]


def test_has_marks():
    assert has_marks("Đồng Nai") and has_marks("mã") and not has_marks("dong nai") and not has_marks("11495/UBND")


@given(st.text(max_size=200))
def test_analysis_never_fails_and_folded_and_exact_line_up(text):
    folded, exact = both_syllables(text)
    assert [len(s) for s in folded] == [len(s) for s in exact]
    for segment in folded:
        for token in segment:
            assert token and " " not in token


# --- the query language -------------------------------------------------------------------

def anywhere(token: str) -> tuple:
    """A token of the all-fields query: in the text, a part of a file code or reference, or the page text."""
    return ("or", (("term", f.TEXT, token), ("term", f.CODE, token), ("term", f.REF, token),
                   ("page", f.PAGE_TEXT, token)))


def phrase_pair(pair: str) -> tuple:
    """A pair of a phrase in the all-fields query: in the catalogue's pairs or in the page text's."""
    return ("or", (("term", f.PAIRS, pair), ("page", f.PAGE_PAIRS, pair)))


def test_words_run_requires_every_syllable_and_scores_pairs():
    parsed = parse("lưu trữ")
    assert parsed.root == Words(f.TEXT, "lưu trữ") and not parsed.fallback
    p = plan(parsed)
    assert p.match == ("and", [anywhere("luu"), anywhere("tru")])
    assert p.scoring[(f.PAIRS, "luu tru")] > 0
    assert (f.EXACT, "lưu") in p.scoring  # typed with marks: exact forms score


def test_unaccented_query_has_no_exact_boost():
    p = plan(parse("luu tru"))
    assert not any(name == f.EXACT for name, _t in p.scoring)


def test_quoted_phrase_requires_its_pairs():
    p = plan(parse('"tài liệu lưu trữ"'))
    assert p.match == ("and", [phrase_pair("tai lieu"), phrase_pair("lieu luu"), phrase_pair("luu tru")])


def test_boolean_operators_and_prefixes():
    parsed = parse('title:(lưu trữ) AND (Đồng Nai OR "Hậu Giang") NOT -x -"văn thư"')
    assert not parsed.fallback
    assert isinstance(parsed.root, And)
    assert parsed.root.children[0] == Words(f.TITLE, "lưu trữ")
    assert isinstance(parsed.root.children[1], Or)
    assert plan(parse("so:39/KH-UBND")).match == ("term", f.REF, "39/kh-ubnd")
    assert plan(parse("tieude:luu")).match == ("term", f.TITLE, "luu")
    assert plan(parse('-"văn thư" kho')).match == ("and", [("not", phrase_pair("van thu")), anywhere("kho")])
    assert isinstance(parse("NOT kho").root, Not)


@pytest.mark.parametrize("broken", ['"lưu trữ', "title:(", "(lưu trữ", "lưu trữ)", "AND", "a OR", "OR b", "NOT",
                                    "so:", '"', "()", "title:", "((("])
def test_broken_syntax_is_read_as_plain_words(broken):
    parsed = parse(broken)
    plan(parsed)  # never raises
    assert parsed.fallback or parsed.root is None or isinstance(parsed.root, (Words, And, Or, Not))


def test_broken_quote_keeps_the_words():
    parsed = parse('"lưu trữ')
    assert parsed.fallback and parsed.root == Words(f.TEXT, "lưu trữ")


def test_unknown_prefix_is_just_text():
    assert plan(parse("http://example.vn")).match is not None
    assert parse("abc:def").root == Words(f.TEXT, "abc:def")


@given(st.text(max_size=80))
def test_any_query_parses_and_plans(text):
    plan(parse(text))
