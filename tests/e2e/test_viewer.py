"""The reading-copy viewer in a real browser (Debian's Chromium through Playwright)."""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from portal.extensions import db
from portal.models import ReadingCopy, RecordFile
from portal.services import accounts, records, requests
from watermark import FONTS_DIR

from ..conftest import PASSWORD

pytestmark = pytest.mark.e2e


def _scan(folder: Path, pages: int) -> Path:
    folder.mkdir(parents=True)
    font = ImageFont.truetype(str(FONTS_DIR / "DejaVuSerif.ttf"), 34)
    for n in range(1, pages + 1):
        image = Image.new("L", (1240, 1754), 242)
        draw = ImageDraw.Draw(image)
        draw.text((140, 160), f"TRANG {n} — CÔNG VĂN VỀ CÔNG TÁC LƯU TRỮ", font=font, fill=15)
        for row in range(30):
            draw.text((140, 260 + row * 46), "Ủy ban nhân dân tỉnh Đồng Nai đề nghị các sở, ban, ngành thực hiện",
                      font=font, fill=40)
        image.save(folder / f"{n:02d}.png")
    return folder


def _world(app, tmp_path):
    """Two cleared readers, an archivist, a digitised open file granted to the first reader."""
    with app.test_request_context(base_url=app.config["LIVE_URL"]):
        admin, _ = accounts.create_staff("admin@e2e.vn", "admin", "Quản Trị", PASSWORD)
        archivist, _ = accounts.create_staff("luutru@e2e.vn", "archivist", "Cán Bộ Lưu Trữ", PASSWORD)
        readers = []
        for email, name, ident in (("doc.gia@e2e.vn", "Trần Thị Bích Ngọc", "079201012345"),
                                   ("nguoi.khac@e2e.vn", "Lê Văn Khác", "079201054321")):
            reader = accounts.register_reader({
                "email": email, "password": PASSWORD, "password_confirm": PASSWORD, "full_name": name,
                "id_kind": "cccd", "id_number": ident, "consents": ["account"]})
            accounts.confirm_email(accounts.make_confirm_token(reader))
            accounts.set_clearance(admin, reader, "cleared")
            readers.append(reader)
        from portal.models import Fonds

        fonds = Fonds(code="UBND-DN", name="Ủy ban nhân dân tỉnh Đồng Nai")
        record = RecordFile(fonds=fonds, file_code="UBND-DN.2020.015", inventory_no="1", box_no="3", file_no="15",
                            title="Hồ sơ triển khai quy định về công tác lưu trữ", retention="01", mode="01")
        db.session.add(record)
        db.session.commit()
        records.attach_scan(admin, record, _scan(tmp_path / "scan", 3))
        requests.add_to_basket(readers[0], record.id)
        request = requests.submit_request(readers[0], {"purpose": "01", "research_topic": "Lịch sử lưu trữ",
                                                       "fee_category": "10"}, None, "e2e-token")
        item = request.items[0]
        requests.decide(archivist, item, "approve")
        copy = db.session.scalar(select(ReadingCopy).where(ReadingCopy.item_id == item.id))
        assert copy.status == "ready"
        return item.id, copy.id


def _login(page, base: str, email: str) -> None:
    page.goto(f"{base}/tai-khoan/dang-nhap")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/dang-nhap" not in page.url


