"""Reading-room visits: calendar rules, booking limits and bad input, grants that read
"được đọc tại phòng đọc" with the .ics mail, moving and cancelling, the .ics route."""
from __future__ import annotations

from datetime import date, datetime
from email.message import EmailMessage

import pytest
from sqlalchemy import func, select

from portal.errors import ValidationError
from portal.extensions import db
from portal.models import AccessRequest, BasketEntry, RequestItem, User, Visit
from portal.services import requests as requests_svc
from portal.services.visits import booking, calendar, ics

from .conftest import login
from .visits_helpers import clock, submit  # noqa: F401  (fixture)

MONDAY, TUESDAY, WEDNESDAY, SATURDAY = date(2026, 12, 7), date(2026, 12, 8), date(2026, 12, 9), date(2026, 12, 12)


@pytest.fixture
def people(make_user):
    return {"reader": make_user(full_name="Trần Văn Độc"), "other": make_user(full_name="Lê Thị Khác"),
            "archivist": make_user(role="archivist")}


def _ids(people):
    return {name: user.id for name, user in people.items()}


def test_calendar_opening_hours_holidays_closures_and_started_sessions(app, people, clock):
    with app.test_request_context():
        archivist = db.session.get(User, people["archivist"].id)
        calendar.add_closure(archivist, "2026-12-09", "Kiểm kê kho")
        assert calendar.closed_reason(WEDNESDAY) == "Kiểm kê kho"
        assert calendar.closed_reason(SATURDAY)  # no hours at weekends by default
        assert calendar.closed_reason(date(2027, 1, 1)) == "Ngày nghỉ lễ"  # the public holidays table
        assert calendar.closed_reason(TUESDAY) is None
        keys = [slot.key for slot in calendar.upcoming_slots()]
        assert "2026-12-07|am" not in keys  # began at 07:30
        assert "2026-12-07|pm" in keys and "2026-12-08|am" in keys
        assert not any(k.startswith(("2026-12-09", "2026-12-12", "2026-12-13", "2027-01-01")) for k in keys)
        with pytest.raises(ValidationError) as twice:
            calendar.add_closure(archivist, "2026-12-09", "Lần nữa")
        assert "day" in twice.value.fields


def test_staff_keep_the_calendar_in_the_browser_and_bad_input_keeps_what_was_typed(client, app, people, clock):
    login(client, people["archivist"].email)
    page = client.get("/nghiep-vu/phong-doc/lich")
    assert page.status_code == 200 and 'value="07:30"' in page.get_data(as_text=True)
    form = {"seats": "3", "max_files_per_visit": "11", "visits_per_week": "1", "change_cutoff_hours": "12",
            "booking_days_ahead": "20", "digitise_working_days": "10", "address": "Số 2 Nguyễn Văn Trị, Biên Hòa",
            "h0_am_opens": "08:00", "h0_am_closes": "07:00"}
    refused = client.post("/nghiep-vu/phong-doc/lich", data=form)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Phải từ 1 đến 10" in html and "Giờ mở cửa phải trước giờ đóng cửa" in html
    assert "Số 2 Nguyễn Văn Trị, Biên Hòa" in html  # kept
    form.update({"max_files_per_visit": "5", "h0_am_closes": "11:00", "h5_am_opens": "08:00", "h5_am_closes": "11:00"})
    assert client.post("/nghiep-vu/phong-doc/lich", data=form).status_code == 302
    with app.test_request_context():
        settings = calendar.room_settings()
        assert (settings.seats, settings.max_files_per_visit, settings.visits_per_week) == (3, 5, 1)
        assert calendar.closed_reason(SATURDAY) is None  # Saturday mornings now open
        assert calendar.closed_reason(date(2026, 12, 13)) is not None
    reader = app.test_client()
    login(reader, people["reader"].email)
    assert reader.get("/nghiep-vu/phong-doc/lich").status_code == 403


def _book_error(app, ids, file_ids, slot, token) -> ValidationError:
    with app.test_request_context():
        with pytest.raises(ValidationError) as raised:
            submit(ids["reader"], file_ids, token, {f: "reading_room" for f in file_ids}, slot)
        return raised.value


