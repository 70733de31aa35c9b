"""Online exhibitions: sanitising, image checks, ordering, publishing, the classified/conditional
rules, the link into the request basket, the admin's setting for archivists, and the demo."""
from __future__ import annotations

import io
import re
import struct
import zlib
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from sqlalchemy import func, select

from portal import create_app
from portal.extensions import db
from portal.models import (
    AuditEvent, BasketEntry, Exhibition, ExhibitionImage, ExhibitionItem, ExhibitionSection, PageScan, RecordFile,
)
from demo.exhibitions import create_demo_exhibitions
from portal.errors import ValidationError
from portal.services import exhibitions as svc

from .conftest import PASSWORD

ADMIN_BASE = "/nghiep-vu/trien-lam"


# --- helpers ---------------------------------------------------------------------------

def picture(fmt: str = "JPEG", size: tuple[int, int] = (800, 600), color: str = "white", exif: bool = False) -> bytes:
    """An image file in memory; with ``exif``, it carries an author, a GPS position and an orientation."""
    image = Image.new("RGB", size, color)
    ImageDraw.Draw(image).rectangle((size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2), fill="navy")
    buffer = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x013B] = "Secret Photographer"  # Artist
        data[0x0112] = 1  # Orientation
        data[0x8825] = {1: "N", 2: (10.0, 57.0, 0.0)}  # GPS
        kwargs["exif"] = data.tobytes()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def png_bomb(width: int = 60_000, height: int = 60_000) -> bytes:
    """A tiny PNG whose header claims billions of pixels (a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + \
        chunk(b"IEND", b"")


def add_scan(app, record: RecordFile, pages: int = 2, kind: str = "images") -> RecordFile:
    """Give a catalogued file a stored scan: JPEG page images, or a PDF."""
    with app.app_context():
        stored = db.session.get(RecordFile, record.id)
        relative = f"scans/{stored.id}-test"
        folder = Path(app.config["DATA_DIR"]) / relative
        folder.mkdir(parents=True)
        images = []
        for number in range(1, pages + 1):
            page = Image.new("RGB", (620, 880), (236, 230, 214))
            draw = ImageDraw.Draw(page)
            draw.text((60, 60), f"{stored.file_code} trang {number}", fill="black")
            draw.rectangle((60, 120, 560, 800), outline="black")
            images.append(page)
            if kind == "images":
                page.convert("L").save(folder / f"p{number:04d}.jpg", "JPEG")
            stored.page_scans.append(PageScan(page_no=number, source_name=f"p{number:04d}.jpg" if kind == "images"
                                              else None, width=620, height=880))
        if kind == "pdf":
            images[0].save(folder / "original.pdf", "PDF", save_all=True, append_images=images[1:], resolution=72)
        stored.scan_kind, stored.scan_path, stored.scan_pages, stored.pages = kind, relative, pages, pages
        db.session.commit()
        db.session.refresh(stored)
        db.session.expunge(stored)
        return stored


@pytest.fixture
def admin(make_user):
    return make_user(role="admin")


@pytest.fixture
def scanned(app, make_file):
    """Factory: a digitised file in the given mode."""
    def make(mode: str = "01", pages: int = 2, kind: str = "images", **fields) -> RecordFile:
        return add_scan(app, make_file(mode=mode, **fields), pages, kind)

    return make


def build(app, actor, files: list[RecordFile] = (), publish: bool = True, featured: bool = False,
          slug: str = "thanh-hoa-xua-va-nay", **fields) -> int:
    """An exhibition with a cover, one section and a file item (page 1) per file; returns its id."""
    with app.test_request_context():
        exhibition = svc.save_exhibition(actor, {
            "slug": slug, "title": fields.get("title", "Thanh Hóa xưa và nay"),
            "title_en": fields.get("title_en"),
            "summary": fields.get("summary", "Tài liệu lưu trữ kể chuyện một vùng đất qua các thời kỳ."),
            "summary_en": fields.get("summary_en"),
        }, cover=io.BytesIO(picture()))
        section = svc.save_section(actor, exhibition, {"title": "Phần một", "body": "<p>Mở đầu</p>"})
        for record in files:
            svc.save_file_item(actor, section, {"file_code": record.file_code, "page_no": "1",
                                                "page_publishable": record.mode == "02"})
        if not files:
            svc.save_image_item(actor, section, {"caption": "Ảnh tư liệu", "credit": "Lưu trữ tỉnh"},
                                upload=io.BytesIO(picture(color="beige")))
        if publish:
            svc.set_published(actor, exhibition, True)
        if featured:
            svc.set_featured(actor, exhibition, True)
        return exhibition.id


def fetch(client, url: str):
    """GET a picture and close the response (its file), keeping status, headers and type."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def image_urls(html: str) -> list[str]:
    return re.findall(r'(/trien-lam/anh/[0-9a-f]+/[\w.]+)', html)


