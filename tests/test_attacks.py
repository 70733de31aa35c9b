"""What an attacker found (issue 11), one test per point: each failed before its fix.

Reclassified files, links built from the Host header, sessions that outlived logout and
blocking, configured limits that were not applied, account and identity enumeration,
cached personal pages, unchecked letters and bodies, and anonymous 500s.
"""
from __future__ import annotations

import io
import re
import zlib
import struct
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart
from PIL import Image, ImageDraw
from sqlalchemy import select

from portal.extensions import db, limiter
from portal.models import (
    AuditEvent, ExhibitionImage, ExhibitionItem, ReadingCopy, RecordFile, RequestItem, User,
)
from portal.services import accounts, records
from portal.services import exhibitions as exhibitions_svc
from portal.services import requests as requests_svc
from search.query import MAX_DEPTH, parse

from .conftest import PASSWORD, login

BASE = "https://phongdoc.example.vn"
REQUEST_FORM = {"purpose": "01", "research_topic": "Lịch sử địa phương", "fee_category": "10"}


# --- helpers ---------------------------------------------------------------------------------

def picture(size=(620, 877), fmt="PNG") -> bytes:
    image = Image.new("RGB", size, (245, 240, 225))
    ImageDraw.Draw(image).text((40, 40), "Trang 1", fill="black")
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def png_bomb(width: int = 12000, height: int = 12000) -> bytes:
    """A valid grey PNG of width × height that compresses to a few kilobytes."""
    raw = zlib.compress(b"".join(b"\x00" + b"\x00" * width for _ in range(height)), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def fetch(client, url: str, **kwargs):
    """GET and close the response (a file behind it stays closed)."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


def links(message) -> list[str]:
    return re.findall(r"https?://\S+", message.get_body(("plain",)).get_content())


@pytest.fixture
def staff(make_user):
    return {"archivist": make_user(role="archivist"), "leader": make_user(role="leader"),
            "admin": make_user(role="admin")}


@pytest.fixture
def digitised(app, make_file, staff, tmp_path):
    """``digitised(mode)``: a catalogued file with a one-page scan attached through the service."""

    def make(mode: str = "01", title: str | None = None) -> RecordFile:
        record = make_file(mode=mode, title=title)
        folder = tmp_path / f"scan-{record.id}"
        folder.mkdir()
        (folder / "01.png").write_bytes(picture())
        with app.test_request_context():
            admin = db.session.get(User, staff["admin"].id)
            records.attach_scan(admin, db.session.get(RecordFile, record.id), folder)
        return record

    return make


def request_files(app, reader: User, file_ids: list[int], token: str) -> int:
    """The reader's request for ``file_ids`` (through the service); returns its id."""
    with app.test_request_context():
        me = db.session.get(User, reader.id)
        for file_id in file_ids:
            requests_svc.add_to_basket(me, file_id)
        return requests_svc.submit_request(me, REQUEST_FORM, None, token).id


def item_of(app, request_id: int, file_id: int) -> RequestItem:
    with app.app_context():
        item = db.session.scalar(select(RequestItem).where(RequestItem.request_id == request_id,
                                                           RequestItem.file_id == file_id))
        db.session.expunge(item)
        return item


def decide(app, actor: User, item_id: int, action: str, reason: str | None = None) -> None:
    with app.test_request_context():
        requests_svc.decide(db.session.get(User, actor.id), db.session.get(RequestItem, item_id), action, reason)


def reclassify(app, client, record_id: int, mode: str):
    """An archivist changes the file's mode through the staff form (the real path)."""
    with app.app_context():
        record = db.session.get(RecordFile, record_id)
        form = {name: getattr(record, name) or "" for name in records.FILE_FIELDS}
    form["mode"] = mode
    return client.post(f"/nghiep-vu/ho-so/{record_id}/sua", data=form)


@pytest.fixture
def limited(app):
    """Rate limits on (in memory) for one test."""
    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    limiter.init_app(app)
    yield app
    app.config["RATELIMIT_ENABLED"] = False
    limiter.init_app(app)


# --- links in mails come from the configured address, never from the Host header ---------------

def test_a_reset_link_never_comes_from_the_host_header(app, client, make_user, outbox):
    app.config["PUBLIC_BASE_URL"] = BASE
    user = make_user()
    response = client.post("/tai-khoan/quen-mat-khau", data={"email": user.email},
                           headers={"Host": "evil.example"})
    assert response.status_code == 302
    (mail,) = outbox()
    (link,) = links(mail)
    assert link.startswith(f"{BASE}/tai-khoan/dat-lai-mat-khau/") and "evil" not in mail.as_string()
    # The link works on the real site.
    assert client.get(link.removeprefix(BASE)).status_code == 200


def test_a_confirmation_link_never_comes_from_the_host_header(app, client, outbox):
    app.config["PUBLIC_BASE_URL"] = BASE + "/phong-doc"  # served under a path: links keep it
    client.post("/tai-khoan/dang-ky", headers={"Host": "evil.example"}, data={
        "email": "moi@example.vn", "password": "Luutru-2026-abc", "password_confirm": "Luutru-2026-abc",
        "full_name": "Trần Thị Bích", "id_kind": "cccd", "id_number": "079201012345", "consent_account": "y"})
    (mail,) = outbox()
    assert links(mail)[0].startswith(f"{BASE}/phong-doc/tai-khoan/xac-nhan/")


def test_mails_from_a_job_and_from_the_cli_link_to_the_configured_address(app, make_user, staff, digitised,
                                                                           outbox, runner):
    """Issue 17's "mails carry the right address": the worker and the CLI have no request at all."""
    app.config["PUBLIC_BASE_URL"] = BASE
    reader = make_user()
    record = digitised()
    request_id = request_files(app, reader, [record.id], "job-1")
    item = item_of(app, request_id, record.id)
    with app.app_context():  # no request context: as in the worker process
        requests_svc.decide(db.session.get(User, staff["archivist"].id), db.session.get(RequestItem, item.id),
                            "approve")
        copy = db.session.scalar(select(ReadingCopy).where(ReadingCopy.item_id == item.id))
        assert copy.status == "ready"
    ready = [m for m in outbox() if "sẵn sàng" in m["Subject"]]
    assert [link for m in ready for link in links(m)] == [f"{BASE}/doc/{item.id}"]

    with app.app_context():  # the window ends within two days: `flask requests expire` reminds
        from datetime import timedelta

        from portal.db import utcnow

        db.session.get(RequestItem, item.id).grant_ends_at = utcnow() + timedelta(days=1)
        db.session.commit()
    result = runner.invoke(args=["requests", "expire"])
    assert result.exit_code == 0 and "reminded=1" in result.output
    reminder = outbox()[-1]
    assert links(reminder) == [f"{BASE}/phieu-yeu-cau/{request_id}"]


def test_mail_links_default_to_the_address_make_run_serves(tmp_path, monkeypatch):
    from portal import create_app
    from portal.urls import external_url

    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.setenv("PORTAL_ENV", "development")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'd.db'}")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    app = create_app()
    with app.app_context():
        assert external_url("auth.login") == "http://127.0.0.1:5000/tai-khoan/dang-nhap"
    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    assert "PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)" in makefile and "run: export PUBLIC_BASE_URL" in makefile


