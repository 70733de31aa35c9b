"""Bad input everywhere: every form, query parameter and free path segment gets nasty values.

Values are very long strings, control characters, bidi overrides and zero-width
characters, lone surrogates and invalid UTF-8 (sent as raw percent-encoded
bytes: a script can send any byte), SQL and HTML/JS injection, format strings,
emoji, combining marks, odd digits (``²`` is a digit to ``str.isdigit`` but not
to ``int``) and Vietnamese. Whatever arrives, the app answers below 500; what
it stores and shows again is escaped (the raw markup never appears in a page);
redirects to a ``next`` never leave the site.

Two kinds of test: hypothesis tests (random combinations, 25 examples each,
one client per test) and a deterministic sweep that sends every value of
:data:`NASTY` to every field at least once, so no class of input is left to
chance.
"""
from __future__ import annotations

import io
import re
from urllib.parse import quote_from_bytes, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import select

from portal.extensions import db
from portal.models import AccessRequest, Fonds, ReadingCopy, RecordFile, RequestItem, User
from portal.services import exhibitions as exhibitions_svc
from portal.services import requests as requests_svc

from .conftest import PASSWORD, login

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "\"><img src=x onerror=alert(1)>"
XSS_URL = "javascript:alert(1)"

NASTY: list[str | bytes] = [
    "", "   \t\n  ", "A" * 10_000, "Đ" * 10_000,
    "".join(chr(c) for c in range(0x20)) + "\x7f", "\x00", "abc\x00def",
    "\u200f\u202eevil\u202c", "\u202dLTR\u202c\u200e", "\u200b\u200c\u200d\ufeff",
    "\ud800", "x\udfffy",  # lone surrogates: sent as the invalid UTF-8 they encode to (ED A0 80 …)
    b"\xff\xfe", b"\xc3\x28", b"abc\x80def",  # invalid UTF-8
    "' OR 1=1 --", "1; DROP TABLE users", "%' OR '1'='1", "\\", "'", '"',
    XSS_SCRIPT, XSS_IMG, XSS_URL, "<svg/onload=alert(1)>", "</textarea><script>alert(1)</script>",
    "%s %(x)s {0} %n %d {}", "{{7*7}}",
    "🏛️📜👩🏽‍💻", "e\u0301\u0302\u0303\u0304" * 50, "Ủy ban nhân dân tỉnh Đồng Nai — Nguyễn Thị Ánh Tuyết",
    "-1", "0", "99999999999999999999999", "2147483648", "1e309", "NaN", "٣", "²", "①",
    "2026-02-30", "0000-00-00", "0001-01-01", "9999-12-31", "2026-01-01",
    "/../../etc/passwd", "//evil.example", "\\\\evil.example", "https://evil.example/", "/\\evil.example",
    "/%2f%2fevil.example", "\t//evil.example",
    "/ho-so/1\r", "/x\r\nSet-Cookie: a=1", "/\u2028x", "/\x7f", "/\u0111",  # a CR once reached the Location header
    "title:", "(", '"unterminated', "*", "AND OR NOT", "[a TO b]", "title:*",
    "01", "03",
]


def as_bytes(value: str | bytes) -> bytes:
    """What goes on the wire: UTF-8, with lone surrogates as the invalid bytes they encode to."""
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


def as_text(value: str | bytes) -> str:
    return as_bytes(value).decode("utf-8", "replace")


def nasty() -> st.SearchStrategy[str | bytes]:
    """One of NASTY, random text over every code point (surrogates too), or a mix of both."""
    any_text = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()), max_size=40)
    piece = st.one_of(st.sampled_from(NASTY), any_text)
    mixed = st.lists(piece, min_size=2, max_size=4).map(lambda parts: b"".join(as_bytes(p) for p in parts))
    return st.one_of(st.sampled_from(NASTY), any_text, mixed)


def encode(fields: dict[str, object]) -> str:
    """``application/x-www-form-urlencoded`` built by hand, so that any bytes can be sent."""
    pairs = []
    for name, value in fields.items():
        for one in value if isinstance(value, list) else [value]:
            pairs.append(f"{quote_from_bytes(as_bytes(name), safe='')}={quote_from_bytes(as_bytes(one), safe='')}")
    return "&".join(pairs)


def segment(value: str | bytes) -> str:
    """A URL path segment carrying ``value``."""
    return quote_from_bytes(as_bytes(value), safe="")


def post(client, url: str, fields: dict[str, object]):
    return client.post(url, data=encode(fields), content_type="application/x-www-form-urlencoded")


def post_raw(client, url: str, names, value: str | bytes):
    """A form body with ``value``'s bytes as they are (invalid UTF-8, ``&`` and ``=`` included)."""
    body = b"&".join(name.encode() + b"=" + as_bytes(value) for name in names)
    return client.post(url, data=body, content_type="application/x-www-form-urlencoded")


def get(client, url: str, params: dict[str, object] | None = None):
    return client.get(url, query_string=encode(params or {}))


INJECTED = (b"<script>alert(1)", b"<img src=x onerror", b"<svg/onload", b'href="javascript:', b'src="javascript:')


def check(response, *sent: str | bytes) -> None:
    """Below 500; an HTML page holds no injected markup, and no sent value with markup, unescaped."""
    assert response.status_code < 500, f"{response.status_code} for {response.request.method} {response.request.url}"
    if response.mimetype != "text/html":
        return
    body = response.get_data()
    for marker in INJECTED:
        assert marker not in body, f"unescaped {marker!r} in {response.request.url}"
    for value in sent:
        text = as_text(value).strip()
        if len(text) >= 8 and re.search(r"<[A-Za-z/!?]", text):
            assert text.encode() not in body, f"{text[:80]!r} shown unescaped in {response.request.url}"


