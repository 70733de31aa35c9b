"""A certified copy in a real browser: the reader orders it (seeing the price first), the archivist
approves it and records the payment, the copy is produced, the reader downloads it, and /xac-thuc
says it is valid, and that a copy with one changed byte is not. Screenshots (1366 px and 390 px
wide) go to test-artifacts/e2e/copies-*.png.
"""
from __future__ import annotations

from datetime import date

import pytest

from portal.db import utcnow
from portal.extensions import db
from portal.models import Consent, ConsentPurpose, Fonds, ReaderProfile, RecordFile, User
from portal.services import accounts, records
from portal.services.accounts import hash_password
from portal.services.copies import fees

from ..conftest import PASSWORD

pytestmark = pytest.mark.e2e

READER = ("tran.thi.mai@gmail.com", "Trần Thị Mai")
ARCHIVIST = ("lethuha@luutru.dongnai.gov.vn", "Lê Thu Hà")
FILE_CODE = "UBND-DN.1999.208"

NO_OVERFLOW = "() => document.documentElement.scrollWidth <= window.innerWidth + 1"


def _archive(app, make_scan) -> int:
    with app.test_request_context(base_url=app.config["LIVE_URL"]):
        admin, _ = accounts.create_staff("admin@luutru.dongnai.gov.vn", "admin", "Lê Quốc Bảo", PASSWORD)
        accounts.create_staff(ARCHIVIST[0], "archivist", ARCHIVIST[1], PASSWORD)
        reader = User(email=READER[0], password_hash=hash_password(PASSWORD), full_name=READER[1], role="reader",
                      clearance="cleared", email_confirmed_at=utcnow())
        reader.profile = ReaderProfile(id_kind="cccd", id_number="075190004321")
        reader.consents.append(Consent(purpose=ConsentPurpose.ACCOUNT.value))
        fonds = Fonds(code="UBND-DN", name="Ủy ban nhân dân tỉnh Đồng Nai")
        record = RecordFile(fonds=fonds, file_code=FILE_CODE, inventory_no="3", box_no="21", file_no="208",
                            title="Quyết định giao đất ở cho hộ gia đình tại phường Tân Phong, Biên Hòa năm 1999",
                            start_date="1999-04-02", end_date="1999-09-30", retention="01", mode="01")
        db.session.add_all([reader, record])
        db.session.commit()
        records.attach_scan(admin, record, make_scan("giao-dat", "QUYẾT ĐỊNH GIAO ĐẤT", [
            "Căn cứ Luật Đất đai ngày 14 tháng 7 năm 1993;",
            "Điều 1. Giao cho hộ ông Nguyễn Văn Tâm 120 mét vuông đất ở tại phường Tân Phong.",
            "Điều 2. Hộ được giao đất có trách nhiệm sử dụng đất đúng mục đích.",
        ], pages=3))
        fees.save_schedule(None, {"page_plain_digital": "2000", "page_plain_paper": "3000",
                                  "page_certified_digital": "3000", "page_certified_paper": "3000",
                                  "certification_fee": "20000", "postage": "30000", "reduction_01": "50",
                                  "effective_from": date(2025, 1, 1)}, is_example=True, allow_past=True)
        return record.id


def _both_widths(page, artifacts, name: str) -> None:
    page.screenshot(path=str(artifacts / f"copies-{name}-1366.png"), full_page=True)
    width = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate(NO_OVERFLOW), f"{name}: horizontal overflow at 390 px"
    page.screenshot(path=str(artifacts / f"copies-{name}-390.png"), full_page=True)
    page.set_viewport_size(width)


