"""An undigitised file, in a real browser: the reader asks to read it at the reading room and picks
a session → the archivist approves → the reader sees "được đọc tại phòng đọc" with the day, opens
the visit and downloads its .ics → on the day, the desk checks the reader in (ID seen), hands the
file over, takes it back and checks the reader out. Screenshots in test-artifacts/e2e/visit-NN-*.png.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Fonds, RecordFile, User, Visit
from portal.services import accounts
from portal.services.visits.calendar import now_local

from ..conftest import PASSWORD
from .test_accessibility import _axe, _blocking

pytestmark = pytest.mark.e2e

READER = {"email": "dang.thu.trang@gmail.com", "name": "Đặng Thu Trang", "cccd": "075194007788"}
ARCHIVIST = ("nguyenthilan@luutru.dongnai.gov.vn", "archivist", "Nguyễn Thị Lan")
CODE = "UBND-DN.1985.031"


def _setup(app) -> int:
    """An archivist, a cleared reader and one open paper file that was never scanned."""
    with app.test_request_context(base_url=app.config["LIVE_URL"]):
        accounts.create_staff(ARCHIVIST[0], ARCHIVIST[1], ARCHIVIST[2], PASSWORD)
        archivist = db.session.scalar(select(User).where(User.email == ARCHIVIST[0]))
        reader = accounts.register_reader({
            "email": READER["email"], "password": PASSWORD, "password_confirm": PASSWORD,
            "full_name": READER["name"], "id_kind": "cccd", "id_number": READER["cccd"], "consents": ["account"]})
        accounts.confirm_email(accounts.make_confirm_token(reader))
        accounts.set_clearance(archivist, reader, "cleared")
        record = RecordFile(
            fonds=Fonds(code="UBND-DN", name="Ủy ban nhân dân tỉnh Đồng Nai"), file_code=CODE, inventory_no="1",
            box_no="9", file_no="31", title="Hồ sơ về việc điều chỉnh địa giới hành chính thị xã Biên Hòa năm 1985",
            start_date="1985-01-10", end_date="1985-12-20", retention="01", mode="01")
        db.session.add(record)
        db.session.commit()
        return record.id


def _shot(page, artifacts, name: str) -> None:
    page.screenshot(path=str(artifacts / f"visit-{name}.png"), full_page=True)


def _accessible(page, problems: dict) -> None:
    """Record the page's axe-core violations of impact "serious" or "critical"."""
    page.wait_for_load_state("networkidle")
    found = [{"id": v["id"], "help": v["help"], "targets": [n["target"] for n in v["nodes"]]}
             for v in _blocking(_axe(page)["violations"])]
    if found:
        problems[page.url] = found