def follow(client, response, *sent):
    """Check a response and, when it redirects within the site, the page it leads to."""
    check(response, *sent)
    if response.status_code in (301, 302, 303, 308) and response.location:
        target = urlsplit(response.location)
        if target.netloc in ("", "localhost"):
            page = client.get(target.path, query_string=target.query)
            check(page, *sent)
            return page
    return response


def assert_local_redirect(response) -> None:
    """A redirect never leaves the site (no other host, no protocol-relative or backslash trick)."""
    if response.status_code not in (301, 302, 303, 307, 308):
        return
    location = response.headers.get("Location", "")
    target = urlsplit(location)
    assert target.netloc in ("", "localhost") and target.scheme in ("", "http"), location
    assert not location.startswith(("//", "/\\", "\\")), location


# --- the world: people, one client each, a request, an exhibition ------------------------------------------

@pytest.fixture(autouse=True)
def wrong_passwords_fail_fast(monkeypatch):
    """A wrong password is refused without spending ~0.2 s in scrypt; the right one is still checked.

    These tests are about what the forms do with input, not about hashing, and they send
    hundreds of wrong passwords.
    """
    from werkzeug.security import check_password_hash

    from portal.services import accounts

    monkeypatch.setattr(accounts, "check_password_hash",
                        lambda pwhash, password: password == PASSWORD and check_password_hash(pwhash, password))


@pytest.fixture
def people(make_user):
    return {"reader": make_user(), "pending": make_user(cleared=False), "archivist": make_user(role="archivist"),
            "admin": make_user(role="admin")}


def logged_in(app, user):
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


@pytest.fixture
def reader_client(app, people):
    return logged_in(app, people["reader"])


@pytest.fixture
def archivist_client(app, people):
    return logged_in(app, people["archivist"])


@pytest.fixture
def admin_client(app, people):
    return logged_in(app, people["admin"])


@pytest.fixture
def leader_client(app, make_user):
    return logged_in(app, make_user(role="leader"))


def submit_request(app, reader: User, make_file, mode: str = "01") -> AccessRequest:
    """A fresh request of ``reader`` for a new file (detached, with its items loaded)."""
    record = make_file(mode=mode)
    with app.test_request_context():
        me = db.session.get(User, reader.id)
        requests_svc.add_to_basket(me, record.id)
        request = requests_svc.submit_request(me, {"purpose": "01", "research_topic": "Lịch sử địa phương",
                                                   "fee_category": "10"}, None, requests_svc.new_submit_token())
        _ = request.items
        db.session.expunge_all()
        return request


@FUZZ
@given(filename=nasty(), content=st.sampled_from(["png", "garbage", "empty"]))
def test_introduction_letter_upload(app, reader_client, make_file, filename, content):
    """An official request with a letter: the file's name is the reader's text too (stored, shown, sent back)."""
    record = make_file(mode="01")
    check(reader_client.post(f"/phieu-yeu-cau/gio/them/{record.id}"))
    data = {"png": _png(), "garbage": b"%PDF-1.7 \x00\xff not really", "empty": b""}[content]
    name = as_text(filename)
    response = reader_client.post("/phieu-yeu-cau/gio", data={
        "purpose": "02", "purpose_details": "Sở Nội vụ giao nhiệm vụ", "research_topic": "Lịch sử địa phương",
        "fee_category": "10", "submit_token": requests_svc.new_submit_token(),
        "letter": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    page = follow(reader_client, response, filename)
    assert response.status_code in (302, 400)
    if response.status_code == 302 and page.status_code == 200:
        with reader_client.get(urlsplit(response.location).path + "/giay-gioi-thieu") as letter:
            assert letter.status_code == 200 and letter.data == data
            assert "\n" not in letter.headers.get("Content-Disposition", "")


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (200, 100), 255).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def reader_request(app, people, make_file):
    return submit_request(app, people["reader"], make_file, mode="02")


def _jpeg() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "beige").save(buffer, "JPEG")
    buffer.seek(0)
    return buffer


@pytest.fixture
def exhibition(app, people, make_file):
    """A published exhibition with a section, an image item and a file item."""
    record = make_file(mode="01")
    with app.test_request_context():
        admin = db.session.get(User, people["admin"].id)
        shown = exhibitions_svc.save_exhibition(admin, {"slug": "trien-lam-thu", "title": "Triển lãm thử",
                                                        "summary": "Một triển lãm để thử dữ liệu xấu."}, cover=_jpeg())
        section = exhibitions_svc.save_section(admin, shown, {"title": "Phần một", "body": "<p>Mở đầu</p>"})
        image_item = exhibitions_svc.save_image_item(admin, section, {"caption": "Ảnh"}, upload=_jpeg())
        exhibitions_svc.save_file_item(admin, section, {"file_code": record.file_code})
        exhibitions_svc.set_published(admin, shown, True)
        return {"id": shown.id, "slug": shown.slug, "section": section.id, "image_item": image_item.id}


# Form fields, as the templates send them.
PROFILE_FIELDS = ("full_name", "id_kind", "id_number", "phone", "employer", "priority_category", "notes")
REGISTER_FIELDS = PROFILE_FIELDS + ("email", "password", "password_confirm", "consent_account",
                                    "consent_statistics", "consent_newsletter")