def test_approved_reader_reads_in_the_viewer_and_another_reader_is_refused(live_app, browser, artifacts, tmp_path):
    item_id, copy_id = _world(live_app, tmp_path)
    base = live_app.config["LIVE_URL"]
    context = browser.new_context(viewport={"width": 1200, "height": 1400}, accept_downloads=False)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _login(page, base, "doc.gia@e2e.vn")
    page.goto(f"{base}/doc/{item_id}")
    page.wait_for_selector("body[data-viewer-ready='1']", timeout=20_000)
    page.wait_for_selector(".page canvas", timeout=20_000)
    page.wait_for_function("""() => {
        const c = document.querySelector('.page canvas');
        if (!c || !c.width) return false;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let dark = 0;
        for (let i = 0; i < d.length; i += 4 * 97) if (d[i] < 128) dark++;
        return dark > 50;
    }""", timeout=20_000)
    assert page.locator("#pageCount").inner_text() == "3"
    page.screenshot(path=str(artifacts / "viewer-page1.png"))

    # Keyboard navigation to page 2.
    page.locator("#viewerContainer").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.getElementById('pageNumber').value === '2'", timeout=10_000)
    page.screenshot(path=str(artifacts / "viewer-page2.png"))

    # Nothing offers a download, print or open.
    assert page.locator("a[download]").count() == 0
    for word in ("download", "print", "openFile", "secondaryToolbar"):
        assert page.locator(f"#{word}, [id*='{word}' i]").count() == 0
    assert not [e for e in errors if "Content Security Policy" in e], errors

    # Another logged-in reader asking for the same PDF gets no bytes.
    other = browser.new_context()
    other_page = other.new_page()
    _login(other_page, base, "nguoi.khac@e2e.vn")
    response = other_page.request.get(f"{base}/ban-doc/{copy_id}.pdf")
    assert response.status == 404 and not response.body().startswith(b"%PDF")
    # While the owner still gets it, by ranges.
    own = page.request.get(f"{base}/ban-doc/{copy_id}.pdf", headers={"Range": "bytes=0-99"})
    assert own.status == 206 and own.body().startswith(b"%PDF")
    other.close()
    context.close()


def test_the_reader_searches_inside_the_copy_and_sees_the_words_boxed(live_app, browser, artifacts, tmp_path):
    """Search box → hits by page with snippets → jump between them → boxes over the page image.

    The pages are read by the real OCR job; the copy itself has no text layer.
    """
    from portal.services import ocr
    from watermark import ocr as recogniser

    if recogniser.unavailable_reason() is not None:
        pytest.skip("Tesseract's Vietnamese model is not installed")
    item_id, copy_id = _world(live_app, tmp_path)
    with live_app.app_context():
        record_id = db.session.scalar(select(RecordFile.id))
        ocr.recognise_file(record_id)
        copy = db.session.get(ReadingCopy, copy_id)
        from portal.services.reading import copy_path

        assert "/Font" not in copy_path(copy).read_bytes().decode("latin-1")  # image-only copy
    base = live_app.config["LIVE_URL"]
    context = browser.new_context(viewport={"width": 1200, "height": 1400}, accept_downloads=False)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _login(page, base, "doc.gia@e2e.vn")
    page.goto(f"{base}/doc/{item_id}")
    page.wait_for_selector("body[data-viewer-ready='1']", timeout=20_000)
    page.fill("#findText", "Đồng Nai")
    page.click("#findForm button[type=submit]")
    page.wait_for_selector("#findHits li", timeout=20_000)
    assert page.locator("#findHits li").count() == 3  # every page says it
    assert "trang 1:" in page.locator("#findHits li").first.inner_text()
    assert page.locator("#findHits li mark").first.inner_text() in ("Đồng", "Nai")
    page.wait_for_selector(".page[data-page-number='1'] .find-layer .find-box", timeout=20_000)
    boxes = page.locator(".page[data-page-number='1'] .find-layer .find-box")
    assert boxes.count() >= 30 * 2 - 4  # "Đồng Nai" on (nearly) every one of the 30 lines
    box = boxes.first.bounding_box()
    canvas = page.locator(".page[data-page-number='1'] canvas").bounding_box()
    assert canvas["x"] < box["x"] < canvas["x"] + canvas["width"] and box["width"] > 5
    page.screenshot(path=str(artifacts / "viewer-search.png"))
    page.click("#findNext")
    page.wait_for_function("() => document.getElementById('pageNumber').value === '2'", timeout=10_000)
    page.wait_for_selector(".page[data-page-number='2'] .find-layer.current .find-box", timeout=20_000)
    page.screenshot(path=str(artifacts / "viewer-search-page2.png"))
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()