def test_bad_slots_are_refused_and_nothing_is_half_made(app, people, make_file, clock):
    ids = _ids(people)
    files = [make_file(mode="01").id for _ in range(3)]
    with app.test_request_context():
        calendar.add_closure(db.session.get(User, ids["archivist"]), WEDNESDAY, "Tập huấn nghiệp vụ")
    cases = {
        "2026-12-04|am": "đã qua",  # a past day
        "2026-12-07|am": "đã bắt đầu",  # today, the session has begun
        "2026-12-09|am": "đóng cửa",  # a closure
        "2026-12-12|am": "đóng cửa",  # Saturday
        "2027-01-01|am": "Ngày nghỉ lễ",  # public holiday
        "2027-02-20|am": "tối đa 30 ngày",  # beyond the horizon
        "2026-12-08|xx": "Hãy chọn ngày và buổi",
        "garbage": "Hãy chọn ngày và buổi",
    }
    for n, (slot, words) in enumerate(cases.items()):
        error = _book_error(app, ids, files[:1], slot, f"bad-{n}")
        assert words in " ".join(error.fields["visit_slot"]), (slot, error.fields)
    with app.test_request_context():
        settings = calendar.room_settings()
        settings.max_files_per_visit = 2
        db.session.commit()
    error = _book_error(app, ids, files, "2026-12-08|am", "too-many")
    assert "tối đa 2 hồ sơ" in error.fields["visit_slot"][0]
    with app.test_request_context():
        assert db.session.scalar(select(func.count(AccessRequest.id))) == 0
        assert db.session.scalar(select(func.count(Visit.id))) == 0
        assert db.session.scalar(select(func.count(BasketEntry.id))) == 3  # the basket is kept


def test_full_slot_and_weekly_limit(app, people, make_file, clock):
    ids = _ids(people)
    with app.test_request_context():
        settings = calendar.room_settings()
        settings.seats, settings.visits_per_week = 1, 1
        db.session.commit()
        taken = submit(ids["other"], [make_file().id], "other-1", slot="2026-12-08|am")
        assert taken.items[0].use == "reading_room"
        assert calendar.slot_for(TUESDAY, "am").free == 0
    error = _book_error(app, ids, [make_file().id], "2026-12-08|am", "full")
    assert "hết chỗ" in error.fields["visit_slot"][0]
    with app.test_request_context():
        submit(ids["reader"], [make_file().id], "first-of-week", slot="2026-12-08|pm")
    error = _book_error(app, ids, [make_file().id], "2026-12-10|am", "second-of-week")
    assert "tối đa 1 lượt đọc mỗi tuần" in error.fields["visit_slot"][0]
    with app.test_request_context():  # next week is a new week
        submit(ids["reader"], [make_file().id], "next-week", slot="2026-12-14|am")
        assert booking.week_visits(ids["reader"], date(2026, 12, 14)) == 1


