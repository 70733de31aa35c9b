"""Shared set-up for the copy tests: a fee schedule, digitised files and a way to order."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy import select

from portal.extensions import db
from portal.models import CopyOrder, RecordFile, User
from portal.services import records
from portal.services.copies import fees, orders

EXAMPLE_FEES = {
    "page_plain_digital": "2000", "page_plain_paper": "3000", "page_certified_digital": "2500",
    "page_certified_paper": "3000", "certification_fee": "20000", "postage": "25000",
    "reduction_01": "50", "reduction_02": "100", "effective_from": date(2020, 1, 1),
}


def page_image(n: int, size: tuple[int, int] = (827, 1169), fmt: str = "PNG") -> bytes:
    image = Image.new("RGB", size, (250, 248, 240))
    ImageDraw.Draw(image).text((60, 60), f"Trang goc {n}", fill="black")
    buffer = io.BytesIO()
    image.save(buffer, fmt, dpi=(100, 100))
    return buffer.getvalue()


def scan_folder(tmp_path: Path, name: str, pages: int, fmt: str = "PNG") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for n in range(1, pages + 1):
        (folder / f"{n:02d}.{'png' if fmt == 'PNG' else 'jpg'}").write_bytes(page_image(n, fmt=fmt))
    return folder


@dataclass
class CopyWorld:
    reader: User
    archivist: User
    leader: User
    admin: User
    open_file: RecordFile  # digitised, 4 pages
    cond_file: RecordFile  # digitised, 3 pages, conditional
    paper_file: RecordFile  # not digitised, 10 catalogued pages
    classified: RecordFile


def build_copy_world(app, make_user, make_file, tmp_path) -> CopyWorld:
    reader = make_user(full_name="Nguyễn Thị Hồng Nhung")
    archivist, leader, admin = make_user(role="archivist"), make_user(role="leader"), make_user(role="admin")
    open_file, cond_file = make_file(mode="01", title="Quyết định giao đất"), make_file(mode="02")
    paper_file = make_file(mode="01", pages=10)
    classified = make_file(mode="03")
    with app.test_request_context():
        me = db.session.get(User, admin.id)
        records.attach_scan(me, db.session.get(RecordFile, open_file.id), scan_folder(tmp_path, "open", 4))
        records.attach_scan(me, db.session.get(RecordFile, cond_file.id), scan_folder(tmp_path, "cond", 3, "JPEG"))
        fees.save_schedule(None, dict(EXAMPLE_FEES), is_example=True, allow_past=True)
    return CopyWorld(reader, archivist, leader, admin, open_file, cond_file, paper_file, classified)


def order_data(**overrides) -> dict:
    data = {"kind": "certified", "delivery": "download", "paper_sets": "1", "postal_address": "",
            "purpose": "01", "purpose_details": "Làm thủ tục cấp giấy chứng nhận quyền sử dụng đất",
            "fee_category": "10", "notes": ""}
    data.update(overrides)
    return data


def place_order(user_id: int, rows: list[tuple[str, str]], token: str, **overrides) -> CopyOrder:
    """Submit an order through the service at the price it quotes."""
    reader = db.session.get(User, user_id)
    data = order_data(**overrides)
    draft = orders.check_order(reader, data, rows)
    return orders.submit_order(reader, data, rows, token, draft.quote.amount)


def order_by_code(code: str) -> CopyOrder:
    return db.session.scalar(select(CopyOrder).where(CopyOrder.code == code))