# --- every next and redirect target is cleaned in one place ------------------------------------------

@pytest.mark.parametrize("target", ["/ho-so/1%0d", "/ho-so/1%0a", "/ho-so/1%0d%0aSet-Cookie:%20x=1", "/a%00b",
                                    "/%E2%80%A8x", "/%7f", "%0d/", "/\u0111", "//evil.example", "/\\evil"])
def test_the_language_switch_never_fails_on_a_strange_next(client, target):
    response = client.get(f"/lang/en?next={target}")
    assert response.status_code in (302, 400)
    location = response.headers.get("Location", "")
    assert "\r" not in location and "\n" not in location and "evil" not in location
    assert all(32 < ord(char) < 127 for char in location)


def test_login_next_with_control_characters_goes_home(client, make_user):
    user = make_user()
    response = client.post("/tai-khoan/dang-nhap?next=/phieu-yeu-cau/%0d%0aX:1",
                           data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302 and "\r" not in response.headers["Location"]
    assert response.headers["Location"].endswith("/phieu-yeu-cau/")  # the reader's own requests (issue 17)


# --- the search parser is bounded; the search limit is applied -----------------------------------

@pytest.mark.parametrize("query", ["(" * 250 + "luu tru" + ")" * 250, "(" * 250, "NOT " * 200 + "a",
                                   "-(" * 200 + "x", "title:(" * 120 + "a", "((a OR (b AND (c)))" * 40])
def test_deep_or_long_queries_are_plain_words_not_a_500(app, client, make_file, query):
    from portal.services import search as search_service

    record = make_file(title="Lưu trữ tỉnh")
    with app.app_context():  # an index exists: without one the page answers before parsing
        search_service.reindex([record.id])
        db.session.commit()  # the index job is added to the transaction (outbox)
    response = client.get("/tim-kiem", query_string={"q": query})
    assert response.status_code == 200


def test_nesting_is_bounded_and_falls_back_to_words():
    assert not parse("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH).fallback
    deep = parse("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1))
    assert deep.fallback and deep.root.text == "a"


def test_the_configured_search_limit_is_applied(limited, client):
    limited.config["RATELIMIT_SEARCH"] = "3 per minute"
    answers = [client.get("/tim-kiem", query_string={"q": f"lưu trữ {n}"}).status_code for n in range(5)]
    assert answers == [200, 200, 200, 429, 429]


def test_profile_changes_are_rate_limited(limited, client, make_user):
    limited.config["RATELIMIT_PROFILE"] = "2 per minute"
    user = make_user()
    login(client, user.email)
    form = {"full_name": "Lê Văn Cường", "id_kind": "cccd", "id_number": "079201099999"}
    answers = [client.post("/ca-nhan/", data=form).status_code for _ in range(3)]
    assert answers == [302, 302, 429]


# --- sessions end when they should --------------------------------------------------------------------

def copied(app, client):
    """A second browser holding a copy of ``client``'s session cookie."""
    thief = app.test_client()
    cookie = client.get_cookie("session")
    thief.set_cookie("session", cookie.value)
    return thief


def test_logout_ends_the_session_server_side(app, client, make_user):
    user = make_user()
    login(client, user.email)
    thief = copied(app, client)
    assert thief.get("/ca-nhan/").status_code == 200
    assert client.post("/tai-khoan/dang-xuat").status_code == 302
    assert thief.get("/ca-nhan/").status_code == 302  # the copied cookie is dead


def test_blocking_ends_every_session_and_suspends_grants(app, client, make_user, staff, digitised, outbox):
    reader = make_user()
    record = digitised()
    request_id = request_files(app, reader, [record.id], "block-1")
    item = item_of(app, request_id, record.id)
    decide(app, staff["archivist"], item.id, "approve")
    with app.app_context():
        copy_id = db.session.scalar(select(ReadingCopy.id).where(ReadingCopy.item_id == item.id))
    login(client, reader.email)
    second = app.test_client()
    login(second, reader.email)
    assert client.get(f"/doc/{item.id}").status_code == 200
    assert fetch(second, f"/ban-doc/{copy_id}.pdf", headers={"Range": "bytes=0-99"}).status_code == 206

    with app.test_request_context():
        accounts.set_clearance(db.session.get(User, staff["archivist"].id), db.session.get(User, reader.id),
                               "blocked", "Chia sẻ tài khoản")
    for browser in (client, second):
        assert browser.get(f"/doc/{item.id}").status_code == 302
        assert fetch(browser, f"/ban-doc/{copy_id}.pdf").status_code == 302
    assert login(client, reader.email).status_code == 401
    told = outbox()[-1]
    assert "tạm dừng" in told.get_body(("plain",)).get_content()
    with app.test_request_context():
        assert not requests_svc.active_grant(db.session.get(User, reader.id), record.id)
        # Cleared again within the window: the grant was only suspended.
        accounts.set_clearance(db.session.get(User, staff["archivist"].id), db.session.get(User, reader.id), "cleared")
        assert requests_svc.active_grant(db.session.get(User, reader.id), record.id).id == item.id


def test_a_password_change_ends_the_other_sessions_but_not_this_one(app, client, make_user):
    user = make_user()
    login(client, user.email)
    other = app.test_client()
    login(other, user.email)
    thief = copied(app, client)
    response = client.post("/ca-nhan/mat-khau", data={"current_password": PASSWORD,
                                                      "new_password": "Mat-khau-moi-2027"})
    assert response.status_code == 302
    assert client.get("/ca-nhan/").status_code == 200
    assert other.get("/ca-nhan/").status_code == 302


# --- a file's current access mode rules --------------------------------------------------------------

def test_an_item_cannot_be_approved_once_its_file_is_classified(app, make_user, make_file, staff):
    reader = make_user()
    record = make_file(mode="01")
    request_id = request_files(app, reader, [record.id], "cls-1")
    item = item_of(app, request_id, record.id)
    with app.app_context():  # reclassified behind the workflow's back (no hooks): the decision still checks
        db.session.get(RecordFile, record.id).mode = "03"
        db.session.commit()
    archivist = app.test_client()
    login(archivist, staff["archivist"].email)
    response = archivist.post(f"/nghiep-vu/muc/{item.id}/approve")
    assert response.status_code == 409 and "hồ sơ mật" in response.get_data(as_text=True)
    assert item_of(app, request_id, record.id).status == "submitted"


def test_reclassifying_to_classified_ends_items_revokes_grants_and_purges_copies(
        app, client, make_user, staff, digitised, make_file, outbox):
    reader = make_user()
    record = digitised(title="Hồ sơ về biên giới tỉnh")
    other_file = make_file(mode="01")
    granted_request = request_files(app, reader, [record.id], "cls-2")
    granted = item_of(app, granted_request, record.id)
    decide(app, staff["archivist"], granted.id, "approve")
    with app.app_context():
        copy = db.session.scalar(select(ReadingCopy).where(ReadingCopy.item_id == granted.id))
        copy_file = Path(app.config["DATA_DIR"]) / copy.path
    assert copy_file.is_file()
    second_reader = make_user()
    pending_request = request_files(app, second_reader, [record.id, other_file.id], "cls-3")
    login(client, reader.email)
    assert client.get(f"/doc/{granted.id}").status_code == 200

    archivist = app.test_client()
    login(archivist, staff["archivist"].email)
    before = len(outbox())
    assert reclassify(app, archivist, record.id, "03").status_code == 302

    revoked, refused = item_of(app, granted_request, record.id), item_of(app, pending_request, record.id)
    assert (revoked.status, refused.status) == ("revoked", "refused")
    assert "thay đổi chế độ sử dụng" in revoked.end_reason and "thay đổi chế độ sử dụng" in refused.decision_reason
    assert item_of(app, pending_request, other_file.id).status == "submitted"  # the other file is untouched
    assert not copy_file.exists()
    with app.app_context():
        assert db.session.get(ReadingCopy, copy.id).status == "purged"
    ended = client.get(f"/doc/{granted.id}")
    assert ended.status_code == 403 and f"/phieu-yeu-cau/{granted_request}" in ended.get_data(as_text=True)
    assert "Hồ sơ về biên giới" not in ended.get_data(as_text=True)
    assert fetch(client, f"/ban-doc/{copy.id}.pdf").status_code in (403, 404)
    # The reader is told, with a reason and without the file's title, on the page and by mail.
    page = client.get(f"/phieu-yeu-cau/{granted_request}").get_data(as_text=True)
    assert "Hồ sơ về biên giới" not in page and "thay đổi chế độ sử dụng" in page
    assert "Hồ sơ về biên giới" not in client.get("/phieu-yeu-cau/").get_data(as_text=True)
    told = outbox()[before:]
    assert {m["To"] for m in told} == {reader.email, second_reader.email}
    assert all("Hồ sơ về biên giới" not in m.as_string() for m in told)


def test_a_copy_is_never_built_for_a_file_that_became_classified(app, make_user, staff, digitised):
    reader = make_user()
    record = digitised()
    request_id = request_files(app, reader, [record.id], "cls-4")
    item = item_of(app, request_id, record.id)
    with app.test_request_context():
        copy = ReadingCopy(kind="reader", item_id=item.id, user_id=reader.id, file_id=record.id, status="queued")
        db.session.add(copy)
        db.session.get(RecordFile, record.id).mode = "03"
        db.session.commit()
        from portal.services import reading

        reading.build_copy(copy.id)
        assert db.session.get(ReadingCopy, copy.id).status == "purged"
        assert db.session.get(ReadingCopy, copy.id).path is None


def test_a_file_that_becomes_conditional_needs_the_leader_again(app, make_user, make_file, staff):
    reader = make_user()
    record = make_file(mode="01")
    request_id = request_files(app, reader, [record.id], "cond-1")
    item = item_of(app, request_id, record.id)
    archivist = app.test_client()
    login(archivist, staff["archivist"].email)
    assert reclassify(app, archivist, record.id, "02").status_code == 302
    changed = item_of(app, request_id, record.id)
    assert changed.mode == "02" and changed.due_on > item.due_on  # 7 working days, not 1
    refused = archivist.post(f"/nghiep-vu/muc/{item.id}/approve")
    assert refused.status_code == 409 and "lãnh đạo" in refused.get_data(as_text=True)
    assert archivist.post(f"/nghiep-vu/muc/{item.id}/forward", data={"reason": "Đề nghị duyệt"}).status_code == 302
    leader = app.test_client()
    login(leader, staff["leader"].email)
    assert leader.post(f"/nghiep-vu/muc/{item.id}/leader_approve").status_code == 302
    assert item_of(app, request_id, record.id).status == "granted"


def test_exhibition_pictures_of_a_reclassified_file_are_withdrawn_including_cut_ones(
        app, client, staff, digitised):
    record = digitised(title="Hồ sơ có trang được trưng bày")
    with app.test_request_context():
        admin = db.session.get(User, staff["admin"].id)
        exhibition = exhibitions_svc.save_exhibition(admin, {
            "slug": "trien-lam-thu", "title": "Triển lãm thử", "summary": "Một triển lãm để thử gỡ ảnh."},
            cover=io.BytesIO(picture(fmt="JPEG")), cover_source=db.session.get(RecordFile, record.id))
        section = exhibitions_svc.save_section(admin, exhibition, {"title": "Phần một"})
        exhibitions_svc.save_file_item(admin, section, {"file_code": record.file_code, "page_no": "1"})
        cut = exhibitions_svc.save_image_item(admin, section, {
            "caption": "Phần đầu trang 1", "source_file": record.file_code}, upload=io.BytesIO(picture(fmt="JPEG")))
        exhibitions_svc.save_image_item(admin, section, {"caption": "Ảnh khác"}, upload=io.BytesIO(picture(fmt="JPEG")))
        exhibitions_svc.set_published(admin, exhibition, True)
        keys = list(db.session.scalars(select(ExhibitionImage.key).where(ExhibitionImage.file_id == record.id)))
        cut_key = db.session.get(ExhibitionItem, cut.id).image.key
    assert len(keys) == 3 and cut_key in keys  # the cover, the page and the cut picture name the file
    for key in keys:
        assert fetch(client, f"/trien-lam/anh/{key}/thumb.webp").status_code == 200

    archivist = app.test_client()
    login(archivist, staff["archivist"].email)
    assert reclassify(app, archivist, record.id, "03").status_code == 302
    for key in keys:
        assert fetch(client, f"/trien-lam/anh/{key}/thumb.webp").status_code == 404
        assert not (Path(app.config["DATA_DIR"]) / "exhibitions" / key).exists()
    page = client.get("/trien-lam/trien-lam-thu").get_data(as_text=True)
    assert "Ảnh khác" in page and "Phần đầu trang 1" not in page and record.file_code not in page
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "exhibition.withdraw_file"))


def test_a_picture_cannot_name_a_classified_file_as_its_source(app, staff, make_file):
    secret = make_file(mode="03")
    with app.test_request_context():
        admin = db.session.get(User, staff["admin"].id)
        exhibition = exhibitions_svc.save_exhibition(admin, {
            "slug": "trien-lam-mat", "title": "Triển lãm", "summary": "Một triển lãm để thử nguồn ảnh."})
        section = exhibitions_svc.save_section(admin, exhibition, {"title": "Phần một"})
        with pytest.raises(Exception) as error:
            exhibitions_svc.save_image_item(admin, section, {"caption": "Ảnh", "source_file": secret.file_code},
                                            upload=io.BytesIO(picture(fmt="JPEG")))
        assert "source_file" in error.value.fields


def test_a_fonds_holding_only_classified_files_is_not_listed(app, client, make_file, staff):
    make_file(mode="03", fonds_code="MAT-01")
    make_file(mode="01", fonds_code="MO-01")
    index = client.get("/phong").get_data(as_text=True)
    assert "MO-01" in index and "MAT-01" not in index
    assert "MAT-01" not in client.get("/").get_data(as_text=True)
    assert client.get("/phong/MAT-01").status_code == 404
    archivist = app.test_client()
    login(archivist, staff["archivist"].email)
    assert "MAT-01" in archivist.get("/phong").get_data(as_text=True)
    assert archivist.get("/phong/MAT-01").status_code == 200


# --- no account or identity enumeration ---------------------------------------------------------------

NEW_READER = {"password": "Luutru-2026-abc", "password_confirm": "Luutru-2026-abc", "full_name": "Trần Thị Bích",
              "id_kind": "cccd", "consent_account": "y"}


def page_text(response) -> str:
    html = response.get_data(as_text=True)
    return re.sub(r'name="csrf_token"[^>]*', "", html)


def test_registering_an_existing_email_answers_the_same_and_mails_the_owner(app, client, make_user, outbox):
    owner = make_user(email="da-co@example.vn")
    taken = client.post("/tai-khoan/dang-ky", data={**NEW_READER, "email": "da-co@example.vn",
                                                    "id_number": "079201000001"})
    fresh = client.post("/tai-khoan/dang-ky", data={**NEW_READER, "email": "chua-co@example.vn",
                                                    "id_number": "079201000002"})
    assert taken.status_code == fresh.status_code == 200
    assert page_text(taken).replace("da-co@", "X@") == page_text(fresh).replace("chua-co@", "X@")
    mails = {m["To"]: m for m in outbox()}
    assert set(mails) == {owner.email, "chua-co@example.vn"}
    assert "đã có tài khoản" in mails[owner.email].get_body(("plain",)).get_content()
    with app.app_context():
        assert db.session.get(User, owner.id).full_name != "Trần Thị Bích"  # nothing changed on the account


def test_registering_a_registered_identity_answers_the_same_and_tells_the_mailboxes(app, client, make_user, outbox):
    holder = make_user()
    with app.app_context():
        number = db.session.get(User, holder.id).profile.id_number
    response = client.post("/tai-khoan/dang-ky", data={**NEW_READER, "email": "ke-gia@example.vn",
                                                       "id_number": number})
    assert response.status_code == 200 and "đã được dùng" not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "ke-gia@example.vn")) is None
    assert {m["To"] for m in outbox()} == {holder.email, "ke-gia@example.vn"}