def test_the_unique_seat_holds_even_without_the_lock(app, people, clock):
    """The last line of defence: two visits cannot hold the same seat of a slot."""
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        for reader in ("reader", "other"):
            db.session.add(Visit(reader_id=people[reader].id, day=TUESDAY, session="am", seat_no=1, status="booked"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        db.session.add_all([Visit(reader_id=people[r].id, day=TUESDAY, session="am", seat_no=None, status="cancelled")
                            for r in ("reader", "other")])
        db.session.commit()  # cancelled visits hold no seat


def test_granted_undigitised_item_reads_reading_room_with_mail_and_ics(client, app, people, make_file, clock,
                                                                          outbox):
    ids = _ids(people)
    record = make_file(mode="01", title="Hồ sơ địa giới hành chính")
    with app.test_request_context():
        request = submit(ids["reader"], [record.id], "granted", {record.id: "reading_room"}, "2026-12-08|am",
                         purpose="02")
        item = request.items[0]
        visit = booking.visit_for_item(item)
        assert (visit.day, visit.session, visit.seat_no, visit.status) == (TUESDAY, "am", 1, "booked")
        requests_svc.decide(db.session.get(User, ids["archivist"]), item, "approve")
        assert item.status == "granted"
        # The grant lasts to the end of the visit's day (11:30 Vietnam = 04:30 UTC).
        assert item.grant_ends_at == datetime(2026, 12, 8, 4, 30)
    mails = [m for m in outbox() if m["To"] == people["reader"].email]
    mail: EmailMessage = mails[-1]
    body = mail.get_body(("plain",)).get_content()
    assert "Được đọc tại phòng đọc" in mail["Subject"]
    assert "đọc trực tuyến" not in body.lower()
    assert "Nguyễn Văn Trị" in body and "07:30" in body and "11:30" in body
    assert "Căn cước công dân" in body and "Giấy giới thiệu" in body  # official purpose: the letter too
    attachment = next(mail.iter_attachments())
    assert attachment.get_content_type() == "text/calendar" and attachment.get_filename().endswith(".ics")
    text = attachment.get_content() if isinstance(attachment.get_content(), str) else attachment.get_content().decode()
    assert "DTSTART:20261208T003000Z" in text and "DTEND:20261208T043000Z" in text
    login(client, people["reader"].email)
    page = client.get(f"/phieu-yeu-cau/{request.id}").get_data(as_text=True)
    assert "Được đọc tại phòng đọc ngày 08/12/2026" in page
    assert "Đọc trực tuyến</a>" not in page
    detail = client.get(f"/lich-doc/{visit.id}").get_data(as_text=True)
    assert "Căn cước công dân" in detail and "Thêm vào lịch (.ics)" in detail
    staff = app.test_client()
    login(staff, people["archivist"].email)
    decided = staff.get(f"/nghiep-vu/yeu-cau/{request.id}").get_data(as_text=True)
    assert "Độc giả đọc tại phòng đọc" in decided and visit.code in decided


def test_ics_route_is_the_owners_only(client, app, people, make_file, clock):
    ids = _ids(people)
    with app.test_request_context():
        request = submit(ids["reader"], [make_file().id], "ics", slot="2026-12-08|pm")
        visit_id = booking.visit_for_item(request.items[0]).id
    login(client, people["other"].email)
    assert client.get(f"/lich-doc/{visit_id}/lich.ics").status_code == 404
    assert client.get(f"/lich-doc/{visit_id}").status_code == 404
    assert client.get("/lich-doc/999999/lich.ics").status_code == 404
    owner = app.test_client()
    login(owner, people["reader"].email)
    response = owner.get(f"/lich-doc/{visit_id}/lich.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    data = response.get_data()
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    assert b"UID:visit-" in data and b"DTSTART:20261208T063000Z" in data


def test_ics_escaping_and_folding():
    assert ics.escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "DESCRIPTION:" + "Hồ sơ địa giới hành chính tỉnh Đồng Nai " * 5
    folded = ics.fold(line)
    parts = folded.split("\r\n")
    assert all(len(part.encode()) <= 75 for part in parts) and all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == line  # unfolding gives the line back


def test_move_and_cancel_until_the_cut_off(app, people, make_file, clock, outbox):
    ids = _ids(people)
    with app.test_request_context():
        request = submit(ids["reader"], [make_file().id], "move", slot="2026-12-09|am")
        reader = db.session.get(User, ids["reader"])
        visit = booking.visit_for_item(request.items[0])
        booking.move_visit(reader, visit, "2026-12-10|pm")
        assert (visit.day, visit.session, visit.seat_no) == (date(2026, 12, 10), "pm", 1)
        assert calendar.slot_for(WEDNESDAY, "am").taken == 0  # the old seat is free again
        with pytest.raises(ValidationError):
            booking.move_visit(reader, visit, "2026-12-05|am")  # the past
        clock.local = datetime(2026, 12, 9, 14, 0)  # 23½ hours before 13:30 on the 10th: past the 24 h cut-off
        assert not booking.reader_may_change(visit)
        with pytest.raises(ValidationError) as late:
            booking.cancel_visit(reader, visit)
        assert "quá thời hạn" in late.value.message
        clock.local = datetime(2026, 12, 9, 13, 0)
        booking.cancel_visit(reader, visit)
        assert (visit.status, visit.seat_no) == ("cancelled", None)
        # The files can be booked again on a new visit.
        assert booking.items_to_book(request) == list(request.items)
        again = booking.book_later(reader, request, "2026-12-11|am")
        assert again.files[0].item_id == request.items[0].id
    subjects = [m["Subject"] for m in outbox()]
    assert any("Đã đổi lịch" in s for s in subjects) and any("Đã hủy lịch" in s for s in subjects)


def test_refusing_every_file_cancels_the_visit(app, people, make_file, clock):
    ids = _ids(people)
    with app.test_request_context():
        request = submit(ids["reader"], [make_file().id, make_file().id], "refuse", slot="2026-12-08|am")
        archivist = db.session.get(User, ids["archivist"])
        visit = booking.visit_for_item(request.items[0])
        requests_svc.decide(archivist, request.items[0], "refuse", "Hồ sơ đang tu bổ")
        assert visit.status == "booked"
        requests_svc.decide(archivist, request.items[1], "refuse", "Hồ sơ đang tu bổ")
        db.session.refresh(visit)
        assert (visit.status, visit.seat_no) == ("cancelled", None)


def test_reader_can_book_later_from_the_request_page(client, app, people, make_file, clock, outbox):
    ids = _ids(people)
    record = make_file()
    with app.test_request_context():
        request = submit(ids["reader"], [record.id], "later")  # reading room by default, no slot yet
        item = request.items[0]
        assert item.use == "reading_room" and booking.visit_for_item(item) is None
        requests_svc.decide(db.session.get(User, ids["archivist"]), item, "approve")
    decided = outbox()[-1].get_body(("plain",)).get_content()
    assert "được đọc tại phòng đọc" in decided and "đặt lịch" in decided
    login(client, people["reader"].email)
    page = client.get(f"/phieu-yeu-cau/{request.id}").get_data(as_text=True)
    assert 'id="dat-lich"' in page
    response = client.post(f"/lich-doc/dat-lich/{request.id}", data={"visit_slot": "2026-12-08|pm"})
    assert response.status_code == 302
    with app.app_context():
        item = db.session.get(RequestItem, item.id)
        visit = booking.visit_for_item(item)
        assert visit.day == TUESDAY and item.grant_ends_at == datetime(2026, 12, 8, 9, 30)
    assert outbox()[-1]["Subject"].startswith("Được đọc tại phòng đọc ngày 08/12/2026")


def test_usage_is_shown_on_file_page_basket_and_request_form(client, app, people, make_file, clock):
    record = make_file(title="Hồ sơ chưa quét")
    login(client, people["reader"].email)
    with app.test_request_context():
        from flask import url_for

        page = client.get(url_for("public.file_detail", file_id=record.id)).get_data(as_text=True)
    assert "đọc tại phòng đọc hoặc sau khi số hóa" in page
    client.post(f"/phieu-yeu-cau/gio/them/{record.id}")
    basket = client.get("/phieu-yeu-cau/gio").get_data(as_text=True)
    assert "bạn muốn sử dụng thế nào" in basket and f'name="use_{record.id}"' in basket
    assert 'value="2026-12-07|pm"' in basket and 'value="2026-12-07|am"' not in basket
    sent = client.post("/phieu-yeu-cau/gio", data={
        "purpose": "01", "research_topic": "Lịch sử địa phương", "fee_category": "10", "submit_token": "t1",
        f"use_{record.id}": "digitise", "visit_slot": "2026-12-09|am", "notes": "ghi chú của tôi"})
    # Nothing needs the reading room (digitise chosen), so the slot is ignored and the request goes in.
    assert sent.status_code == 302
    with app.app_context():
        item = db.session.scalar(select(RequestItem))
        assert item.use == "digitise" and item.digitisation is not None
        assert db.session.scalar(select(func.count(Visit.id))) == 0
