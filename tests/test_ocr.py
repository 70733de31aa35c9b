"""The content of scans: recognition, text-layer preference, who may search and see page words,
diacritic precision, re-run and correction reaching the index, and waiting without Tesseract."""
from __future__ import annotations

import copy
import hashlib
import io
import textwrap
from datetime import date, timedelta
from html import unescape
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from portal import jobs
from portal.db import utcnow
from portal.extensions import db, limiter
from portal.models import AccessRequest, AuditEvent, Job, PageText, RecordFile, RequestItem, User
from portal.services import ocr, records
from portal.services import search as search_service
from search.results import SearchRequest
from watermark import FONTS_DIR

from .conftest import login
from watermark import ocr as recogniser

pytestmark = pytest.mark.skipif(recogniser.unavailable_reason() is not None,
                                reason="Tesseract's Vietnamese model is not installed")


@pytest.fixture(scope="module", autouse=True)
def read_each_page_image_once():
    """Tesseract really reads each distinct page image, once per module.

    The worlds of these tests scan the same two pages three times each, test after test, and a reading
    depends on nothing but the image (about 1.6 s a page: most of this module's time). A test that
    needs recognition to fail or wait patches ``recognise`` itself, over this.
    """
    real = recogniser.recognise
    readings: dict[tuple, recogniser.PageReading] = {}

    def once(image: Image.Image, language: str = recogniser.LANGUAGE, dpi: int = recogniser.OCR_DPI):
        key = (hashlib.sha256(image.tobytes()).hexdigest(), image.size, image.mode, image.info.get("dpi"),
               language, dpi)
        if key not in readings:
            readings[key] = real(image, language, dpi)
        return copy.deepcopy(readings[key])

    patch = pytest.MonkeyPatch()
    patch.setattr(recogniser, "recognise", once)
    yield
    patch.undo()

# Every vowel with every tone, đ, and a figure readers look for.
VIETNAMESE = ("Ủy ban nhân dân tỉnh Đồng Nai giao 7.380 ha đất rừng cho nông trường. "
              "Biên bản bàn giao hồ sơ địa giới hành chính được lập thành ba bản. "
              "Đơn khiếu nại của ông Nguyễn Văn Hưởng về việc thu hồi đất ở xã Phước Thiền. "
              "Những người dân ấp Bến Gỗ đề nghị giữ nguyên hiện trạng con đường mòn cũ. "
              "Ông bà tổ tiên đã khẩn hoang vùng đồi sỏi đỏ từ thuở xưa. Quỹ học bổng ươm mầm tài năng trẻ.")
ALL_MARKS_WORDS = ["Ủy", "Đồng", "rừng", "trường", "Biên", "bản", "giới", "hành", "chính", "được", "khiếu",
                   "Nguyễn", "Hưởng", "Phước", "Thiền", "ấp", "Gỗ", "đề", "nghị", "giữ", "nguyên", "mòn", "cũ",
                   "khẩn", "sỏi", "đỏ", "thuở", "Quỹ", "ươm", "mầm", "trẻ"]


def page_png(text: str, dpi: int = 300) -> bytes:
    """An A4 page with ``text`` set in 12 pt serif, as a scanner would deliver it."""
    width, height = int(8.27 * dpi), int(11.69 * dpi)
    image = Image.new("L", (width, height), 248)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONTS_DIR / "DejaVuSerif.ttf"), int(12 / 72 * dpi))
    y = dpi
    for line in textwrap.wrap(text, 70):
        draw.text((dpi, y), line, font=font, fill=25)
        y += int(20 / 72 * dpi)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(dpi, dpi))
    return buffer.getvalue()


