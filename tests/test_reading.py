"""Reading copies: derivatives, watermarked copies, serving rules, logging, flags, purge."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont
from sqlalchemy import select

from portal.db import utcnow
from portal.extensions import db
from portal.models import Job, PageScan, ReadingAccess, ReadingCopy, ReadingFlag, RecordFile, RequestItem, User
from portal.services import records
from watermark import FONTS_DIR

from .conftest import login

FONT = FONTS_DIR / "DejaVuSerif.ttf"


def page_image(path: Path, text: str, color: bool = False) -> None:
    image = Image.new("RGB" if color else "L", (1240, 1754), (250, 245, 230) if color else 240)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 36)
    for n, y in enumerate(range(200, 1500, 60)):
        draw.text((120, y), f"{text} — dòng {n}: Ủy ban nhân dân tỉnh Đồng Nai", font=font,
                  fill=(20, 20, 120) if color else 20)
    image.save(path)


@pytest.fixture
def digitised(app, make_file, make_user, tmp_path):
    """A conditional... no: an open file with a 3-page image scan attached through the real service."""
    def make(pages: int = 3, mode: str = "01", color: bool = False) -> RecordFile:
        record = make_file(mode=mode)
        folder = tmp_path / f"scan-{record.id}"
        folder.mkdir()
        for n in range(1, pages + 1):
            page_image(folder / f"{n:02d}.png", f"Trang {n}", color=color)
        admin = make_user(role="admin")
        with app.test_request_context():
            records.attach_scan(db.session.get(User, admin.id), db.session.get(RecordFile, record.id), folder)
            return db.session.get(RecordFile, record.id)
    return make


def grant(app, client, reader, archivist, record) -> RequestItem:
    login(client, reader.email)
    client.post(f"/phieu-yeu-cau/gio/them/{record.id}")
    client.post("/phieu-yeu-cau/gio", data={"purpose": "01", "research_topic": "Lịch sử địa phương",
                                            "fee_category": "10", "submit_token": f"t{record.id}"})
    staff = app.test_client()
    login(staff, archivist.email)
    with app.app_context():
        item = db.session.scalar(select(RequestItem).where(RequestItem.file_id == record.id))
    assert staff.post(f"/nghiep-vu/muc/{item.id}/approve").status_code == 302
    with app.app_context():
        item = db.session.get(RequestItem, item.id)
        _ = item.request
        return item


def the_copy(app, item_id) -> ReadingCopy:
    with app.app_context():
        return db.session.scalar(select(ReadingCopy).where(ReadingCopy.item_id == item_id))


def test_derivatives_are_rendered_once_at_import_and_keep_grayscale(app, digitised):
    gray_file, color_file = digitised(pages=2), digitised(pages=1, color=True)
    root = Path(app.config["DATA_DIR"])
    with app.app_context():
        gray_pages = db.session.scalars(select(PageScan).where(PageScan.file_id == gray_file.id)).all()
        color_page = db.session.scalar(select(PageScan).where(PageScan.file_id == color_file.id))
    assert [p.gray for p in gray_pages] == [True, True] and color_page.gray is False
    for record, number, mode in ((gray_file, 1, "L"), (gray_file, 2, "L"), (color_file, 1, "RGB")):
        derivative = root / record.scan_path / f"pages/{number:04d}.jpg"
        thumb = root / record.scan_path / f"thumbs/{number:04d}.jpg"
        with Image.open(derivative) as image:
            assert image.mode == mode and image.width == 1240
        with Image.open(thumb) as image:
            assert image.width == 200


def test_pdf_scans_are_rendered_with_pdfium(app, make_file, make_user, tmp_path):
    pdf_path = tmp_path / "scan.pdf"
    images = [Image.new("L", (620, 877), 230) for _ in range(2)]
    images[0].save(pdf_path, "PDF", resolution=75, save_all=True, append_images=images[1:])
    record = make_file()
    admin = make_user(role="admin")
    with app.test_request_context():
        records.attach_scan(db.session.get(User, admin.id), db.session.get(RecordFile, record.id), pdf_path)
        stored = db.session.get(RecordFile, record.id)
        assert stored.scan_kind == "pdf" and all(abs(p.deriv_width - 1240) <= 1 for p in stored.page_scans)
        assert (Path(app.config["DATA_DIR"]) / stored.scan_path / "pages/0002.jpg").is_file()


def test_granting_builds_a_watermarked_copy_and_mails_the_reader(
        app, client, make_user, digitised, outbox):
    reader, archivist = make_user(full_name="Trần Thị Bích Ngọc"), make_user(role="archivist")
    record = digitised(pages=3)
    item = grant(app, client, reader, archivist, record)
    copy = the_copy(app, item.id)
    assert copy.status == "ready" and copy.pages == 3
    assert "Trần Thị Bích Ngọc" in copy.stamp_text and f"TK {reader.id}" in copy.stamp_text
    assert item.request.code in copy.stamp_text
    path = Path(app.config["DATA_DIR"]) / copy.path
    with pikepdf.open(path) as pdf:
        # Not linearised: pdf.js opens a plain file with fewer ranges (see watermark/assemble.py).
        assert not pdf.is_linearized and len(pdf.pages) == 3
        page = pdf.pages[0]
        images = page.get_images()
        assert list(images) == ["/Im0"] and "/Annots" not in page
        assert b"BT" not in page.Contents.read_bytes()  # no text objects: nothing to select or strip
        stamped = images["/Im0"]
        assert stamped.ColorSpace == "/DeviceGray"  # grayscale kept grayscale
        stamped_image = pikepdf.PdfImage(stamped).as_pil_image()
    derivative = Image.open(Path(app.config["DATA_DIR"]) / record.scan_path / "pages/0001.jpg")
    difference = ImageChops.difference(stamped_image.convert("L"), derivative.convert("L"))
    changed = difference.point(lambda v: 255 if v > 25 else 0).histogram()[255]
    assert changed > 20_000  # the tiled diagonal line is burned into the pixels
    bottom = stamped_image.crop((0, stamped_image.height - 60, stamped_image.width, stamped_image.height))
    assert bottom.convert("L").getextrema()[0] < 80  # the archive's name in the bottom margin
    assert any("sẵn sàng" in m["Subject"] for m in outbox() if m["To"] == reader.email)


def test_the_copy_is_served_only_to_its_reader_while_the_grant_is_active(app, client, make_user, digitised):
    reader, other, archivist = make_user(), make_user(), make_user(role="archivist")
    record = digitised(pages=2)
    item = grant(app, client, reader, archivist, record)
    copy = the_copy(app, item.id)
    url = f"/ban-doc/{copy.id}.pdf"

    viewer = client.get(f"/doc/{item.id}")
    assert viewer.status_code == 200
    csp = viewer.headers["Content-Security-Policy"]
    assert "'wasm-unsafe-eval'" in csp and "worker-src 'self'" in csp and "'unsafe-inline'" not in csp
    html = viewer.get_data(as_text=True)
    assert "download" not in html.lower() and 'id="print' not in html and "<script>" not in html

    with client.get(url) as full:
        assert full.status_code == 200 and full.data.startswith(b"%PDF")
        assert full.headers["Cache-Control"] == "private, no-store"
        assert full.headers["Content-Disposition"].startswith("inline")
        assert full.headers["X-Content-Type-Options"] == "nosniff"
    with client.get(url, headers={"Range": "bytes=0-1023"}) as part:
        assert part.status_code == 206 and len(part.data) == 1024
        assert part.headers["Content-Range"].startswith("bytes 0-1023/")

    for who in (other, archivist):
        stranger = app.test_client()
        login(stranger, who.email)
        with stranger.get(url) as refused:
            assert refused.status_code == 404 and b"%PDF" not in refused.data
        assert stranger.get(f"/doc/{item.id}").status_code == 404
    with app.test_client().get(url) as visitor:
        assert visitor.status_code == 302 and b"%PDF" not in visitor.data

    with app.app_context():
        kinds = db.session.scalars(select(ReadingAccess.kind).where(ReadingAccess.user_id == reader.id)).all()
        assert kinds.count("open") == 1 and kinds.count("range") == 1 and kinds.count("full") == 1
        sent = db.session.scalar(select(ReadingAccess.bytes_sent).where(ReadingAccess.kind == "range"))
        assert sent == 1024

    # The window ends: refused with no bytes, checked on access.
    with app.app_context():
        stored = db.session.get(RequestItem, item.id)
        stored.grant_ends_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    with client.get(url) as ended:
        assert ended.status_code == 403 and b"%PDF" not in ended.data
    assert client.get(f"/doc/{item.id}").status_code == 403
    with app.app_context():
        assert db.session.get(RequestItem, item.id).status == "expired"


def test_revoked_grant_is_refused(app, client, make_user, digitised):
    reader, archivist = make_user(), make_user(role="archivist")
    item = grant(app, client, reader, archivist, digitised(pages=1))
    staff = app.test_client()
    login(staff, archivist.email)
    staff.post(f"/nghiep-vu/muc/{item.id}/revoke", data={"reason": "Chia sẻ tài liệu trái phép"})
    copy = the_copy(app, item.id)
    with client.get(f"/ban-doc/{copy.id}.pdf") as response:
        assert response.status_code == 403
    assert copy.purge_after < utcnow() + timedelta(days=5, minutes=1)  # 5 days after the revocation


def test_reader_fetching_too_fast_is_flagged(app, client, make_user, digitised):
    app.config["READING_MAX_PAGES_PER_MINUTE"] = 2
    reader, archivist = make_user(), make_user(role="archivist")
    item = grant(app, client, reader, archivist, digitised(pages=3))
    copy = the_copy(app, item.id)
    for start in range(0, copy.size_bytes, 65536):
        client.get(f"/ban-doc/{copy.id}.pdf", headers={"Range": f"bytes={start}-{start + 65535}"}).close()
    with app.app_context():
        flags = db.session.scalars(select(ReadingFlag)).all()
        assert len(flags) == 1 and flags[0].user_id == reader.id and flags[0].pages_per_minute > 2
    staff = app.test_client()
    login(staff, archivist.email)
    assert reader.email in staff.get("/nghiep-vu/doc-truc-tuyen").get_data(as_text=True)


def test_copies_are_purged_five_days_after_the_window(app, client, make_user, digitised, runner):
    reader, archivist = make_user(), make_user(role="archivist")
    item = grant(app, client, reader, archivist, digitised(pages=1))
    copy = the_copy(app, item.id)
    path = Path(app.config["DATA_DIR"]) / copy.path
    assert copy.purge_after - item.grant_ends_at == timedelta(days=5)
    assert "purged=0" in runner.invoke(args=["requests", "purge"]).output and path.exists()
    with app.app_context():
        stored = db.session.get(ReadingCopy, copy.id)
        stored.purge_after = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert "purged=1" in runner.invoke(args=["requests", "purge"]).output
    assert not path.exists()
    with app.app_context():
        assert db.session.get(ReadingCopy, copy.id).status == "purged"


def test_a_failed_build_is_visible_to_staff_and_can_be_retried(app, client, make_user, digitised):
    reader, archivist = make_user(), make_user(role="archivist")
    record = digitised(pages=2)
    derivative = Path(app.config["DATA_DIR"]) / record.scan_path / "pages/0002.jpg"
    saved = derivative.read_bytes()
    derivative.unlink()  # the job will fail: a page derivative is missing
    item = grant(app, client, reader, archivist, record)
    html = client.get(f"/doc/{item.id}").get_data(as_text=True)
    assert "Chưa tạo được bản đọc" in html
    staff = app.test_client()
    login(staff, archivist.email)
    page = staff.get("/nghiep-vu/doc-truc-tuyen").get_data(as_text=True)
    assert record.file_code in page and "FileNotFoundError" in page
    with app.app_context():
        assert db.session.scalar(select(Job.status).where(Job.kind == "reading_copy.build")) == "failed"
    derivative.write_bytes(saved)
    copy = the_copy(app, item.id)
    assert staff.post(f"/nghiep-vu/doc-truc-tuyen/ban-doc/{copy.id}/tao-lai").status_code == 302
    assert the_copy(app, item.id).status == "ready"
    assert "pdfViewer" in client.get(f"/doc/{item.id}").get_data(as_text=True)


def test_staff_review_copies_carry_a_staff_watermark(app, make_user, digitised):
    archivist = make_user(role="archivist", full_name="Cán Bộ Kiểm Tra")
    record = digitised(pages=1, mode="02")
    staff = app.test_client()
    login(staff, archivist.email)
    assert "Tạo bản kiểm tra" in staff.get(f"/nghiep-vu/ho-so/{record.id}/xem").get_data(as_text=True)
    assert staff.post(f"/nghiep-vu/ho-so/{record.id}/xem").status_code == 302
    page = staff.get(f"/nghiep-vu/ho-so/{record.id}/xem")
    assert page.status_code == 200 and "Bản kiểm tra nghiệp vụ" in page.get_data(as_text=True)
    with app.app_context():
        copy = db.session.scalar(select(ReadingCopy).where(ReadingCopy.kind == "staff"))
        assert "Cán Bộ Kiểm Tra" in copy.stamp_text and "NGHIỆP VỤ" in copy.stamp_text
    with staff.get(f"/ban-doc/{copy.id}.pdf") as response:
        assert response.status_code == 200
    reader = make_user()
    other = app.test_client()
    login(other, reader.email)
    assert other.get(f"/nghiep-vu/ho-so/{record.id}/xem").status_code == 403
    with other.get(f"/ban-doc/{copy.id}.pdf") as response:
        assert response.status_code == 404