@pytest.fixture
def plain_app(tmp_path):
    """An app for checks that need configuration but no database (runs once, not per backend)."""
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
                      "DATA_DIR": str(tmp_path / "data")})
    with app.app_context():
        yield app


# --- rich text -----------------------------------------------------------------------------

def test_sanitiser_removes_scripts_event_handlers_and_unknown_tags():
    dirty = ('<h2 onclick="steal()">Lời mở đầu</h2><script>alert(1)</script>'
             '<p style="color:red" onmouseover="x()">Văn bản <strong>gốc</strong> <em>năm 1976</em>'
             '<a href="javascript:alert(1)">xấu</a> <a href="https://luutru.vn/a" onclick="y()">tốt</a>'
             '<img src=x onerror="alert(2)"><iframe src="https://evil"></iframe></p>'
             '<ul><li>một</li></ul><blockquote>trích</blockquote><style>p{}</style>')
    clean = svc.sanitize_html(dirty)
    for gone in ("<script", "alert(1)", "onclick", "onmouseover", "onerror", "style", "javascript:", "<img",
                 "<iframe", "steal"):
        assert gone not in clean, gone
    for kept in ("<h2>Lời mở đầu</h2>", "<strong>gốc</strong>", "<em>năm 1976</em>", 'href="https://luutru.vn/a"',
                 "<ul><li>một</li></ul>", "<blockquote>trích</blockquote>"):
        assert kept in clean, kept


def test_section_text_is_sanitised_when_saved_and_shown(app, client, admin, login_as):
    exhibition_id = build(app, admin, publish=False)
    login_as(admin)
    section_id = db_section_ids(app, exhibition_id)[0]
    response = client.post(f"{ADMIN_BASE}/phan/{section_id}/sua", data={
        "title": "Phần một", "body": '<p onclick="alert(1)">Bản đồ <script>document.cookie</script>'
                                     '<a href="/ho-so/1" onmouseover="x()">xem</a></p>',
        "body_en": "<p>Map<script>alert(2)</script></p>"})
    assert response.status_code == 302
    with app.app_context():
        section = db.session.get(ExhibitionSection, section_id)
        assert section.body == '<p>Bản đồ <a href="/ho-so/1" rel="noopener noreferrer nofollow">xem</a></p>'
        assert section.body_en == "<p>Map</p>"
    page = client.get("/trien-lam/thanh-hoa-xua-va-nay").get_data(as_text=True)
    assert "Bản đồ" in page and "document.cookie" not in page and "onclick" not in page


# --- images ------------------------------------------------------------------------------

@pytest.mark.parametrize("data, message", [
    (b"<?php system($_GET['c']); ?>", "không phải ảnh JPEG, PNG hoặc WebP"),
    (picture("GIF"), "không phải ảnh JPEG, PNG hoặc WebP"),
    (picture("JPEG", (500, 500))[:1500], "không phải ảnh JPEG, PNG hoặc WebP"),  # truncated
    (png_bomb(), "quá nhiều điểm ảnh"),
    (png_bomb(10_000, 10_000), "quá nhiều điểm ảnh"),  # above Pillow's warning limit
    (picture("PNG", (700, 700)), "quá nhiều điểm ảnh"),  # above our configured limit (below)
    (b"\xff" * 3000, "quá lớn: tối đa"),  # above the configured size (below)
])
def test_bad_images_are_refused_with_a_clear_message(plain_app, data, message):
    plain_app.config["EXHIBITION_IMAGE_MAX_PIXELS"] = 400_000
    plain_app.config["EXHIBITION_IMAGE_MAX_BYTES"] = 2000 if data.startswith(b"\xff" * 8) else 10_000_000
    with plain_app.test_request_context(), pytest.raises(ValidationError) as caught:
        svc.open_checked_image(svc.read_upload(io.BytesIO(data), "cover"), "cover")
    assert list(caught.value.fields) == ["cover"]
    assert message in caught.value.fields["cover"][0]
    if "điểm ảnh" in message:
        assert "tối đa 0,4 triệu" in caught.value.fields["cover"][0]


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_derivatives_are_resized_once_stripped_of_metadata_and_stamped(plain_app, tmp_path, fmt):
    tmp_path = tmp_path / "derivatives"
    tmp_path.mkdir()
    data = picture(fmt, (1200, 900), exif=fmt == "JPEG")
    if fmt == "JPEG":
        assert Image.open(io.BytesIO(data)).getexif().get(0x013B) == "Secret Photographer"
    with plain_app.test_request_context():
        image = svc.open_checked_image(data)
        widths, width, height = svc.write_derivatives(image, tmp_path)
    assert widths == [480, 960, 1200] and (width, height) == (1200, 900)  # never upscaled past the original
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["thumb.webp", "w1200.webp", "w480.webp", "w960.webp"]
    for path in tmp_path.iterdir():
        with Image.open(path) as derivative:
            assert derivative.format == "WEBP"
            assert not derivative.getexif() and "exif" not in derivative.info and "xmp" not in derivative.info
            assert "icc_profile" not in derivative.info
    with Image.open(tmp_path / "w480.webp") as small:
        assert small.size == (480, 360)
        rgb = small.convert("RGB")
        corner = [rgb.getpixel((x, y)) for x in range(400, 475) for y in range(345, 355)]
        assert min(sum(p) for p in corner) < 450  # the archive's name on a dark band, bottom right
        assert sum(rgb.getpixel((20, 20))) > 740  # the rest is untouched (white)
    with Image.open(tmp_path / "thumb.webp") as thumb:
        assert max(thumb.size) == 320


