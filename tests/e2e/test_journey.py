"""The whole journey of a reader, an archivist and a leader, in a real browser.

register → confirm the email from the outbox → the archivist clears the reader → the reader asks for an open and a
conditional file → the archivist approves the open one and forwards the conditional one → the leader approves it →
"reading copy ready" mail → the reader reads page 1 and 2 in the viewer → the window ends → the viewer and the PDF
refuse. Every step leaves a screenshot in test-artifacts/e2e/journey-NN-*.png.
"""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from sqlalchemy import select

from portal.db import utcnow
from portal.extensions import db
from portal.models import Fonds, RecordFile, RequestItem, User
from portal.services import accounts, records

from ..conftest import PASSWORD

pytestmark = pytest.mark.e2e

READER = {"email": "nguyen.minh.khoa@gmail.com", "name": "Nguyễn Minh Khoa", "cccd": "075096001234"}
ARCHIVIST = ("phamthulan@luutru.dongnai.gov.vn", "archivist", "Phạm Thu Lan")
LEADER = ("tranvanhung@luutru.dongnai.gov.vn", "leader", "Trần Văn Hùng")
ADMIN = ("quantri@luutru.dongnai.gov.vn", "admin", "Lê Quốc Bảo")
OPEN_CODE = "UBND-DN.2008.042"
COND_CODE = "UBND-DN.1996.117"

PAINTED = """(selector) => {
    const c = document.querySelector(selector);
    if (!c || !c.width) return false;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let dark = 0;
    for (let i = 0; i < d.length; i += 4 * 97) if (d[i] < 128) dark++;
    return dark > 50;
}"""


def _archive(app, make_scan) -> dict[str, int]:
    """Staff accounts, a fonds and two digitised files: one open (01), one conditional (02)."""
    with app.test_request_context(base_url=app.config["LIVE_URL"]):
        admin, _ = accounts.create_staff(ADMIN[0], ADMIN[1], ADMIN[2], PASSWORD)
        for email, role, name in (ARCHIVIST, LEADER):
            accounts.create_staff(email, role, name, PASSWORD)
        fonds = Fonds(code="UBND-DN", name="Ủy ban nhân dân tỉnh Đồng Nai",
                      description="Tài liệu hành chính của Ủy ban nhân dân tỉnh Đồng Nai từ năm 1976.")
        open_file = RecordFile(
            fonds=fonds, file_code=OPEN_CODE, inventory_no="2", box_no="14", file_no="42",
            title="Hồ sơ về việc thành lập Trung tâm Lưu trữ lịch sử tỉnh Đồng Nai năm 2008",
            start_date="2008-03-12", end_date="2008-11-25", retention="01", mode="01",
            keywords="lưu trữ; tổ chức bộ máy; Đồng Nai")
        cond_file = RecordFile(
            fonds=fonds, file_code=COND_CODE, inventory_no="1", box_no="27", file_no="117",
            title="Hồ sơ giải quyết khiếu nại về bồi thường đất đai tại xã Phước Tân, huyện Long Thành năm 1996",
            start_date="1996-02-05", end_date="1996-12-30", retention="01", mode="02",
            keywords="đất đai; khiếu nại; Long Thành")
        db.session.add_all([open_file, cond_file])
        db.session.commit()
        records.attach_scan(admin, open_file, make_scan("mo", "QUYẾT ĐỊNH THÀNH LẬP TRUNG TÂM LƯU TRỮ LỊCH SỬ", [
            "Căn cứ Luật Tổ chức Hội đồng nhân dân và Ủy ban nhân dân ngày 26 tháng 11 năm 2003;",
            "Xét đề nghị của Giám đốc Sở Nội vụ tỉnh Đồng Nai tại Tờ trình số 215/TTr-SNV,",
            "Điều 1. Thành lập Trung tâm Lưu trữ lịch sử tỉnh Đồng Nai trực thuộc Sở Nội vụ.",
            "Điều 2. Trung tâm có tư cách pháp nhân, có con dấu và tài khoản riêng theo quy định.",
        ], pages=2))
        records.attach_scan(admin, cond_file, make_scan("dk", "ĐƠN KHIẾU NẠI VỀ BỒI THƯỜNG ĐẤT ĐAI", [
            "Kính gửi: Ủy ban nhân dân huyện Long Thành, tỉnh Đồng Nai.",
            "Tôi tên là Võ Thị Hạnh, thường trú tại ấp 3, xã Phước Tân, huyện Long Thành.",
            "Nay tôi làm đơn này khiếu nại về mức bồi thường đối với thửa đất số 118,",
            "tờ bản đồ số 9, diện tích 1.250 mét vuông, bị thu hồi để xây dựng đường tỉnh 769.",
        ], pages=3))
        return {"open": open_file.id, "cond": cond_file.id}


