"""Who read what: the reading log per reader and per file, full downloads counting toward the
ripping flag, and the PDF address refusing a top-level navigation."""
from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import ReadingAccess, ReadingFlag

from .conftest import login
from .test_reading import digitised, grant, the_copy  # noqa: F401 (fixtures and helpers)


def test_a_top_level_navigation_to_the_pdf_gets_no_bytes(app, client, make_user, digitised):  # noqa: F811
    reader, archivist = make_user(), make_user(role="archivist")
    item = grant(app, client, reader, archivist, digitised(pages=2))
    url = f"/ban-doc/{the_copy(app, item.id).id}.pdf"
    for dest in ("document", "iframe", "embed", "object"):
        with client.get(url, headers={"Sec-Fetch-Dest": dest, "Sec-Fetch-Mode": "navigate"}) as refused:
            assert refused.status_code == 403 and b"%PDF" not in refused.data
            assert "trình xem của phòng đọc" in refused.get_data(as_text=True)
    with client.get(url, headers={"Sec-Fetch-Dest": "empty", "Range": "bytes=0-99"}) as fetched:  # pdf.js
        assert fetched.status_code == 206 and fetched.data.startswith(b"%PDF")
    with app.app_context():
        assert db.session.scalar(select(ReadingAccess).where(ReadingAccess.kind == "full")) is None


def test_full_downloads_raise_the_ripping_flag_like_ranges(app, client, make_user, digitised):  # noqa: F811
    reader, archivist = make_user(), make_user(role="archivist")
    item = grant(app, client, reader, archivist, digitised(pages=3))
    url = f"/ban-doc/{the_copy(app, item.id).id}.pdf"
    limit = app.config["READING_MAX_PAGES_PER_MINUTE"]  # 60 pages a minute; each download is 3 pages
    for _n in range(limit // 3 - 1):  # 57 pages in a minute: under the limit (not at it: floats)
        client.get(url).close()
    with app.app_context():
        flag = db.session.scalar(select(ReadingFlag))
        assert flag is None, flag.pages_per_minute  # a fast reader, not a ripper
    for _n in range(5):
        client.get(url).close()
    with app.app_context():
        flags = db.session.scalars(select(ReadingFlag)).all()
        assert len(flags) == 1 and flags[0].user_id == reader.id and flags[0].pages_per_minute >= limit  # stored rounded


def test_the_reading_log_per_reader_and_per_file(app, client, make_user, digitised):  # noqa: F811
    reader, archivist = make_user(full_name="Trần Thị Đọc"), make_user(role="archivist")
    record = digitised(pages=3)
    item = grant(app, client, reader, archivist, record)
    copy = the_copy(app, item.id)
    client.get(f"/doc/{item.id}", environ_base={"REMOTE_ADDR": "203.113.5.7"})
    client.get(f"/ban-doc/{copy.id}.pdf", headers={"Range": f"bytes=0-{copy.size_bytes // 3 - 1}"},
               environ_base={"REMOTE_ADDR": "203.113.5.7"}).close()
    client.get(f"/ban-doc/{copy.id}.pdf", environ_base={"REMOTE_ADDR": "198.51.100.20"}).close()

    staff = app.test_client()
    login(staff, archivist.email)
    by_reader = staff.get(f"/nghiep-vu/nhat-ky-doc/doc-gia/{reader.id}")
    html = by_reader.get_data(as_text=True)
    assert by_reader.status_code == 200
    assert html.count("<tr>") == 4  # the header and three lines: open, one page, the whole file
    assert "Mở trình xem" in html and "Tải trang" in html and "Tải toàn bộ tệp" in html
    assert "203.113.5.7" in html and "198.51.100.20" in html and record.file_code in html
    assert '<td class="num">1</td>' in html and '<td class="num">3</td>' in html
    by_file = staff.get(f"/nghiep-vu/nhat-ky-doc/ho-so/{record.id}").get_data(as_text=True)
    assert "Trần Thị Đọc" in by_file and by_file.count("<tr>") == 4

    # Linked from the reader page, the file page and the reading flags.
    assert f"/nghiep-vu/nhat-ky-doc/doc-gia/{reader.id}" in staff.get(f"/nghiep-vu/doc-gia/{reader.id}").get_data(as_text=True)
    assert f"/nghiep-vu/nhat-ky-doc/ho-so/{record.id}" in staff.get(f"/ho-so/{record.file_code}").get_data(as_text=True)
    with app.app_context():
        db.session.add(ReadingFlag(user_id=reader.id, file_id=record.id, pages_per_minute=99.0))
        db.session.commit()
    flags = staff.get("/nghiep-vu/doc-truc-tuyen").get_data(as_text=True)
    assert f"/nghiep-vu/nhat-ky-doc/doc-gia/{reader.id}" in flags and f"/nghiep-vu/nhat-ky-doc/ho-so/{record.id}" in flags

    assert client.get(f"/nghiep-vu/nhat-ky-doc/doc-gia/{reader.id}").status_code == 403  # readers do not see it
    assert staff.get("/nghiep-vu/nhat-ky-doc/doc-gia/999999").status_code == 404