def test_upload_through_the_form_refuses_a_fake_image_and_keeps_what_was_typed(app, client, admin, login_as):
    login_as(admin)
    response = client.post(f"{ADMIN_BASE}/moi", data={
        "title": "Biên Hòa 1956–1975", "slug": "bien-hoa", "summary": "Một tóm tắt đủ dài để hợp lệ.",
        "cover": (io.BytesIO(b"GIF89a not really"), "anh-bia.jpg")}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "không phải ảnh JPEG, PNG hoặc WebP" in html
    assert 'value="Biên Hòa 1956–1975"' in html and 'value="bien-hoa"' in html and "Một tóm tắt đủ dài" in html
    with app.app_context():
        assert db.session.scalar(select(func.count(Exhibition.id))) == 0
        assert db.session.scalar(select(func.count(ExhibitionImage.id))) == 0
    assert not any((Path(app.config["DATA_DIR"]) / "exhibitions").glob("*"))


def test_valid_cover_with_a_bad_field_asks_to_choose_the_picture_again(app, client, admin, login_as):
    login_as(admin)
    response = client.post(f"{ADMIN_BASE}/moi", data={
        "title": "Biên Hòa", "slug": "Có Dấu!", "summary": "Một tóm tắt đủ dài để hợp lệ.",
        "cover": (io.BytesIO(picture()), "anh.jpg")}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "chữ thường không dấu" in html and "hãy chọn lại ảnh bìa" in html
    assert not any((Path(app.config["DATA_DIR"]) / "exhibitions").glob("*"))  # nothing left behind


def test_duplicate_slug_is_refused(app, client, admin, login_as):
    build(app, admin, publish=False)
    login_as(admin)
    response = client.post(f"{ADMIN_BASE}/moi", data={
        "title": "Một triển lãm khác", "slug": "thanh-hoa-xua-va-nay", "summary": "Tóm tắt cho triển lãm khác."})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "đã được dùng cho triển lãm khác" in html
    assert 'value="Một triển lãm khác"' in html
    with app.app_context():
        assert db.session.scalar(select(func.count(Exhibition.id))) == 1
    # A blank slug is made from the Vietnamese title.
    response = client.post(f"{ADMIN_BASE}/moi", data={"title": "Đồng Nai xưa và nay", "slug": "",
                                                      "summary": "Tóm tắt cho triển lãm khác."})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Exhibition.slug).where(Exhibition.title == "Đồng Nai xưa và nay")) \
            == "dong-nai-xua-va-nay"


# --- building, ordering, the audit trail ----------------------------------------------------

def db_section_ids(app, exhibition_id: int) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(ExhibitionSection.id).where(
            ExhibitionSection.exhibition_id == exhibition_id).order_by(ExhibitionSection.position)))


def db_item_ids(app, section_id: int) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(ExhibitionItem.id).where(
            ExhibitionItem.section_id == section_id).order_by(ExhibitionItem.position)))


