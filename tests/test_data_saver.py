"""Lighter reading copies (issue 19): the encodings, the data saver's file, the reader's choice, the range log."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pikepdf
from PIL import Image
from sqlalchemy import select

from portal.extensions import db
from portal.models import ReadingAccess, ReadingCopy, User
from portal.services import reading
from portal.services.reading_log import for_reader
from watermark.assemble import layout
from watermark.encoding import BASELINE, DATA_SAVER, STANDARD, encode_page

from .conftest import login
from .test_reading import digitised, grant  # noqa: F401 - fixture and helper shared with the reading tests


def _copy(app, item_id: int) -> ReadingCopy:
    with app.app_context():
        copy = db.session.scalar(select(ReadingCopy).where(ReadingCopy.item_id == item_id))
        db.session.expunge(copy)
        return copy


def _range(client, url: str, **headers) -> tuple[int, bytes]:
    """GET a range of a copy; the response (a file) is closed before returning (status, body)."""
    response = client.get(url, headers={"Range": "bytes=0-1023", **headers})
    try:
        return response.status_code, response.data
    finally:
        response.close()


def _images(path: Path) -> list[tuple[int, int, tuple[float, float]]]:
    """(width, height, page size in points) of each page's image."""
    with pikepdf.open(path) as pdf:
        out = []
        for page in pdf.pages:
            image = page.Resources.XObject.Im0
            box = [float(v) for v in page.MediaBox]
            out.append((int(image.Width), int(image.Height), (box[2], box[3])))
        return out


def test_encodings_lower_the_resolution_but_never_raise_it_and_shrink_a_page():
    page = Image.new("L", (1240, 1754), 240)
    sizes = {}
    for encoding in (BASELINE, STANDARD, DATA_SAVER):
        jpeg, width, height = encode_page(page, encoding)
        assert Image.open(io.BytesIO(jpeg)).size == (width, height)
        sizes[encoding.name] = (width, height)
    assert sizes["baseline"] == (1240, 1754)  # 150 dpi: the derivative as it is
    assert sizes["standard"] == (992, 1403)  # 120 dpi on A4
    assert sizes["data-saver"] == (826, 1169)  # 100 dpi
    small = Image.new("L", (600, 850), 240)  # already below the encoding's resolution: kept, never enlarged
    assert encode_page(small, STANDARD)[1:] == (600, 850)


def test_a_copy_has_a_data_saver_twin_with_the_same_pages_lighter(app, client, make_user, digitised):
    record = digitised(pages=3)
    reader, archivist = make_user(), make_user(role="archivist")
    item = grant(app, client, reader, archivist, record)
    copy = _copy(app, item.id)
    data = Path(app.config["DATA_DIR"])
    standard, saver = _images(data / copy.path), _images(data / copy.saver_path)
    assert len(standard) == len(saver) == copy.pages == 3
    assert copy.saver_size_bytes == (data / copy.saver_path).stat().st_size < copy.size_bytes
    for (w1, h1, box1), (w2, h2, box2) in zip(standard, saver):
        assert (w1, h1) == (992, 1403) and (w2, h2) == (826, 1169)
        assert box1 == box2 == (595.2, 841.92)  # printed size unchanged: A4 from the 150 dpi derivative


