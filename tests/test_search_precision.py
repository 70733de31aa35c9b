"""Precision with diacritics, on catalogue words and page text alike: exact forms rank first, only the
matched forms are marked, "did you mean" proposes real words, snippets never repeat a word."""
from __future__ import annotations

from html import unescape

import pytest

from portal.extensions import db
from portal.models import Document, Fonds, PageText, RecordFile
from portal.services import search as search_service
from search.results import SearchRequest
from search.snippets import mark, snippets
from search.query import parse, plan

SHA = "a" * 64


def add_file(app, code: str, title: str, *, mode: str = "01", pages: list[str] = (),
             documents: list[tuple[str, str]] = ()) -> int:
    """A file with page text (as the OCR job leaves it) and documents (type, summary), indexed."""
    with app.app_context():
        fonds = db.session.query(Fonds).filter_by(code="PREC").one_or_none() or Fonds(code="PREC", name="Phông thử")
        record = RecordFile(fonds=fonds, file_code=code, inventory_no="1", box_no="1", file_no="1", title=title,
                            retention="01", mode=mode, start_date="2010", end_date="2010")
        if pages:
            record.scan_kind, record.scan_path, record.scan_sha256 = "images", f"scans/{code}", SHA
            record.scan_pages = len(pages)
        for position, (kind, summary) in enumerate(documents):
            record.documents.append(Document(position=position, doc_type=kind, summary=summary))
        db.session.add(record)
        db.session.flush()
        for number, text in enumerate(pages, start=1):
            db.session.add(PageText(file_id=record.id, page_no=number, scan_sha256=SHA, source="ocr", text=text,
                                    words=[], confidence=90.0))
        search_service.reindex([record.id])
        db.session.commit()
        return record.id


def search(app, text: str):
    with app.test_request_context():
        return search_service.search(None, SearchRequest(text=text))


def test_exact_forms_rank_above_folded_only_matches(app):
    folded = add_file(app, "P.1", "Báo cáo về nước đọng", pages=[
        "Nước đọng ở vùng trũng, động đất nhẹ, dòng nước nại ra. " * 8])  # many folded look-alikes
    exact = add_file(app, "P.2", "Báo cáo tình hình", pages=["Ủy ban nhân dân tỉnh Đồng Nai báo cáo."])
    assert [r.id for r in search(app, "Đồng Nai").results] == [exact, folded]
    # Without diacritics both forms are the same word: the file that says it more often comes first.
    assert [r.id for r in search(app, "dong nai").results][0] == folded


def test_only_the_matched_forms_are_marked():
    p = plan(parse("Đồng Nai"))
    marked = str(mark("Tỉnh Đồng Nai: nước đọng, động đất, khiếu nại", p.highlight, p.highlight_exact))
    assert marked == "Tỉnh <mark>Đồng</mark> <mark>Nai</mark>: nước đọng, động đất, khiếu nại"
    p = plan(parse("bàn giao"))
    marked = str(mark("Biên bản bàn giao tài liệu", p.highlight, p.highlight_exact))
    assert marked == "Biên bản <mark>bàn</mark> <mark>giao</mark> tài liệu"
    # Without diacritics in the query, every form of the word is a match.
    p = plan(parse("ban giao"))
    assert str(mark("Biên bản bàn giao", p.highlight, p.highlight_exact)).count("<mark>") == 3
    # A text holding only folded forms (the file matched on those) still shows where.
    p = plan(parse("Đồng Nai"))
    assert "<mark>" in str(mark("dong nai", p.highlight, p.highlight_exact))


def test_results_and_page_snippets_mark_only_exact_forms(app):
    file_id = add_file(app, "P.3", "Hồ sơ giao nhận", pages=[
        "Biên bản bàn giao hồ sơ giữa hai cơ quan, lập thành ba bản."])
    found = search(app, "bàn giao")
    result = next(r for r in found.results if r.id == file_id)
    assert result.page_count == 1
    number, snippet = result.pages[0]
    assert number == 1 and "<mark>bàn</mark> <mark>giao</mark>" in snippet
    assert "<mark>bản</mark>" not in snippet and "<mark>Biên" not in snippet


def test_page_snippet_shows_in_the_results_page(app, client):
    add_file(app, "P.4", "Hồ sơ đất đai", pages=["Trang bìa", "", "Giao 7.380 ha đất rừng cho nông trường."])
    html = unescape(client.get("/tim-kiem", query_string={"q": "7.380 ha"}).get_data(as_text=True))
    assert "trang 3</a>: Giao <mark>7.380</mark> <mark>ha</mark> đất rừng" in html


def test_did_you_mean_proposes_real_words(app):
    add_file(app, "P.5", "Hồ sơ chấn chỉnh công tác văn thư")
    add_file(app, "P.6", "Tờ trình điều chỉnh địa giới hành chính huyện Long Thành")
    found = search(app, "dia gioi hanh chnh")
    assert found.total == 0
    assert found.suggestion == "địa giới hành chính"


def test_snippets_do_not_repeat_the_document_type(app):
    add_file(app, "P.7", "Hồ sơ giải quyết khiếu nại", documents=[("Đơn", "Đơn khiếu nại về việc thu hồi đất")])
    found = search(app, "khiếu nại thu hồi")
    text = " ".join(str(s) for r in found.results for s in r.snippets)
    assert "Đơn <mark>khiếu</mark> <mark>nại</mark>" in text and "Đơn Đơn" not in text


@pytest.mark.parametrize("text", ["Đơn Đơn khiếu nại", "lưu trữ lưu trữ"])
def test_a_snippet_is_the_text_itself(text):
    p = plan(parse("khiếu nại lưu trữ"))
    (piece,) = snippets([text], p.highlight)
    assert unescape(str(piece).replace("<mark>", "").replace("</mark>", "")) == text