def test_staff_build_an_exhibition_and_order_sections_and_items(app, client, admin, login_as, scanned):
    files = [scanned(title=f"Hồ sơ trưng bày {n}") for n in range(3)]
    login_as(admin)
    response = client.post(f"{ADMIN_BASE}/moi", data={
        "title": "Thanh Hóa xưa và nay", "title_en": "Thanh Hóa then and now", "slug": "thanh-hoa",
        "summary": "Triển lãm tài liệu lưu trữ.", "cover": (io.BytesIO(picture()), "bia.png")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        exhibition_id = db.session.scalar(select(Exhibition.id))
    for title in ("Một", "Hai", "Ba"):
        assert client.post(f"{ADMIN_BASE}/{exhibition_id}/phan/moi",
                           data={"title": f"Phần {title}", "body": "<p>…</p>"}).status_code == 302
    first, second, third = db_section_ids(app, exhibition_id)
    for record in files:
        assert client.post(f"{ADMIN_BASE}/phan/{first}/ho-so/moi",
                           data={"file_code": record.file_code, "page_no": "2"}).status_code == 302
    assert client.post(f"{ADMIN_BASE}/phan/{first}/anh/moi", data={
        "caption": "Ảnh trụ sở", "credit": "Ảnh: Lưu trữ tỉnh", "image": (io.BytesIO(picture("WEBP")), "a.webp")},
        content_type="multipart/form-data").status_code == 302
    items = db_item_ids(app, first)
    assert len(items) == 4

    # Sections: move the third up, then the first (now) up at the top does nothing.
    assert client.post(f"{ADMIN_BASE}/phan/{third}/len").status_code == 302
    assert db_section_ids(app, exhibition_id) == [first, third, second]
    client.post(f"{ADMIN_BASE}/phan/{first}/len")
    client.post(f"{ADMIN_BASE}/phan/{second}/xuong")
    assert db_section_ids(app, exhibition_id) == [first, third, second]
    # Items: the image (last) up twice, the first down once.
    client.post(f"{ADMIN_BASE}/muc/{items[3]}/len")
    client.post(f"{ADMIN_BASE}/muc/{items[3]}/len")
    assert db_item_ids(app, first) == [items[0], items[3], items[1], items[2]]
    client.post(f"{ADMIN_BASE}/muc/{items[0]}/xuong")
    assert db_item_ids(app, first) == [items[3], items[0], items[1], items[2]]
    # Deleting renumbers what is left; the public page shows the new order.
    client.post(f"{ADMIN_BASE}/muc/{items[1]}/xoa")
    client.post(f"{ADMIN_BASE}/phan/{second}/xoa")
    assert db_item_ids(app, first) == [items[3], items[0], items[2]]
    with app.app_context():
        positions = db.session.scalars(select(ExhibitionItem.position).where(ExhibitionItem.section_id == first)
                                       .order_by(ExhibitionItem.position)).all()
        assert positions == [0, 1, 2]
    manage = client.get(f"{ADMIN_BASE}/{exhibition_id}").get_data(as_text=True)
    assert manage.index("Phần Một") < manage.index("Phần Ba") and "Phần Hai" not in manage
    preview = client.get("/trien-lam/thanh-hoa").get_data(as_text=True)
    assert preview.index("Ảnh trụ sở") < preview.index(files[0].title) < preview.index(files[2].title)
    assert files[1].title not in preview

    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "exhibition", AuditEvent.object_id == str(exhibition_id))).all()
    assert actions.count("exhibition.create") == 1 and actions.count("exhibition.section_add") == 3
    assert actions.count("exhibition.item_add") == 4
    assert actions.count("exhibition.section_move") == 1  # the moves at either end changed nothing
    assert actions.count("exhibition.item_move") == 3 and "exhibition.item_delete" in actions
    assert "exhibition.section_delete" in actions


def test_a_chosen_page_becomes_a_web_derivative_from_images_and_from_pdf(app, admin, scanned):
    jpeg_file = scanned(pages=3)
    pdf_file = scanned(pages=3, kind="pdf")
    with app.test_request_context():
        exhibition = svc.save_exhibition(admin, {"slug": "trang", "title": "Trang tài liệu",
                                                 "summary": "Các trang được chọn."})
        section = svc.save_section(admin, exhibition, {"title": "Trang"})
        from_jpeg = svc.save_file_item(admin, section, {"file_code": jpeg_file.file_code, "page_no": "3"})
        from_pdf = svc.save_file_item(admin, section, {"file_code": pdf_file.file_code, "page_no": "2"})
        # An image page is never upscaled; a PDF page is rendered at the largest web width.
        for item, widths in ((from_jpeg, [480, 620]), (from_pdf, [480, 960, 1600])):
            assert item.image is not None and item.image.file_id == item.file_id and item.image.page_no == item.page_no
            assert item.image.widths == widths
            folder = Path(app.config["DATA_DIR"]) / "exhibitions" / item.image.key
            assert sorted(p.name for p in folder.iterdir()) == sorted(["thumb.webp"] + [f"w{w}.webp" for w in widths])
        # Choosing another page replaces the derivative; the old one is deleted.
        old_key = from_jpeg.image.key
        svc.save_file_item(admin, section, {"file_code": jpeg_file.file_code, "page_no": "1"}, from_jpeg)
        assert from_jpeg.image.key != old_key
        assert not (Path(app.config["DATA_DIR"]) / "exhibitions" / old_key).exists()
        with pytest.raises(ValidationError) as caught:
            svc.save_file_item(admin, section, {"file_code": jpeg_file.file_code, "page_no": "9"})
        assert "chọn một trang từ 1 đến 3" in caught.value.fields["page_no"][0]


# --- publishing and featuring ---------------------------------------------------------------

