"""The demo archive: what a newcomer relies on after ``flask demo load``."""
from __future__ import annotations

import unicodedata
from datetime import timedelta

import pytest
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import func, select

from demo.cli import demo_cli
from demo import CLEARED_READER, PENDING_READER, STAFF_ACCOUNTS
from demo.pages import FACES, font_path
from portal.extensions import db
from portal.models import AuditEvent, Document, Fonds, PageScan, RecordFile, User
from portal.services.accounts import readers_waiting
from portal.services.scans import scan_file_path

from .conftest import login

# The five real texts the demo must contain: (number, notation, issuer) as catalogued.
REAL_DOCUMENTS = [
    ("11495", "UBND-KGVX", "UBND tỉnh Đồng Nai"),
    ("39", "KH-UBND", "UBND tỉnh Thanh Hóa"),
    ("06", "CT-UBND", "UBND tỉnh Quảng Trị"),
    (None, "UBND-NCTH", "UBND tỉnh Hậu Giang"),  # the copy found was never numbered
    (None, None, "Sở Nội vụ tỉnh Kiên Giang"),  # a news item
]


def _counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Fonds, RecordFile, Document, PageScan, User, AuditEvent)}


@pytest.fixture
def runner(app):
    """The CLI runner with the demo group added, as ``wsgi.py`` does."""
    app.cli.add_command(demo_cli)
    return app.test_cli_runner()


def test_demo_load_builds_a_usable_archive(app, runner, client):
    app.config["DEMO_SCAN_DPI"] = 60  # page breaks do not depend on it; drawing is faster
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    for account in (*STAFF_ACCOUNTS, CLEARED_READER, PENDING_READER):
        assert account.email in result.output and account.password in result.output

    with app.app_context():
        files = db.session.scalars(select(RecordFile)).all()
        assert db.session.scalar(select(func.count(Fonds.id))) >= 3
        assert len(files) >= 60
        assert {f.mode for f in files} == {"01", "02", "03"}
        assert len({f.file_code for f in files}) == len(files)

        # The real documents are there, in digitised files, within the scan.
        for number, notation, issuer in REAL_DOCUMENTS:
            query = select(Document).where(Document.issuer == issuer)
            query = query.where(Document.number == number if number else Document.number.is_(None))
            query = query.where(Document.notation == notation if notation else Document.notation.is_(None))
            document = db.session.scalar(query)
            assert document is not None, (number, notation, issuer)
            assert document.file.is_digitised and document.file.mode == "01"
            assert document.first_page + document.pages - 1 <= document.file.scan_pages
        assert db.session.scalar(select(Document).where(Document.notation.contains("UBND-KGVX"),
                                                        Document.number == "11495")).date == "2020-09-28"

        digitised = [f for f in files if f.is_digitised]
        assert 0.5 <= len(digitised) / len(files) <= 0.8  # about two thirds
        assert any(not f.is_digitised for f in files)
        assert {f.mode for f in digitised} == {"01", "02", "03"}
        for record in digitised:
            assert record.scan_kind == "images"
            assert 2 <= record.scan_pages <= 6
            assert record.pages == record.scan_pages == len(record.page_scans)
            for page in record.page_scans:
                path = scan_file_path(record.scan_path, page.source_name)
                assert path.is_file(), path
                with Image.open(path) as image:
                    assert image.mode == "L" and image.size == (page.width, page.height)
        for record in files:
            assert 1 <= len(record.documents) <= 5
            assert record.document_count == len(record.documents)
            assert record.start_date and record.end_date and record.retention and record.keywords
            last = max(d.first_page + d.pages - 1 for d in record.documents)
            assert last <= record.pages

        for account in STAFF_ACCOUNTS:
            assert db.session.scalar(select(User.role).where(User.email == account.email)) == account.role
        cleared = db.session.scalar(select(User).where(User.email == CLEARED_READER.email))
        assert cleared.is_reader and cleared.is_cleared and cleared.email_confirmed_at
        pending = db.session.scalar(select(User).where(User.email == PENDING_READER.email))
        assert pending in readers_waiting()

        # Requests in every state fill the queues; approved items have ready reading copies.
        from portal.models import ReadingCopy, RequestItem

        statuses = set(db.session.scalars(select(RequestItem.status)))
        assert statuses == {"submitted", "forwarded", "granted", "refused", "withdrawn", "expired", "revoked"}
        assert any(i.reader_id == pending.id for i in db.session.scalars(select(RequestItem)))
        granted = db.session.scalars(select(RequestItem).where(RequestItem.status == "granted")).all()
        assert {i.mode for i in granted} == {"01", "02"}
        for item in [i for i in granted if i.file.is_digitised]:
            copy = db.session.scalar(select(ReadingCopy).where(ReadingCopy.item_id == item.id))
            assert copy.status == "ready" and copy.pages == item.file.scan_pages
        # Copy orders in every state, an example fee schedule, and a delivered certified copy that verifies.
        from portal.models import CopyOrder, FeeSchedule
        from portal.services.copies import verification

        copy_statuses = set(db.session.scalars(select(CopyOrder.status)))
        assert copy_statuses == {"submitted", "forwarded", "approved", "paid", "produced", "delivered", "refused",
                                 "withdrawn", "expired"}
        assert all(s.is_example for s in db.session.scalars(select(FeeSchedule)))
        certified = db.session.scalar(select(CopyOrder).where(CopyOrder.kind == "certified",
                                                              CopyOrder.status == "delivered",
                                                              CopyOrder.pdf_path.is_not(None)).order_by(CopyOrder.id))
        with app.test_request_context():
            assert verification.by_code(certified.code).valid
        # The reading room: visits today (one reader at the desk with a file out) and in the coming
        # days, a closure, and one granted file waiting to be digitised.
        from portal.models import DigitisationRequest, RoomClosure, Visit
        from portal.services.visits.calendar import now_local

        today = now_local().date()
        visits = db.session.scalars(select(Visit)).all()
        assert sum(v.day == today for v in visits) == 2 and any(v.day > today for v in visits)
        assert any(v.status == "present" and any(f.out_file_id for f in v.files) for v in visits)
        assert db.session.scalar(select(func.count(RoomClosure.id))) == 1
        waits = db.session.scalars(select(DigitisationRequest).where(DigitisationRequest.status == "waiting")).all()
        assert len(waits) == 1 and waits[0].item.status == "granted"
        # History: fourteen months give every chart of the statistics something to draw.
        from portal.services import statistics

        with app.test_request_context():
            leader = db.session.scalar(select(User).where(User.role == "leader"))
            period = statistics.Period(today - timedelta(days=365), today)
            stats = statistics.compute(leader, period, today)
        empty = [f.key for f in stats.figures if f.is_empty]
        assert not empty, f"charts with nothing to show: {empty}"
        from portal.models import Exhibition

        exhibitions = db.session.scalars(select(Exhibition).where(Exhibition.is_published.is_(True))).all()
        assert len(exhibitions) == 2 and sum(e.is_featured for e in exhibitions) == 1
        featured_title = next(e.title for e in exhibitions if e.is_featured)
        before = _counts()

    assert featured_title in client.get("/").get_data(as_text=True)
    for account in (*STAFF_ACCOUNTS, CLEARED_READER):
        response = login(client, account.email, account.password)
        assert response.status_code == 302, (account.email, response.data[:300])
        client.post("/tai-khoan/dang-xuat")

    # Loading again changes nothing: --if-empty skips, a plain load refuses.
    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert again.exit_code == 0 and "--if-empty" in again.output
    refused = runner.invoke(args=["demo", "load"])
    assert refused.exit_code == 1 and "đã có" in refused.output
    with app.app_context():
        assert _counts() == before


