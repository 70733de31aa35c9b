"""The viewer fetches only what it shows (issue 19), checked against the server's range log.

A 12-page copy is opened on a phone screen: the first page is painted after ranges covering
the head of the file and page 1 (and page 2, fetched ahead), never the whole file; a jump by
link to page 10 fetches page 10 and none of the pages between. The data-saver switch in the
viewer reloads it on the lighter file, and the log says so.
"""
from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import ReadingAccess, ReadingCopy, RecordFile
from portal.services import accounts, records, requests

from ..conftest import PASSWORD
from .test_viewer import _login, _scan

pytestmark = pytest.mark.e2e

INK = """(n) => {
    const c = document.querySelector(`.page[data-page-number="${n}"] canvas`);
    if (!c || !c.width) return false;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let dark = 0;
    for (let i = 0; i < d.length; i += 4 * 97) if (d[i] < 128) dark++;
    return dark > 50;
}"""


def _granted_copy(app, tmp_path, pages: int) -> tuple[int, int]:
    with app.test_request_context(base_url=app.config["LIVE_URL"]):
        admin, _ = accounts.create_staff("admin@e2e.vn", "admin", "Quản Trị", PASSWORD)
        archivist, _ = accounts.create_staff("luutru@e2e.vn", "archivist", "Cán Bộ Lưu Trữ", PASSWORD)
        reader = accounts.register_reader({
            "email": "doc.gia@e2e.vn", "password": PASSWORD, "password_confirm": PASSWORD,
            "full_name": "Trần Thị Bích Ngọc", "id_kind": "cccd", "id_number": "079201012345",
            "consents": ["account"]})
        accounts.confirm_email(accounts.make_confirm_token(reader))
        accounts.set_clearance(admin, reader, "cleared")
        from portal.models import Fonds

        record = RecordFile(fonds=Fonds(code="UBND-DN", name="Ủy ban nhân dân tỉnh Đồng Nai"),
                            file_code="UBND-DN.2020.015", inventory_no="1", box_no="3", file_no="15",
                            title="Hồ sơ triển khai quy định về công tác lưu trữ", retention="01", mode="01")
        db.session.add(record)
        db.session.commit()
        records.attach_scan(admin, record, _scan(tmp_path / "scan", pages))
        requests.add_to_basket(reader, record.id)
        request = requests.submit_request(reader, {"purpose": "01", "research_topic": "Lịch sử lưu trữ",
                                                   "fee_category": "10"}, None, "e2e-token")
        item = request.items[0]
        requests.decide(archivist, item, "approve")
        copy = db.session.scalar(select(ReadingCopy).where(ReadingCopy.item_id == item.id))
        assert copy.status == "ready"
        return item.id, copy.id


def _image_spans(path: Path) -> dict[int, tuple[int, int]]:
    """Page number → byte span of its image in the file (from the cross-reference table)."""
    raw = path.read_bytes()
    start = int(re.findall(rb"startxref\s+(\d+)", raw)[-1])
    header = re.match(rb"xref\s+0 (\d+)\s+", raw[start:])
    assert header, "a classic cross-reference table"
    entries = raw[start + header.end():]
    offsets = {n: int(entries[20 * n:20 * n + 10]) for n in range(int(header.group(1)))}
    spans = {}
    with pikepdf.open(path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            image = page.Resources.XObject.Im0
            begin = offsets[image.objgen[0]]
            spans[number] = (begin, begin + len(image.read_raw_bytes()))
    return spans


def _log(app, copy_id: int) -> list[ReadingAccess]:
    with app.app_context():
        rows = list(db.session.scalars(select(ReadingAccess).where(ReadingAccess.copy_id == copy_id)
                                       .order_by(ReadingAccess.id)))
        db.session.expunge_all()
        return rows


def _fetched(rows: list[ReadingAccess], spans: dict[int, tuple[int, int]]) -> set[int]:
    """Pages whose whole image was served in logged ranges (a chunk that only grazes a page's image,
    like the file's last chunk read for the cross-reference table, does not fetch that page)."""
    ranges = sorted((r.range_start, r.range_end) for r in rows if r.kind == "range")
    pages = set()
    for number, (begin, end) in spans.items():
        reached = begin
        for start, stop in ranges:
            if start <= reached < stop:
                reached = stop
        if reached >= end:
            pages.add(number)
    return pages


def test_the_viewer_fetches_the_pages_it_shows_and_the_next_never_the_file(live_app, browser, artifacts, tmp_path):
    item_id, copy_id = _granted_copy(live_app, tmp_path, 12)
    with live_app.app_context():
        copy = db.session.get(ReadingCopy, copy_id)
        data = Path(live_app.config["DATA_DIR"])
        path, saver_path, size = data / copy.path, data / copy.saver_path, copy.size_bytes
    spans = _image_spans(path)
    base = live_app.config["LIVE_URL"]
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    _login(page, base, "doc.gia@e2e.vn")

    page.goto(f"{base}/doc/{item_id}")
    page.wait_for_function(INK, arg=1, timeout=20_000)
    # The next page is fetched ahead while the reader reads the first (PDFViewer renders it ahead).
    page.wait_for_function(INK, arg=2, timeout=20_000)
    page.screenshot(path=str(artifacts / "viewer-ranges-phone.png"))
    rows = _log(live_app, copy_id)
    assert [r.kind for r in rows if r.kind not in ("open", "range")] == []  # never the whole file in one GET
    fetched = _fetched(rows, spans)
    assert {1, 2} <= fetched and not fetched & set(range(5, 13)), fetched
    served = sum(r.bytes_sent for r in rows)
    assert served < size / 2, (served, size)

    # A page by link: page 10 is fetched, none of the pages between.
    before = len(rows)
    page.evaluate("() => { window.location.hash = '#trang=10'; }")
    page.wait_for_function(INK, arg=10, timeout=20_000)
    assert page.locator("#pageNumber").input_value() == "10"
    later = _fetched(_log(live_app, copy_id)[before:], spans)
    assert 10 in later and not later & set(range(4, 9)), later

    # The data-saver switch: the viewer comes back on the same page, reading the lighter file.
    page.click("#dataSaver")
    page.wait_for_function(INK, arg=10, timeout=20_000)
    assert page.locator("#dataSaver").get_attribute("aria-pressed") == "true"
    assert page.locator("#pageNumber").input_value() == "10"
    saver_rows = [r for r in _log(live_app, copy_id) if r.kind == "range" and r.variant == "saver"]
    # Opened at page 10 by its address: page 10, and not the first page, which is never shown.
    saver_pages = _fetched(saver_rows, _image_spans(saver_path))
    assert 10 in saver_pages and not saver_pages & set(range(1, 9)), saver_pages
    context.close()