def test_the_profile_never_tells_whether_an_identity_is_registered(app, make_user, staff, outbox):
    holder, prober = make_user(), make_user()
    with app.app_context():
        taken = db.session.get(User, holder.id).profile.id_number
    client = app.test_client()
    login(client, prober.email)
    client.get("/ca-nhan/")  # the login's own message is shown once
    answers = []
    for number in (taken, "079201055555"):
        response = client.post("/ca-nhan/", data={"full_name": "Lê Văn Dò", "id_kind": "cccd", "id_number": number},
                               follow_redirects=True)
        answers.append((response.status_code, page_text(response).replace(number, "N")))
    assert answers[0] == answers[1]
    assert [m["To"] for m in outbox()] == [holder.email]  # the holder of the registered document is told
    # The document waits for staff; a registered one can never be cleared onto the prober's account.
    with app.test_request_context():
        me = db.session.get(User, prober.id)
        assert me.profile.pending_id_number == "079201055555" and me.clearance == "pending"
        me.profile.pending_id_number = taken
        db.session.commit()
        archivist = db.session.get(User, staff["archivist"].id)
        with pytest.raises(Exception, match="trùng"):
            accounts.set_clearance(archivist, me, "cleared")
        me = db.session.get(User, prober.id)
        me.profile.pending_id_number = "079201055555"
        db.session.commit()
        accounts.set_clearance(archivist, me, "cleared")
        assert me.profile.id_number == "079201055555" and me.profile.pending_id_number is None