def test_demo_catalogue_is_deterministic():
    from demo.generate import build_files

    first, second = build_files(), build_files()
    assert [(f.manifest_row(""), f.doc_rows) for f in first] == [(f.manifest_row(""), f.doc_rows) for f in second]


def _vietnamese_letters() -> list[str]:
    """The 134 letters with diacritics: 12 vowels × tones (66) and đ, in both cases."""
    tones = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # none, huyền, sắc, hỏi, ngã, nặng
    letters = {unicodedata.normalize("NFC", vowel + tone) for vowel in "aăâeêioôơuưy" for tone in tones}
    letters -= set("aeiouy")
    letters.add("đ")
    letters |= {letter.upper() for letter in letters}
    return sorted(letters)


@pytest.mark.parametrize("face", sorted(FACES))
def test_vendored_font_has_every_vietnamese_letter(face):
    letters = _vietnamese_letters()
    assert len(letters) == 134 and all(len(letter) == 1 for letter in letters)
    # Basic layout, as the scans are drawn: no shaping engine composing a letter from base and marks.
    font = ImageFont.truetype(str(font_path(face)), 40, layout_engine=ImageFont.Layout.BASIC)
    missing = _glyph(font, "\U0010FFFD")  # no font has this code point: what a missing glyph looks like
    assert any(missing)
    for letter in letters:
        drawn = _glyph(font, letter)
        assert drawn != missing, f"{face} lacks {letter!r}"
        base = {"đ": "d", "Đ": "D"}.get(letter) or unicodedata.normalize("NFD", letter)[0]
        assert drawn != _glyph(font, base), f"{face} drops the marks of {letter!r}"


def _glyph(font: ImageFont.FreeTypeFont, char: str) -> bytes:
    image = Image.new("L", (80, 90))
    ImageDraw.Draw(image).text((20, 20), char, font=font, fill=255)
    return image.tobytes()