def test_drafts_are_previewed_by_editors_only_and_publishing_needs_a_cover(app, client, admin, make_user,
                                                                           login_as, scanned):
    record = scanned()
    with app.test_request_context():
        exhibition = svc.save_exhibition(admin, {"slug": "nhap", "title": "Bản nháp", "summary": "Chưa công bố."})
        section = svc.save_section(admin, exhibition, {"title": "Phần"})
        svc.save_file_item(admin, section, {"file_code": record.file_code, "page_no": "1"})
        with pytest.raises(ValidationError, match="Chưa có ảnh bìa"):
            svc.set_published(admin, exhibition, True)
        exhibition_id = exhibition.id
        item_image = section.items[0].image

    assert client.get("/trien-lam/nhap").status_code == 404
    draft_image = f"/trien-lam/anh/{item_image.key}/thumb.webp"
    assert fetch(client, draft_image).status_code == 404
    reader = make_user()
    login_as(reader)
    assert client.get("/trien-lam/nhap").status_code == 404
    client.post("/tai-khoan/dang-xuat")
    login_as(admin)
    preview = client.get("/trien-lam/nhap")
    assert preview.status_code == 200 and "Bản xem trước" in preview.get_data(as_text=True)
    assert preview.headers["Cache-Control"] == "private, no-store"
    draft = fetch(client, draft_image)
    assert draft.status_code == 200 and draft.headers["Cache-Control"] == "private, no-store"
    assert "Chưa có ảnh bìa" in client.get(f"{ADMIN_BASE}/{exhibition_id}").get_data(as_text=True)
    refused = client.post(f"{ADMIN_BASE}/{exhibition_id}/cong-bo", follow_redirects=True)
    assert "Chưa thể công bố" in refused.get_data(as_text=True)

    # Use the page as the cover, then publish.
    client.post(f"{ADMIN_BASE}/muc/{db_item_ids(app, db_section_ids(app, exhibition_id)[0])[0]}/anh-bia")
    client.post(f"{ADMIN_BASE}/{exhibition_id}/cong-bo")
    client.post("/tai-khoan/dang-xuat")
    page = client.get("/trien-lam/nhap")
    assert page.status_code == 200 and "Bản xem trước" not in page.get_data(as_text=True)
    served = fetch(client, draft_image)
    assert served.status_code == 200 and served.mimetype == "image/webp"
    # A picture of a catalogue page: cached for an hour only, so a withdrawal (reclassification) reaches shared caches.
    assert served.headers["Cache-Control"] == "public, max-age=3600"
    assert fetch(client, f"/trien-lam/anh/{item_image.key}/original.pdf").status_code == 404
    assert fetch(client, f"/trien-lam/anh/{item_image.key}/..%2F..%2Fsecret_key").status_code == 404
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "exhibition")).all()
    assert "exhibition.cover" in actions and "exhibition.publish" in actions


def test_only_published_featured_exhibitions_are_on_the_home_page(app, client, admin, login_as):
    featured = build(app, admin, slug="noi-bat", title="Triển lãm nổi bật số một", featured=True)
    build(app, admin, slug="thuong", title="Triển lãm thường")
    draft = build(app, admin, slug="nhap", title="Triển lãm nháp", publish=False, featured=True)
    home = client.get("/").get_data(as_text=True)
    assert "Triển lãm nổi bật số một" in home and "Triển lãm thường" not in home and "Triển lãm nháp" not in home
    index = client.get("/trien-lam").get_data(as_text=True)
    assert "Triển lãm nổi bật số một" in index and "Triển lãm thường" in index and "Triển lãm nháp" not in index
    assert index.index("Triển lãm nổi bật số một") < index.index("Triển lãm thường")
    assert 'href="/trien-lam"' in home  # the nav link

    login_as(admin)
    client.post(f"{ADMIN_BASE}/{featured}/go-bo")
    client.post(f"{ADMIN_BASE}/{draft}/cong-bo")
    client.post("/tai-khoan/dang-xuat")
    home = client.get("/").get_data(as_text=True)
    assert "Triển lãm nổi bật số một" not in home and "Triển lãm nháp" in home
    assert client.get("/trien-lam/noi-bat").status_code == 404
    login_as(admin)
    client.post(f"{ADMIN_BASE}/{draft}/bo-noi-bat")
    assert "Triển lãm nháp" not in client.get("/").get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "exhibition")).all()
    for action in ("exhibition.publish", "exhibition.unpublish", "exhibition.feature", "exhibition.unfeature"):
        assert action in actions