def test_certified_copy_ordered_paid_downloaded_and_verified(live_app, browser, browser_login, make_scan,
                                                             artifacts, tmp_path):
    base = live_app.config["LIVE_URL"]
    file_id = _archive(live_app, make_scan)

    # The reader orders pages 1-2 as a certified digital copy and sees the price before sending.
    reader_ctx = browser.new_context(viewport={"width": 1366, "height": 1000}, locale="vi-VN", accept_downloads=True)
    reader = reader_ctx.new_page()
    browser_login(reader, base, READER[0], PASSWORD)
    reader.goto(f"{base}/ban-sao/dat?ho_so={file_id}")
    assert reader.input_value("#files-0-code") == FILE_CODE
    reader.fill("#files-0-pages", "2-1")
    reader.select_option("#kind", "certified")
    reader.select_option("#purpose", "01")
    reader.fill("#purpose_details", "Làm thủ tục cấp giấy chứng nhận quyền sử dụng đất")
    reader.select_option("#fee_category", "10")
    reader.click("button[value=preview]")
    assert "bị ngược" in reader.inner_text("main")
    assert reader.input_value("#purpose_details").startswith("Làm thủ tục")  # nothing typed is lost
    reader.fill("#files-0-pages", "1-2")
    reader.click("button[value=preview]")
    price = reader.inner_text(".price h2")
    assert "26.000 đ" in price  # 2 pages × 3.000 + 20.000 certification
    _both_widths(reader, artifacts, "01-order-form")
    reader.click("button[value=submit]")
    reader.wait_for_load_state("networkidle")
    assert "/ban-sao/" in reader.url
    code = next(w for w in reader.inner_text("h1").split() if w.startswith("SC-"))

    # The archivist approves and records the payment; the copy is produced.
    staff_ctx = browser.new_context(viewport={"width": 1366, "height": 1000}, locale="vi-VN")
    staff = staff_ctx.new_page()
    browser_login(staff, base, ARCHIVIST[0], PASSWORD)
    staff.goto(f"{base}/nghiep-vu/ban-sao")
    staff.click(f"text={code}")
    staff.click("button:has-text('Đồng ý')")
    staff.wait_for_load_state("networkidle")
    assert staff.input_value("#amount") == "26000"
    staff.select_option("#method", "desk")
    staff.fill("#receipt_no", "BL-2026-0107")
    staff.click("button:has-text('Ghi nhận đã nộp')")
    staff.wait_for_load_state("networkidle")
    assert "Bản sao đã sẵn sàng" in staff.inner_text("h1")
    _both_widths(staff, artifacts, "02-staff-order")

    # The reader downloads the signed copy.
    reader.reload()
    with reader.expect_download() as download_info:
        reader.click("text=Tải bản sao (PDF)")
    copy_path = tmp_path / "ban-sao.pdf"
    download_info.value.save_as(copy_path)
    assert copy_path.read_bytes().startswith(b"%PDF-")
    reader.reload()
    assert "Đã giao" in reader.inner_text("h1")
    _both_widths(reader, artifacts, "03-reader-order")

    # Anyone checks it at /xac-thuc: valid; one changed byte: not valid, with the reason.
    visitor_ctx = browser.new_context(viewport={"width": 1366, "height": 1000}, locale="vi-VN")
    visitor = visitor_ctx.new_page()
    visitor.goto(f"{base}/xac-thuc")
    visitor.set_input_files("#upload", str(copy_path))
    visitor.click("button:has-text('Kiểm tra tệp')")
    verdict = visitor.inner_text(".verdict")
    assert "HỢP LỆ" in verdict and "KHÔNG HỢP LỆ" not in verdict
    assert FILE_CODE in verdict and "T*** T*** M***" in verdict and READER[1] not in verdict
    _both_widths(visitor, artifacts, "04-verify-valid")
    tampered = tmp_path / "ban-sao-sua.pdf"
    data = bytearray(copy_path.read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered.write_bytes(bytes(data))
    visitor.set_input_files("#upload", str(tampered))
    visitor.click("button:has-text('Kiểm tra tệp')")
    verdict = visitor.inner_text(".verdict")
    assert "KHÔNG HỢP LỆ" in verdict and "bị thay đổi" in verdict
    _both_widths(visitor, artifacts, "05-verify-tampered")
    visitor.goto(f"{base}/xac-thuc?ma={code}")
    assert "HỢP LỆ" in visitor.inner_text(".verdict")
    for context in (reader_ctx, staff_ctx, visitor_ctx):
        context.close()