def _shot(page, artifacts, name: str, full_page: bool = True) -> None:
    page.screenshot(path=str(artifacts / f"journey-{name}.png"), full_page=full_page)


def _wait_painted(page, selector: str) -> None:
    page.wait_for_selector(selector, timeout=20_000)
    page.wait_for_function(PAINTED, arg=selector, timeout=20_000)


def test_register_request_decide_read_and_expire(live_app, browser, artifacts, make_scan, browser_login,
                                                  outbox_mail):
    base = live_app.config["LIVE_URL"]
    files = _archive(live_app, make_scan)
    errors: list[str] = []

    reader_ctx = browser.new_context(viewport={"width": 1200, "height": 1400}, locale="vi-VN")
    reader_ctx.set_default_timeout(20_000)
    reader = reader_ctx.new_page()
    reader.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    # 1. Registration through the real form.
    reader.goto(f"{base}/tai-khoan/dang-ky")
    reader.fill("#email", READER["email"])
    reader.fill("#password", PASSWORD)
    reader.fill("#password_confirm", PASSWORD)
    reader.fill("#full_name", READER["name"])
    reader.select_option("#id_kind", "cccd")
    reader.fill("#id_number", READER["cccd"])
    reader.fill("#employer", "Trường Đại học Khoa học Xã hội và Nhân văn, ĐHQG TP.HCM")
    reader.check("#consent_account")
    assert not reader.is_checked("#consent_statistics") and not reader.is_checked("#consent_newsletter")
    _shot(reader, artifacts, "01-register")
    reader.get_by_role("button", name="Đăng ký", exact=True).click()
    reader.wait_for_selector("h1:has-text('Cảm ơn bạn đã đăng ký')")
    assert READER["email"] in reader.inner_text("main")
    _shot(reader, artifacts, "02-registered")

    # 2. The confirmation link from the newest mail in the outbox.
    newest = outbox_mail()[-1]
    assert newest["To"] == READER["email"] and "Xác nhận" in newest["Subject"]
    match = re.search(r"https?://\S+/tai-khoan/xac-nhan/\S+", newest.get_content())
    assert match, newest.get_content()
    assert match.group(0).startswith(base)
    reader.goto(match.group(0))
    reader.wait_for_selector(".flash-success:has-text('Email đã được xác nhận')")
    _shot(reader, artifacts, "03-email-confirmed")
    with live_app.app_context():
        me = db.session.scalar(select(User).where(User.email == READER["email"]))
        assert me.email_confirmed_at is not None and me.clearance == "pending"

    # 3. The archivist clears the reader (a separate browser context: another person, another session).
    staff_ctx = browser.new_context(viewport={"width": 1200, "height": 1400}, locale="vi-VN")
    staff_ctx.set_default_timeout(20_000)
    staff = staff_ctx.new_page()
    browser_login(staff, base, ARCHIVIST[0], PASSWORD)
    staff.goto(f"{base}/nghiep-vu/doc-gia")
    staff.get_by_role("link", name=READER["name"]).click()
    staff.wait_for_selector(f"h1:has-text('{READER['name']}')")
    assert READER["cccd"] in staff.inner_text("main")
    staff.get_by_role("button", name="Xác minh tài khoản").click()
    staff.wait_for_selector(".flash-success:has-text('Đã xác minh tài khoản')")
    _shot(staff, artifacts, "04-archivist-cleared-reader")

    # 4. The reader logs in, puts both files in the basket from their pages and submits the request.
    browser_login(reader, base, READER["email"], PASSWORD)
    for key, code in (("open", OPEN_CODE), ("cond", COND_CODE)):
        reader.goto(f"{base}/ho-so/{files[key]}")
        reader.get_by_role("button", name="Thêm vào giỏ yêu cầu đọc").click()
        reader.wait_for_selector(f".flash-success:has-text('{code}')")
    _shot(reader, artifacts, "05-file-added-to-basket")
    reader.goto(f"{base}/phieu-yeu-cau/gio")
    assert OPEN_CODE in reader.inner_text("main") and COND_CODE in reader.inner_text("main")
    reader.select_option("#purpose", "01")
    reader.fill("#research_topic", "Chính sách bồi thường, giải phóng mặt bằng ở Đồng Nai giai đoạn 1990–2010 "
                                   "(luận văn thạc sĩ Lịch sử Việt Nam)")
    reader.select_option("#fee_category", "01")
    reader.fill("#notes", "Tôi cần đọc để trích dẫn trong chương 2 của luận văn.")
    _shot(reader, artifacts, "06-request-form")
    reader.get_by_role("button", name="Gửi phiếu yêu cầu").click()
    reader.wait_for_selector(".flash-success:has-text('Đã gửi phiếu yêu cầu')")
    request_url = reader.url
    request_code = re.search(r"YC-\d{4}-\d+", reader.inner_text("h1")).group(0)
    _shot(reader, artifacts, "07-request-submitted")

    # 5. The archivist approves the open file and forwards the conditional one with an opinion.
    staff.goto(f"{base}/nghiep-vu/yeu-cau")
    assert staff.get_by_role("link", name=request_code).count() == 2  # one queue row per file
    staff.get_by_role("link", name=request_code).first.click()
    staff.wait_for_selector(f"h1:has-text('{request_code}')")
    open_card = staff.locator("article.item-card", has_text=OPEN_CODE)
    open_card.get_by_role("button", name="Đồng ý cho đọc").click()
    staff.wait_for_selector(f".flash-success:has-text('{OPEN_CODE}')")
    cond_card = staff.locator("article.item-card", has_text=COND_CODE)
    cond_card.locator("textarea").fill("Hồ sơ có thông tin cá nhân của người khiếu nại; độc giả nghiên cứu luận văn, "
                                       "đề nghị lãnh đạo cho đọc.")
    cond_card.get_by_role("button", name="Chuyển lãnh đạo duyệt").click()
    staff.wait_for_selector(f".flash-success:has-text('{COND_CODE}')")
    _shot(staff, artifacts, "08-archivist-decided")
    staff_ctx.close()

    # 6. The leader approves the conditional file.
    leader_ctx = browser.new_context(viewport={"width": 1200, "height": 1400}, locale="vi-VN")
    leader_ctx.set_default_timeout(20_000)
    leader = leader_ctx.new_page()
    browser_login(leader, base, LEADER[0], PASSWORD)
    leader.goto(f"{base}/nghiep-vu/yeu-cau")  # a leader's queue shows forwarded items by default
    assert leader.get_by_role("link", name=request_code).count() == 1  # only the forwarded file
    leader.get_by_role("link", name=request_code).click()
    leader.wait_for_selector(f"h1:has-text('{request_code}')")
    cond_card = leader.locator("article.item-card", has_text=COND_CODE)
    assert "đề nghị lãnh đạo cho đọc" in cond_card.inner_text()
    cond_card.get_by_role("button", name="Lãnh đạo đồng ý").click()
    leader.wait_for_selector(f".flash-success:has-text('{COND_CODE}')")
    _shot(leader, artifacts, "09-leader-approved")
    leader_ctx.close()

    # 7. The "reading copy ready" mail (jobs run inline in tests) for the conditional file.
    ready = [m for m in outbox_mail() if "sẵn sàng" in m["Subject"] and COND_CODE in m["Subject"]]
    assert len(ready) == 1 and ready[0]["To"] == READER["email"]
    assert "/doc/" in ready[0].get_content()

    # 8. The reader reads it online: page 1 painted, then page 2.
    reader.goto(request_url)
    row = reader.locator("tr", has_text=COND_CODE)
    row.get_by_role("link", name="Đọc trực tuyến").click()
    reader.wait_for_selector("body[data-viewer-ready='1']")
    viewer_url = reader.url
    item_id = int(urlparse(viewer_url).path.rsplit("/", 1)[1])
    assert f"/doc/{item_id}" in ready[0].get_content()
    _wait_painted(reader, ".page[data-page-number='1'] canvas")
    assert reader.locator("#pageCount").inner_text() == "3"
    _shot(reader, artifacts, "10-viewer-page1", full_page=False)
    reader.click("#next")
    reader.wait_for_function("() => document.getElementById('pageNumber').value === '2'")
    _wait_painted(reader, ".page[data-page-number='2'] canvas")
    _shot(reader, artifacts, "11-viewer-page2", full_page=False)
    pdf_url = base + reader.get_attribute("#viewerContainer", "data-pdf-url")
    assert reader.request.get(pdf_url, headers={"Range": "bytes=0-99"}).body().startswith(b"%PDF")

    # 9. The window ends: move its end into the past and run the housekeeping command.
    with live_app.app_context():
        item = db.session.get(RequestItem, item_id)
        assert item.status == "granted" and item.file.file_code == COND_CODE
        item.grant_ends_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    result = live_app.test_cli_runner().invoke(args=["requests", "expire"])
    assert result.exit_code == 0 and "expired=1" in result.output, result.output
    with live_app.app_context():
        assert db.session.get(RequestItem, item_id).status == "expired"

    # 10. The viewer refuses and the PDF gives no bytes.
    response = reader.goto(viewer_url)
    assert response.status == 403
    assert "Hết thời hạn đọc" in reader.inner_text("h1")  # says which way it ended, and when
    assert "đã kết thúc lúc" in reader.inner_text("main")
    _shot(reader, artifacts, "12-window-ended")
    for headers in ({}, {"Range": "bytes=0-99"}):
        pdf = reader.request.get(pdf_url, headers=headers)
        assert pdf.status == 403 and not pdf.body().startswith(b"%PDF")

    assert not [e for e in errors if "Content Security Policy" in e], errors
    reader_ctx.close()