def test_exhibition_page_has_share_metadata_and_responsive_lazy_images(app, client, admin, scanned):
    build(app, admin, [scanned()], summary="Những trang tài liệu <đặc biệt> của tỉnh.")
    html = client.get("/trien-lam/thanh-hoa-xua-va-nay").get_data(as_text=True)
    assert '<meta property="og:title" content="Thanh Hóa xưa và nay">' in html
    assert '<meta property="og:description" content="Những trang tài liệu &lt;đặc biệt&gt; của tỉnh.">' in html
    og_image = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1)
    assert og_image.startswith("http://localhost/trien-lam/anh/") and og_image.endswith("w800.webp")
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert 'srcset="' in html and " 480w, " in html and 'sizes="' in html
    assert html.count('loading="lazy"') >= 1 and 'fetchpriority="high"' in html  # the cover loads first
    for url in set(image_urls(html)):
        assert fetch(client, url).status_code == 200, url
    # Ready for a strict CSP: no style attributes, no inline script (only <script src=…>).
    assert "style=" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)


def test_english_version_is_shown_when_the_ui_is_english(app, client, admin):
    build(app, admin, title="Thanh Hóa xưa và nay", title_en="Thanh Hóa then and now",
          summary="Tóm tắt tiếng Việt của triển lãm.", summary_en="The English summary of the exhibition.")
    vietnamese = client.get("/trien-lam/thanh-hoa-xua-va-nay").get_data(as_text=True)
    assert "Thanh Hóa xưa và nay" in vietnamese and "then and now" not in vietnamese
    client.get("/lang/en")
    english = client.get("/trien-lam/thanh-hoa-xua-va-nay").get_data(as_text=True)
    assert '<h1 lang="en">Thanh Hóa then and now</h1>' in english
    assert "The English summary of the exhibition." in english
    assert '<h2 lang="vi">Phần một</h2>' in english  # no English section title: Vietnamese, marked as such


# --- classified and conditional files -----------------------------------------------------------

def test_a_classified_file_can_never_be_placed_in_an_exhibition(app, client, admin, login_as, scanned):
    secret = scanned(mode="03", title="Hồ sơ MẬT về quốc phòng")
    exhibition_id = build(app, admin, publish=False)
    section_id = db_section_ids(app, exhibition_id)[0]
    login_as(admin)
    for page in ("1", ""):
        response = client.post(f"{ADMIN_BASE}/phan/{section_id}/ho-so/moi",
                               data={"file_code": secret.file_code, "page_no": page, "page_publishable": "y"})
        assert response.status_code == 400
        assert "Hồ sơ mật không bao giờ được đưa vào triển lãm" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(ExhibitionItem.id)).where(ExhibitionItem.file_id == secret.id)) == 0
        assert db.session.scalar(select(func.count(ExhibitionImage.id))
                                 .where(ExhibitionImage.file_id == secret.id)) == 0


def test_a_file_that_becomes_classified_disappears_from_the_exhibition(app, client, admin, scanned):
    record = scanned(title="Hồ sơ sẽ bị đóng dấu mật")
    build(app, admin, [record])
    html = client.get("/trien-lam/thanh-hoa-xua-va-nay").get_data(as_text=True)
    assert "Hồ sơ sẽ bị đóng dấu mật" in html
    with app.app_context():
        page_key = db.session.scalar(select(ExhibitionImage.key).where(ExhibitionImage.file_id == record.id))
        db.session.get(RecordFile, record.id).mode = "03"
        db.session.commit()
    html = client.get("/trien-lam/thanh-hoa-xua-va-nay").get_data(as_text=True)
    assert "Hồ sơ sẽ bị đóng dấu mật" not in html and record.file_code not in html and page_key not in html
    assert fetch(client, f"/trien-lam/anh/{page_key}/w480.webp").status_code == 404


def test_a_conditional_file_shows_a_page_only_when_staff_mark_it_publishable(app, client, admin, login_as,
                                                                                scanned):
    conditional = scanned(mode="02", title="Hồ sơ tiếp cận có điều kiện về đất đai")
    exhibition_id = build(app, admin)
    section_id = db_section_ids(app, exhibition_id)[0]
    login_as(admin)
    refused = client.post(f"{ADMIN_BASE}/phan/{section_id}/ho-so/moi",
                          data={"file_code": conditional.file_code, "page_no": "2"})
    assert refused.status_code == 400 and "được phép công bố" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(ExhibitionImage.id)).where(
            ExhibitionImage.file_id == conditional.id)) == 0
    # By its metadata only: no page image.
    assert client.post(f"{ADMIN_BASE}/phan/{section_id}/ho-so/moi",
                       data={"file_code": conditional.file_code, "page_no": ""}).status_code == 302
    client.post("/tai-khoan/dang-xuat")
    html = client.get("/trien-lam/thanh-hoa-xua-va-nay").get_data(as_text=True)
    assert "Hồ sơ tiếp cận có điều kiện về đất đai" in html and conditional.file_code in html
    with app.app_context():
        item = db.session.scalar(select(ExhibitionItem).where(ExhibitionItem.file_id == conditional.id))
        assert item.image is None
        item_id = item.id
    # With the page explicitly marked publishable: the page is shown.
    login_as(admin)
    edit_form = client.get(f"{ADMIN_BASE}/muc/{item_id}/sua").get_data(as_text=True)
    assert f'value="{conditional.file_code}"' in edit_form and 'name="page_publishable"' in edit_form
    assert client.post(f"{ADMIN_BASE}/muc/{item_id}/sua", data={
        "file_code": conditional.file_code, "page_no": "2", "page_publishable": "y"}).status_code == 302
    with app.app_context():
        key = db.session.get(ExhibitionItem, item_id).image.key
    client.post("/tai-khoan/dang-xuat")
    assert key in client.get("/trien-lam/thanh-hoa-xua-va-nay").get_data(as_text=True)
    assert fetch(client, f"/trien-lam/anh/{key}/w480.webp").status_code == 200
    # If the mark is lost (e.g. changed in the database), neither the page nor its image URL is shown.
    with app.app_context():
        db.session.get(ExhibitionItem, item_id).page_publishable = False
        db.session.commit()
    assert key not in client.get("/trien-lam/thanh-hoa-xua-va-nay").get_data(as_text=True)
    assert fetch(client, f"/trien-lam/anh/{key}/w480.webp").status_code == 404


