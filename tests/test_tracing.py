"""Leak tracing: the invisible mark in every copy page, naming the reader behind a leaked image,
"no match" when the evidence is not there, the staff page, its permissions and the audit."""
from __future__ import annotations

import io
import random
from datetime import datetime
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from bench.watermark import attacks
from demo.corpus import DONG_NAI, THANH_HOA, real_letters
from demo.pages import render_letter
from portal.extensions import db
from portal.models import AuditEvent, ReadingCopy, RecordFile, RequestItem, User
from portal.services import records, tracing
from watermark import FONTS_DIR, detect
from watermark.mark import MARK_VERSION, copy_key, psnr
from watermark.stamp import Stamp, stamp_image

from .conftest import login


@pytest.fixture(scope="module")
def letter_pages() -> dict[str, list[Image.Image]]:
    """Realistic scanned pages (the demo's renderer) of two real documents, at the demo's 110 dpi."""
    letters = real_letters()
    return {name: render_letter(letters[name], 110, random.Random(7), 2020) for name in (DONG_NAI, THANH_HOA)}


@pytest.fixture
def scanned(app, make_file, make_user, tmp_path, letter_pages):
    """An open file whose scan is the first page of a real letter, attached through the real service."""
    def make(name: str = DONG_NAI) -> RecordFile:
        record = make_file(mode="01")
        folder = tmp_path / f"scan-{record.id}"
        folder.mkdir()
        letter_pages[name][0].save(folder / "01.png", dpi=(110, 110))
        admin = make_user(role="admin")
        with app.test_request_context():
            records.attach_scan(db.session.get(User, admin.id), db.session.get(RecordFile, record.id), folder)
            return db.session.get(RecordFile, record.id)
    return make


def served_page(app, copy: ReadingCopy, page: int = 0) -> np.ndarray:
    """Page ``page`` of a copy's PDF, as the reader's browser receives it."""
    with pikepdf.open(Path(app.config["DATA_DIR"]) / copy.path) as pdf:
        image = pikepdf.PdfImage(pdf.pages[page].get_images()["/Im0"]).as_pil_image()
    return np.asarray(image.convert("L"))


