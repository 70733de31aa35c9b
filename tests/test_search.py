"""Search over the catalogue: relevance on the five real documents, visibility, facets, UI, sync.

The five texts of ``../shared/corpus`` (the same bytes are in ``demo/texts``)
go in through a real manifest import, as the text layer of their files' scans,
so the import hook, the index job and the search run end to end.
"""
from __future__ import annotations

import csv
import re
import threading
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Document, Fonds, Job, RecordFile
from portal.services import importer, records
from portal.services import search as search_service
from portal.services.importer import DOCUMENT_COLUMNS, MANIFEST_COLUMNS
from search.results import SearchRequest

REPO = Path(__file__).resolve().parents[1]


def corpus_folder() -> Path:
    for folder in (REPO.parent / "shared" / "corpus", REPO / "demo" / "texts"):
        if len(list(folder.glob("*.txt"))) >= 5:
            return folder
    raise RuntimeError("the five corpus texts are missing")


def _text_with(marker: str) -> str:
    for path in sorted(corpus_folder().glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if marker in text:
            return text
    raise LookupError(marker)


# The five real documents as catalogue files: (file code, fonds, fonds name, title, dates, mode, keywords,
# document (number, notation, date, type, issuer, summary), a marker that finds its text).
CORPUS = {
    "HG": ("UBND-HG.2021.001", "UBND-HG", "Ủy ban nhân dân tỉnh Hậu Giang",
           "Hồ sơ chấn chỉnh công tác văn thư, lưu trữ trên địa bàn tỉnh Hậu Giang", "2021", "01",
           "văn thư; lưu trữ",
           ("", "UBND-NCTH", "2021", "Công văn", "UBND tỉnh Hậu Giang",
            "V/v chấn chỉnh công tác văn thư, lưu trữ trên địa bàn tỉnh"), "TỈNH HẬU GIANG"),
    "QT": ("UBND-QT.2021.006", "UBND-QT", "Ủy ban nhân dân tỉnh Quảng Trị",
           "Chỉ thị về đẩy mạnh công tác văn thư, lưu trữ và phát huy giá trị tài liệu lưu trữ", "2021", "02",
           "chỉ thị; lưu trữ",
           ("06", "CT-UBND", "2021-06-25", "Chỉ thị", "UBND tỉnh Quảng Trị",
            "Về đẩy mạnh công tác văn thư, lưu trữ và phát huy giá trị tài liệu lưu trữ"), "Quảng Trị"),
    "KG": ("SNV-KG.2020.026", "SNV-KG", "Sở Nội vụ tỉnh Kiên Giang",
           "Tin kiểm tra công tác văn thư, lưu trữ năm 2020", "2020", "01", "kiểm tra",
           ("26", "KH-SNV", "2020-04-23", "Kế hoạch", "Sở Nội vụ tỉnh Kiên Giang",
            "Kiểm tra công tác văn thư, lưu trữ năm 2020"), "Cổng thông tin điện tử Sở Nội vụ"),
    "DN": ("UBND-DN.2020.015", "UBND-DN", "Ủy ban nhân dân tỉnh Đồng Nai",
           "Hồ sơ triển khai quy định về công tác lưu trữ", "2020", "01", "lưu trữ; hồ sơ điện tử",
           ("11495", "UBND-KGVX", "2020-09-28", "Công văn", "UBND tỉnh Đồng Nai",
            "V/v tiếp tục triển khai thực hiện quy định về công tác lưu trữ"), "11495/UBND-KGVX"),
    "TH": ("UBND-TH.2019.039", "UBND-TH", "Ủy ban nhân dân tỉnh Thanh Hóa",
           "Kế hoạch công tác văn thư, lưu trữ năm 2019 trên địa bàn tỉnh Thanh Hóa", "2019", "01",
           "kế hoạch; lưu trữ",
           ("39", "KH-UBND", "2019-02-19", "Kế hoạch", "UBND tỉnh Thanh Hóa",
            "Công tác văn thư, lưu trữ năm 2019 trên địa bàn tỉnh Thanh Hóa"), "TỈNH THANH HÓA"),
}


def write_manifest(folder: Path, rows: dict[str, tuple]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / "manifest.csv"
    with manifest.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=MANIFEST_COLUMNS)
        writer.writeheader()
        for n, (code, fonds, fonds_name, title, year, mode, keywords, _doc, _marker) in enumerate(rows.values(), 1):
            writer.writerow({"fonds_code": fonds, "fonds_name": fonds_name, "inventory_no": "1", "box_no": str(n),
                             "file_no": str(n), "file_code": code, "title": title, "start_date": year,
                             "end_date": year, "retention": "01", "mode": mode, "language": "Tiếng Việt",
                             "keywords": keywords, "sheets": "", "pages": "", "condition": "01", "notes": "",
                             "scan": ""})
    with (folder / "documents.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=DOCUMENT_COLUMNS)
        writer.writeheader()
        for code, _f, _n, _t, _y, _m, _k, doc, _marker in rows.values():
            number, notation, date, kind, issuer, summary = doc
            writer.writerow({"file_code": code, "number": number, "notation": notation, "date": date,
                             "type": kind, "issuer": issuer, "summary": summary, "first_page": "", "pages": ""})
    return manifest


@pytest.fixture
def texts(monkeypatch) -> dict[str, str]:
    """File code → the text layer its scan would have (the corpus text)."""
    layer = {spec[0]: _text_with(spec[8]) for spec in CORPUS.values()}
    original = search_service.file_pages
    monkeypatch.setattr(search_service, "file_pages", lambda record, read=None: [layer[record.file_code]]
                        if record.file_code in layer else original(record, read))
    return layer


@pytest.fixture
def corpus(app, tmp_path, texts) -> dict[str, int]:
    """The five files, imported through a manifest (the import hook indexes them). Key → file id."""
    with app.test_request_context():
        report = importer.import_manifest(None, write_manifest(tmp_path / "import", CORPUS))
        assert report.ok, report.errors
        ids = dict(db.session.execute(select(RecordFile.file_code, RecordFile.id)).all())
        jobs = db.session.scalars(select(Job).where(Job.kind == search_service.JOB_KIND)).all()
    assert len(jobs) == 1 and jobs[0].status == "done"  # one index job per import
    return {key: ids[spec[0]] for key, spec in CORPUS.items()}


def run(app, text: str = "", staff: bool = False, **kwargs):
    with app.test_request_context():
        request = SearchRequest(text=text, staff=staff, **kwargs)
        from search.results import execute

        return execute(search_service.get_index(), request)


def ids_of(app, text: str, **kwargs) -> list[int]:
    return [r.id for r in run(app, text, **kwargs).results]


def add_file(app, code: str, title: str, mode: str = "01", year: str = "2020", summary: str | None = None,
             fonds_code: str = "EXTRA", keywords: str | None = None) -> int:
    """A file created directly, then indexed through the hook."""
    with app.test_request_context():
        fonds = db.session.scalar(select(Fonds).where(Fonds.code == fonds_code))
        if fonds is None:
            fonds = Fonds(code=fonds_code, name=f"Phông {fonds_code}")
            db.session.add(fonds)
        record = RecordFile(fonds=fonds, file_code=code, inventory_no="1", box_no="1", file_no=code[-3:],
                            title=title, retention="01", mode=mode, start_date=year, end_date=year,
                            keywords=keywords)
        if summary:
            record.documents.append(Document(position=0, summary=summary, doc_type="Công văn"))
        db.session.add(record)
        db.session.flush()
        search_service.reindex([record.id])  # the index job commits with the file (outbox)
        db.session.commit()
        return record.id


# --- what readers type ----------------------------------------------------------------

def test_with_or_without_diacritics_the_same_files(app, corpus):
    everything = set(corpus.values())
    for typed in ("luu tru", "lưu trữ", "LƯU TRỮ", "Lưu Trữ"):
        assert set(ids_of(app, typed)) == everything, typed
    for typed in ("Dong Nai", "dong nai", "Đồng Nai", "ĐỒNG NAI", "đồng nai"):
        assert ids_of(app, typed) == [corpus["DN"]], typed


def test_a_query_with_diacritics_ranks_exact_matches_first(app, corpus):
    ma = add_file(app, "EXTRA.2020.001", "Hồ sơ phòng chống ma túy trên địa bàn tỉnh")
    ma_grave = add_file(app, "EXTRA.2020.002", "Những việc mà cơ quan cần làm về lưu trữ")
    found = ids_of(app, "mã")
    assert found[0] == corpus["TH"]  # the plan's "mã số"
    assert set(found) == {corpus["TH"], ma, ma_grave}  # folded, all three match
    assert ids_of(app, "ma túy")[0] == ma
    assert ids_of(app, "mà")[0] == ma_grave
    assert set(ids_of(app, "ma")) == {corpus["TH"], ma, ma_grave}


@pytest.mark.parametrize("reference, expected", [
    ("11495/UBND-KGVX", ["DN"]),
    ("11495/ubnd-kgvx", ["DN"]),
    ("39/KH-UBND", ["TH"]),
    ("so:39/KH-UBND", ["TH"]),
    ("06/CT-UBND", ["QT"]),
])
def test_document_references_are_found_exactly(app, corpus, reference, expected):
    assert ids_of(app, reference) == [corpus[k] for k in expected]


def test_decree_reference_with_or_without_d_stroke(app, corpus, texts):
    having = {key for key, spec in CORPUS.items() if "30/2020/NĐ-CP" in texts[spec[0]]}
    assert having  # the Đồng Nai letter cites it, among others
    for typed in ("30/2020/NĐ-CP", "30/2020/ND-CP", "30/2020/nđ-cp"):
        assert set(ids_of(app, typed)) == {corpus[k] for k in having}, typed
    assert corpus["TH"] not in ids_of(app, "30/2020/NĐ-CP")


def test_document_dates_are_searched_however_they_are_written(app, corpus):
    for typed in ("28/9/2020", "28/09/2020", "2020-09-28"):
        assert ids_of(app, typed) == [corpus["DN"]], typed


def test_part_of_a_reference_finds_it(app, corpus):
    assert corpus["TH"] in ids_of(app, "KH-UBND")
    assert corpus["DN"] in ids_of(app, "UBND-KGVX")


def test_quoted_phrase_is_a_phrase(app, corpus):
    assert set(ids_of(app, "ban chỉ đạo", staff=True)) == set(corpus.values())  # the words are everywhere
    assert ids_of(app, '"ban chỉ đạo"', staff=True) == [corpus["QT"]]  # the phrase is in Quảng Trị's directive only
    assert ids_of(app, '"ban chi dao"', staff=True) == [corpus["QT"]]
    # Quảng Trị's directive is a conditional file: its pages' words are not searched for the public.
    assert ids_of(app, '"ban chỉ đạo"') == []
    assert set(ids_of(app, "ban chỉ đạo")) == set(corpus.values()) - {corpus["QT"]}


def test_and_or_not_and_field_prefixes(app, corpus):
    assert ids_of(app, 'lưu trữ AND "Đồng Nai"') == [corpus["DN"]]
    assert set(ids_of(app, '"Đồng Nai" OR "Thanh Hóa"')) == {corpus["DN"], corpus["TH"]}
    assert set(ids_of(app, 'lưu trữ NOT "Đồng Nai"')) == set(corpus.values()) - {corpus["DN"]}
    assert set(ids_of(app, 'lưu trữ -"Đồng Nai" -"Thanh Hóa"')) == {corpus["HG"], corpus["QT"], corpus["KG"]}
    assert ids_of(app, 'tieude:"Thanh Hóa"') == [corpus["TH"]]
    assert ids_of(app, "title:(kế hoạch)") == [corpus["TH"]]
    assert ids_of(app, "loai:chỉ thị") == [corpus["QT"]]
    assert set(ids_of(app, "phong:(Đồng Nai)")) == {corpus["DN"]}


@pytest.mark.parametrize("broken", ['"lưu trữ', "title:(", "(lưu trữ", "lưu trữ AND", '"', "tieude:(lưu", "OR"])
def test_broken_syntax_never_fails(app, client, corpus, broken):
    response = client.get("/tim-kiem", query_string={"q": broken})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    if "lưu" in broken:
        assert "Cú pháp tìm kiếm chưa đúng" in html
        assert "5 hồ sơ" in html


def test_two_syllable_words_rank_files_with_the_word_first(app, corpus):
    split = add_file(app, "EXTRA.2020.003", "Kho tài sản, liệu pháp bảo quản")  # tài … liệu, not "tài liệu"
    whole = add_file(app, "EXTRA.2020.004", "Kho tài liệu của tỉnh")
    found = ids_of(app, "tài liệu kho")
    assert found.index(whole) < found.index(split)


# --- facets, filters, sort, pages ------------------------------------------------------

def test_facets_count_what_the_query_finds(app, corpus):
    result = run(app, "lưu trữ")
    assert result.total == 5
    assert result.facets["mode"] == {"01": 4, "02": 1}
    assert result.facets["fonds_code"] == {"UBND-HG": 1, "UBND-QT": 1, "SNV-KG": 1, "UBND-DN": 1, "UBND-TH": 1}
    assert result.facets["decade"] == {"2010": 1, "2020": 4}
    assert result.facets["year"] == {"2019": 1, "2020": 2, "2021": 2}
    assert result.facets["doc_type"] == {"Công văn": 2, "Chỉ thị": 1, "Kế hoạch": 2}
    assert result.facets["digitised"] == {"0": 5}
    filtered = run(app, "lưu trữ", facets={"doc_type": ["Kế hoạch"]})
    assert filtered.total == 2
    assert filtered.facets["doc_type"]["Công văn"] == 2  # a facet's own selection does not hide its other values
    assert run(app, "lưu trữ", facets={"doc_type": ["Kế hoạch"], "mode": ["02"]}).total == 0


def test_date_range(app, corpus):
    assert {r.id for r in run(app, "lưu trữ", date_from="2020", date_to="2020").results} == {corpus["KG"], corpus["DN"]}
    assert run(app, "lưu trữ", date_from="2021").total == 2
    assert run(app, "lưu trữ", date_to="2019-12-31").total == 1
    assert run(app, "", date_from="2019", date_to="2019").total == 1  # filters alone browse


def test_sort_by_date_and_pages(app, client, corpus):
    oldest = run(app, "lưu trữ", sort="date").results
    assert oldest[0].id == corpus["TH"] and oldest[-1].start_date == "2021"
    newest = run(app, "lưu trữ", sort="-date").results
    assert newest[0].start_date == "2021" and newest[-1].id == corpus["TH"]
    app.config["SEARCH_PAGE_SIZE"] = 2
    first = client.get("/tim-kiem?q=luu+tru").get_data(as_text=True)
    third = client.get("/tim-kiem?q=luu+tru&page=3").get_data(as_text=True)
    assert first.count('class="hit"') == 2 and third.count('class="hit"') == 1
    assert "Trang 1 / 3" in first and 'rel="next"' in first and 'rel="next"' not in third


# --- classified files --------------------------------------------------------------------

@pytest.fixture
def secret(app, corpus) -> int:
    return add_file(app, "MAT.2020.001", "Hồ sơ mật về kryptonit quốc phòng lưu trữ", mode="03",
                    summary="Kế hoạch bảo vệ kryptonit biên giới", fonds_code="MAT")


@pytest.mark.parametrize("who", ["visitor", "reader"])
def test_classified_files_are_not_in_results_counts_facets_or_suggestions(app, client, corpus, secret, make_user,
                                                                          login_as, who):
    if who == "reader":
        login_as(make_user())
    result = run(app, "lưu trữ")
    assert result.total == 5 and secret not in [r.id for r in result.results]
    assert "03" not in result.facets["mode"] and "MAT" not in result.facets["fonds_code"]
    assert run(app, "kryptonit").total == 0
    assert run(app, "kryptonit").suggestion is None
    assert run(app, "kryptonix").suggestion is None  # the only close word is in the classified file
    for url in ("/tim-kiem?q=l%C6%B0u+tr%E1%BB%AF", "/tim-kiem?q=kryptonit", "/tim-kiem?q=kryptonix",
                "/tim-kiem?q=luu+tru&che_do=03", "/tim-kiem/nang-cao"):
        html = client.get(url).get_data(as_text=True)
        assert "mật về kryptonit" not in html and "MAT.2020.001" not in html and "Phông MAT" not in html
        assert "gồm cả hồ sơ mật" not in html and "Có phải bạn muốn tìm" not in html
    assert "kryptonit" not in client.get("/tim-kiem?q=kryptonix").get_data(as_text=True)
    assert "5 hồ sơ" in client.get("/tim-kiem?q=luu+tru").get_data(as_text=True)


def test_staff_search_sees_everything_and_says_so(app, client, corpus, secret, make_user, login_as):
    login_as(make_user(role="archivist"))
    html = client.get("/tim-kiem?q=luu+tru").get_data(as_text=True)
    assert "6 hồ sơ" in html and "MAT.2020.001" in html and "gồm cả hồ sơ mật" in html
    assert run(app, "lưu trữ", staff=True).facets["mode"]["03"] == 1
    assert run(app, "kryptonit", staff=True).total == 1
    assert run(app, "kryptonix", staff=True).suggestion == "kryptonit"


# --- did you mean --------------------------------------------------------------------------

def test_did_you_mean_when_nothing_matches(app, client, corpus):
    result = run(app, "Đồng Nsi")
    assert result.total == 0 and result.suggestion is not None
    assert result.suggestion == "Đồng Nai"  # with its marks, as in the file, and the reader's capitals
    html = client.get("/tim-kiem?q=%C4%90%E1%BB%93ng+Nsi").get_data(as_text=True)
    assert "Có phải bạn muốn tìm" in html
    assert run(app, "lưu trữ").suggestion is None
    assert run(app, "qqqqzzzz").suggestion is None


# --- pages ------------------------------------------------------------------------------------

def test_search_box_on_every_page(client, app):
    for url in ("/", "/phong", "/tim-kiem/nang-cao"):
        html = client.get(url).get_data(as_text=True)
        assert 'action="/tim-kiem"' in html and 'name="q"' in html, url


def test_results_show_title_code_dates_fonds_mode_and_snippets(app, client, corpus):
    html = client.get("/tim-kiem", query_string={"q": "triển khai quy định"}).get_data(as_text=True)
    assert 'href="/ho-so/UBND-DN.2020.015"' in html
    for text in ("UBND-DN.2020.015", "Ủy ban nhân dân tỉnh Đồng Nai", "2020", "Công khai", "<mark>"):
        assert text in html, text
    hit = html[html.index('class="hit"'):]
    assert re.search(r"<mark>triển</mark> <mark>khai</mark>", hit)


def test_snippets_are_escaped(app, client, corpus):
    add_file(app, "EXTRA.2020.005", "Hồ sơ thử <b>đậm</b>", summary='Kho <script>alert("x")</script> lưu trữ')
    html = client.get("/tim-kiem", query_string={"q": "kho"}).get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;" in html and "<b>đậm</b>" not in html
    assert "<mark>Kho</mark>" in html


def test_empty_query_shows_help_and_no_results(client, app):
    html = client.get("/tim-kiem").get_data(as_text=True)
    assert 'class="hit"' not in html and "có dấu hoặc không dấu" in html


def test_advanced_search_builds_a_query(app, client, corpus):
    assert client.get("/tim-kiem/nang-cao").status_code == 200
    response = client.get("/tim-kiem/nang-cao", query_string={
        "gui": "1", "tat_ca": "lưu trữ", "cum_tu": "phát huy giá trị", "khong_co": "xyz", "so_ky_hieu": "06/CT-UBND",
        "che_do": "02", "tu": "2021", "sap_xep": "-date"})
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'href="/ho-so/UBND-QT.2021.006"' in html and "1 hồ sơ" in html


# --- the index stays in step ----------------------------------------------------------------

def test_edit_and_delete_reach_the_index(app, corpus, make_user):
    staff = make_user(role="archivist")
    with app.test_request_context():
        record = db.session.get(RecordFile, corpus["DN"])
        data = {name: getattr(record, name) for name in records.FILE_FIELDS}
        data["title"] = "Hồ sơ về kho lưu trữ chuyên dụng Biên Hòa"
        records.save_file(staff, record.fonds, data, record)
    assert ids_of(app, '"chuyên dụng Biên Hòa"') == [corpus["DN"]]
    with app.test_request_context():
        fonds = db.session.get(RecordFile, corpus["TH"]).fonds
        records.save_fonds(staff, {"code": fonds.code, "name": "Phông Văn phòng UBND Thanh Hóa"}, fonds)
    assert ids_of(app, "phong:(văn phòng)") == [corpus["TH"]]
    with app.test_request_context():
        db.session.delete(db.session.get(RecordFile, corpus["HG"]))
        db.session.commit()
        search_service.reindex([corpus["HG"]])  # what a delete service calls after its commit
        db.session.commit()  # the index job is added to the transaction (outbox)
    assert corpus["HG"] not in ids_of(app, "lưu trữ") and run(app, "lưu trữ").total == 4


def test_pdf_text_layer_is_indexed(app, corpus, make_user, tmp_path):
    pikepdf = pytest.importorskip("pikepdf")
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(595, 842))
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.Contents = pdf.make_stream(b"BT /F1 14 Tf 72 700 Td (Bien ban nghiem thu kho Zeppelin) Tj ET")
    pdf.save(tmp_path / "scan.pdf")
    staff = make_user(role="archivist")
    file_id = add_file(app, "EXTRA.2020.009", "Hồ sơ nghiệm thu")
    with app.test_request_context():
        records.attach_scan(staff, db.session.get(RecordFile, file_id), tmp_path / "scan.pdf")
    assert ids_of(app, "zeppelin") == [file_id]
    assert run(app, "zeppelin").results[0].digitised


def test_rebuild_swaps_in_a_new_index_and_search_stays_up(app, corpus, runner, monkeypatch):
    with app.app_context():
        index = search_service.get_index()
    before = index.current_path()
    seen_during = []
    import search.index as index_module

    real_build = index_module.build_segments

    def build_and_look(path, batches, **kwargs):
        real_build(path, batches, **kwargs)
        seen_during.append(ids_of(app, "Đồng Nai"))  # the old index still answers
        with app.test_request_context():  # an edit while the new index is being built
            record = db.session.get(RecordFile, corpus["KG"])
            record.title = "Tin kiểm tra kho Phú Quốc"
            db.session.commit()
            search_service.reindex([record.id])
            db.session.commit()  # the index job is added to the transaction (outbox)

    monkeypatch.setattr(index_module, "build_segments", build_and_look)
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert seen_during == [[corpus["DN"]]]
    after = index.current_path()
    assert after != before and after.exists()
    assert ids_of(app, "Đồng Nai") == [corpus["DN"]]
    assert ids_of(app, "Phú Quốc") == [corpus["KG"]]  # replayed into the new index before the swap
    assert before.exists()  # kept for searchers still reading it, removed by the next rebuild
    monkeypatch.setattr(index_module, "build_segments", real_build)
    assert runner.invoke(args=["search", "rebuild"]).exit_code == 0
    assert not before.exists()


def test_concurrent_index_updates_lose_nothing(app, corpus, make_user):
    staff = make_user(role="archivist")
    errors = []

    def edit(key: str, n: int) -> None:
        try:
            with app.test_request_context():
                record = db.session.get(RecordFile, corpus[key])
                data = {name: getattr(record, name) for name in records.FILE_FIELDS}
                data["title"] = f"Hồ sơ song song số {n} kho{key.lower()}"
                records.save_file(staff, record.fonds, data, record)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=edit, args=(key, n)) for n, key in enumerate(CORPUS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with app.test_request_context():
        statuses = db.session.scalars(select(Job.status).where(Job.kind == search_service.JOB_KIND)).all()
    assert statuses and set(statuses) == {"done"}
    for key in CORPUS:
        assert ids_of(app, f"kho{key.lower()}") == [corpus[key]]
    assert run(app, "song song").total == 5


def test_results_page_is_vietnamese_and_escapes_the_query(client, app, corpus):
    html = client.get("/tim-kiem", query_string={"q": '<img src=x onerror=alert(1)> lưu'}).get_data(as_text=True)
    assert "<img src=x" not in html
    assert "Tìm kiếm hồ sơ" in unescape(html)