REQUEST_FIELDS = ("purpose", "purpose_details", "research_topic", "fee_category", "notes", "submit_token")
FILE_FIELDS = ("file_code", "inventory_no", "box_no", "file_no", "title", "start_date", "end_date", "retention", "mode",
               "language", "keywords", "document_count", "sheets", "pages", "condition", "info_symbol", "reliability",
               "notes", "fonds_id")
VALID_FILE = {"inventory_no": "1", "box_no": "2", "file_no": "3", "start_date": "2020", "end_date": "2021",
              "retention": "01", "mode": "01", "condition": "01", "reliability": "02", "document_count": "",
              "sheets": "", "pages": ""}
VALID_PROFILE = {"full_name": "Nguyễn Thị Ánh", "id_kind": "cccd", "id_number": "079123456789", "phone": "",
                 "priority_category": ""}
EXHIBITION_FIELDS = ("slug", "title", "title_en", "summary", "summary_en")
SEARCH_FILTERS = ("phong", "thap_ky", "nam", "loai", "co_quan", "che_do", "ngon_ngu", "so_hoa", "tu", "den",
                  "sap_xep", "page")
ADVANCED_SEARCH = ("tat_ca", "cum_tu", "bat_ky", "tieu_de", "so_ky_hieu", "co_quan_bh", "khong_co", "tu", "den",
                   "sap_xep", "phong", "che_do", "so_hoa", "loai")


def fields_of(names) -> st.SearchStrategy[dict[str, str | bytes]]:
    return st.fixed_dictionaries({name: nasty() for name in names})


# --- anonymous: query parameters and path segments -----------------------------------------------------------

@FUZZ
@given(page=nasty(), mode=nasty(), code=nasty(), next_url=nasty(), slug=nasty())
def test_public_pages_and_parameters(app, make_file, page, mode, code, next_url, slug):
    client = app.test_client()
    make_file(mode="01")
    check(get(client, "/phong/UBND-DN", {"page": page, "mode": mode}), page, mode)
    check(get(client, f"/phong/{segment(code)}", {"page": page}), code)
    check(get(client, f"/ho-so/{segment(code)}"), code)
    for language in (segment(code), "en"):
        response = get(client, f"/lang/{language}", {"next": next_url})
        check(response)
        assert_local_redirect(response)
    check(get(client, "/tai-khoan/dang-nhap", {"next": next_url}), next_url)
    check(get(client, f"/trien-lam/{segment(slug)}"), slug)
    check(get(client, f"/trien-lam/anh/{segment(slug)}/{segment(code)}"))
    check(get(client, f"/tai-khoan/xac-nhan/{segment(code)}"))
    check(get(client, f"/tai-khoan/dat-lai-mat-khau/{segment(code)}"))


# --- anonymous: the account forms --------------------------------------------------------------------------

@FUZZ
@given(fields=fields_of(REGISTER_FIELDS))
def test_registration_form(app, fields):
    response = post(app.test_client(), "/tai-khoan/dang-ky", fields)
    check(response, *fields.values())
    assert response.status_code in (200, 400)


@FUZZ
@given(email=nasty(), password=nasty(), token=nasty(), next_url=nasty())
def test_login_forgot_resend_reset_forms(app, email, password, token, next_url):
    client = app.test_client()
    response = client.post("/tai-khoan/dang-nhap?" + encode({"next": next_url}),
                           data=encode({"email": email, "password": password}),
                           content_type="application/x-www-form-urlencoded")
    check(response, email, next_url)
    assert response.status_code in (200, 400, 401)  # 400: a NUL character
    for url in ("/tai-khoan/quen-mat-khau", "/tai-khoan/gui-lai-xac-nhan"):
        follow(client, post(client, url, {"email": email}), email)
    follow(client, post(client, f"/tai-khoan/dat-lai-mat-khau/{segment(token)}", {"password": password}), password)