# --- personal pages are not cached ----------------------------------------------------------------------

def test_personal_pages_are_never_stored(app, client, make_user, make_file, staff):
    reader = make_user()
    request_id = request_files(app, reader, [make_file().id], "cache-1")
    login(client, reader.email)
    for url in ("/ca-nhan/", "/ca-nhan/dong-y", "/ca-nhan/mat-khau", "/phieu-yeu-cau/", f"/phieu-yeu-cau/{request_id}",
                "/phieu-yeu-cau/gio"):
        assert client.get(url).headers.get("Cache-Control") == "private, no-store", url
    archivist = app.test_client()
    login(archivist, staff["archivist"].email)
    for url in ("/nghiep-vu/", "/nghiep-vu/doc-gia", f"/nghiep-vu/doc-gia/{reader.id}", "/nghiep-vu/nhat-ky",
                "/nghiep-vu/so-dang-ky", "/nghiep-vu/so-dang-ky?kind=doc-gia&start=2020-01-01&end=2030-01-01",
                f"/nghiep-vu/yeu-cau/{request_id}", "/nghiep-vu/yeu-cau"):
        assert archivist.get(url).headers.get("Cache-Control") == "private, no-store", url
    assert "no-store" not in (client.get("/phong").headers.get("Cache-Control") or "")


