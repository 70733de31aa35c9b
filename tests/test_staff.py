"""The staff area: clearing and blocking readers, the audit trail, editing the catalogue."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, AuditTrailIsAppendOnly, Fonds, RecordFile, User


@pytest.mark.parametrize("role,status", [("reader", 403), ("archivist", 200), ("leader", 200), ("admin", 200)])
def test_staff_area_is_for_staff(client, make_user, login_as, role, status):
    login_as(make_user(role=role))
    assert client.get("/nghiep-vu/").status_code == status


def test_visitor_is_sent_to_login(client):
    response = client.get("/nghiep-vu/doc-gia")
    assert response.status_code == 302 and "dang-nhap" in response.headers["Location"]


def test_archivist_sees_waiting_readers_and_clears_one(client, app, make_user, login_as, outbox):
    waiting = make_user(cleared=False, full_name="Phạm Thị Chờ")
    make_user(cleared=True, full_name="Đỗ Văn Xong")
    archivist = make_user(role="archivist")
    login_as(archivist)
    html = client.get("/nghiep-vu/doc-gia").get_data(as_text=True)
    assert "Phạm Thị Chờ" in html and "Đỗ Văn Xong" not in html
    response = client.post(f"/nghiep-vu/doc-gia/{waiting.id}/xac-minh")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, waiting.id).clearance == "cleared"
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reader.clear"))
        assert (event.actor_id, event.object_id, event.from_state, event.to_state) == (
            archivist.id, str(waiting.id), "pending", "cleared")
    assert outbox()[-1]["To"] == waiting.email
    assert "reader.clear" in client.get("/nghiep-vu/nhat-ky").get_data(as_text=True)


def test_blocking_needs_a_reason(client, app, make_user, login_as):
    reader = make_user(cleared=False)
    login_as(make_user(role="archivist"))
    refused = client.post(f"/nghiep-vu/doc-gia/{reader.id}/khoa", data={"reason": "   "})
    assert refused.status_code == 400 and "lý do" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, reader.id).clearance == "pending"
    client.post(f"/nghiep-vu/doc-gia/{reader.id}/khoa", data={"reason": "Giấy tờ không khớp"})
    with app.app_context():
        blocked = db.session.get(User, reader.id)
        assert blocked.clearance == "blocked" and blocked.clearance_reason == "Giấy tờ không khớp"


def test_leader_may_not_clear_readers(client, app, make_user, login_as):
    reader = make_user(cleared=False)
    login_as(make_user(role="leader"))
    assert client.post(f"/nghiep-vu/doc-gia/{reader.id}/xac-minh").status_code == 403
    with app.app_context():
        assert db.session.get(User, reader.id).clearance == "pending"


def test_audit_events_cannot_be_changed_or_deleted(app, make_user):
    user = make_user()
    with app.app_context():
        db.session.add(AuditEvent(action="x", object_type="user", object_id=str(user.id)))
        db.session.commit()
        event = db.session.scalar(select(AuditEvent))
        event.reason = "rewritten"
        with pytest.raises(AuditTrailIsAppendOnly):
            db.session.commit()
        db.session.rollback()
        with pytest.raises(AuditTrailIsAppendOnly):
            db.session.delete(db.session.scalar(select(AuditEvent)))
            db.session.commit()


FILE_FORM = {
    "file_code": "SNV.2021.007", "inventory_no": "2", "box_no": "14", "file_no": "7",
    "title": "Hồ sơ kiểm tra công tác văn thư, lưu trữ năm 2021", "start_date": "2021-03",
    "end_date": "2021-11-30", "retention": "02", "mode": "02", "language": "Tiếng Việt",
    "keywords": "kiểm tra; văn thư ;lưu trữ", "document_count": "4", "sheets": "30", "pages": "58",
    "condition": "02", "info_symbol": "KT-VTLT", "reliability": "02", "notes": "Có bút phê",
}


def test_archivist_creates_fonds_and_file_with_every_field(client, app, make_user, login_as):
    login_as(make_user(role="archivist"))
    assert client.post("/nghiep-vu/phong/moi", data={"code": "SNV", "name": "Sở Nội vụ tỉnh Đồng Nai"}).status_code == 302
    with app.app_context():
        fonds = db.session.scalar(select(Fonds).where(Fonds.code == "SNV"))
    response = client.post(f"/nghiep-vu/phong/{fonds.id}/ho-so/moi", data=FILE_FORM)
    assert response.status_code == 302
    with app.app_context():
        record = db.session.scalar(select(RecordFile).where(RecordFile.file_code == "SNV.2021.007"))
        assert (record.retention, record.mode, record.condition, record.sheets, record.pages) == ("02", "02", "02", 30, 58)
        assert record.keywords == "kiểm tra; văn thư; lưu trữ"
        assert str(record.start_sort) == "2021-03-01" and str(record.end_sort) == "2021-11-30"
        assert record.info_symbol == "KT-VTLT" and record.notes == "Có bút phê"
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {"fonds.create", "file.create"} <= actions


def test_file_form_errors_keep_input(client, app, make_user, login_as, make_file):
    existing = make_file()
    login_as(make_user(role="admin"))
    with app.app_context():
        fonds_id = db.session.scalar(select(Fonds.id))
    bad = {**FILE_FORM, "file_code": existing.file_code, "start_date": "2021-13", "retention": "09",
           "sheets": "-3"}
    response = client.post(f"/nghiep-vu/phong/{fonds_id}/ho-so/moi", data=bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Mã hồ sơ đã tồn tại" in html or "YYYY" in html
    assert "YYYY, YYYY-MM hoặc YYYY-MM-DD" in html and "Mã không hợp lệ" in html and "số nguyên" in html
    assert "Hồ sơ kiểm tra công tác văn thư, lưu trữ năm 2021" in html and "Có bút phê" in html


def test_reader_cannot_edit_the_catalogue(client, make_user, login_as, make_file):
    record = make_file()
    login_as(make_user())
    assert client.get(f"/nghiep-vu/ho-so/{record.id}/sua").status_code == 403
    assert client.post(f"/nghiep-vu/ho-so/{record.id}/sua", data=FILE_FORM).status_code == 403


def _png(width=200, height=280) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (width, height), 230).save(buffer, "PNG")
    return buffer.getvalue()


def test_staff_attach_and_replace_a_scan_from_the_browser(client, app, make_user, login_as, make_file):
    import zipfile

    record = make_file()
    login_as(make_user(role="archivist"))
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as z:
        for n in (1, 2, 10):
            z.writestr(f"trang{n}.png", _png())
    response = client.post(f"/nghiep-vu/ho-so/{record.id}/ban-quet",
                           data={"scan": (io.BytesIO(bundle.getvalue()), "scan.zip")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.get(RecordFile, record.id)
        assert (stored.scan_kind, stored.scan_pages) == ("images", 3)
        assert [p.page_no for p in stored.page_scans] == [1, 2, 3]
        first_path = stored.scan_path
    fake = client.post(f"/nghiep-vu/ho-so/{record.id}/ban-quet",
                       data={"scan": (io.BytesIO(b"%PDF-1.4 this is not really a pdf"), "x.pdf")},
                       content_type="multipart/form-data")
    assert fake.status_code == 400 and "PDF" in fake.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(RecordFile, record.id).scan_path == first_path  # the old scan is untouched