@FUZZ
@given(next_url=nasty())
def test_login_next_never_leaves_the_site(app, people, next_url):
    client = app.test_client()
    response = client.post("/tai-khoan/dang-nhap?" + encode({"next": next_url}),
                           data=encode({"email": people["reader"].email, "password": PASSWORD}),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == (400 if "\x00" in as_text(next_url) else 302)  # NUL: refused outright
    assert_local_redirect(response)
    follow(client, response)


# --- a reader: profile, password, basket and request, messages ----------------------------------------------

@FUZZ
@given(fields=fields_of(PROFILE_FIELDS), valid_identity=st.booleans())
def test_profile_form(reader_client, fields, valid_identity):
    if valid_identity:  # let the free-text fields (employer, notes) through to the database
        fields = {**fields, **VALID_PROFILE}
    response = post(reader_client, "/ca-nhan/", fields)
    follow(reader_client, response, *fields.values())
    assert response.status_code in (302, 400)


@FUZZ
@given(current=nasty(), new=nasty())
def test_change_password_form(reader_client, current, new):
    response = post(reader_client, "/ca-nhan/mat-khau", {"current_password": current, "new_password": new})
    check(response, current, new)
    assert response.status_code in (200, 400)  # a wrong current password: the form again; NUL: 400


@FUZZ
@given(fields=st.fixed_dictionaries({
    "purpose": st.one_of(st.sampled_from(["01", "02", "03"]), nasty()), "purpose_details": nasty(),
    "research_topic": st.one_of(nasty(), nasty().map(lambda v: as_text(v) + " đề tài")),
    "fee_category": st.one_of(st.sampled_from(["01", "10"]), nasty()), "notes": nasty(), "submit_token": nasty(),
}))
def test_basket_submit_form(app, reader_client, make_file, fields):
    record = make_file(mode="01")  # a new file each time, so a good submission can succeed
    check(reader_client.post(f"/phieu-yeu-cau/gio/them/{record.id}"))
    response = post(reader_client, "/phieu-yeu-cau/gio", fields)
    page = follow(reader_client, response, *fields.values())
    assert response.status_code in (302, 400)
    if response.status_code == 302:  # stored: the request's page shows it (escaped)
        assert page.status_code == 200


@FUZZ
@given(body=nasty(), segment_value=nasty())
def test_reader_messages_and_urls(reader_client, reader_request, body, segment_value):
    url = f"/phieu-yeu-cau/{reader_request.id}"
    response = post(reader_client, f"{url}/tin-nhan", {"body": body})
    follow(reader_client, response, body)
    assert response.status_code in (302, 400)
    wild = segment(segment_value)
    check(post(reader_client, f"/phieu-yeu-cau/gio/them/{wild}", {"next": body}))
    check(post(reader_client, f"/phieu-yeu-cau/{wild}/tin-nhan", {"body": body}))
    check(post(reader_client, f"/ca-nhan/dong-y/{wild}/dong-y", {}))
    check(post(reader_client, f"/ca-nhan/dong-y/{wild}/rut-lai", {}))
    check(reader_client.get(f"/doc/{wild}"))


# --- staff -----------------------------------------------------------------------------------------------------

@FUZZ
@given(reason=nasty(), action=st.one_of(st.sampled_from(["xac-minh", "khoa"]), nasty()), state=nasty())
def test_reader_clearance_reason(archivist_client, people, reason, action, state):
    target = people["pending"].id
    follow(archivist_client, post(archivist_client, f"/nghiep-vu/doc-gia/{target}/{segment(action)}",
                                  {"reason": reason}), reason)
    check(get(archivist_client, "/nghiep-vu/doc-gia", {"state": state}), state)


@FUZZ
@given(fields=st.fixed_dictionaries({"code": st.one_of(nasty(), st.from_regex(r"\A[A-Z]{2,6}-[0-9]{1,3}\Z")),
                                     "name": nasty(), "description": nasty()}))
def test_fonds_form(archivist_client, fields):
    response = post(archivist_client, "/nghiep-vu/phong/moi", fields)
    follow(archivist_client, response, *fields.values())
    assert response.status_code in (302, 400)
    check(archivist_client.get("/phong"), *fields.values())


@FUZZ
@given(fields=fields_of(FILE_FIELDS), mostly_valid=st.booleans(), code=st.from_regex(r"\AF[0-9]{1,6}\Z"))
def test_file_form_with_every_tt05_field(archivist_client, make_file, fields, mostly_valid, code):
    existing = make_file(mode="01")
    if mostly_valid:  # only the free-text fields stay nasty, so they reach the database
        fields = {**fields, **VALID_FILE, "file_code": code}
    response = post(archivist_client, f"/nghiep-vu/phong/{existing.fonds_id}/ho-so/moi", fields)
    follow(archivist_client, response, *fields.values())
    assert response.status_code in (302, 400)
    response = post(archivist_client, f"/nghiep-vu/ho-so/{existing.id}/sua",
                    {**fields, "file_code": existing.file_code})
    follow(archivist_client, response, *fields.values())
    assert response.status_code in (302, 400)


@FUZZ
@given(reason=nasty(), action=st.one_of(st.sampled_from(["approve", "refuse", "forward", "revoke"]), nasty()),
       version=nasty(), mode=st.sampled_from(["01", "02"]), body=nasty())
def test_decision_reason_and_staff_message(app, archivist_client, people, make_file, reason, action, version, mode,
                                           body):
    request = submit_request(app, people["reader"], make_file, mode=mode)
    item = request.items[0]
    follow(archivist_client, post(archivist_client, f"/nghiep-vu/muc/{item.id}/{segment(action)}",
                                  {"reason": reason, "version": version}), reason)
    response = post(archivist_client, f"/nghiep-vu/yeu-cau/{request.id}/tin-nhan", {"body": body})
    follow(archivist_client, response, reason, body)
    assert response.status_code in (302, 400)


@FUZZ
@given(status=nasty(), mode=nasty(), overdue=nasty(), reader=nasty(), obj_type=nasty(), page=nasty(),
       start=nasty(), end=nasty(), kind=st.one_of(st.sampled_from(["doc-gia", "phieu"]), nasty()))
def test_staff_filters_and_registers(archivist_client, reader_request, status, mode, overdue, reader, obj_type, page,
                                     start, end, kind):
    check(get(archivist_client, "/nghiep-vu/yeu-cau", {"status": status, "mode": mode, "overdue": overdue,
                                                       "reader": reader}), status, mode, reader)
    check(get(archivist_client, "/nghiep-vu/nhat-ky", {"type": obj_type, "page": page}), obj_type)
    response = get(archivist_client, "/nghiep-vu/so-dang-ky", {"start": start, "end": end, "kind": kind})
    check(response, start, end)
    assert response.status_code in (200, 400)
    check(get(archivist_client, "/nghiep-vu/so-dang-ky", {"start": "0001-01-01", "end": end, "kind": kind}), end)


# --- exhibitions: the admin's editor and the public pages ---------------------------------------------------------

RICH_TEXT = ["<p>Đoạn <strong>đậm</strong></p><script>alert(1)</script>", "<a href=\"javascript:alert(1)\">x</a>",
             "<img src=x onerror=alert(1)>", "<p onclick=\"alert(1)\">x</p>", "<iframe src=//evil.example></iframe>",
             "<style>body{}</style><p>x</p>", "<a href=\"https://example.vn\">ok</a>"]


@FUZZ
@given(texts=fields_of(("slug", "title", "title_en", "summary", "summary_en", "body", "body_en", "caption",
                        "caption_en", "credit", "credit_en", "file_code", "page_no", "page_publishable")),
       html=st.sampled_from(RICH_TEXT))
def test_exhibition_forms(app, admin_client, exhibition, texts, html):
    client, base = admin_client, "/nghiep-vu/trien-lam"
    # Rich text is kept as sanitised markup by design: only the injected markers are checked for it.
    sent = [value for name, value in texts.items() if name not in ("body", "body_en")]
    response = post(client, f"{base}/moi", {name: texts[name] for name in EXHIBITION_FIELDS})
    follow(client, response, *sent)
    assert response.status_code in (302, 400)
    follow(client, post(client, f"{base}/{exhibition['id']}/sua", {
        **{name: texts[name] for name in EXHIBITION_FIELDS}, "slug": exhibition["slug"],
        "summary": as_text(texts["summary"]) + " — giới thiệu"}), *sent)
    for body in (texts["body"], html):
        response = post(client, f"{base}/phan/{exhibition['section']}/sua", {
            "title": as_text(texts["title"]) + " phần", "title_en": texts["title_en"], "body": body,
            "body_en": texts["body_en"]})
        follow(client, response, *sent)
        assert response.status_code in (302, 400)
    follow(client, post(client, f"{base}/muc/{exhibition['image_item']}/sua", {
        name: texts[name] for name in ("caption", "caption_en", "credit", "credit_en")}), *sent)
    response = post(client, f"{base}/phan/{exhibition['section']}/ho-so/moi", {
        name: texts[name] for name in ("file_code", "page_no", "page_publishable", "caption", "caption_en")})
    follow(client, response, *sent)
    assert response.status_code in (302, 400)
    visitor = app.test_client()
    check(visitor.get(f"/trien-lam/{exhibition['slug']}"), *sent)
    check(visitor.get("/"), *sent)


# --- search --------------------------------------------------------------------------------------------------------

@FUZZ
@given(q=nasty(), filters=st.fixed_dictionaries({}, optional={name: nasty() for name in SEARCH_FILTERS}),
       advanced=st.fixed_dictionaries({}, optional={name: nasty() for name in ADVANCED_SEARCH}))
def test_search_parameters(app, indexed, q, filters, advanced):
    if "search.results" not in app.view_functions:
        pytest.skip("no search blueprint")
    client = app.test_client()
    check(get(client, "/tim-kiem", {"q": q, **filters}), q, *filters.values())
    check(get(client, "/tim-kiem", {"q": q, "thap_ky": "2020", "nam": filters.get("nam", "2020")}), q)
    follow(client, get(client, "/tim-kiem/nang-cao", {"gui": "1", **advanced}), *advanced.values())
    check(get(client, "/tim-kiem/nang-cao", advanced), *advanced.values())


def nested_query() -> st.SearchStrategy[str]:
    """Queries with brackets, NOTs, prefixes and operators nested at random, and some very deep."""
    leaf = st.sampled_from(["lưu trữ", "a", '"cụm từ"', "title:đất", "-y", "+z", "NOT", "OR", "AND", "", "(", ")",
                            "phong:(", '"', "tieude:"])
    tree = st.recursive(leaf, lambda inner: st.one_of(
        inner.map(lambda q: f"({q})"), inner.map(lambda q: f"NOT {q}"), inner.map(lambda q: f"-({q})"),
        inner.map(lambda q: f"title:({q})"), st.tuples(inner, inner).map(" OR ".join),
        st.tuples(inner, inner).map(" AND ".join), inner.map(lambda q: "(" + q)), max_leaves=30)
    deep = st.tuples(st.integers(1, 400), st.sampled_from(["(", "NOT ", "-(", "title:(", "(("]),
                     st.sampled_from([")", "", "))"]), st.booleans()).map(
        lambda t: t[1] * t[0] + "lưu trữ" + (t[2] * t[0] if t[3] else ""))
    return st.one_of(tree, deep)


@pytest.fixture
def indexed(app, make_file):
    """One indexed file, so every query is really parsed and run (without an index the results
    page answers before parsing: that is how 250 brackets giving a 500 went unseen)."""
    from portal.services import search as search_service

    record = make_file(mode="01", title="Lưu trữ tỉnh Đồng Nai")
    with app.app_context():
        search_service.reindex([record.id])
        db.session.commit()  # the index job is added to the transaction (outbox)
    return record


@FUZZ
@given(q=nested_query())
def test_nested_bracket_queries(app, indexed, q):
    """Nesting and length are bounded: broken or deep syntax is read as plain words, never a 500."""
    if "search.results" not in app.view_functions:
        pytest.skip("no search blueprint")
    client = app.test_client()
    response = get(client, "/tim-kiem", {"q": q})
    check(response, q)
    assert response.status_code == 200
    follow(client, get(client, "/tim-kiem/nang-cao", {"gui": "1", "tat_ca": q, "bat_ky": q, "khong_co": q}), q)


HOSTS = st.one_of(
    st.sampled_from(["evil.example", "evil.example:8443", "localhost.evil.example", "phongdoc.example.vn.evil.example",
                     "user@evil.example", "127.0.0.1", "[::1]:5000", "", "a" * 300, "xn--80ak6aa92e.com",
                     "localhost:99999", "evil.example/../x", "evil.example\\x"]),
    st.text(st.characters(min_codepoint=33, max_codepoint=0x2FFF, exclude_characters="\r\n"), max_size=40),
)
MAIL_BASE = "https://phongdoc.example.vn"


@FUZZ
@given(host=HOSTS, path=st.sampled_from(["/tai-khoan/quen-mat-khau", "/tai-khoan/gui-lai-xac-nhan"]))
def test_host_header_never_reaches_a_mail(app, people, outbox, host, path):
    """Whatever Host the client sends, a mailed link points at the configured public address."""
    app.config["PUBLIC_BASE_URL"] = MAIL_BASE
    sent = len(outbox())
    client = app.test_client()
    try:
        response = client.post(path, data={"email": people["pending"].email}, headers={"Host": host})
    except (UnicodeError, ValueError):
        return  # the test client cannot even send this Host (not latin-1); no server sees it
    check(response)
    for message in outbox()[sent:]:
        body = message.get_body(("plain",)).get_content()
        found = re.findall(r"https?://\S+", body)
        assert found and all(link.startswith(MAIL_BASE + "/") for link in found), found


RECLASSIFY_STEPS = st.lists(st.one_of(
    st.tuples(st.just("reclassify"), st.sampled_from(["01", "02", "03"])),
    st.tuples(st.sampled_from(["approve", "forward", "leader_approve", "refuse"]), st.just("")),
    st.tuples(st.just("read"), st.just("")),
), min_size=1, max_size=6)


@pytest.fixture
def scanned_file(app, people, make_file, tmp_path):
    """``scanned_file()``: a fresh open file with a one-page scan."""
    from portal.services import records

    def make():
        record = make_file(mode="01", title="Hồ sơ được phân loại lại")
        folder = tmp_path / f"scan-{record.id}"
        folder.mkdir()
        Image.new("L", (600, 850), 245).save(folder / "01.png")
        with app.test_request_context():
            records.attach_scan(db.session.get(User, people["admin"].id), db.session.get(RecordFile, record.id), folder)
        return record

    return make


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=RECLASSIFY_STEPS)
def test_reclassification_in_the_middle_of_the_workflow(app, people, scanned_file, reader_client, archivist_client,
                                                        leader_client, steps):
    """A reclassification step anywhere in the workflow: the file's mode now always rules."""
    record = scanned_file()
    with app.test_request_context():
        me = db.session.get(User, people["reader"].id)
        requests_svc.add_to_basket(me, record.id)
        request_id = requests_svc.submit_request(me, {"purpose": "01", "research_topic": "Lịch sử địa phương",
                                                      "fee_category": "10"}, None,
                                                 requests_svc.new_submit_token()).id
        item_id = db.session.scalar(select(RequestItem.id).where(RequestItem.request_id == request_id))
    for step, value in steps:
        if step == "reclassify":
            with app.app_context():
                current = db.session.get(RecordFile, record.id)
                form = {name: str(getattr(current, name) or "") for name in FILE_FIELDS if name != "fonds_id"}
            response = post(archivist_client, f"/nghiep-vu/ho-so/{record.id}/sua", {**form, "mode": value})
            assert response.status_code == 302
        elif step == "read":
            with reader_client.get(f"/doc/{item_id}") as response:
                check(response)
        else:
            client = leader_client if step == "leader_approve" else archivist_client
            check(post(client, f"/nghiep-vu/muc/{item_id}/{step}", {"reason": "Ý kiến cán bộ"}))
        # The invariants, after every step.
        with app.app_context():
            mode = db.session.get(RecordFile, record.id).mode
            item = db.session.get(RequestItem, item_id)
            copies = list(db.session.scalars(select(ReadingCopy).where(ReadingCopy.item_id == item_id)))
        if mode == "03":
            assert item.status not in ("submitted", "forwarded", "granted")
            assert all(copy.status == "purged" for copy in copies)
            page = reader_client.get(f"/phieu-yeu-cau/{request_id}").get_data(as_text=True)
            assert "Hồ sơ được phân loại lại" not in page
        if item.status in ("submitted", "forwarded"):
            assert item.mode == mode
        with reader_client.get(f"/doc/{item_id}") as response:
            check(response)
            assert response.status_code != 200 or (item.status == "granted" and mode != "03")


