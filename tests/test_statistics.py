"""Statistics and the yearly report against a seeded world whose answers are known by hand.

The world (Vietnam dates, 2026; Tết is 16–20 February, days off):

===  =======  ====  ==========  ==========  ===================  =========
item request  mode  submitted   due         decided              outcome
===  =======  ====  ==========  ==========  ===================  =========
A    R1 (01)  01    Fri 30 Jan  Mon 2 Feb   Mon 2 Feb (1 wd)     granted, on time
E    R1 (01)  01    Fri 30 Jan  Mon 2 Feb   —                    undecided: overdue
D    R3 (03)  01    Thu 12 Feb  Fri 13 Feb  Mon 23 Feb (2 wd)    granted, late (Tết between)
F    R3 (03)  01    Thu 12 Feb  Fri 13 Feb  Fri 13 Feb (1 wd)    granted (paper file), on time
B    R2 (02)  02    Fri 13 Feb  Tue 3 Mar   Tue 3 Mar (7 wd)     granted by the leader, on time
C    R2 (02)  02    Fri 13 Feb  Tue 3 Mar   Wed 4 Mar (8 wd)     refused, late
===  =======  ====  ==========  ==========  ===================  =========

B is on time although decided 18 calendar days after submission: the five days of Tết do not count.

Copies: a plain copy downloaded (produced 10 Feb, 20,000 đ paid 9 Feb); a certified copy in two paper
sets collected at the reading room (produced 2 Mar, 66,000 đ paid 1 Mar); a certified copy by post
paid 5 Mar (45,000 đ) but not produced yet; a plain copy of December 2025 (outside the year).
Reading-room visits: r1 came on 5 Feb and 6 Mar; r2 booked 6 Mar and did not come; r2 came on
30 Dec 2025 (outside the year).
"""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.deadlines import due_date
from portal.extensions import db
from portal.models import (
    AccessRequest, AuditEvent, CopyOrder, CopyPayment, Exhibition, ExhibitionVisit, Fonds, ReadingAccess, ReadingCopy,
    RecordFile, RequestItem, User, Visit,
)
from portal.services import statistics, yearly_report
from portal.services.copies import fees

from .copies_helpers import EXAMPLE_FEES

from .conftest import login

VN = timedelta(hours=7)
PERIOD = statistics.Period(date(2026, 1, 1), date(2026, 3, 31))
TODAY = date(2026, 3, 10)


def at(day: str, hour: int = 10) -> datetime:
    """A Vietnam local time on ``day``, as the UTC the database stores."""
    return datetime.fromisoformat(day) + timedelta(hours=hour) - VN


