"""Demo reading-room activity: a calendar with a closure, visits today (one reader
waiting at the desk, one already reading with a file handed over), visits in the
coming days, and one granted file waiting to be digitised.

Everything goes through the services (submit, decide, book, check in, hand over),
so mails with their .ics, the audit trail and the registers are real. Only the
day of the two "today" visits is set directly: booking refuses a session that
has already begun, and the demo must show a busy desk whenever it is loaded.
"""
from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Callable

from sqlalchemy import select

from portal.deadlines import holiday_set
from portal.extensions import db
from portal.models import RecordFile, RequestItem, Role, User, Visit
from portal.services import accounts
from portal.services import requests as requests_svc
from portal.services.visits import booking, calendar, desk

DESK_READERS = (  # (email, full name, citizen id, employer)
    ("tranminhkhoa@demo.luutru.vn", "Trần Minh Khoa", "075088004321", "Ban Tuyên giáo Tỉnh ủy"),
    ("lethithuha@demo.luutru.vn", "Lê Thị Thu Hà", "079185002468", "Bảo tàng Đồng Nai"),
)


def _unused_paper_files(count: int) -> list[RecordFile]:
    """Open files without a scan that no request asked for yet."""
    asked = set(db.session.scalars(select(RequestItem.file_id)))
    query = select(RecordFile).where(RecordFile.mode == "01", RecordFile.scan_kind.is_(None)).order_by(RecordFile.id)
    return [f for f in db.session.scalars(query) if f.id not in asked][:count]


def _submit(reader: User, files: list[RecordFile], use: str, slot: str | None, token: str, topic: str):
    for record in files:
        requests_svc.add_to_basket(reader, record.id)
    data = {"purpose": "01", "research_topic": topic, "fee_category": "10",
            **{f"use_{f.id}": use for f in files}, **({"visit_slot": slot} if slot else {})}
    return requests_svc.submit_request(reader, data, None, token)


def create_demo_visits(cleared_email: str, echo: Callable[[str], object] = print) -> None:
    """Build the reading-room demo (needs a request context: the mails carry links)."""
    archivist = db.session.scalar(select(User).where(User.role == Role.ARCHIVIST.value).order_by(User.id))
    cleared = db.session.scalar(select(User).where(User.email == cleared_email))
    today = calendar.now_local().date()

    # A closure about two weeks ahead, on a weekday that is not already a holiday.
    closed = today + timedelta(days=12)
    while closed.weekday() >= 5 or closed in holiday_set():
        closed += timedelta(days=1)
    calendar.add_closure(archivist, closed, "Kiểm kê, vệ sinh kho tài liệu")

    readers = []
    for email, name, id_number, employer in DESK_READERS:
        reader = db.session.scalar(select(User).where(User.email == email))
        if reader is None:
            password = secrets.token_urlsafe(12) + "-Aa1"
            reader = accounts.register_reader({
                "email": email, "password": password, "password_confirm": password, "full_name": name,
                "id_kind": "cccd", "id_number": id_number, "employer": employer, "consents": ["account"]})
            accounts.confirm_email(accounts.make_confirm_token(reader))
            accounts.set_clearance(archivist, reader, "cleared")
        readers.append(reader)
    khoa, ha = readers

    files = _unused_paper_files(7)
    slots = [s for s in calendar.upcoming_slots() if s.free > 2]

    # Today: Khoa is expected (two files to fetch), Hà is already reading one file.
    todays = []
    for n, (reader, chosen) in enumerate(((khoa, files[0:2]), (ha, files[2:3]))):
        request = _submit(reader, chosen, "reading_room", slots[0].key, f"demo-visit-today-{n}",
                          "Lịch sử phong trào thi đua yêu nước tỉnh Đồng Nai")
        visit = booking.visit_for_item(request.items[0])
        visit.day, visit.session, visit.seat_no = today, "am" if n == 0 else "pm", 1
        db.session.commit()
        for item in request.items:
            requests_svc.decide(archivist, item, "approve")
        todays.append(visit)
    desk.check_in(archivist, todays[1], ha.profile.id_number)
    desk.hand_over(archivist, todays[1].files[0])

    # Coming days: the demo reader's granted visit (mailed with its .ics), Khoa's still being decided.
    coming = _submit(cleared, files[3:5], "reading_room", slots[2].key, "demo-visit-coming",
                     "Địa giới hành chính tỉnh Biên Hòa trước năm 1975")
    for item in coming.items:
        requests_svc.decide(archivist, item, "approve")
    _submit(khoa, files[5:6], "reading_room", slots[min(5, len(slots) - 1)].key, "demo-visit-pending",
            "Tư liệu về các làng nghề truyền thống")

    # Digitisation on demand: granted, waiting for the scan.
    waiting = _submit(cleared, files[6:7], "digitise", None, "demo-digitise",
                      "Sổ bộ điền thổ, tư liệu gia phả")
    requests_svc.decide(archivist, waiting.items[0], "approve")

    visits = db.session.scalars(select(Visit)).all()
    echo(f"Đã tạo lịch phòng đọc: {len(visits)} lượt đọc ({len(todays)} hôm nay), 1 ngày nghỉ "
         f"{closed:%d/%m/%Y}, 1 hồ sơ chờ số hóa.")