# --- every value of NASTY in every field, deterministically ------------------------------------------------------
# All the fields of a form get the same value in one request; every value goes to every form.

def _same(names, value) -> dict[str, object]:
    return {name: value for name in names}


def sweep_visitor(app, world, value) -> None:
    client, v = world["visitor"], segment(value)
    check(get(client, "/phong/UBND-DN", {"page": value, "mode": value}), value)
    check(client.get(f"/phong/{v}"), value)
    check(client.get(f"/ho-so/{v}"), value)
    for language in (v, "vi"):
        response = get(client, f"/lang/{language}", {"next": value})
        check(response)
        assert_local_redirect(response)
    check(get(client, "/tai-khoan/dang-nhap", {"next": value}), value)
    check(client.get(f"/trien-lam/{v}"), value)
    check(client.get(f"/trien-lam/anh/{v}/{v}"), value)
    check(client.get(f"/tai-khoan/xac-nhan/{v}"), value)
    check(post(client, "/tai-khoan/dang-ky", _same(REGISTER_FIELDS, value)), value)
    check(client.post("/tai-khoan/dang-nhap?" + encode({"next": value}), data=encode(
        {"email": value, "password": value}), content_type="application/x-www-form-urlencoded"), value)
    for url in ("/tai-khoan/quen-mat-khau", "/tai-khoan/gui-lai-xac-nhan"):
        check(post(client, url, {"email": value}), value)
    check(post(client, f"/tai-khoan/dat-lai-mat-khau/{v}", {"password": value}), value)
    for url in ("/tai-khoan/dang-nhap", "/tai-khoan/dang-ky"):  # the bytes as they are, not percent-encoded
        check(post_raw(client, url, REGISTER_FIELDS, value))
    if "search.results" in app.view_functions:
        check(get(client, "/tim-kiem", {"q": value, **_same(SEARCH_FILTERS, value)}), value)
        follow(client, get(client, "/tim-kiem/nang-cao", {"gui": "1", **_same(ADVANCED_SEARCH, value)}), value)