def png(gray: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(gray).save(out, "PNG")
    return out.getvalue()


def grant(app, reader, archivist, record) -> RequestItem:
    """The reader asks for the file and the archivist approves it (the copy is built inline)."""
    client = app.test_client()
    login(client, reader.email)
    client.post(f"/phieu-yeu-cau/gio/them/{record.id}")
    client.post("/phieu-yeu-cau/gio", data={"purpose": "01", "research_topic": "Lịch sử địa phương",
                                            "fee_category": "10", "submit_token": f"t{record.id}-{reader.id}"})
    staff = app.test_client()
    login(staff, archivist.email)
    with app.app_context():
        item = db.session.scalar(select(RequestItem).where(RequestItem.file_id == record.id,
                                                           RequestItem.reader_id == reader.id))
    assert staff.post(f"/nghiep-vu/muc/{item.id}/approve").status_code == 302
    return item


@pytest.fixture
def two_readers(app, client, make_user, scanned):
    """One file granted to two readers: (record, [(reader, copy), (reader, copy)])."""
    record = scanned()
    archivist = make_user(role="archivist")
    pairs = []
    for name in ("Lê Thị Hồng Nhung", "Phạm Quốc Bảo"):
        reader = make_user(full_name=name)
        item = grant(app, reader, archivist, record)
        with app.app_context():
            copy = db.session.scalar(select(ReadingCopy).where(ReadingCopy.item_id == item.id))
            assert copy.status == "ready"
            pairs.append((reader, copy))
    return record, pairs


def test_the_mark_is_added_in_the_stamp_pass_invisibly_and_per_copy(letter_pages):
    page = letter_pages[DONG_NAI][0].convert("L")
    base = {"archive_name": "Lưu trữ lịch sử tỉnh Đồng Nai", "reader_name": "Nguyễn Văn An", "account_id": 7,
            "request_code": "YC-2026-000001", "issued_at": datetime(2026, 12, 2, 8, 51)}
    plain = np.asarray(stamp_image(page, Stamp(**base)))
    first = np.asarray(stamp_image(page, Stamp(**base, mark_key=copy_key("secret", 1)), page_no=1))
    again = np.asarray(stamp_image(page, Stamp(**base, mark_key=copy_key("secret", 1)), page_no=1))
    other = np.asarray(stamp_image(page, Stamp(**base, mark_key=copy_key("secret", 2)), page_no=1))
    next_page = np.asarray(stamp_image(page, Stamp(**base, mark_key=copy_key("secret", 1)), page_no=2))
    assert np.array_equal(first, again)  # a function of key and page: the tracer can redo it
    assert psnr(plain, first) >= 40  # the page looks the same
    assert np.abs(first.astype(int) - plain).max() <= 4  # no pixel moves by more than a few grey levels
    assert not np.array_equal(first, other) and not np.array_equal(first, next_page)
    # Another secret gives another key for the same copy.
    assert copy_key("secret", 1) != copy_key("other secret", 1) and copy_key("secret", 1) != copy_key("secret", 2)
    coloured = stamp_image(page.convert("RGB"), Stamp(**base, mark_key=copy_key("secret", 1)))
    assert coloured.mode == "RGB"


def test_every_copy_page_is_marked_and_the_served_page_names_its_reader(app, two_readers):
    record, pairs = two_readers
    (reader, copy), (other, other_copy) = pairs
    assert copy.mark_version == MARK_VERSION and copy.stamp_archive == app.config["ARCHIVE_NAME"]
    with app.test_request_context():
        result = tracing.trace_image("leak.png", png(served_page(app, copy)))
        assert result.record.id == record.id and result.page_no == 1 and result.tested == 2
        assert [s.copy.id for s in result.suspects] == [copy.id]
        assert result.suspects[0].copy.user_id == reader.id and result.suspects[0].false_bound < 1e-6
        assert result.best_other is not None and result.best_other < result.threshold
        # The other reader's page names the other reader.
        result = tracing.trace_image("leak2.png", png(served_page(app, other_copy)))
        assert [s.copy.user_id for s in result.suspects] == [other.id]


@pytest.mark.parametrize("attack", ["jpeg30", "downscale50", "crop_quarter", "rotate_perspective", "print_scan"])
def test_a_leak_is_traced_through_an_attack(app, two_readers, attack):
    record, pairs = two_readers
    reader, copy = pairs[1]
    leak = getattr(attacks, attack)(served_page(app, copy), np.random.default_rng(3))
    with app.test_request_context():
        result = tracing.trace_image("leak.png", png(leak))
        assert result.record.id == record.id
        assert [s.copy.user_id for s in result.suspects] == [reader.id]


def test_two_copies_averaged_name_only_those_two(app, two_readers, make_user):
    _record, pairs = two_readers
    leak = attacks.average(served_page(app, pairs[0][1]), served_page(app, pairs[1][1]))
    with app.test_request_context():
        result = tracing.trace_image("leak.png", png(leak))
        assert {s.copy.user_id for s in result.suspects} <= {pairs[0][0].id, pairs[1][0].id}
        assert result.suspects


def test_unmarked_pages_and_other_images_are_no_match(app, two_readers, letter_pages):
    record, _pairs = two_readers
    derivative = np.asarray(Image.open(Path(app.config["DATA_DIR"]) / record.scan_path / "pages/0001.jpg")
                            .convert("L"))
    other_document = np.asarray(letter_pages[THANH_HOA][0].convert("L"))
    noise = np.random.default_rng(1).integers(0, 256, (600, 400), dtype=np.uint8)
    blank = np.full((800, 600), 240, np.uint8)
    with app.test_request_context():
        unmarked = tracing.trace_image("original.png", png(derivative))
        assert unmarked.record.id == record.id and unmarked.suspects == []  # the page, but nobody's copy
        for image in (other_document, noise, blank):
            result = tracing.trace_image("other.png", png(image))
            assert result.suspects == []
        assert tracing.trace_image("other.png", png(other_document)).record is None


def test_no_copy_is_named_without_evidence_null_scores_stay_below_the_bound(app, two_readers):
    """Keys that made no copy score like fair coin sums on a real leak: none near the threshold."""
    record, pairs = two_readers
    leak = attacks.jpeg30(served_page(app, pairs[0][1]), np.random.default_rng(0))
    with app.test_request_context():
        index = tracing.page_index()
        page = tracing.page_image(record, 1)
        match = index.locate(leak, lambda key: np.asarray(tracing.page_image(record, key[1]).convert("L")))[0]
        aligned = detect.align(leak, match.homography, np.asarray(page.convert("L")))
        copy = pairs[0][1]
        reference = tracing.reference_page(page, copy)
        rho = detect.cell_residual(aligned, reference)
    scores = np.array([detect.score(rho, copy_key("never issued", n), 1, page.width, page.height)
                       for n in range(400)])
    assert abs(scores.mean()) < 0.3 and 0.7 < scores.std() < 1.3  # ≈ N(0, 1), as Hoeffding says at most
    assert scores.max() < detect.threshold(1)
    assert detect.score(rho, copy_key(app.config["SECRET_KEY"], copy.id), 1, page.width, page.height) \
        > detect.threshold(1000)


def test_the_trace_page_is_for_leaders_and_admins_and_every_trace_is_audited(app, two_readers, make_user):
    record, pairs = two_readers
    reader, copy = pairs[0]
    leak = png(attacks.crop_quarter(served_page(app, copy), np.random.default_rng(5)))
    for role, status in (("archivist", 403), ("reader", 403), ("leader", 200), ("admin", 200)):
        client = app.test_client()
        login(client, make_user(role=role).email)
        assert client.get("/nghiep-vu/truy-vet/").status_code == status
    leader = make_user(role="leader")
    client = app.test_client()
    login(client, leader.email)
    empty = client.post("/nghiep-vu/truy-vet/", data={}, content_type="multipart/form-data")
    assert empty.status_code == 400 and "Hãy chọn ít nhất một ảnh." in empty.get_data(as_text=True)
    answer = client.post("/nghiep-vu/truy-vet/", content_type="multipart/form-data", data={
        "images": [(io.BytesIO(leak), "crop.png"), (io.BytesIO(b"not an image"), "notes.txt")]})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "Lê Thị Hồng Nhung" in html and f"TK {reader.id}" in html and f"#{copy.id}" in html
    assert "Phạm Quốc Bảo" not in html  # the other reader's copy was tested, not named
    assert "Tệp không phải là ảnh đọc được" in html
    with app.app_context():
        events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "watermark.trace")
                                         .order_by(AuditEvent.id)))
        assert [e.actor_id for e in events] == [leader.id, leader.id]
        assert events[0].to_state == "named" and events[0].data["named"][0]["copy_id"] == copy.id
        assert events[0].data["file_id"] == record.id and events[0].data["tested"] == 2
        assert events[1].to_state == "no_match" and events[1].data["error"]


def test_the_cli_traces_images_and_says_no_match(app, two_readers, runner, tmp_path):
    _record, pairs = two_readers
    reader, copy = pairs[1]
    leak = tmp_path / "leak.jpg"
    Image.fromarray(attacks.downscale50(served_page(app, copy), np.random.default_rng(2))).save(leak)
    other = tmp_path / "other.png"
    image = Image.new("L", (700, 500), 235)
    ImageDraw.Draw(image).text((40, 40), "Không phải trang nào của lưu trữ", fill=20,
                               font=ImageFont.truetype(str(FONTS_DIR / "DejaVuSans.ttf"), 28))
    image.save(other)
    output = runner.invoke(args=["watermark", "trace", str(leak), str(other)]).output
    lines = output.strip().splitlines()
    assert lines[0].startswith(f"{leak}\tmatch\t") and f"TK {reader.id}" in lines[0] and f"copy {copy.id}" in lines[0]
    assert lines[1].startswith(f"{other}\tno match")
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "watermark.trace")).all()
        assert len(events) == 2 and all(e.actor_id is None for e in events)