def test_undigitised_file_visit_from_request_to_check_out(live_app, browser, artifacts, browser_login, outbox_mail):
    base = live_app.config["LIVE_URL"]
    file_id = _setup(live_app)
    errors: list[str] = []

    reader_ctx = browser.new_context(viewport={"width": 1366, "height": 1000}, locale="vi-VN", accept_downloads=True)
    reader_ctx.set_default_timeout(20_000)
    reader = reader_ctx.new_page()
    reader.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    browser_login(reader, base, READER["email"], PASSWORD)

    # 1. The file page says how it can be used; into the basket; the form asks which use and when.
    reader.goto(f"{base}/ho-so/{file_id}")
    assert "đọc tại phòng đọc hoặc sau khi số hóa" in reader.inner_text("main")
    reader.get_by_role("button", name="Thêm vào giỏ yêu cầu đọc").click()
    reader.wait_for_selector(f".flash-success:has-text('{CODE}')")
    reader.goto(f"{base}/phieu-yeu-cau/gio")
    assert reader.is_checked(f"input[name='use_{file_id}'][value='reading_room']")
    first_free = reader.locator("#visit_slot option:not([disabled]):not([value=''])").first.get_attribute("value")
    reader.select_option("#visit_slot", first_free)
    reader.select_option("#purpose", "01")
    reader.fill("#research_topic", "Lịch sử hình thành thành phố Biên Hòa (khóa luận tốt nghiệp)")
    reader.select_option("#fee_category", "01")
    _shot(reader, artifacts, "01-request-form")
    reader.get_by_role("button", name="Gửi phiếu yêu cầu").click()
    reader.wait_for_selector(".flash-success:has-text('Đã gửi phiếu yêu cầu')")
    request_url = reader.url
    assert "Đọc tại phòng đọc, lịch ngày" in reader.inner_text("main")

    # 2. The archivist approves the file.
    staff_ctx = browser.new_context(viewport={"width": 1366, "height": 1000}, locale="vi-VN")
    staff_ctx.set_default_timeout(20_000)
    staff = staff_ctx.new_page()
    staff.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    browser_login(staff, base, ARCHIVIST[0], PASSWORD)
    staff.goto(f"{base}/nghiep-vu/yeu-cau")
    staff.locator("a", has_text="YC-").first.click()
    staff.locator("article.item-card", has_text=CODE).get_by_role("button", name="Đồng ý cho đọc").click()
    staff.wait_for_selector(f".flash-success:has-text('{CODE}')")

    # 3. The reader sees the grant for the reading room (never "Đọc trực tuyến"), the visit and its .ics.
    reader.goto(request_url)
    row = reader.locator("tr", has_text=CODE)
    assert "Được đọc tại phòng đọc ngày" in row.inner_text()
    assert row.get_by_role("link", name="Đọc trực tuyến").count() == 0
    _shot(reader, artifacts, "02-request-granted")
    row.get_by_role("link", name="Xem lịch đọc").click()
    reader.wait_for_selector("h1:has-text('Lượt đọc')")
    main = reader.inner_text("main")
    assert "Căn cước công dân hoặc hộ chiếu" in main and "Nguyễn Văn Trị" in main
    _shot(reader, artifacts, "03-visit")
    with reader.expect_download() as download_info:
        reader.get_by_role("link", name="Thêm vào lịch (.ics)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    content = open(download.path(), "rb").read()
    assert content.startswith(b"BEGIN:VCALENDAR\r\n") and b"BEGIN:VEVENT" in content
    mail = [m for m in outbox_mail() if m["To"] == READER["email"] and "Được đọc tại phòng đọc" in m["Subject"]]
    assert len(mail) == 1 and any(p.get_filename().endswith(".ics") for p in mail[0].iter_attachments())

    # 4. The visit's day comes (the booking was for a coming session; the desk works on today).
    with live_app.app_context():
        visit = db.session.scalar(select(Visit))
        visit.day = now_local().date()
        db.session.commit()
        visit_id = visit.id

    # 5. The desk: the file to fetch, check-in with the ID seen, hand-over, return, check-out.
    staff.goto(f"{base}/nghiep-vu/phong-doc/ban-doc")
    fetch = staff.locator("table", has_text="Hộp số")
    assert CODE in fetch.inner_text() and READER["name"] in fetch.inner_text()
    card = staff.locator(f"#luot-{visit_id}")
    card.get_by_label("Số giấy tờ tùy thân đã xem").fill(READER["cccd"])
    _shot(staff, artifacts, "04-desk-before-check-in")
    card.get_by_role("button", name="Tiếp nhận độc giả").click()
    staff.wait_for_selector(".flash-success:has-text('Đang đọc tại phòng')")
    staff.locator(f"#luot-{visit_id}").get_by_role("button", name="Giao hồ sơ").click()
    staff.wait_for_selector(f".flash-success:has-text('Đã giao hồ sơ {CODE}')")
    assert "Hồ sơ đang ở chỗ độc giả" in staff.inner_text("main")
    _shot(staff, artifacts, "05-desk-file-out")
    staff.locator(f"#luot-{visit_id}").get_by_role("button", name="Nhận lại").click()
    staff.wait_for_selector(f".flash-success:has-text('Đã nhận lại hồ sơ {CODE}')")
    staff.locator(f"#luot-{visit_id}").get_by_role("button", name="Độc giả ra về").click()
    staff.wait_for_selector(".flash-success:has-text('Đã đọc xong')")
    _shot(staff, artifacts, "06-desk-checked-out")
    with live_app.app_context():
        visit = db.session.get(Visit, visit_id)
        assert visit.status == "done" and visit.id_document_seen == READER["cccd"]
        assert visit.files[0].handed_at and visit.files[0].returned_at and visit.files[0].out_file_id is None

    assert not [e for e in errors if "Content Security Policy" in e], errors
    staff_ctx.close()
    reader_ctx.close()

    # 6. The new pages have no serious accessibility problem (axe-core; CSP bypassed for the tool only,
    # the pages ran above under their real CSP).
    axe: dict = {}
    for email, paths in ((READER["email"], [f"/ho-so/{file_id}", f"/lich-doc/{visit_id}", "/lich-doc/"]),
                         (ARCHIVIST[0], ["/nghiep-vu/phong-doc/ban-doc", "/nghiep-vu/phong-doc/lich",
                                         "/nghiep-vu/so-hoa", "/nghiep-vu/phong-doc/so-theo-doi"])):
        context = browser.new_context(bypass_csp=True, viewport={"width": 1200, "height": 1000}, locale="vi-VN")
        page = context.new_page()
        browser_login(page, base, email, PASSWORD)
        if email == READER["email"]:  # the basket with an undigitised file: the use and session questions
            page.goto(f"{base}/ho-so/{file_id}")
            page.get_by_role("button", name="Thêm vào giỏ yêu cầu đọc").click()
            paths.append("/phieu-yeu-cau/gio")
        for path in paths:
            page.goto(base + path)
            _accessible(page, axe)
        context.close()
    assert not axe, axe