def sweep_reader(app, world, value) -> None:
    client, v = world["reader"], segment(value)
    check(post(client, "/ca-nhan/", _same(PROFILE_FIELDS, value)), value)
    check(post_raw(client, "/ca-nhan/", PROFILE_FIELDS, value))
    check(post(client, "/ca-nhan/", {**_same(PROFILE_FIELDS, value), **VALID_PROFILE}), value)
    check(post(client, "/ca-nhan/mat-khau", {"current_password": value, "new_password": value}), value)
    check(post(client, "/phieu-yeu-cau/gio", _same(REQUEST_FIELDS, value)), value)
    check(post(client, f"/phieu-yeu-cau/{world['request_id']}/tin-nhan", {"body": value}), value)
    check(post(client, f"/ca-nhan/dong-y/{v}/dong-y", {}), value)
    assert_local_redirect(post(client, f"/phieu-yeu-cau/gio/them/{world['file_id']}", {"next": value}))
    check(client.get(f"/phieu-yeu-cau/{v}"), value)


def sweep_staff(app, world, value) -> None:
    client, v = world["archivist"], segment(value)
    check(post(client, f"/nghiep-vu/doc-gia/{world['pending_id']}/khoa", {"reason": value}), value)
    check(post(client, f"/nghiep-vu/doc-gia/{world['pending_id']}/xac-minh", {"reason": value}), value)
    check(post(client, "/nghiep-vu/phong/moi", _same(("code", "name", "description"), value)), value)
    fonds = world["fonds_id"]
    check(post(client, f"/nghiep-vu/phong/{fonds}/ho-so/moi", _same(FILE_FIELDS, value)), value)
    check(post(client, f"/nghiep-vu/phong/{fonds}/ho-so/moi", {
        **_same(FILE_FIELDS, value), **VALID_FILE, "file_code": f"SWEEP.{next(world['counter'])}"}), value)
    check(post(client, f"/nghiep-vu/ho-so/{world['file_id']}/sua", {
        **_same(FILE_FIELDS, value), **VALID_FILE, "file_code": world["file_code"]}), value)
    check(post(client, f"/nghiep-vu/muc/{world['item_id']}/{v}", {"reason": value, "version": value}), value)
    check(post(client, f"/nghiep-vu/muc/{world['item_id']}/forward", {"reason": value, "version": value}), value)
    check(post(client, f"/nghiep-vu/yeu-cau/{world['request_id']}/tin-nhan", {"body": value}), value)
    check(get(client, "/nghiep-vu/yeu-cau", {"status": value, "mode": value, "overdue": value, "reader": value}),
          value)
    check(get(client, "/nghiep-vu/nhat-ky", {"type": value, "page": value}), value)
    check(get(client, "/nghiep-vu/doc-gia", {"state": value}), value)
    for start, kind in ((value, value), (value, "phieu"), ("0001-01-01", "doc-gia")):
        check(get(client, "/nghiep-vu/so-dang-ky", {"start": start, "end": value, "kind": kind}), value)