@pytest.fixture
def world(app, make_user):
    """The seeded world of the module docstring; returns the users by name."""
    leader, archivist = make_user(role="leader"), make_user(role="archivist")
    with app.test_request_context():
        r1, r2 = make_user(), make_user()
        late_reader = make_user()  # registered in March, never cleared
        users = {u.id: db.session.get(User, u.id) for u in (r1, r2, late_reader)}
        users[r1.id].created_at, users[r2.id].created_at = at("2026-01-05"), at("2026-01-20")
        users[late_reader.id].created_at = at("2026-02-27")
        for user_id, day in ((r1.id, "2026-01-06"), (r2.id, "2026-02-02"), (late_reader.id, "2026-02-28")):
            db.session.add(AuditEvent(action="reader.clear", object_type="user", object_id=str(user_id),
                                      from_state="pending", to_state="cleared", created_at=at(day)))
        db.session.add(AuditEvent(action="reader.clear", object_type="user", object_id="999",
                                  created_at=at("2025-12-31")))  # before the period
        f1_fonds, f2_fonds = Fonds(code="F1", name="Phông một"), Fonds(code="F2", name="Phông hai")
        files = {}
        for key, fonds, mode, scanned, docs in (("f1", f1_fonds, "01", True, 5), ("f2", f1_fonds, "01", False, 3),
                                                ("f3", f2_fonds, "02", True, 7), ("f4", f2_fonds, "02", False, 2)):
            files[key] = RecordFile(fonds=fonds, file_code=f"{fonds.code}.2020.{key}", inventory_no="1", box_no="1",
                                    file_no=key, title=f"Hồ sơ {key}", retention="01", mode=mode,
                                    scan_kind="images" if scanned else None, document_count=docs)
        db.session.add_all(files.values())
        db.session.flush()

        def request(reader_id: int, purpose: str, submitted: datetime, token: str, status: str) -> AccessRequest:
            req = AccessRequest(reader_id=reader_id, status=status, purpose=purpose, research_topic="Lịch sử",
                                fee_category="10", submit_token=token, submitted_at=submitted)
            db.session.add(req)
            db.session.flush()
            req.code = f"YC-2026-{req.id:06d}"
            return req

        def item(req, key, status, decided=None, by=None, grant=False):
            record = files[key]
            row = RequestItem(reader_id=req.reader_id, file_id=record.id, mode=record.mode, status=status,
                              due_on=due_date(req.submitted_at, record.mode), decided_at=decided,
                              decided_by_id=by.id if by else None)
            if grant:
                row.grant_starts_at, row.grant_ends_at = decided, decided + timedelta(days=15)
            req.items.append(row)
            db.session.flush()
            return row

        R1 = request(r1.id, "01", at("2026-01-30"), "t1", "in_progress")
        R2 = request(r2.id, "02", at("2026-02-13", 9), "t2", "completed")
        R3 = request(r1.id, "03", at("2026-02-12", 15), "t3", "completed")
        items = {
            "A": item(R1, "f1", "granted", at("2026-02-02", 14), archivist, grant=True),
            "E": item(R1, "f2", "submitted"),
            "D": item(R3, "f1", "granted", at("2026-02-23", 9), archivist, grant=True),
            "F": item(R3, "f2", "granted", at("2026-02-13", 16), archivist, grant=True),
            "B": item(R2, "f3", "granted", at("2026-03-03", 16), leader, grant=True),
            "C": item(R2, "f4", "refused", at("2026-03-04", 8), leader),
        }
        # Reading: A's copy (10 pages, 100 kB a page): open, 3 pages, then the whole file; B's copy: open, 2 pages.
        copy_a = ReadingCopy(kind="reader", item_id=items["A"].id, user_id=r1.id, file_id=files["f1"].id,
                             status="ready", pages=10, size_bytes=1_000_000)
        copy_b = ReadingCopy(kind="reader", item_id=items["B"].id, user_id=r2.id, file_id=files["f3"].id,
                             status="ready", pages=4, size_bytes=400_000)
        staff_copy = ReadingCopy(kind="staff", user_id=archivist.id, file_id=files["f1"].id, status="ready",
                                 pages=10, size_bytes=1_000_000)
        db.session.add_all([copy_a, copy_b, staff_copy])
        db.session.flush()
        for copy, kind, sent, when in ((copy_a, "open", 0, at("2026-02-03")), (copy_a, "range", 300_000, at("2026-02-03", 11)),
                                       (copy_a, "full", 1_000_000, at("2026-02-04")),
                                       (copy_a, "open", 0, at("2026-02-03", 15)),  # same reader, same day: one visit
                                       (copy_b, "open", 0, at("2026-03-05")), (copy_b, "range", 200_000, at("2026-03-05", 11)),
                                       (staff_copy, "range", 500_000, at("2026-02-10")),  # staff review: not reading
                                       (copy_b, "range", 400_000, at("2026-04-02"))):  # after the period
            db.session.add(ReadingAccess(copy_id=copy.id, user_id=copy.user_id, file_id=copy.file_id, kind=kind,
                                         bytes_sent=sent, at=when, address="203.113.0.9"))
        exhibition = Exhibition(slug="x", title="Đồng Nai xưa", summary="…", is_published=True)
        db.session.add(exhibition)
        db.session.flush()
        for day, views in (("2026-01-05", 10), ("2026-02-01", 5), ("2026-04-01", 7)):
            db.session.add(ExhibitionVisit(exhibition_id=exhibition.id, day=date.fromisoformat(day), views=views))
        schedule = fees.save_schedule(None, dict(EXAMPLE_FEES), is_example=True, allow_past=True)

        def copy_order(n, kind, delivery, status, paid=None, amount=0, produced=None, sets=1):
            order = CopyOrder(code=f"SC-2026-{n:06d}", reader_id=r1.id, status=status, kind=kind, delivery=delivery,
                              paper_sets=sets, purpose="01", fee_category="10", mode="01", due_on=date(2026, 1, 1),
                              submit_token=f"copy-{n}", submitted_at=at("2025-12-01"), fee_schedule_id=schedule.id,
                              amount=amount, paid_at=paid, produced_at=produced)
            if paid is not None:
                order.payments.append(CopyPayment(amount=amount, method="desk", receipt_no=f"BL-{n}", recorded_at=paid))
            db.session.add(order)

        copy_order(1, "plain", "download", "delivered", at("2026-02-09"), 20_000, at("2026-02-10"))
        copy_order(2, "certified", "pickup", "produced", at("2026-03-01"), 66_000, at("2026-03-02"), sets=2)
        copy_order(3, "certified", "post", "paid", at("2026-03-05"), 45_000)
        copy_order(4, "plain", "download", "delivered", at("2025-12-19"), 20_000, at("2025-12-20"))
        for n, (reader, day, came, status) in enumerate(((r1, "2026-02-05", True, "done"), (r1, "2026-03-06", True, "done"),
                                                         (r2, "2026-03-06", False, "no_show"),
                                                         (r2, "2025-12-30", True, "done")), start=1):
            db.session.add(Visit(code=f"LD-{n}", reader_id=reader.id, day=date.fromisoformat(day), session="am",
                                 seat_no=n, status=status, checked_in_at=at(day, 8) if came else None))
        db.session.commit()
        return {"leader": leader, "archivist": archivist, "r1": r1, "r2": r2, "items": {k: v.id for k, v in items.items()}}