def test_the_reader_turns_the_data_saver_on_and_is_served_the_lighter_file(app, client, make_user, digitised):
    record = digitised(pages=2)
    reader, archivist = make_user(), make_user(role="archivist")
    item = grant(app, client, reader, archivist, record)
    copy = _copy(app, item.id)
    data = Path(app.config["DATA_DIR"])
    login(client, reader.email)

    viewer = client.get(f"/doc/{item.id}").get_data(as_text=True)
    assert f'data-pdf-length="{copy.size_bytes}"' in viewer and "v=standard" in viewer
    assert 'aria-pressed="false"' in viewer  # the switch, off by default

    response = client.post("/ca-nhan/tiet-kiem-du-lieu", data={"enabled": "1", "next": f"/doc/{item.id}#trang=2"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/doc/{item.id}#trang=2")
    with app.app_context():
        assert db.session.get(User, reader.id).data_saver is True  # remembered on the account

    viewer = client.get(f"/doc/{item.id}").get_data(as_text=True)
    assert f'data-pdf-length="{copy.saver_size_bytes}"' in viewer and "v=saver" in viewer
    assert 'aria-pressed="true"' in viewer
    status, body = _range(client, f"/ban-doc/{copy.id}.pdf?v=saver")
    assert status == 206 and body == (data / copy.saver_path).read_bytes()[:1024]
    # A viewer opened before the switch keeps the file it started with.
    assert _range(client, f"/ban-doc/{copy.id}.pdf?v=standard")[1] == (data / copy.path).read_bytes()[:1024]
    # Without a name in the address, the account decides.
    assert _range(client, f"/ban-doc/{copy.id}.pdf")[1] == (data / copy.saver_path).read_bytes()[:1024]
    with app.app_context():
        variants = list(db.session.scalars(select(ReadingAccess.variant).where(
            ReadingAccess.copy_id == copy.id, ReadingAccess.kind == "range").order_by(ReadingAccess.id)))
    assert variants == ["saver", None, "saver"]

    # The choice shows on the account page too, and turns off there.
    profile = client.get("/ca-nhan/").get_data(as_text=True)
    assert "tiet-kiem-du-lieu" in profile and 'aria-pressed="true"' in profile
    assert client.post("/ca-nhan/tiet-kiem-du-lieu", data={"enabled": "0"}).status_code == 302
    with app.app_context():
        assert db.session.get(User, reader.id).data_saver is False
    assert client.post("/ca-nhan/tiet-kiem-du-lieu", data={"enabled": "maybe"}).status_code == 400


def test_the_switch_needs_a_login_and_sends_nowhere_else(app, client, make_user):
    assert client.post("/ca-nhan/tiet-kiem-du-lieu", data={"enabled": "1"}).status_code in (302, 401)
    reader = make_user()
    login(client, reader.email)
    response = client.post("/ca-nhan/tiet-kiem-du-lieu", data={"enabled": "1", "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil.example" not in response.headers["Location"]


def test_data_saver_ranges_count_as_data_saver_pages_and_both_files_are_purged(app, client, make_user, digitised):
    record = digitised(pages=3)
    reader, archivist = make_user(), make_user(role="archivist")
    item = grant(app, client, reader, archivist, record)
    copy = _copy(app, item.id)
    data = Path(app.config["DATA_DIR"])
    with app.test_request_context():
        user = db.session.get(User, reader.id)
        fresh = db.session.get(ReadingCopy, copy.id)
        saver_page = copy.saver_size_bytes // copy.pages
        # One data-saver page's bytes stand for one page, not for a fraction of a standard page.
        reading.log_access(user, fresh, "range", 0, saver_page, saver_page, "127.0.0.1", reading.SAVER)
        staff = db.session.get(User, make_user(role="archivist").id)
        _, log = for_reader(staff, reader.id)
        assert [line.pages for line in log.lines if line.kind == "range"] == [1]
        reading._delete_files(fresh)
    assert not (data / copy.path).exists() and not (data / copy.saver_path).exists()


def test_page_dictionaries_sit_at_the_head_of_the_file(app, client, make_user, digitised):
    """What lets pdf.js reach page N without a range inside each page before it."""
    record = digitised(pages=6)
    reader, archivist = make_user(), make_user(role="archivist")
    copy = _copy(app, grant(app, client, reader, archivist, record).id)
    raw = (Path(app.config["DATA_DIR"]) / copy.path).read_bytes()
    pages = [m.start() for m in re.finditer(rb"/Type /Page\b", raw)]
    first_image = raw.index(b"/Subtype /Image")
    assert len(pages) == 6 and max(pages) < first_image < 65536


def test_the_viewer_is_told_where_the_first_page_and_the_table_lie(app, client, make_user, digitised):
    """What lets the viewer fetch the head, the first page and the cross-reference table at once."""
    record = digitised(pages=3)
    reader, archivist = make_user(), make_user(role="archivist")
    item = grant(app, client, reader, archivist, record)
    copy = _copy(app, item.id)
    path = Path(app.config["DATA_DIR"]) / copy.path
    raw = path.read_bytes()
    found = layout(path)
    images = [m.start() for m in re.finditer(rb"\d+ 0 obj\s*<<[^>]*/Subtype /Image", raw)]
    assert len(images) == 3
    # The head ends where the first page's first object starts; the first page ends before the second's.
    assert found.head_end <= images[0] < found.first_page_end <= images[1]
    assert raw.index(b"/Type /Page") < found.head_end
    assert raw[images[0]:found.first_page_end].rstrip().endswith(b"endobj")  # the first image whole
    assert raw[found.xref_start:].startswith(b"xref") and raw.rstrip().endswith(b"%%EOF")
    assert int(raw[raw.rindex(b"startxref") + 9:].split()[0]) == found.xref_start
    # A file whose table this cannot read gives no layout (the viewer then waits for pdf.js to ask).
    other = path.with_name("other.pdf")
    other.write_bytes(raw.replace(b"xref\n", b"xref \n", 1).replace(b"startxref", b"startxrfe"))
    assert layout(other) is None

    login(client, reader.email)
    viewer = client.get(f"/doc/{item.id}").get_data(as_text=True)
    assert (f'data-head-end="{found.head_end}" data-first-page-end="{found.first_page_end}" '
            f'data-xref-start="{found.xref_start}"') in viewer