def sweep_admin(app, world, value) -> None:
    client, base, ex = world["admin"], "/nghiep-vu/trien-lam", world["exhibition"]
    check(post(client, f"{base}/moi", _same(EXHIBITION_FIELDS, value)), value)
    check(post(client, f"{base}/{ex['id']}/sua", {**_same(EXHIBITION_FIELDS, value), "slug": ex["slug"],
                                                 "summary": as_text(value) + " giới thiệu"}), value)
    check(post(client, f"{base}/phan/{ex['section']}/sua", {  # rich text: sanitised markup stays, by design
        **_same(("title_en", "body", "body_en"), value), "title": as_text(value) + " phần"}))
    check(post(client, f"{base}/muc/{ex['image_item']}/sua", {
        **_same(("caption", "caption_en", "credit", "credit_en"), value), "caption": as_text(value) + " ảnh"}), value)
    check(post(client, f"{base}/phan/{ex['section']}/ho-so/moi",
               _same(("file_code", "page_no", "page_publishable", "caption", "caption_en"), value)), value)
    check(post(client, f"{base}/phan/{ex['section']}/anh/moi",
               _same(("caption", "caption_en", "credit", "credit_en"), value)), value)


SWEEPS = {"visitor": sweep_visitor, "reader": sweep_reader, "staff": sweep_staff, "admin": sweep_admin}
# After the sweep: pages that show what it stored, as (client, URL template).
SHOWN_AGAIN = {
    "reader": [("reader", "/ca-nhan/"), ("reader", "/phieu-yeu-cau/{request_id}")],
    "staff": [("archivist", "/nghiep-vu/yeu-cau/{request_id}"), ("archivist", "/nghiep-vu/doc-gia/{pending_id}"),
              ("archivist", "/nghiep-vu/nhat-ky"), ("visitor", "/phong"), ("visitor", "/phong/UBND-DN"),
              ("visitor", "/ho-so/{file_code}")],
    "admin": [("admin", "/nghiep-vu/trien-lam/{exhibition[id]}"), ("visitor", "/trien-lam/{exhibition[slug]}"),
              ("visitor", "/trien-lam"), ("visitor", "/")],
}