def test_due_dates_of_the_world_skip_weekends_and_tet(app, world):
    with app.app_context():
        due = {key: db.session.get(RequestItem, item_id).due_on for key, item_id in world["items"].items()}
    assert due == {"A": date(2026, 2, 2), "E": date(2026, 2, 2), "D": date(2026, 2, 13), "F": date(2026, 2, 13),
                   "B": date(2026, 3, 3), "C": date(2026, 3, 3)}


def compute(app, world, period=PERIOD):
    with app.test_request_context():
        leader = db.session.get(User, world["leader"].id)
        return statistics.compute(leader, period, TODAY)


def figure(stats, key):
    found = next(f for f in stats.figures if f.key == key)
    return {category: [s.values[i] for s in found.series] for i, category in enumerate(found.categories)}


def test_readers_registered_and_cleared_per_month(app, world):
    stats = compute(app, world)
    assert figure(stats, "readers") == {"01/2026": [2, 1], "02/2026": [1, 2], "03/2026": [0, 0]}
    assert (stats.readers_registered, stats.readers_cleared) == (3, 3)


def test_requests_and_items_by_status_mode_and_purpose(app, world):
    with app.test_request_context():
        stats = compute(app, world)
    assert (stats.requests, stats.items) == (3, 6)
    assert figure(stats, "requests_by_status") == {"Đã gửi": [0], "Đang giải quyết": [1], "Đã giải quyết": [2],
                                                   "Đã rút": [0]}
    assert figure(stats, "items_by_status") == {"Chờ xử lý": [1], "Chờ lãnh đạo duyệt": [0], "Được đọc": [4],
                                                "Từ chối": [1], "Đã rút": [0], "Hết hạn đọc": [0], "Bị thu hồi": [0]}
    assert figure(stats, "items_by_mode") == {"Công khai": [4], "Tiếp cận có điều kiện": [2]}
    assert figure(stats, "items_by_purpose") == {"Cá nhân": [2], "Công vụ": [2], "Công vụ đặc biệt": [2]}