def text_layer_pdf(path: Path, texts: list[str]) -> Path:
    """A PDF whose pages carry a real text layer (Helvetica, ASCII) — no image to read."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    for text in texts:
        content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
        page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842],
                                  Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
                                  Contents=pdf.make_stream(content))
        pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)
    return path


@pytest.fixture
def ocr_on(app):
    app.config["OCR_AUTO"] = True
    yield
    app.config["OCR_AUTO"] = False


def attach(app, tmp_path: Path, record: RecordFile, pages: list[bytes], name: str = "scan") -> None:
    folder = tmp_path / f"{name}-{record.id}"
    folder.mkdir()
    for n, data in enumerate(pages, start=1):
        (folder / f"{n:02d}.png").write_bytes(data)
    with app.test_request_context():
        admin = db.session.scalar(select(User).where(User.role == "admin"))
        records.attach_scan(admin, db.session.get(RecordFile, record.id), folder)


def grant(app, reader: User, record: RecordFile) -> int:
    """An active reading window of ``reader`` for ``record`` (as a decided request leaves it)."""
    with app.app_context():
        req = AccessRequest(reader_id=reader.id, status="decided", purpose="01", research_topic="Lịch sử",
                            fee_category="10", submit_token=f"tok-{reader.id}-{record.id}")
        db.session.add(req)
        db.session.flush()
        item = RequestItem(request_id=req.id, file_id=record.id, reader_id=reader.id, status="granted",
                           mode=record.mode, due_on=date.today(), grant_ends_at=utcnow() + timedelta(days=5))
        db.session.add(item)
        db.session.commit()
        return item.id


def search_as(app, user, text: str, **kwargs):
    with app.test_request_context():
        actor = db.session.get(User, user.id) if user is not None else None
        return search_service.search(actor, SearchRequest(text=text, **kwargs))


@pytest.fixture
def world(app, tmp_path, make_user, make_file, ocr_on):
    """Three scanned files holding the same page words, one per access mode, read by the OCR job."""
    people = {role: make_user(role=role) for role in ("admin", "archivist")}
    people["reader"], people["granted"] = make_user(), make_user()
    page = page_png(VIETNAMESE)
    files = {}
    for mode in ("01", "02", "03"):
        files[mode] = make_file(mode=mode, title=f"Hồ sơ lưu trữ chế độ {mode}")
        attach(app, tmp_path, files[mode], [page_png("Trang bìa của hồ sơ, không có nội dung khác."), page])
    people["item"] = grant(app, people["granted"], files["02"])
    return people, files


def test_a_rendered_vietnamese_page_is_read_with_every_diacritic(app, world):
    _people, files = world
    with app.app_context():
        rows = db.session.scalars(select(PageText).where(PageText.file_id == files["01"].id)
                                  .order_by(PageText.page_no)).all()
        assert [r.page_no for r in rows] == [1, 2] and {r.source for r in rows} == {"ocr"}
        page = rows[1]
        assert page.dpi >= 300 and page.confidence > 80
        words = page.text.split()
        missing = [w for w in ALL_MARKS_WORDS if w not in " ".join(words)]
        assert missing == [], missing
        assert "7.380" in page.text
        boxes = {w[4]: w[:4] for w in page.words}
        x0, y0, x1, y1 = boxes["Nguyễn"]
        assert 0 < x0 < x1 < 1 and 0 < y0 < y1 < 1
        job = db.session.scalar(select(Job).where(Job.kind == ocr.JOB_KIND, Job.subject_id == str(files["01"].id)))
        assert job.status == "done"


def test_visibility_of_page_words_per_role_and_mode(app, world):
    people, files = world
    phrase = '"7.380 ha"'
    staff = people["archivist"]
    assert {r.id for r in search_as(app, staff, phrase).results} == {files["01"].id, files["02"].id, files["03"].id}
    assert [r.id for r in search_as(app, None, phrase).results] == [files["01"].id]
    assert [r.id for r in search_as(app, people["reader"], phrase).results] == [files["01"].id]
    assert {r.id for r in search_as(app, people["granted"], phrase).results} == {files["01"].id, files["02"].id}
    # Facet counts never count a file the searcher may not read.
    anonymous = search_as(app, None, "Hưởng")
    assert anonymous.total == 1 and anonymous.facets["mode"] == {"01": 1}
    # Metadata still finds the conditional file for anyone, but no page snippet comes with it.
    found = search_as(app, None, "Hồ sơ lưu trữ Hưởng")
    assert found.total == 1
    found = search_as(app, people["reader"], "lưu trữ chế độ 02")
    assert [r.id for r in found.results] == [files["02"].id] and found.results[0].pages == []


def test_results_name_the_pages_with_a_snippet_and_link_to_the_viewer_for_the_grant_holder(
        app, client, world, login_as):
    people, files = world
    html = unescape(client.get("/tim-kiem", query_string={"q": "7.380 ha"}).get_data(as_text=True))
    assert "trang 2" in html and "<mark>7.380</mark> <mark>ha</mark>" in html
    assert html.count("page-hit\"") == 1  # the open file only
    login_as(people["granted"])
    html = unescape(client.get("/tim-kiem", query_string={"q": "7.380 ha"}).get_data(as_text=True))
    assert f"/doc/{people['item']}#trang=2" in html
    assert html.count("page-hit\"") == 2


def test_did_you_mean_never_offers_a_word_from_a_closed_file(app, world, make_file):
    people, files = world
    # "Thiền" is only in page text: the suggestion for a misspelling never offers it to anyone
    # (page words are not suggested at all), and a conditional file's words stay hidden.
    for who in (None, people["reader"], people["granted"]):
        found = search_as(app, who, "Thiềnx")
        assert found.total == 0 and (found.suggestion is None or "thi" not in found.suggestion.lower())


def test_a_page_with_a_text_layer_keeps_it(app, tmp_path, make_user, make_file, ocr_on, monkeypatch):
    make_user(role="admin")
    record = make_file(mode="01", title="Hồ sơ có lớp chữ")
    pdf = text_layer_pdf(tmp_path / "layer.pdf", ["Bao cao tong ket cong tac luu tru nam 1998 cua tinh"])

    def never(*_args, **_kwargs):
        raise AssertionError("a page with a text layer must not be read by OCR")

    monkeypatch.setattr(recogniser, "recognise", never)
    with app.test_request_context():
        admin = db.session.scalar(select(User).where(User.role == "admin"))
        records.attach_scan(admin, db.session.get(RecordFile, record.id), pdf)
        row = db.session.scalar(select(PageText).where(PageText.file_id == record.id))
        assert row.source == "text_layer" and "tong ket cong tac" in row.text and row.confidence is None
        assert any(w[4] == "tong" for w in row.words)
    assert [r.id for r in search_as(app, None, '"tong ket"').results] == [record.id]


def test_without_tesseract_the_job_waits_with_its_reason(app, client, tmp_path, make_user, make_file, ocr_on,
                                                         monkeypatch, login_as):
    make_user(role="admin")
    record = make_file(mode="01")
    monkeypatch.setattr(recogniser, "unavailable_reason", lambda language="vie": "no vie.traineddata")
    attach(app, tmp_path, record, [page_png("Một trang")])
    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.kind == ocr.JOB_KIND))
        assert job.status == "retrying" and job.attempts == 0 and "no vie.traineddata" in job.last_error
        assert "Tesseract" in job.last_error
        assert db.session.scalar(select(PageText).where(PageText.file_id == record.id)) is None
    login_as(make_user(role="archivist"))
    jobs_page = unescape(client.get("/nghiep-vu/tac-vu").get_data(as_text=True))
    assert 'class="flash error ocr-unavailable"' in jobs_page and jobs_page.count("no vie.traineddata") == 2
    monkeypatch.undo()
    with app.app_context():
        db.session.execute(Job.__table__.update().where(Job.id == job.id).values(run_after=None))
        db.session.commit()
        assert jobs.execute(job.id) == "done"
        # The job runner writes with bulk UPDATEs: read the row itself, not the session's copy of it.
        assert db.session.scalar(select(Job.status).where(Job.id == job.id)) == "done"


def test_rerun_and_correction_reach_the_index_and_are_audited(app, client, world, login_as):
    people, files = world
    login_as(people["archivist"])
    target = files["01"].id
    page = client.get(f"/nghiep-vu/nhan-dang/ho-so/{target}/trang/2")
    assert page.status_code == 200
    response = client.post(f"/nghiep-vu/nhan-dang/ho-so/{target}/trang/2",
                           data={"text": "Biên bản về kho Quýt Xanh ở Long Khánh"})
    assert response.status_code == 302
    assert [r.id for r in search_as(app, None, "Quýt Xanh").results] == [target]
    assert search_as(app, None, '"7.380 ha"').total == 0  # the old words left the index
    with app.app_context():
        row = db.session.scalar(select(PageText).where(PageText.file_id == target, PageText.page_no == 2))
        assert row.source == "corrected" and row.corrected_by_id == people["archivist"].id
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "file.page_text_correct"))
    # A re-run reads the pages again but keeps the correction.
    assert client.post(f"/nghiep-vu/nhan-dang/ho-so/{target}/chay-lai").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "file.ocr_rerun"))
        row = db.session.scalar(select(PageText).where(PageText.file_id == target, PageText.page_no == 2))
        assert row.source == "corrected"
        reruns = db.session.scalars(select(Job).where(Job.kind == ocr.JOB_KIND,
                                                      Job.subject_id == str(target))).all()
        assert len(reruns) == 2 and all(j.status == "done" for j in reruns)
    overview = client.get("/nghiep-vu/nhan-dang/").get_data(as_text=True)
    assert "2/2 trang" in overview and "1 trang đã sửa" in overview
    # Low confidence: the files whose mean is below the threshold, and only those.
    app.config["OCR_LOW_CONFIDENCE"] = 100
    assert client.get("/nghiep-vu/nhan-dang/?thap=1").get_data(as_text=True).count('class="ocr-row"') == 3
    app.config["OCR_LOW_CONFIDENCE"] = 10
    assert client.get("/nghiep-vu/nhan-dang/?thap=1").get_data(as_text=True).count('class="ocr-row"') == 0
    app.config["OCR_LOW_CONFIDENCE"] = 75


def test_readers_do_not_reach_the_staff_ocr_pages(app, client, world, login_as):
    people, files = world
    login_as(people["reader"])
    assert client.get("/nghiep-vu/nhan-dang/").status_code == 403
    assert client.post(f"/nghiep-vu/nhan-dang/ho-so/{files['01'].id}/trang/2", data={"text": "x"}).status_code == 403


def test_search_inside_the_reading_copy_is_for_the_grant_holder_only(app, client, world, login_as, make_user):
    people, files = world
    url = f"/doc/{people['item']}/tim-kiem"
    login_as(people["granted"])
    answer = client.get(url, query_string={"q": "Đồng Nai"})
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "private, no-store"
    data = answer.get_json()
    assert data["pages"] == 1 and [h["page"] for h in data["hits"]] == [2]
    hit = data["hits"][0]
    assert "<mark>Đồng</mark> <mark>Nai</mark>" in hit["snippet"]
    # Boxes for "Đồng" and "Nai" only: never for "nại" (in "khiếu nại") or another folded look-alike.
    assert len(hit["boxes"]) == 2 and all(0 < b[0] < b[2] < 1 for b in hit["boxes"])
    assert client.get(url, query_string={"q": "khiếu nại"}).get_json()["hits"][0]["boxes"]
    other = app.test_client()
    assert login(other, people["reader"].email).status_code == 302
    assert other.get(url, query_string={"q": "Đồng Nai"}).status_code == 404  # another reader's item
    assert app.test_client().get(url, query_string={"q": "Đồng Nai"}).status_code == 302


def test_search_inside_is_rate_limited(app, client, world, login_as):
    people, _files = world
    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", RATELIMIT_PAGE_SEARCH="3 per minute")
    limiter.init_app(app)
    try:
        with app.app_context():
            limiter.reset()
        login_as(people["granted"])
        url = f"/doc/{people['item']}/tim-kiem"
        codes = [client.get(url, query_string={"q": f"Đồng Nai {n}"}).status_code for n in range(4)]
        assert codes == [200, 200, 200, 429]
    finally:
        app.config["RATELIMIT_ENABLED"] = False
        limiter.init_app(app)


def test_queue_missing_reads_every_scan_not_read_yet(app, runner, tmp_path, make_user, make_file):
    """What ``make run`` does after loading the demo: every digitised file gets read."""
    make_user(role="admin")
    first, second = make_file(mode="01"), make_file(mode="02")
    for record in (first, second):  # OCR_AUTO is off: stored without being read
        attach(app, tmp_path, record, [page_png("Biên bản kiểm kê kho lưu trữ", dpi=150)])
    with app.app_context():
        assert db.session.scalar(select(PageText.id)) is None
    result = runner.invoke(args=["ocr", "queue-missing"])
    assert result.exit_code == 0 and "2 files queued" in result.output
    with app.app_context():
        rows = db.session.scalars(select(PageText)).all()
        assert sorted(r.file_id for r in rows) == sorted([first.id, second.id])
        assert all("kiểm kê" in r.text and r.dpi >= 300 for r in rows)  # a 150 dpi scan is read at 300
    assert "0 files queued" in runner.invoke(args=["ocr", "queue-missing"]).output


def test_the_admin_health_panel_shows_the_pages_waiting_for_their_text(app, client, tmp_path, make_user, make_file,
                                                                       login_as, monkeypatch):
    make_user(role="admin")
    first, second = make_file(mode="01"), make_file(mode="02")
    attach(app, tmp_path, first, [page_png("Trang một"), page_png("Trang hai")])  # OCR_AUTO off: not read
    attach(app, tmp_path, second, [page_png("Trang ba")])
    with app.app_context():
        left = ocr.backlog()
    assert (left.pages, left.files, left.failed) == (3, 2, 0)
    login_as(make_user(role="admin"))
    home = unescape(client.get("/nghiep-vu/").get_data(as_text=True))
    assert "Nhận dạng chữ (OCR)" in home and "3 trang chờ nhận dạng (2 hồ sơ); 0 tác vụ lỗi" in home
    monkeypatch.setattr(recogniser, "unavailable_reason", lambda language="vie": "no vie.traineddata")
    home = unescape(client.get("/nghiep-vu/").get_data(as_text=True))
    assert "no vie.traineddata" in home  # said where the admin looks, and marked as needing a look
    with app.app_context(), pytest.raises(jobs.Wait):
        ocr.recognise_file(second.id)  # the job waits for Tesseract: nothing is read
    monkeypatch.undo()
    with app.app_context():
        ocr.recognise_file(second.id)
        assert (ocr.backlog().pages, ocr.backlog().files) == (2, 1)


@pytest.mark.parametrize("size, declared, expected", [
    ((2480, 3508), (72, 72), 1.0),  # an A4 page at 300 dpi that says 72: believed by its width
    ((1240, 1754), None, 2.0),  # A4 at 150 dpi: read twice as large
    ((1181, 800), (300, 300), 1.0),  # a small card scanned at 300 dpi
    ((20000, 20000), (30, 30), 1.0),  # never enlarged past the pixel budget
])
def test_pages_are_read_at_300_dpi_at_least(size, declared, expected):
    image = Image.new("L", size)
    if declared:
        image.info["dpi"] = declared
    assert recogniser.scale_for(image) == pytest.approx(expected, abs=0.01)


def test_the_index_check_notices_page_text_the_index_lacks(app, world):
    _people, files = world
    with app.test_request_context():
        assert search_service.check_index(queue=False).in_sync
        row = db.session.scalar(select(PageText).where(PageText.file_id == files["01"].id, PageText.page_no == 2))
        row.text, row.created_at = "Văn bản mới mà chỉ mục chưa biết", utcnow() + timedelta(seconds=5)
        db.session.commit()  # as if its index job had been lost
        check = search_service.check_index()
        assert check.stale == [files["01"].id] and check.queued == "update"
    assert [r.id for r in search_as(app, None, "chỉ mục chưa biết").results] == [files["01"].id]
