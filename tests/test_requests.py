"""Access requests end to end: basket, submit, decisions, grants, expiry, thread, registers."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from portal.db import utcnow
from portal.extensions import db
from portal.models import AccessRequest, AuditEvent, BasketEntry, RequestItem, User
from portal.services import requests as svc

from .conftest import login

FORM = {"purpose": "01", "research_topic": "Lịch sử công tác lưu trữ tỉnh Đồng Nai", "fee_category": "01",
        "notes": "Cần đọc gấp", "submit_token": "tok-1"}


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "white").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def people(make_user):
    return {
        "reader": make_user(full_name="Trần Văn Độc"),
        "other": make_user(full_name="Lê Thị Khác"),
        "archivist": make_user(role="archivist", full_name="Cán Bộ Phòng Đọc"),
        "leader": make_user(role="leader", full_name="Lãnh Đạo Lưu Trữ"),
        "admin": make_user(role="admin", full_name="Quản Trị"),
    }


@pytest.fixture
def files(make_file):
    return {"open": make_file(mode="01", title="Hồ sơ công khai về văn thư"),
            "cond": make_file(mode="02", title="Hồ sơ tiếp cận có điều kiện về đất đai"),
            "secret": make_file(mode="03", title="Hồ sơ mật")}


def submit(client, file_ids, **overrides):
    for file_id in file_ids:
        client.post(f"/phieu-yeu-cau/gio/them/{file_id}")
    return client.post("/phieu-yeu-cau/gio", data={**FORM, **overrides}, content_type="multipart/form-data")


def only_request(app) -> AccessRequest:
    with app.app_context():
        request = db.session.scalar(select(AccessRequest))
        _ = [(i.file, i.reader) for i in request.items]
        return request


def items_by_mode(app) -> dict[str, RequestItem]:
    with app.app_context():
        items = {i.mode: i for i in db.session.scalars(select(RequestItem))}
        _ = [(i.file, i.request) for i in items.values()]
        return items


def status_of(app, item_id) -> str:
    with app.app_context():
        return db.session.get(RequestItem, item_id).status


# --- basket and submission -------------------------------------------------------------

def test_visitor_is_asked_to_log_in_and_classified_files_cannot_be_added(client, people, files, login_as):
    response = client.post(f"/phieu-yeu-cau/gio/them/{files['open'].id}")
    assert response.status_code == 302 and "dang-nhap" in response.headers["Location"]
    login_as(people["reader"])
    assert client.post(f"/phieu-yeu-cau/gio/them/{files['secret'].id}").status_code == 404
    assert client.post("/phieu-yeu-cau/gio/them/999999").status_code == 404
    assert client.post(f"/phieu-yeu-cau/gio/them/{files['open'].id}").status_code == 302
    assert client.post(f"/phieu-yeu-cau/gio/them/{files['open'].id}").status_code == 302  # twice: still one
    assert "Hồ sơ công khai về văn thư" in client.get("/phieu-yeu-cau/gio").get_data(as_text=True)


def test_submit_makes_one_request_with_items_deadlines_mails_and_audit(client, app, people, files, login_as, outbox):
    login_as(people["reader"])
    response = submit(client, [files["open"].id, files["cond"].id])
    assert response.status_code == 302
    request = only_request(app)
    assert re.fullmatch(r"YC-\d{4}-\d{6}", request.code)
    assert request.status == "submitted" and request.purpose == "01"
    by_mode = {i.mode: i for i in request.items}
    assert set(by_mode) == {"01", "02"} and all(i.status == "submitted" for i in request.items)
    assert by_mode["01"].due_on < by_mode["02"].due_on
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BasketEntry)) == 0
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert actions.count("item.submit") == 2 and "request.submit" in actions
    recipients = [m["To"] for m in outbox()]
    assert people["reader"].email in recipients and people["archivist"].email in recipients
    page = client.get(f"/phieu-yeu-cau/{request.id}").get_data(as_text=True)
    assert request.code in page and "Chờ xử lý" in page and "Gửi phiếu yêu cầu" in page


def test_double_submit_makes_one_request(client, app, people, files, login_as):
    login_as(people["reader"])
    first = submit(client, [files["open"].id])
    second = client.post("/phieu-yeu-cau/gio", data=FORM, content_type="multipart/form-data")
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AccessRequest)) == 1


def test_empty_basket_is_refused_and_keeps_what_was_typed(client, app, people, login_as):
    login_as(people["reader"])
    response = client.post("/phieu-yeu-cau/gio", data=FORM, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Giỏ hồ sơ đang trống" in html
    assert "Lịch sử công tác lưu trữ tỉnh Đồng Nai" in html and "Cần đọc gấp" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AccessRequest)) == 0


@pytest.mark.parametrize("letter,message", [
    (None, "cần kèm giấy giới thiệu"),
    ((b"just text pretending to be a pdf", "giay.pdf"), "PDF, JPEG hoặc PNG hợp lệ"),
    ((b"%PDF-1.4 not really", "giay.pdf"), "PDF, JPEG hoặc PNG hợp lệ"),
    ((b"\x89PNG\r\n\x1a\n" + b"0" * 300_000, "big.png"), "quá lớn"),
])
def test_official_purpose_needs_a_real_letter(client, app, people, files, login_as, letter, message):
    # The limit is 10 MB; a smaller one here keeps the upload in memory (Werkzeug's test client
    # leaves its temporary file for big bodies open).
    app.config["LETTER_MAX_BYTES"] = 200_000
    login_as(people["reader"])
    data = {**FORM, "purpose": "02", "purpose_details": "Sở Nội vụ giao nhiệm vụ biên soạn"}
    if letter:
        data["letter"] = (io.BytesIO(letter[0]), letter[1])
    response = submit(client, [files["open"].id], **data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html
    assert "Sở Nội vụ giao nhiệm vụ biên soạn" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AccessRequest)) == 0
        assert db.session.scalar(select(func.count()).select_from(BasketEntry)) == 1  # the basket is kept


def test_official_purpose_with_png_letter_is_stored_and_readable_by_staff_only(
        client, app, people, files, login_as):
    login_as(people["reader"])
    data = {**FORM, "purpose": "03", "purpose_details": "Công an tỉnh đề nghị xác minh",
            "letter": (io.BytesIO(png_bytes()), "giay-gioi-thieu.png")}
    assert submit(client, [files["open"].id], **data).status_code == 302
    request = only_request(app)
    assert request.letter_mime == "image/png"
    with client.get(f"/phieu-yeu-cau/{request.id}/giay-gioi-thieu") as response:
        assert response.status_code == 200 and response.data == png_bytes()
    other = app.test_client()
    login(other, people["other"].email)
    assert other.get(f"/phieu-yeu-cau/{request.id}/giay-gioi-thieu").status_code == 404
    staff = app.test_client()
    login(staff, people["archivist"].email)
    with staff.get(f"/phieu-yeu-cau/{request.id}/giay-gioi-thieu") as response:
        assert response.status_code == 200


def test_another_readers_request_is_not_found(client, app, people, files, login_as):
    login_as(people["reader"])
    submit(client, [files["open"].id])
    request = only_request(app)
    other = app.test_client()
    login(other, people["other"].email)
    assert other.get(f"/phieu-yeu-cau/{request.id}").status_code == 404
    assert other.post(f"/phieu-yeu-cau/{request.id}/rut").status_code == 404
    assert other.post(f"/phieu-yeu-cau/{request.id}/tin-nhan", data={"body": "xin chào"}).status_code == 404
    assert status_of(app, request.items[0].id) == "submitted"


# --- decisions --------------------------------------------------------------------------

def staff_client(app, user):
    c = app.test_client()
    assert login(c, user.email).status_code == 302
    return c


def test_two_level_review_and_grants(client, app, people, files, login_as, outbox):
    login_as(people["reader"])
    submit(client, [files["open"].id, files["cond"].id])
    items = items_by_mode(app)
    archivist, leader = staff_client(app, people["archivist"]), staff_client(app, people["leader"])

    # An archivist may not approve a conditional item: it must go to a leader, with an opinion.
    refused = archivist.post(f"/nghiep-vu/muc/{items['02'].id}/approve", data={})
    assert refused.status_code == 403 or "lãnh đạo" in refused.get_data(as_text=True)
    assert archivist.post(f"/nghiep-vu/muc/{items['02'].id}/forward", data={"reason": ""}).status_code == 400
    assert archivist.post(f"/nghiep-vu/muc/{items['02'].id}/forward",
                          data={"reason": "Đề nghị đồng ý, mục đích phù hợp"}).status_code == 302
    assert status_of(app, items["02"].id) == "forwarded"
    assert archivist.post(f"/nghiep-vu/muc/{items['01'].id}/approve").status_code == 302
    assert status_of(app, items["01"].id) == "granted"

    # Leaders see forwarded items in their queue; an archivist cannot decide at the second level.
    assert items["02"].file.file_code in leader.get("/nghiep-vu/yeu-cau").get_data(as_text=True)
    assert archivist.post(f"/nghiep-vu/muc/{items['02'].id}/leader_approve").status_code == 403
    assert leader.post(f"/nghiep-vu/muc/{items['02'].id}/leader_approve").status_code == 302
    with app.app_context():
        granted = db.session.get(RequestItem, items["02"].id)
        assert granted.status == "granted" and granted.decided_by_id == people["leader"].id
        window = granted.grant_ends_at - granted.grant_starts_at
        assert window == timedelta(days=15)
        assert db.session.get(AccessRequest, granted.request_id).status == "completed"
        assert svc.active_grant(db.session.get(User, people["reader"].id), files["cond"].id) is not None
        assert svc.active_grant(db.session.get(User, people["other"].id), files["cond"].id) is None
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "item.leader_approve"))
        assert (event.actor_id, event.from_state, event.to_state) == (people["leader"].id, "forwarded", "granted")
    decisions = [m for m in outbox() if m["To"] == people["reader"].email and "Kết quả" in m["Subject"]]
    assert len(decisions) == 2
    assert any(m["To"] == people["leader"].email for m in outbox())  # told about the forwarded item


def test_refusal_needs_a_reason_and_keeps_it(client, app, people, files, login_as):
    login_as(people["reader"])
    submit(client, [files["open"].id])
    item = items_by_mode(app)["01"]
    archivist = staff_client(app, people["archivist"])
    response = archivist.post(f"/nghiep-vu/muc/{item.id}/refuse", data={"reason": "  "})
    assert response.status_code == 400 and "lý do" in response.get_data(as_text=True)
    assert status_of(app, item.id) == "submitted"
    archivist.post(f"/nghiep-vu/muc/{item.id}/refuse", data={"reason": "Hồ sơ đang tu bổ"})
    assert status_of(app, item.id) == "refused"
    assert "Hồ sơ đang tu bổ" in client.get(f"/phieu-yeu-cau/{item.request_id}").get_data(as_text=True)
    # A refused file can be requested again in a new request.
    assert submit(client, [files["open"].id], submit_token="tok-2").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AccessRequest)) == 2


def test_a_file_being_read_cannot_be_requested_twice(client, app, people, files, login_as):
    login_as(people["reader"])
    submit(client, [files["open"].id])
    response = submit(client, [files["open"].id], submit_token="tok-2")
    assert response.status_code == 400 and "đang được yêu cầu" in response.get_data(as_text=True)


def test_items_of_an_uncleared_reader_wait_until_cleared(app, make_user, people, files):
    pending = make_user(cleared=False, full_name="Người Chưa Xác Minh")
    reader = app.test_client()
    login(reader, pending.email)
    submit(reader, [files["open"].id])
    item = items_by_mode(app)["01"]
    archivist = staff_client(app, people["archivist"])
    assert "Chờ xác minh tài khoản" in archivist.get("/nghiep-vu/yeu-cau").get_data(as_text=True)
    response = archivist.post(f"/nghiep-vu/muc/{item.id}/approve")
    assert response.status_code == 409 and "chưa được xác minh" in response.get_data(as_text=True)
    assert status_of(app, item.id) == "submitted"
    assert "Chờ xác minh tài khoản" in reader.get(f"/phieu-yeu-cau/{item.request_id}").get_data(as_text=True)
    archivist.post(f"/nghiep-vu/doc-gia/{pending.id}/xac-minh")
    assert archivist.post(f"/nghiep-vu/muc/{item.id}/approve").status_code == 302
    assert status_of(app, item.id) == "granted"


def test_withdraw_only_while_nothing_is_decided(client, app, people, files, login_as):
    login_as(people["reader"])
    submit(client, [files["open"].id])
    first = items_by_mode(app)["01"]
    client.post(f"/phieu-yeu-cau/{first.request_id}/rut")
    assert status_of(app, first.id) == "withdrawn"
    # Withdrawn: the file can be requested again; once decided, the request can no longer be withdrawn.
    submit(client, [files["open"].id], submit_token="tok-2")
    with app.app_context():
        second = db.session.scalar(select(RequestItem).where(RequestItem.status == "submitted"))
    staff_client(app, people["archivist"]).post(f"/nghiep-vu/muc/{second.id}/approve")
    client.post(f"/phieu-yeu-cau/{second.request_id}/rut")
    assert status_of(app, second.id) == "granted"


def test_expiry_by_command_and_on_access_and_revocation(client, app, people, files, login_as, runner, outbox):
    login_as(people["reader"])
    submit(client, [files["open"].id, files["cond"].id])
    items = items_by_mode(app)
    archivist = staff_client(app, people["archivist"])
    archivist.post(f"/nghiep-vu/muc/{items['01'].id}/approve")
    archivist.post(f"/nghiep-vu/muc/{items['02'].id}/forward", data={"reason": "Đồng ý"})
    staff_client(app, people["leader"]).post(f"/nghiep-vu/muc/{items['02'].id}/leader_approve")
    with app.app_context():
        open_item = db.session.get(RequestItem, items["01"].id)
        open_item.grant_ends_at = utcnow() + timedelta(days=1)  # ending soon: a reminder
        db.session.commit()
    result = runner.invoke(args=["requests", "expire"])
    assert "expired=0 reminded=1" in result.output
    assert any("Sắp hết thời hạn" in m["Subject"] for m in outbox())
    with app.app_context():
        open_item = db.session.get(RequestItem, items["01"].id)
        open_item.grant_ends_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert "expired=1" in runner.invoke(args=["requests", "expire"]).output
    assert status_of(app, items["01"].id) == "expired"
    # An expired file can be requested again.
    assert submit(client, [files["open"].id], submit_token="tok-2").status_code == 302

    # Checked on access too: a window that just ended is not active, even before the command runs.
    with app.app_context():
        cond = db.session.get(RequestItem, items["02"].id)
        cond.grant_ends_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        with app.test_request_context():
            assert svc.active_grant(db.session.get(User, people["reader"].id), files["cond"].id) is None
        assert db.session.get(RequestItem, items["02"].id).status == "expired"


def test_staff_revoke_a_grant_with_a_reason(client, app, people, files, login_as):
    login_as(people["reader"])
    submit(client, [files["open"].id])
    item = items_by_mode(app)["01"]
    archivist = staff_client(app, people["archivist"])
    archivist.post(f"/nghiep-vu/muc/{item.id}/approve")
    assert archivist.post(f"/nghiep-vu/muc/{item.id}/revoke", data={"reason": ""}).status_code == 400
    assert archivist.post(f"/nghiep-vu/muc/{item.id}/revoke",
                          data={"reason": "Độc giả chia sẻ tài liệu"}).status_code == 302
    assert status_of(app, item.id) == "revoked"


def test_stale_form_gets_a_clear_message_and_the_current_state(client, app, people, files, login_as):
    login_as(people["reader"])
    submit(client, [files["open"].id])
    item = items_by_mode(app)["01"]
    first, second = staff_client(app, people["archivist"]), staff_client(app, people["archivist"])
    first.post(f"/nghiep-vu/muc/{item.id}/approve", data={"version": "1"})
    response = second.post(f"/nghiep-vu/muc/{item.id}/refuse", data={"version": "1", "reason": "Không phù hợp"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "vừa được người khác xử lý" in html and "Được đọc" in html
    assert status_of(app, item.id) == "granted"


@pytest.mark.postgres_only
def test_two_staff_deciding_at_once_store_exactly_one_decision(client, app, people, files, login_as):
    """Two sessions load the same item, both decide; PostgreSQL keeps exactly one decision."""
    from portal.errors import Conflict

    login_as(people["reader"])
    submit(client, [files["open"].id])
    item_id = items_by_mode(app)["01"].id
    with app.test_request_context():
        maker = app.extensions["db"]["sessionmaker"]
        one, two = maker(), maker()
        item_one, item_two = one.get(RequestItem, item_id), two.get(RequestItem, item_id)
        _ = (item_one.reader, item_one.file, item_one.request.items, item_two.reader, item_two.file,
             item_two.request.items)
        archivist_one, archivist_two = one.get(User, people["archivist"].id), two.get(User, people["archivist"].id)
        from flask import g

        g.db_session = one
        svc.decide(archivist_one, item_one, "approve")
        g.db_session = two
        with pytest.raises(Conflict) as raised:
            svc.decide(archivist_two, item_two, "refuse", "Không phù hợp")
        assert "Được đọc" in raised.value.message
        one.close()
        two.close()
        g.pop("db_session")
    with app.app_context():
        events = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "item")).all()
        assert events.count("item.approve") == 1 and "item.refuse" not in events
        assert db.session.get(RequestItem, item_id).status == "granted"


# --- thread, queue, registers ------------------------------------------------------------

def test_message_thread_notifies_the_other_side(client, app, people, files, login_as, outbox):
    login_as(people["reader"])
    submit(client, [files["open"].id])
    request = only_request(app)
    empty = client.post(f"/phieu-yeu-cau/{request.id}/tin-nhan", data={"body": "  "})
    assert empty.status_code == 400
    client.post(f"/phieu-yeu-cau/{request.id}/tin-nhan", data={"body": "Tôi cần bản đọc trước thứ Sáu."})
    assert any(m["To"] == people["archivist"].email and "Tin nhắn mới" in m["Subject"] for m in outbox())
    archivist = staff_client(app, people["archivist"])
    archivist.post(f"/nghiep-vu/yeu-cau/{request.id}/tin-nhan", data={"body": "Phòng đọc sẽ xử lý hôm nay."})
    assert any(m["To"] == people["reader"].email and "trả lời" in m["Subject"] for m in outbox())
    page = client.get(f"/phieu-yeu-cau/{request.id}").get_data(as_text=True)
    assert "Tôi cần bản đọc trước thứ Sáu." in page and "Phòng đọc sẽ xử lý hôm nay." in page


def test_queue_sorted_by_due_date_filtered_and_marks_overdue(client, app, people, files, login_as):
    login_as(people["reader"])
    submit(client, [files["open"].id, files["cond"].id])
    with app.app_context():
        overdue = db.session.scalar(select(RequestItem).where(RequestItem.mode == "02"))
        overdue.due_on = overdue.due_on - timedelta(days=30)
        db.session.commit()
    archivist = staff_client(app, people["archivist"])
    html = archivist.get("/nghiep-vu/yeu-cau").get_data(as_text=True)
    assert html.index(files["cond"].file_code) < html.index(files["open"].file_code)
    assert "badge overdue" in html
    only_overdue = archivist.get("/nghiep-vu/yeu-cau?overdue=1").get_data(as_text=True)
    assert files["cond"].file_code in only_overdue and files["open"].file_code not in only_overdue
    by_mode = archivist.get("/nghiep-vu/yeu-cau?mode=01").get_data(as_text=True)
    assert files["open"].file_code in by_mode and files["cond"].file_code not in by_mode
    nobody = archivist.get("/nghiep-vu/yeu-cau?reader=khong-co-ai").get_data(as_text=True)
    assert files["open"].file_code not in nobody
    assert files["open"].file_code in archivist.get("/nghiep-vu/yeu-cau?reader=Độc").get_data(as_text=True)


def test_registers_export_as_excel_friendly_csv(client, app, people, files, login_as):
    login_as(people["reader"])
    submit(client, [files["open"].id])
    archivist = staff_client(app, people["archivist"])
    today = (utcnow() + timedelta(hours=7)).date()
    span = {"start": (today - timedelta(days=1)).isoformat(), "end": today.isoformat()}
    readers = archivist.get("/nghiep-vu/so-dang-ky", query_string={**span, "kind": "doc-gia"})
    assert readers.status_code == 200 and readers.mimetype == "text/csv"
    assert readers.data.startswith("\ufeff".encode("utf-8"))
    text = readers.data.decode("utf-8-sig")
    assert "Trần Văn Độc" in text and "Lê Thị Khác" in text and "Cán Bộ Phòng Đọc" not in text
    register = archivist.get("/nghiep-vu/so-dang-ky", query_string={**span, "kind": "phieu"})
    text = register.data.decode("utf-8-sig")
    assert only_request(app).code in text and files["open"].file_code in text
    old = archivist.get("/nghiep-vu/so-dang-ky", query_string={"start": "2020-01-01", "end": "2020-01-31",
                                                                "kind": "phieu"})
    assert only_request(app).code not in old.data.decode("utf-8-sig")
    backwards = archivist.get("/nghiep-vu/so-dang-ky", query_string={"start": "2026-02-01", "end": "2026-01-01",
                                                                      "kind": "phieu"})
    assert backwards.status_code == 400
    assert client.get("/nghiep-vu/so-dang-ky", query_string={**span, "kind": "phieu"}).status_code == 403


def test_register_cells_that_look_like_formulas_are_neutralised(client, app, make_user, make_file, login_as):
    reader = make_user(full_name="Nguyễn Văn Công")
    with app.app_context():
        from portal.models import ReaderProfile

        profile = db.session.scalar(select(ReaderProfile).where(ReaderProfile.user_id == reader.id))
        profile.employer = '=HYPERLINK("http://evil.example","bấm vào")'
        db.session.commit()
    login_as(make_user(role="archivist"))
    today = (utcnow() + timedelta(hours=7)).date()
    text = client.get("/nghiep-vu/so-dang-ky", query_string={"start": today.isoformat(), "end": today.isoformat(),
                                                              "kind": "doc-gia"}).data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ',=HYPERLINK' not in text and '"=HYPERLINK' not in text
