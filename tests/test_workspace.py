"""The staff home per role (a registry of panels), and labels instead of codes wherever a person reads."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal import dashboard, labels
from portal.deadlines import today_local
from portal.extensions import db
from portal.models import Job, RequestItem, User
from portal.services import requests as requests_svc

from .conftest import login


@pytest.fixture
def people(make_user):
    return {"reader": make_user(full_name="Trần Văn Độc"), "archivist": make_user(role="archivist"),
            "leader": make_user(role="leader"), "admin": make_user(role="admin")}


def submit(app, reader, file_ids, token="t1"):
    with app.test_request_context():
        me = db.session.get(User, reader.id)
        for file_id in file_ids:
            requests_svc.add_to_basket(me, file_id)
        request = requests_svc.submit_request(me, {"purpose": "01", "research_topic": "Lịch sử địa phương", "fee_category": "01"},
                                              None, token)
        return request.id, {i.mode: i.id for i in request.items}


def page(app, who, url: str, language: str = "vi") -> str:
    client = app.test_client()
    login(client, who.email)
    if language == "en":
        client.get("/lang/en")
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_each_role_has_its_home(app, people, make_file):
    overdue_file, today_file = make_file(mode="01"), make_file(mode="02")
    _request_id, items = submit(app, people["reader"], [overdue_file.id, today_file.id])
    with app.app_context():
        db.session.get(RequestItem, items["01"]).due_on = today_local() - timedelta(days=3)
        db.session.get(RequestItem, items["02"]).due_on = today_local()
        db.session.add(Job(kind="reading_copy.build", status="failed", last_error="disk full"))
        db.session.commit()

    archivist = page(app, people["archivist"], "/nghiep-vu/")
    assert "Việc hôm nay" in archivist and overdue_file.file_code in archivist and today_file.file_code in archivist
    assert "Tác vụ nền lỗi" in archivist and "disk full" in archivist and "Độc giả chờ xác minh" in archivist
    assert "Tạo bản đọc" in archivist and "reading_copy.build" not in archivist
    assert "Tình trạng hệ thống" not in archivist and "Tài khoản cán bộ" not in archivist

    with app.test_request_context():
        requests_svc.decide(db.session.get(User, people["archivist"].id),
                            db.session.get(RequestItem, items["02"]), "forward", "Đề nghị duyệt")
    leader = page(app, people["leader"], "/nghiep-vu/")
    assert "Hồ sơ chờ lãnh đạo duyệt" in leader and today_file.file_code in leader
    assert overdue_file.file_code not in leader.split("panel-leader_waiting")[1].split("</section>")[0]
    assert "Xem thống kê" in leader and "Việc hôm nay" not in leader

    admin = page(app, people["admin"], "/nghiep-vu/")
    assert "Tài khoản cán bộ" in admin and "Cài đặt" in admin and "Tình trạng hệ thống" in admin
    assert "Dung lượng thư mục dữ liệu (DATA_DIR)" in admin and "Tác vụ nền lỗi" in admin


def test_other_modules_register_panels_and_health_checks(app, people, monkeypatch, tmp_path):
    monkeypatch.setattr(dashboard, "_PANELS", dict(dashboard._PANELS))
    monkeypatch.setattr(dashboard, "_HEALTH", dict(dashboard._HEALTH))
    template = tmp_path / "visits_panel.html"
    template.write_text('<h2 id="panel-visits">Lượt đọc tại phòng đọc hôm nay: {{ d.count }}</h2>')
    app.jinja_loader.searchpath.append(str(tmp_path))  # type: ignore[union-attr]

    @dashboard.register_panel("visits", "visits_panel.html", roles={"archivist"}, order=15)
    def visits(user):
        return {"count": 4}

    @dashboard.register_health_check("ocr", "Hàng đợi OCR")
    def ocr():
        return dashboard.HealthResult("12 trang chờ", ok=False)

    @dashboard.register_health_check("broken", "Kiểm tra hỏng")
    def broken():
        raise OSError("no disk")

    assert "Lượt đọc tại phòng đọc hôm nay: 4" in page(app, people["archivist"], "/nghiep-vu/")
    assert "Lượt đọc tại phòng đọc" not in page(app, people["leader"], "/nghiep-vu/")
    admin = page(app, people["admin"], "/nghiep-vu/")
    assert "Hàng đợi OCR" in admin and "12 trang chờ" in admin and "OSError: no disk" in admin


def test_the_audit_trail_and_its_filters_speak_in_labels_in_both_languages(app, people, make_file):
    submit(app, people["reader"], [make_file(mode="01").id])
    vi = page(app, people["archivist"], "/nghiep-vu/nhat-ky")
    assert "Gửi phiếu yêu cầu" in vi and "Yêu cầu đọc hồ sơ" in vi and "Chờ xử lý" in vi
    table = vi.split("<table", 1)[1]  # (the filter's option values are codes; what is shown is not)
    assert "request.submit" not in table and "item.submit" not in table and "submitted" not in table
    assert '<option value="request" >Phiếu yêu cầu</option>' in vi.replace("selected", "")
    assert '<option value="item.approve" >Đồng ý cho đọc</option>' in vi.replace("selected", "")
    en = page(app, people["archivist"], "/nghiep-vu/nhat-ky", "en")
    assert "Submit request" in en and "Pending" in en and "request.submit" not in en.split("<table", 1)[1]
    filtered = page(app, people["archivist"], "/nghiep-vu/nhat-ky?action=item.submit")
    assert "Yêu cầu đọc hồ sơ" in filtered and "Gửi phiếu yêu cầu</td>" not in filtered


def test_every_audit_action_in_the_code_has_a_label():
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[1] / "portal"
    found = set()
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for start in (m.start() for m in re.finditer(r"record_event\(", text)):
            found |= set(re.findall(r'"([a-z_]+\.[a-z_]+)"', text[start:start + 160]))
    assert {"request.submit", "staff.invite", "file.scan_attach"} <= found
    found |= {"reader.clear", "reader.block"}  # chosen in a variable by accounts.set_clearance
    missing = sorted(code for code in found if code not in labels.AUDIT_ACTION)
    assert not missing, f"audit actions without a label: {missing}"
    for status in ("submitted", "forwarded", "granted", "refused", "withdrawn", "expired", "revoked"):
        assert labels.state_label(status) != status


def test_request_history_shows_labels_not_codes(app, people, make_file):
    request_id, items = submit(app, people["reader"], [make_file(mode="02").id])
    with app.test_request_context():
        requests_svc.decide(db.session.get(User, people["archivist"].id),
                            db.session.get(RequestItem, items["02"]), "forward", "Đề nghị lãnh đạo duyệt")
    reader_page = page(app, people["reader"], f"/phieu-yeu-cau/{request_id}")
    assert "(Chờ xử lý → Chờ lãnh đạo duyệt)" in reader_page and "submitted" not in reader_page
    staff_page = page(app, people["leader"], f"/nghiep-vu/yeu-cau/{request_id}", "en")
    assert "(Pending → Awaiting leader approval)" in staff_page


def test_the_registers_hold_labels_not_codes(app, people, make_file):
    submit(app, people["reader"], [make_file(mode="01").id])
    client = app.test_client()
    login(client, people["archivist"].email)
    today = today_local()
    span = f"start={today - timedelta(days=1)}&end={today + timedelta(days=1)}"
    rows = list(csv.reader(io.StringIO(client.get(f"/nghiep-vu/so-dang-ky?kind=phieu&{span}").get_data(as_text=True)
                                       .lstrip("\ufeff"))))
    header, line = rows[0], rows[1]
    record = dict(zip(header, line))
    assert record["Mục đích"] == "Cá nhân" and record["Đối tượng thu phí"] == "Học sinh, sinh viên"
    assert record["Chế độ"] == "Công khai" and record["Trạng thái"] == "Chờ xử lý"
    readers = list(csv.reader(io.StringIO(client.get(f"/nghiep-vu/so-dang-ky?kind=doc-gia&{span}")
                                          .get_data(as_text=True).lstrip("\ufeff"))))
    assert dict(zip(readers[0], readers[1]))["Trạng thái"] == "Đã xác minh"
    client.get("/lang/en")
    english = list(csv.reader(io.StringIO(client.get(f"/nghiep-vu/so-dang-ky?kind=phieu&{span}")
                                          .get_data(as_text=True).lstrip("\ufeff"))))
    assert "Personal" in english[1] and "Pending" in english[1]


def test_exhibition_views_are_counted_per_day(app, client, people):
    from portal.models import Exhibition, ExhibitionVisit

    with app.app_context():
        exhibition = Exhibition(slug="dong-nai", title="Đồng Nai", summary="…", is_published=True)
        db.session.add(exhibition)
        db.session.commit()
    for _n in range(3):
        assert client.get("/trien-lam/dong-nai").status_code == 200
    with app.app_context():
        [row] = db.session.scalars(select(ExhibitionVisit)).all()
        assert (row.day, row.views) == (today_local(), 3) and isinstance(row.day, date)


def test_the_homes_show_todays_copy_orders_reading_room_and_copy_backlog(app, people, make_file):
    from portal.db import utcnow
    from portal.models import CopyOrder, Visit
    from portal.services.copies import fees

    from .copies_helpers import EXAMPLE_FEES

    with app.test_request_context():
        schedule = fees.save_schedule(None, dict(EXAMPLE_FEES), is_example=True, allow_past=True)
        today = today_local()

        def order(n, status, due, delivery="download", paid_hours_ago=None):
            row = CopyOrder(code=f"SC-2026-{n:06d}", reader_id=people["reader"].id, status=status, kind="plain",
                            delivery=delivery, purpose="01", fee_category="10", mode="01", due_on=due,
                            submit_token=f"home-{n}", fee_schedule_id=schedule.id, amount=2000,
                            paid_at=utcnow() - timedelta(hours=paid_hours_ago) if paid_hours_ago else None)
            db.session.add(row)

        order(1, "submitted", today - timedelta(days=2))
        order(2, "submitted", today)
        order(3, "forwarded", today + timedelta(days=3))
        order(4, "paid", today, paid_hours_ago=3)  # a digital copy still not made three hours after paying
        order(5, "paid", today, delivery="pickup", paid_hours_ago=1)
        db.session.add_all([Visit(code="LD-1", reader_id=people["reader"].id, day=today, session="am", seat_no=1,
                                  status="booked"),
                            Visit(code="LD-2", reader_id=people["reader"].id, day=today, session="am", seat_no=2,
                                  status="present", checked_in_at=utcnow())])
        db.session.commit()

    archivist = page(app, people["archivist"], "/nghiep-vu/")
    copies = archivist.split('id="panel-copies_today"')[1].split("</section>")[0]
    assert "SC-2026-000001" in copies.split("Đến hạn hôm nay")[0]  # overdue
    assert "SC-2026-000002" in copies.split("Đến hạn hôm nay")[1]
    assert "SC-2026-000003" not in copies  # the leader's
    assert "Bản giấy cần in và giao: <strong>1</strong>" in copies
    room = archivist.split('id="panel-visits_today"')[1].split("</section>")[0]
    assert "Độc giả đặt lịch, chưa đến: <strong>1</strong>" in room and "Đang đọc tại phòng: <strong>1</strong>" in room

    leader = page(app, people["leader"], "/nghiep-vu/")
    leader_copies = leader.split('id="panel-copies_today"')[1].split("</section>")[0]
    assert "SC-2026-000003" not in leader_copies.split("Đến hạn hôm nay")[0]  # not due yet
    assert "Phiếu yêu cầu sao" in leader_copies and "SC-2026-000001" not in leader_copies
    assert 'id="panel-visits_today"' not in leader

    admin = page(app, people["admin"], "/nghiep-vu/")
    assert "Bản sao chờ làm" in admin and "1 phiếu đã nộp phí chờ quá 1 giờ; 0 lần làm bản sao lỗi" in admin
    english = page(app, people["admin"], "/nghiep-vu/", "en")
    assert "Copies waiting to be made" in english and "Reading room today" in english
