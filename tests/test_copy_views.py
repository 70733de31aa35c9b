"""The copy pages over HTTP: the order form (price first, bad input kept), /xac-thuc, the fee
schedule and the register downloads."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.db import utcnow
from portal.extensions import db
from portal.models import CopyOrder, FeeSchedule, User
from portal.services.copies import delivery, orders, payments

from .copies_helpers import build_copy_world, place_order


@pytest.fixture
def world(app, make_user, make_file, tmp_path):
    return build_copy_world(app, make_user, make_file, tmp_path)


def form(code: str, pages: str, **overrides) -> dict:
    data = {"files-0-code": code, "files-0-pages": pages, "kind": "certified", "delivery": "download",
            "paper_sets": "1", "purpose": "01", "purpose_details": "Thủ tục đất đai", "fee_category": "10",
            "submit_token": "tok-1", "step": "preview"}
    data.update(overrides)
    return data


def test_the_reader_sees_the_price_then_submits(client, login_as, world):
    login_as(world.reader)
    page = client.get(f"/ban-sao/dat?ho_so={world.open_file.id}")
    assert page.status_code == 200 and world.open_file.file_code in page.text
    preview = client.post("/ban-sao/dat", data=form(world.open_file.file_code, "1-3"))
    assert preview.status_code == 200
    # 3 pages × 2.500 + 20.000 certification
    assert "27.500 đ" in preview.text and 'value="27500"' in preview.text
    with client.application.app_context():
        assert db.session.scalar(select(CopyOrder)) is None  # a preview saves nothing
    sent = client.post("/ban-sao/dat", data=form(world.open_file.file_code, "1-3", step="submit", quoted_amount="27500"))
    assert sent.status_code == 302
    again = client.post("/ban-sao/dat", data=form(world.open_file.file_code, "1-3", step="submit", quoted_amount="27500"))
    assert again.status_code == 302 and again.headers["Location"] == sent.headers["Location"]
    with client.application.app_context():
        assert len(list(db.session.scalars(select(CopyOrder)))) == 1
    detail = client.get(sent.headers["Location"])
    assert "SC-" in detail.text and "27.500 đ" in detail.text


@pytest.mark.parametrize("pages,message", [
    ("0", "Số trang bắt đầu từ 1"), ("5-2", "bị ngược"), ("1-3,2", "được chọn hai lần"),
    ("999", "không có trang 999"), ("abc", "không phải số trang"),
])
def test_bad_ranges_are_explained_and_what_was_typed_stays(client, login_as, world, pages, message):
    login_as(world.reader)
    response = client.post("/ban-sao/dat", data=form(world.open_file.file_code, pages, notes="Ghi chú của tôi"))
    assert response.status_code == 400
    assert message in response.text
    assert f'value="{pages}"' in response.text and "Ghi chú của tôi" in response.text


def test_classified_and_forged_files(client, login_as, world):
    login_as(world.reader)
    assert client.get(f"/ban-sao/dat?ho_so={world.classified.id}").status_code == 404
    assert client.get("/ban-sao/dat?ho_so=999999").status_code == 404
    response = client.post("/ban-sao/dat", data=form(world.classified.file_code, "1"))
    assert response.status_code == 400 and "Không tìm thấy hồ sơ" in response.text
    assert world.classified.title not in response.text


def test_a_changed_price_is_shown_not_charged(client, login_as, world):
    login_as(world.reader)
    response = client.post("/ban-sao/dat", data=form(world.open_file.file_code, "1", step="submit", quoted_amount="1"))
    assert response.status_code == 400 and "Giá đã được tính lại" in response.text
    with client.application.app_context():
        assert db.session.scalar(select(CopyOrder)) is None


def _produced(app, world, kind="certified") -> CopyOrder:
    with app.test_request_context():
        order = place_order(world.reader.id, [(world.open_file.file_code, "1-2")], f"v-{kind}", kind=kind)
        archivist = db.session.get(User, world.archivist.id)
        orders.apply(archivist, order, "approve")
        payments.record_staff_payment(archivist, order, {"method": "desk", "amount": str(order.amount),
                                                         "receipt_no": "BL-9"})
        db.session.refresh(order)
        db.session.expunge(order)
        return order


def test_download_is_an_attachment_for_the_orderer(client, login_as, world, app):
    order = _produced(app, world)
    login_as(world.reader)
    with client.get(f"/ban-sao/{order.id}/tai-ve") as response:
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["Cache-Control"] == "private, no-store"
        assert response.data.startswith(b"%PDF-")


def test_verify_page_by_code_and_by_upload(client, world, app):
    order = _produced(app, world)
    with app.app_context():
        data = delivery.stored_path(db.session.get(CopyOrder, order.id)).read_bytes()
    page = client.get(f"/xac-thuc?ma={order.code}")
    assert page.status_code == 200 and "HỢP LỆ" in page.text and "N*** T*** H*** N***" in page.text
    assert "Nguyễn Thị" not in page.text
    forged = client.get("/xac-thuc?ma=SC-2026-123456")
    assert "KHÔNG HỢP LỆ" in forged.text and "không cấp" in forged.text
    malformed = client.get("/xac-thuc?ma=abc")
    assert malformed.status_code == 400 and "SC-NĂM-SỐ" in malformed.text
    upload = client.post("/xac-thuc", data={"upload": (io.BytesIO(data), "ban-sao.pdf")},
                         content_type="multipart/form-data")
    assert upload.status_code == 200 and "HỢP LỆ" in upload.text and world.open_file.file_code in upload.text
    changed = bytearray(data)
    changed[len(changed) // 2] ^= 1
    bad = client.post("/xac-thuc", data={"upload": (io.BytesIO(bytes(changed)), "ban-sao.pdf")},
                      content_type="multipart/form-data")
    assert "KHÔNG HỢP LỆ" in bad.text and "bị thay đổi" in bad.text
    not_pdf = client.post("/xac-thuc", data={"upload": (io.BytesIO(b"MZ\x90\x00"), "x.pdf")},
                          content_type="multipart/form-data")
    assert not_pdf.status_code == 400 and "không phải PDF" in not_pdf.text
    folder = app.config["DATA_DIR"]
    from pathlib import Path
    assert not any(p.name.endswith("ban-sao.pdf") for p in Path(folder).rglob("*"))  # uploads are never stored


def test_verify_is_rate_limited(app, world):
    from portal.extensions import limiter

    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", RATELIMIT_VERIFY="2 per minute")
    limiter.init_app(app)
    try:
        client = app.test_client()
        statuses = [client.get("/xac-thuc?ma=SC-2026-000001").status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        assert client.get("/xac-thuc").status_code == 200  # the empty page itself is not counted
    finally:
        app.config["RATELIMIT_ENABLED"] = False
        limiter.init_app(app)


def test_admin_publishes_a_new_fee_version(client, login_as, world, make_user):
    login_as(world.admin)
    page = client.get("/nghiep-vu/bieu-phi")
    assert page.status_code == 200 and "số liệu ví dụ" in page.text
    tomorrow = (utcnow() + timedelta(hours=7, days=1)).date()
    data = {"page_plain_digital": "2.500", "page_plain_paper": "3000", "page_certified_digital": "3000",
            "page_certified_paper": "3500", "certification_fee": "25000", "postage": "30000",
            "reduction_01": "50", "effective_from": tomorrow.isoformat(), "decision": "Quyết định số 12/QĐ-LT"}
    bad = client.post("/nghiep-vu/bieu-phi", data={**data, "postage": "ba mươi nghìn"})
    assert bad.status_code == 400 and "ba mươi nghìn" in bad.text and "số nguyên đồng" in bad.text
    assert client.post("/nghiep-vu/bieu-phi", data=data).status_code == 302
    with client.application.app_context():
        newest = db.session.scalar(select(FeeSchedule).order_by(FeeSchedule.version.desc()))
        assert (newest.version, newest.page_plain_digital, newest.reductions) == (2, 2500, {"01": 50})


def test_register_downloads(client, login_as, world, app):
    order = _produced(app, world)
    login_as(world.archivist)
    today = (utcnow() + timedelta(hours=7)).date().isoformat()
    csv_response = client.get(f"/nghiep-vu/ban-sao/so-cap?start={today}&end={today}&format=csv")
    assert csv_response.status_code == 200 and order.code in csv_response.data.decode("utf-8-sig")
    xlsx = client.get(f"/nghiep-vu/ban-sao/so-cap?start={today}&end={today}&format=xlsx")
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.worksheets[0].cell(row=3, column=2).value == order.code
    page = client.get(f"/nghiep-vu/ban-sao/so-cap?start={today}&end={today}")
    assert page.status_code == 200 and "Khác" in page.text


def test_staff_pages_show_the_order_and_its_actions(client, login_as, world, app):
    with app.test_request_context():
        order = place_order(world.reader.id, [(world.open_file.file_code, "1")], "staff-1")
        order_id = order.id
    login_as(world.archivist)
    queue = client.get("/nghiep-vu/ban-sao")
    assert queue.status_code == 200 and "SC-" in queue.text
    detail = client.get(f"/nghiep-vu/ban-sao/{order_id}")
    assert "Đồng ý" in detail.text and "Từ chối" in detail.text
    refused = client.post(f"/nghiep-vu/ban-sao/{order_id}/quyet-dinh/refuse", data={"reason": ""})
    assert refused.status_code == 400 and "Cần ghi lý do" in refused.text
    version = re.search(r'name="version" value="(\d+)"', detail.text).group(1)
    stale = client.post(f"/nghiep-vu/ban-sao/{order_id}/quyet-dinh/approve",
                        data={"reason": "", "version": str(int(version) - 1)})
    assert stale.status_code == 409 and "vừa được người khác xử lý" in stale.text
    approved = client.post(f"/nghiep-vu/ban-sao/{order_id}/quyet-dinh/approve", data={"reason": "", "version": version})
    assert approved.status_code == 302
    paid = client.post(f"/nghiep-vu/ban-sao/{order_id}/nop-phi",
                       data={"method": "desk", "amount": "1", "receipt_no": "BL-5"})
    assert paid.status_code == 400 and "đúng bằng số đã báo giá" in paid.text and "BL-5" in paid.text


def test_cli_shows_the_certificate_and_runs_housekeeping(app, runner, world):
    result = runner.invoke(args=["copies", "certificate"])
    assert result.exit_code == 0, result.output
    assert "THỬ NGHIỆM" in result.output and "trust roots" in result.output
    result = runner.invoke(args=["copies", "housekeeping"])
    assert result.exit_code == 0 and "expired=0 deleted=0" in result.output
