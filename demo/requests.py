"""Demo requests in every state, so a newcomer sees the queues populated.

Everything goes through the request services (basket, submit, decide, withdraw,
expire), so the audit trail, deadlines, mails and reading copies are real. The
approved items' reading copies are built here and now, so they are ready to read
as soon as the portal starts.
"""
from __future__ import annotations

import io
from datetime import timedelta
from typing import Callable

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from watermark import FONTS_DIR

from portal.db import utcnow
from portal.extensions import db
from portal.services import reading, requests
from portal.models import ReadingCopy, RecordFile, RequestItem, Role, User


def _files(mode: str, digitised: bool, count: int, skip: set[int]) -> list[RecordFile]:
    query = select(RecordFile).where(RecordFile.mode == mode).order_by(RecordFile.id)
    query = query.where(RecordFile.scan_kind.is_not(None) if digitised else RecordFile.scan_kind.is_(None))
    chosen = [f for f in db.session.scalars(query) if f.id not in skip][:count]
    skip.update(f.id for f in chosen)
    return chosen


def _letter() -> FileStorage:
    """An introduction letter (giấy giới thiệu) as a PNG, for the official-purpose request."""
    image = Image.new("L", (827, 1169), 250)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONTS_DIR / "DejaVuSerif.ttf"), 26)
    bold = ImageFont.truetype(str(FONTS_DIR / "DejaVuSerif-Bold.ttf"), 30)
    draw.text((250, 120), "GIẤY GIỚI THIỆU", font=bold, fill=10)
    lines = ["Sở Nội vụ tỉnh Đồng Nai trân trọng giới thiệu:", "Bà Phạm Thị Hồng Nhung,",
             "đến Lưu trữ lịch sử tỉnh để nghiên cứu tài liệu", "phục vụ biên soạn kỷ yếu ngành Nội vụ."]
    for n, line in enumerate(lines):
        draw.text((90, 240 + n * 50), line, font=font, fill=20)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    buffer.seek(0)
    return FileStorage(stream=buffer, filename="giay-gioi-thieu.png", content_type="image/png")


def _submit(reader: User, files: list[RecordFile], topic: str, token: str, purpose: str = "01",
            details: str | None = None):
    for record in files:
        requests.add_to_basket(reader, record.id)
    letter = _letter() if purpose in ("02", "03") else None
    return requests.submit_request(reader, {"purpose": purpose, "purpose_details": details,
                                            "research_topic": topic, "fee_category": "01",
                                            "notes": None}, letter, token)


def create_demo_requests(cleared_email: str, pending_email: str, echo: Callable[[str], object] = print) -> None:
    """Requests covering every item status: submitted, forwarded, granted, refused,
    withdrawn, expired, revoked — plus an overdue item and one waiting for clearance."""
    reader = db.session.scalar(select(User).where(User.email == cleared_email))
    pending = db.session.scalar(select(User).where(User.email == pending_email))
    archivist = db.session.scalar(select(User).where(User.role == Role.ARCHIVIST.value).order_by(User.id))
    leader = db.session.scalar(select(User).where(User.role == Role.LEADER.value).order_by(User.id))
    used: set[int] = set()

    # 1. Granted open + granted conditional (two levels): ready reading copies.
    first = _submit(reader, _files("01", True, 2, used) + _files("02", True, 1, used),
                    "Lịch sử công tác văn thư, lưu trữ tỉnh Đồng Nai giai đoạn 2019–2023", "demo-1")
    open_items = [i for i in first.items if i.mode == "01"]
    conditional = next(i for i in first.items if i.mode == "02")
    requests.decide(archivist, open_items[0], "approve")
    requests.decide(archivist, open_items[1], "refuse", "Hồ sơ đang được tu bổ, chưa phục vụ được.")
    requests.decide(archivist, conditional, "forward", "Mục đích nghiên cứu phù hợp; đề nghị lãnh đạo đồng ý.")
    requests.decide(leader, conditional, "leader_approve")

    # 2. Waiting: one open item at the archivist, one conditional item forwarded to the leader.
    second = _submit(reader, _files("01", True, 1, used) + _files("02", True, 1, used),
                     "Quá trình sáp nhập đơn vị hành chính", "demo-2", purpose="02",
                     details="Sở Nội vụ giao biên soạn kỷ yếu")
    waiting_conditional = next(i for i in second.items if i.mode == "02")
    requests.decide(archivist, waiting_conditional, "forward", "Cần lãnh đạo xem xét phạm vi tài liệu.")

    # 3. Withdrawn.
    third = _submit(reader, _files("01", False, 1, used), "Địa chí tỉnh", "demo-3")
    requests.withdraw_request(reader, third)

    # 4. Expired and revoked grants.
    fourth = _submit(reader, _files("01", True, 2, used), "Lịch sử giao thông Biên Hòa", "demo-4")
    expired, revoked = fourth.items
    requests.decide(archivist, expired, "approve")
    requests.decide(archivist, revoked, "approve")
    requests.decide(archivist, revoked, "revoke", "Độc giả đề nghị kết thúc sớm để đăng ký lại phiếu khác.")
    expired.grant_starts_at = utcnow() - timedelta(days=16)
    expired.grant_ends_at = utcnow() - timedelta(days=1)
    db.session.commit()
    requests.expire_and_remind()

    # 5. Overdue: submitted days ago and still undecided.
    fifth = _submit(reader, _files("01", False, 1, used), "Tư liệu về trường học", "demo-5")
    for item in fifth.items:
        item.due_on = item.due_on - timedelta(days=6)
    fifth.submitted_at = fifth.submitted_at - timedelta(days=8)
    db.session.commit()

    # 6. A reader not yet cleared: the item waits, visibly.
    _submit(pending, _files("01", True, 1, used), "Gia phả dòng họ", "demo-6")

    requests.post_message(reader, second, "Tôi có thể đến đọc bản gốc tại phòng đọc không?")
    requests.post_message(archivist, second, "Bạn có thể đặt lịch đọc tại chỗ; hồ sơ có điều kiện đang chờ lãnh đạo duyệt.")

    # Reading copies of the granted items, built now rather than waiting for the worker.
    for copy in db.session.scalars(select(ReadingCopy).where(ReadingCopy.status != "ready")):
        reading.build_copy(copy.id)
    granted = db.session.scalars(select(RequestItem).where(RequestItem.status == "granted")).all()
    echo(f"Đã tạo 6 phiếu yêu cầu mẫu ({len(granted)} hồ sơ đang được đọc, bản đọc đã sẵn sàng).")