# --- uploads are checked like the exhibition images ------------------------------------------------------

def test_a_letter_that_is_a_decompression_bomb_is_refused(app, client, make_user, make_file):
    reader = make_user()
    login(client, reader.email)
    record = make_file()
    client.post(f"/phieu-yeu-cau/gio/them/{record.id}")
    bomb = png_bomb()
    assert len(bomb) < 400_000
    response = client.post("/phieu-yeu-cau/gio", content_type="multipart/form-data", data={
        **REQUEST_FORM, "purpose": "02", "purpose_details": "Sở Nội vụ giao nhiệm vụ", "submit_token": "bomb-1",
        "letter": (io.BytesIO(bomb), "giay-gioi-thieu.png")})
    assert response.status_code == 400 and "điểm ảnh" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(RequestItem)) is None


def pdf_with_javascript() -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def test_pdf_letters_are_downloaded_sandboxed_never_run(app, client, make_user, make_file, staff):
    reader = make_user()
    login(client, reader.email)
    record = make_file()
    client.post(f"/phieu-yeu-cau/gio/them/{record.id}")
    response = client.post("/phieu-yeu-cau/gio", content_type="multipart/form-data", data={
        **REQUEST_FORM, "purpose": "02", "purpose_details": "Sở Nội vụ giao nhiệm vụ", "submit_token": "pdf-1",
        "letter": (io.BytesIO(pdf_with_javascript()), "giay.pdf")})
    assert response.status_code == 302
    request_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    archivist = app.test_client()
    login(archivist, staff["archivist"].email)
    letter = fetch(archivist, f"/phieu-yeu-cau/{request_id}/giay-gioi-thieu")
    assert letter.status_code == 200
    assert letter.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in letter.headers["Content-Security-Policy"]
    assert letter.headers["Cache-Control"] == "private, no-store"