def test_decisions_on_time_and_late_across_tet_and_the_median(app, world):
    decided = compute(app, world).decisions
    assert (decided.on_time, decided.late) == (3, 2)
    assert decided.by_mode == {"01": (2, 1), "02": (1, 1)}
    assert decided.median_working_days == 2  # 1, 1, 2, 7, 8 working days
    assert decided.overdue_undecided == 1  # E, due 2 February
    assert decided.on_time_percent == 60.0


def test_working_days_between_counts_like_the_deadlines(app):
    with app.app_context():
        from portal.deadlines import holiday_set

        holidays = holiday_set()
    assert statistics.working_days_between(date(2026, 2, 13), date(2026, 3, 3), holidays) == 7
    assert statistics.working_days_between(date(2026, 2, 12), date(2026, 2, 23), holidays) == 2
    assert statistics.working_days_between(date(2026, 2, 2), date(2026, 2, 2), holidays) == 0


def test_pages_read_online_and_readers_reading(app, world):
    stats = compute(app, world)
    assert (stats.reading.pages, stats.reading.readers, stats.reading.opens) == (15, 2, 3)
    assert figure(stats, "reading") == {"01/2026": [0, 0], "02/2026": [13, 1], "03/2026": [2, 1]}


def test_most_requested_fonds_and_files(app, world):
    stats = compute(app, world)
    assert figure(stats, "top_fonds") == {"F1 – Phông một": [4], "F2 – Phông hai": [2]}
    assert list(figure(stats, "top_files").items())[:2] == [("F1.2020.f1 – Hồ sơ f1", [2]), ("F1.2020.f2 – Hồ sơ f2", [2])]


def test_exhibition_visits_are_counted_without_who(app, world):
    stats = compute(app, world)
    assert stats.exhibition_visits == 15 and figure(stats, "exhibitions") == {"Đồng Nai xưa": [15]}
    assert {c.name for c in ExhibitionVisit.__table__.columns} == {"id", "exhibition_id", "day", "views"}


def test_a_shorter_period_sees_only_its_part(app, world):
    stats = compute(app, world, statistics.Period(date(2026, 3, 1), date(2026, 3, 31)))
    assert (stats.decisions.on_time, stats.decisions.late) == (1, 1)  # B and C
    assert stats.requests == 0 and stats.reading.pages == 2 and stats.exhibition_visits == 0


def test_copies_fees_and_reading_room_visits_per_month(app, world):
    stats = compute(app, world)
    assert figure(stats, "copies") == {"01/2026": [0, 0], "02/2026": [1, 0], "03/2026": [0, 2]}
    assert figure(stats, "fees") == {"01/2026": [0], "02/2026": [20_000], "03/2026": [111_000]}
    assert figure(stats, "room_visits") == {"01/2026": [0, 0], "02/2026": [1, 0], "03/2026": [1, 1]}


def test_other_modules_add_figures(app, world, monkeypatch):
    extra = []
    monkeypatch.setattr(statistics, "_EXTRA_FIGURES", extra)
    statistics.register_figure(lambda period: statistics.Figure(
        "copies", "Bản sao", ["Bản sao"], [statistics.Series("bản", [4])]))
    assert figure(compute(app, world), "copies") == {"Bản sao": [4]}


def test_the_yearly_report_rows(app, world):
    with app.test_request_context():
        report = yearly_report.build(db.session.get(User, world["leader"].id), 2026, "Lưu trữ lịch sử tỉnh Đồng Nai")
    rows = {row.key: (row.online, row.reading_room, row.total) for row in report.rows}
    assert rows == {
        "readers.visits": (2, 2, 4), "readers.people": (2, 1, 3),
        "files.served": (3, 1, 4), "documents.served": (17, 3, 20),
        "pages.read": (19, None, 19),  # the year also holds April's 4 pages
        "purpose.01": (1, 0, 1), "purpose.02": (1, 0, 1), "purpose.03": (1, 1, 2),
        "copies.plain": (1, 0, 1), "copies.certified": (0, 2, 2), "fees": (65_000, 66_000, 131_000),
    }