@pytest.mark.parametrize("audience", sorted(SWEEPS))
def test_every_nasty_value_in_every_field(app, people, make_file, exhibition, reader_request, audience):
    record = make_file(mode="01")
    world = {"visitor": app.test_client(), "request_id": reader_request.id, "item_id": reader_request.items[0].id,
             "pending_id": people["pending"].id, "file_id": record.id, "file_code": record.file_code,
             "fonds_id": record.fonds_id, "exhibition": exhibition, "counter": iter(range(1, 100_000))}
    if audience != "visitor":
        role = {"staff": "archivist"}.get(audience, audience)
        world[role] = logged_in(app, people[role])
    for value in NASTY:
        SWEEPS[audience](app, world, value)
    for role, url in SHOWN_AGAIN.get(audience, []):
        response = world[role].get(url.format(**world))
        assert response.status_code == 200, url
        check(response, *NASTY)


# --- stored markup is shown as text on every page that shows it ----------------------------------------------------

def test_stored_markup_is_escaped_everywhere(app, people, make_file):
    """A reader's free text, the thread, staff decisions and catalogue texts, shown to the other side, stay text."""
    payload = f"Nguyễn {XSS_SCRIPT} {XSS_IMG} {XSS_URL}"
    escaped = b"&lt;script&gt;alert(1)&lt;/script&gt;"
    reader, archivist = logged_in(app, people["reader"]), logged_in(app, people["archivist"])
    assert post(reader, "/ca-nhan/", {**VALID_PROFILE, "employer": payload, "notes": payload}).status_code == 302
    open_file, cond_file = make_file(mode="01"), make_file(mode="02")
    for record in (open_file, cond_file):
        reader.post(f"/phieu-yeu-cau/gio/them/{record.id}")
    response = post(reader, "/phieu-yeu-cau/gio", {"purpose": "01", "purpose_details": payload,
                                                   "research_topic": payload, "fee_category": "10",
                                                   "notes": payload, "submit_token": "xss-1"})
    assert response.status_code == 302
    with app.app_context():
        request = db.session.scalar(select(AccessRequest).where(AccessRequest.submit_token == "xss-1"))
        items = {item.mode: item.id for item in request.items}
        request_id = request.id
    assert post(reader, f"/phieu-yeu-cau/{request_id}/tin-nhan", {"body": payload}).status_code == 302
    assert post(archivist, f"/nghiep-vu/yeu-cau/{request_id}/tin-nhan", {"body": payload}).status_code == 302
    assert post(archivist, f"/nghiep-vu/muc/{items['01']}/refuse", {"reason": payload}).status_code == 302
    assert post(archivist, f"/nghiep-vu/muc/{items['02']}/forward", {"reason": payload}).status_code == 302
    assert post(archivist, "/nghiep-vu/phong/moi", {"code": "XSS-1", "name": payload,
                                                    "description": payload}).status_code == 302
    with app.app_context():
        fonds_id = db.session.scalar(select(Fonds.id).where(Fonds.code == "XSS-1"))
    created = post(archivist, f"/nghiep-vu/phong/{fonds_id}/ho-so/moi", {
        **VALID_FILE, "file_code": "XSS-1.2020.001", "title": payload, "keywords": payload,
        "info_symbol": "<b>x</b>", "notes": payload})
    assert created.status_code == 302
    with app.app_context():
        file_id = db.session.scalar(select(RecordFile.id).where(RecordFile.file_code == "XSS-1.2020.001"))
    # Blocking ends the blocked reader's sessions (issue 11): block the other reader, keep this one reading.
    reader_id, blocked_id = people["reader"].id, people["pending"].id
    assert post(archivist, f"/nghiep-vu/doc-gia/{blocked_id}/khoa", {"reason": payload}).status_code == 302

    admin, visitor = logged_in(app, people["admin"]), app.test_client()
    shown = [  # (client, URL, whether the page shows the payload)
        (reader, "/ca-nhan/", True), (reader, f"/phieu-yeu-cau/{request_id}", True), (reader, "/phieu-yeu-cau/", False),
        (archivist, f"/nghiep-vu/yeu-cau/{request_id}", True), (archivist, f"/nghiep-vu/doc-gia/{reader_id}", True),
        (archivist, f"/nghiep-vu/doc-gia/{blocked_id}", True),
        (archivist, "/nghiep-vu/yeu-cau?status=", False), (archivist, "/nghiep-vu/doc-gia?state=blocked", False),
        (archivist, "/nghiep-vu/", False), (archivist, "/nghiep-vu/nhat-ky", False),
        (admin, "/nghiep-vu/yeu-cau", False),
        (visitor, "/phong", True), (visitor, "/phong/XSS-1", True), (visitor, "/ho-so/XSS-1.2020.001", True),
        (visitor, "/", False), (archivist, f"/nghiep-vu/phong/{fonds_id}/sua", True),
        (archivist, f"/nghiep-vu/ho-so/{file_id}/sua", True),
    ]
    if "search.results" in app.view_functions:
        shown.append((visitor, "/tim-kiem?q=Nguyễn", False))
    for client, url, shows_payload in shown:
        response = client.get(url)
        assert response.status_code == 200, url
        check(response, payload)
        if shows_payload:
            assert escaped in response.get_data(), f"{url}: the payload is not shown (escaped)"