class Unreadable(io.RawIOBase):
    """A request body of ``size`` bytes that must not be read."""

    def __init__(self, size: int) -> None:
        self.size, self.pos = size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        self.pos = self.size if whence == 2 else offset
        return self.pos

    def tell(self) -> int:
        return self.pos

    def readinto(self, buffer) -> int:
        raise AssertionError("the body was read")


@pytest.mark.parametrize("url", ["/tai-khoan/dang-nhap", "/tai-khoan/quen-mat-khau", "/tim-kiem"])
def test_a_large_body_to_a_form_without_a_file_is_refused_before_it_is_read(app, client, url):
    response = client.post(url, input_stream=Unreadable(app.config["FORM_MAX_BYTES"] + 1),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413


def test_routes_that_take_a_file_accept_their_own_size(app, client, make_user, make_file):
    from portal.request_limits import body_limit

    with app.test_request_context():
        assert body_limit("auth.login") == app.config["FORM_MAX_BYTES"] < 2 * 1024 * 1024
        assert body_limit("reader.basket") == app.config["FORM_MAX_BYTES"] + app.config["LETTER_MAX_BYTES"]
        assert body_limit("staff.import_manifest") == app.config["MAX_CONTENT_LENGTH"]
    reader = make_user()
    login(client, reader.email)
    record = make_file()
    client.post(f"/phieu-yeu-cau/gio/them/{record.id}")
    big_letter = picture((2400, 3400), "PNG")  # larger than a text form may be, within the letter limit
    big_letter += b"\0" * (app.config["FORM_MAX_BYTES"] + 1000 - len(big_letter)) if len(big_letter) < \
        app.config["FORM_MAX_BYTES"] else b""
    # The body is encoded here, in memory: the test client would spool a body this big to a temporary
    # file it never closes (its ResourceWarning then fails whichever test the garbage collector runs in).
    boundary, body = encode_multipart({
        **REQUEST_FORM, "purpose": "02", "purpose_details": "Sở Nội vụ giao nhiệm vụ", "submit_token": "big-1",
        "letter": FileStorage(io.BytesIO(big_letter), "giay.png", content_type="image/png")})
    response = client.post("/phieu-yeu-cau/gio", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 302


def test_share_links_on_public_pages_never_come_from_the_host_header(app, client, staff):
    """Canonical and share links of a public (cacheable) page: a forged Host would poison caches."""
    app.config["PUBLIC_BASE_URL"] = BASE
    with app.test_request_context():
        admin = db.session.get(User, staff["admin"].id)
        exhibition = exhibitions_svc.save_exhibition(admin, {
            "slug": "chia-se", "title": "Triển lãm chia sẻ", "summary": "Một triển lãm để thử liên kết."},
            cover=io.BytesIO(picture(fmt="JPEG")))
        section = exhibitions_svc.save_section(admin, exhibition, {"title": "Phần một"})
        exhibitions_svc.save_image_item(admin, section, {"caption": "Ảnh"}, upload=io.BytesIO(picture(fmt="JPEG")))
        exhibitions_svc.set_published(admin, exhibition, True)
    html = client.get("/trien-lam/chia-se", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "evil.example" not in html
    assert f'<link rel="canonical" href="{BASE}/trien-lam/chia-se">' in html
    assert f'content="{BASE}/trien-lam/anh/' in html


def test_pictures_of_a_files_pages_are_cached_briefly_so_withdrawal_reaches_caches(app, client, staff, digitised):
    record = digitised()
    with app.test_request_context():
        admin = db.session.get(User, staff["admin"].id)
        exhibition = exhibitions_svc.save_exhibition(admin, {
            "slug": "bo-nho-dem", "title": "Triển lãm", "summary": "Một triển lãm để thử bộ nhớ đệm."},
            cover=io.BytesIO(picture(fmt="JPEG")))
        section = exhibitions_svc.save_section(admin, exhibition, {"title": "Phần một"})
        item = exhibitions_svc.save_file_item(admin, section, {"file_code": record.file_code, "page_no": "1"})
        exhibitions_svc.set_published(admin, exhibition, True)
        page_key = db.session.get(ExhibitionItem, item.id).image.key
        cover_key = db.session.get(type(exhibition), exhibition.id).cover.key
    page = fetch(client, f"/trien-lam/anh/{page_key}/thumb.webp").headers["Cache-Control"]
    cover = fetch(client, f"/trien-lam/anh/{cover_key}/thumb.webp").headers["Cache-Control"]
    assert page == "public, max-age=3600" and "immutable" in cover