# --- the link into the request basket ------------------------------------------------------------

def test_request_link_leads_a_visitor_through_login_into_the_basket(app, client, admin, make_user, scanned):
    record = scanned(title="Hồ sơ thành lập tỉnh năm 1976")
    build(app, admin, [record])
    reader = make_user()
    html = client.get("/trien-lam/thanh-hoa-xua-va-nay").get_data(as_text=True)
    link = re.search(r'href="(/trien-lam/thanh-hoa-xua-va-nay/muc/\d+/yeu-cau-doc)"', html).group(1)
    assert "Yêu cầu đọc hồ sơ này" in html

    to_login = client.get(link)
    assert to_login.status_code == 302 and "/tai-khoan/dang-nhap" in to_login.headers["Location"]
    next_url = re.search(r"next=([^&]+)", to_login.headers["Location"]).group(1)
    logged_in = client.post(f"/tai-khoan/dang-nhap?next={next_url}", data={"email": reader.email, "password": PASSWORD})
    assert logged_in.status_code == 302 and logged_in.headers["Location"] == link

    app.config["WTF_CSRF_ENABLED"] = True  # the real thing: a POST with the session's token
    confirm = client.get(link).get_data(as_text=True)
    assert "Hồ sơ thành lập tỉnh năm 1976" in confirm
    action = re.search(r'<form class="request-confirm" method="post" action="([^"]+)"', confirm).group(1)
    action = action.replace("&amp;", "&")
    token = re.search(r'name="csrf_token" value="([^"]+)"', confirm).group(1)
    assert action == f"/phieu-yeu-cau/gio/them/{record.id}?next=/phieu-yeu-cau/gio"
    assert client.post(action).status_code == 400  # no token, no change
    added = client.post(action, data={"csrf_token": token})
    assert added.status_code == 302 and added.headers["Location"] == "/phieu-yeu-cau/gio"
    basket = client.get("/phieu-yeu-cau/gio").get_data(as_text=True)
    assert "Hồ sơ thành lập tỉnh năm 1976" in basket
    with app.app_context():
        assert db.session.scalar(select(BasketEntry.file_id).where(BasketEntry.reader_id == reader.id)) == record.id
    # Back on the exhibition, a logged-in reader sees that the file is in the basket.
    assert "Hồ sơ đã có trong giỏ" in client.get("/trien-lam/thanh-hoa-xua-va-nay").get_data(as_text=True)


def test_logged_in_reader_posts_straight_into_the_basket(app, client, admin, make_user, login_as, scanned):
    record = scanned(mode="02", title="Hồ sơ có điều kiện trưng bày")
    build(app, admin, [record])
    login_as(make_user())
    html = client.get("/trien-lam/thanh-hoa-xua-va-nay").get_data(as_text=True)
    assert f'action="/phieu-yeu-cau/gio/them/{record.id}?next=/phieu-yeu-cau/gio"' in html
    assert client.post(f"/phieu-yeu-cau/gio/them/{record.id}?next=/phieu-yeu-cau/gio").status_code == 302
    assert "Hồ sơ có điều kiện trưng bày" in client.get("/phieu-yeu-cau/gio").get_data(as_text=True)


def test_request_page_is_404_for_items_that_are_not_requestable(app, client, admin, make_user, login_as, scanned):
    record = scanned()
    exhibition_id = build(app, admin, [record])
    other = build(app, admin, slug="khac", publish=False)
    item_id = db_item_ids(app, db_section_ids(app, exhibition_id)[0])[0]
    image_item = db_item_ids(app, db_section_ids(app, other)[0])[0]
    login_as(make_user())
    assert client.get(f"/trien-lam/thanh-hoa-xua-va-nay/muc/{item_id}/yeu-cau-doc").status_code == 200
    assert client.get(f"/trien-lam/khac/muc/{item_id}/yeu-cau-doc").status_code == 404  # draft, wrong exhibition
    assert client.get(f"/trien-lam/thanh-hoa-xua-va-nay/muc/{image_item}/yeu-cau-doc").status_code == 404