def test_the_yearly_report_as_xlsx_cell_by_cell(app, client, world):
    login(client, world["leader"].email)
    response = client.get("/nghiep-vu/thong-ke/bao-cao-nam.xlsx?year=2026")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="bao-cao-khai-thac-2026.xlsx"'
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet["A1"].value == "Lưu trữ lịch sử tỉnh Đồng Nai"
    assert sheet["A2"].value == "BÁO CÁO THỐNG KÊ KHAI THÁC, SỬ DỤNG TÀI LIỆU LƯU TRỮ NĂM 2026"
    assert [c.value for c in sheet[4]] == ["STT", "Chỉ tiêu", "Đơn vị tính", "Trực tuyến", "Tại phòng đọc", "Tổng số"]
    expected = [
        ["1", "Lượt người khai thác sử dụng tài liệu", "lượt", 2, 2, 4],
        ["1.1", "Số người khai thác sử dụng tài liệu", "người", 2, 1, 3],
        ["2", "Lượt hồ sơ phục vụ", "lượt hồ sơ", 3, 1, 4],
        ["2.1", "Lượt tài liệu (văn bản) phục vụ", "lượt văn bản", 17, 3, 20],
        ["2.2", "Trang tài liệu đã đọc trực tuyến", "trang", 19, "—", 19],
        ["3.1", "Lượt hồ sơ phục vụ – mục đích: Cá nhân", "lượt hồ sơ", 1, 0, 1],
        ["3.2", "Lượt hồ sơ phục vụ – mục đích: Công vụ", "lượt hồ sơ", 1, 0, 1],
        ["3.3", "Lượt hồ sơ phục vụ – mục đích: Công vụ đặc biệt", "lượt hồ sơ", 1, 1, 2],
        ["4", "Bản sao tài liệu lưu trữ đã cấp", "bản", 1, 0, 1],
        ["5", "Bản chứng thực tài liệu lưu trữ đã cấp", "bản", 0, 2, 2],
        ["6", "Phí khai thác, sử dụng tài liệu đã thu", "đồng", 65_000, 66_000, 131_000],
    ]
    for offset, row in enumerate(expected):
        assert [c.value for c in sheet[5 + offset]] == row, f"row {5 + offset}"
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report.export_yearly")) is not None


def test_the_yearly_report_in_english_and_as_a_printable_page(app, client, world):
    login(client, world["archivist"].email)
    page = client.get("/nghiep-vu/thong-ke/bao-cao-nam?year=2026").get_data(as_text=True)
    assert "Lượt hồ sơ phục vụ" in page and "js/print.js" in page and "<script>" not in page
    client.get("/lang/en")
    response = client.get("/nghiep-vu/thong-ke/bao-cao-nam.xlsx?year=2026")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[4]] == ["No.", "Indicator", "Unit", "Online", "At the reading room", "Total"]
    assert sheet["B7"].value == "Files served"


def test_the_statistics_page_draws_svg_with_a_table_and_no_inline_script_or_style(app, client, world):
    login(client, world["leader"].email)
    response = client.get("/nghiep-vu/thong-ke/?start=2026-01-01&end=2026-03-31")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count('<svg class="chart"') >= 8 and html.count("<table") >= 8
    assert "<script" not in html.split("</header>", 1)[1] and "style=" not in html
    assert "60 %" in html and "Hết hạn đọc" in html and "02/2026" in html
    client.get("/lang/en")
    english = client.get("/nghiep-vu/thong-ke/?start=2026-01-01&end=2026-03-31").get_data(as_text=True)
    assert "Decisions on time and late by access mode" in english and "1 Jan 2026" in english


def test_a_backwards_period_is_a_clear_message(app, client, world):
    login(client, world["leader"].email)
    response = client.get("/nghiep-vu/thong-ke/?start=2026-03-31&end=2026-01-01")
    assert response.status_code == 400 and "Ngày kết thúc phải sau ngày bắt đầu." in response.get_data(as_text=True)
    assert 'value="2026-03-31"' in response.get_data(as_text=True)  # what was typed is kept
