"""Digitisation on demand: the staff queue, a grant that waits for the scan, and the reading copy
built and mailed to every waiting granted reader as soon as the scan is attached (upload or import);
and the visits register in CSV and XLSX."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.extensions import db
from portal.models import DigitisationRequest, ReadingCopy, RecordFile, RequestItem, User
from portal.services import records
from portal.services import requests as requests_svc
from portal.services.visits import booking, desk, digitisation, register

from .conftest import login
from .test_route_matrix import picture
from .visits_helpers import clock, submit  # noqa: F401  (fixture)


@pytest.fixture
def people(make_user):
    return {"a": make_user(full_name="Nguyễn Thị An"), "b": make_user(full_name="Phạm Văn Bình"),
            "c": make_user(full_name="Đỗ Văn Chờ"), "archivist": make_user(role="archivist")}


def test_scan_attached_builds_copies_and_mails_every_waiting_granted_reader(client, app, people, make_file, clock,
                                                                              outbox, tmp_path):
    record = make_file(mode="01", title="Sổ bộ điền thổ làng Tân Lân")
    with app.test_request_context():
        archivist = db.session.get(User, people["archivist"].id)
        items = {}
        for name in ("a", "b", "c"):
            request = submit(people[name].id, [record.id], f"dig-{name}", {record.id: "digitise"})
            items[name] = request.items[0]
        rows = digitisation.queue(archivist)
        assert len(rows) == 1 and rows[0].readers == 3 and rows[0].granted == 0
        # Due in 15 working days from Monday 7 December 2026.
        assert rows[0].due_on == date(2026, 12, 28)
        for name in ("a", "b"):
            requests_svc.decide(archivist, items[name], "approve")
            assert items[name].status == "granted" and items[name].grant_ends_at is None  # the window waits
        assert digitisation.queue(archivist)[0].granted == 2
    granted_mail = outbox()[-1].get_body(("plain",)).get_content()
    assert "sau khi số hóa" in granted_mail
    login(client, people["a"].email)
    page = client.get(f"/phieu-yeu-cau/{items['a'].request_id}").get_data(as_text=True)
    assert "chờ số hóa" in page and "Đọc trực tuyến</a>" not in page

    scan = tmp_path / "scan"
    scan.mkdir()
    (scan / "01.png").write_bytes(picture((620, 877)))
    before = len(outbox())
    with app.test_request_context():
        archivist = db.session.get(User, people["archivist"].id)
        records.attach_scan(archivist, db.session.get(RecordFile, record.id), scan)  # the existing upload
        for name in ("a", "b"):
            item = db.session.get(RequestItem, items[name].id)
            assert item.grant_ends_at is not None and item.grant_starts_at is not None
            copy = db.session.scalar(select(ReadingCopy).where(ReadingCopy.item_id == item.id))
            assert copy is not None and copy.status == "ready"
        waiting = db.session.get(RequestItem, items["c"].id)
        assert db.session.scalar(select(ReadingCopy).where(ReadingCopy.item_id == waiting.id)) is None
        assert {w.status for w in db.session.scalars(select(DigitisationRequest))} == {"done"}
        assert digitisation.queue(archivist) == []
        # The reader not yet decided gets the normal online path when granted later.
        requests_svc.decide(archivist, waiting, "approve")
        assert db.session.scalar(select(ReadingCopy).where(ReadingCopy.item_id == waiting.id)).status == "ready"
    ready = [m for m in outbox()[before:] if "đã sẵn sàng" in m["Subject"]]
    assert sorted(m["To"] for m in ready) == sorted(people[n].email for n in ("a", "b", "c"))


def test_refusal_ends_the_wait_and_the_queue_page(client, app, people, make_file, clock):
    record = make_file(mode="01")
    with app.test_request_context():
        request = submit(people["a"].id, [record.id], "dig-refuse", {record.id: "digitise"})
        archivist = db.session.get(User, people["archivist"].id)
    login(client, people["archivist"].email)
    page = client.get("/nghiep-vu/so-hoa").get_data(as_text=True)
    assert record.file_code in page and "Gắn bản quét" in page
    with app.test_request_context():
        archivist = db.session.get(User, people["archivist"].id)
        requests_svc.decide(archivist, db.session.get(RequestItem, request.items[0].id), "refuse", "Tài liệu hư hỏng")
        assert digitisation.queue(archivist) == []
        assert db.session.scalar(select(DigitisationRequest.status)) == "cancelled"


def test_visits_register_csv_and_xlsx_with_labels(client, app, people, make_file, clock):
    record = make_file(mode="01", title="=HYPERLINK(\"http://x\")")
    with app.test_request_context():
        archivist = db.session.get(User, people["archivist"].id)
        request = submit(people["a"].id, [record.id], "reg", slot="2026-12-07|pm")
        requests_svc.decide(archivist, request.items[0], "approve")
        visit = booking.visit_for_item(request.items[0])
        desk.check_in(archivist, visit, "079123456789")
        desk.hand_over(archivist, visit.files[0])
        desk.return_file(archivist, visit.files[0])
        desk.check_out(archivist, visit)
    login(client, people["archivist"].email)
    response = client.get("/nghiep-vu/phong-doc/so-theo-doi?start=2026-12-01&end=2026-12-31&kind=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["STT", "Ngày", "Buổi"]
    line = rows[1]
    assert line[1] == "07/12/2026" and line[2] == "Buổi chiều" and line[-1] == "Đã đọc xong"
    assert line[4] == "Nguyễn Thị An" and line[6] == "079123456789" and line[11] == "1"
    response = client.get("/nghiep-vu/phong-doc/so-theo-doi?start=2026-12-01&end=2026-12-31&kind=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet["A2"].value == "STT" and sheet["O3"].value == "Đã đọc xong"
    assert sheet["K3"].data_type == "s" and not str(sheet["K3"].value).startswith("=")  # never a formula
    wrong = client.get("/nghiep-vu/phong-doc/so-theo-doi?start=2026-12-31&end=2026-12-01&kind=csv")
    assert wrong.status_code == 400 and "Ngày kết thúc phải sau ngày bắt đầu" in wrong.get_data(as_text=True)
    with app.test_request_context():
        assert register.rows(db.session.get(User, people["archivist"].id), date(2027, 1, 1), date(2027, 1, 2)) == []


def test_scan_arriving_by_manifest_import_also_serves_the_waiting_reader(app, people, clock, outbox, tmp_path):
    """The other way scans arrive: a manifest import (the same hook, no further clicks)."""
    from portal.services.importer import import_manifest

    from .test_import import make_images, write_manifest

    first = write_manifest(tmp_path / "first", [{}])
    with app.test_request_context():
        archivist = db.session.get(User, people["archivist"].id)
        assert import_manifest(archivist, first).ok
        record = db.session.scalar(select(RecordFile))
        assert not record.is_digitised
        request = submit(people["a"].id, [record.id], "dig-import", {record.id: "digitise"})
        requests_svc.decide(archivist, request.items[0], "approve")
        item_id = request.items[0].id
    make_images(tmp_path / "second" / "scan", 2)
    second = write_manifest(tmp_path / "second", [{"scan": "scan"}])
    with app.test_request_context():
        archivist = db.session.get(User, people["archivist"].id)
        report = import_manifest(archivist, second)
        assert report.ok and report.scans == 1
        copy = db.session.scalar(select(ReadingCopy).where(ReadingCopy.item_id == item_id))
        assert copy is not None and copy.status == "ready" and copy.pages == 2
        assert digitisation.queue(archivist) == []
    assert any("đã sẵn sàng" in m["Subject"] and m["To"] == people["a"].email for m in outbox())