# --- who may edit ---------------------------------------------------------------------------------

def test_archivists_edit_exhibitions_only_when_the_admin_allows(app, client, admin, make_user, login_as):
    archivist, leader, reader = make_user(role="archivist"), make_user(role="leader"), make_user()
    for user in (archivist, leader, reader):
        login_as(user)
        assert client.get(ADMIN_BASE).status_code == 403
        assert client.get(f"{ADMIN_BASE}/moi").status_code == 403
        assert client.post(f"{ADMIN_BASE}/cai-dat", data={"archivists_may_edit": "y"}).status_code == 403
        client.post("/tai-khoan/dang-xuat")
    assert client.get(ADMIN_BASE).status_code == 302  # to the login page

    login_as(admin)
    assert 'href="/nghiep-vu/trien-lam"' in client.get("/nghiep-vu/").get_data(as_text=True)
    assert client.post(f"{ADMIN_BASE}/cai-dat", data={"archivists_may_edit": "y"}).status_code == 302
    client.post("/tai-khoan/dang-xuat")
    login_as(archivist)
    assert client.get(ADMIN_BASE).status_code == 200
    assert client.post(f"{ADMIN_BASE}/moi", data={"title": "Của cán bộ phòng đọc", "slug": "can-bo",
                                                  "summary": "Triển lãm do cán bộ tạo."}).status_code == 302
    assert client.post(f"{ADMIN_BASE}/cai-dat", data={}).status_code == 403  # the switch stays the admin's
    client.post("/tai-khoan/dang-xuat")
    login_as(leader)
    assert client.get(ADMIN_BASE).status_code == 403
    client.post("/tai-khoan/dang-xuat")

    login_as(admin)
    client.post(f"{ADMIN_BASE}/cai-dat", data={})
    client.post("/tai-khoan/dang-xuat")
    login_as(archivist)
    assert client.get(ADMIN_BASE).status_code == 403
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "exhibitions.settings")
                                    .order_by(AuditEvent.id)).all()
    assert [(e.from_state, e.to_state) for e in events] == [("off", "on"), ("on", "off")]


# --- the demo ------------------------------------------------------------------------------------

def test_demo_builds_two_published_exhibitions_one_featured(app, client, make_file):
    files = [add_scan(app, make_file(mode=mode, fonds_code=fonds, title=f"Hồ sơ mẫu {fonds} {n}",
                                     start_sort=date(1976 + n, 1, 1)), pages=2)
             for n, (mode, fonds) in enumerate([("01", "UBND-DN"), ("01", "UBND-DN"), ("02", "UBND-DN"),
                                                ("01", "UBND-DN"), ("01", "THC-BH"), ("02", "THC-BH"),
                                                ("03", "UBND-DN"), ("03", "THC-BH")])]
    make_file(mode="01", title="Hồ sơ chưa số hóa")
    lines = []
    with app.test_request_context():
        made = create_demo_exhibitions(echo=lines.append)
        assert len(made) == 2 and len(lines) == 2
        assert all(e.is_published and e.cover is not None for e in made)
        assert [e.is_featured for e in made] == [True, False]
        for exhibition in made:
            assert exhibition.title and exhibition.title_en and exhibition.summary_en
            assert all(s.title_en and s.body_en for s in exhibition.sections)
        items = db.session.scalars(select(ExhibitionItem)).all()
        used = {i.file_id for i in items if i.file_id}
        assert not used & {f.id for f in files if f.mode == "03"}  # never classified
        assert any(i.kind == "image" for i in items)
        for item in items:
            if item.file is not None and item.file.mode == "02":
                assert item.image is None and not item.page_publishable
        again = create_demo_exhibitions(echo=lines.append)
        assert again == [] and db.session.scalar(select(func.count(Exhibition.id))) == 2
    home = client.get("/").get_data(as_text=True)
    assert "Đồng Nai xưa và nay qua tài liệu lưu trữ" in home  # featured
    assert "Biên Hòa 1956–1975" not in home
    index = client.get("/trien-lam").get_data(as_text=True)
    assert "Biên Hòa 1956–1975" in index
    page = client.get("/trien-lam/dong-nai-xua-va-nay").get_data(as_text=True)
    for url in set(image_urls(page)):
        assert fetch(client, url).status_code == 200


def test_demo_does_nothing_without_open_digitised_files(app, make_file):
    make_file(mode="01")
    lines = []
    with app.test_request_context():
        assert create_demo_exhibitions(echo=lines.append) == []
    assert "Chưa đủ hồ sơ" in lines[0]
