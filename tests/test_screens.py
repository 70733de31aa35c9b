"""What people read on the screens: dates, words, confirmations, the lock-out page, the researcher's
file page (citation, stable address, meta, JSON-LD), the sitemap and robots.txt."""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta

import pytest
from portal import localtime
from portal.db import utcnow
from portal.deadlines import due_date
from portal.extensions import db
from portal.models import AccessRequest, RecordFile, RequestItem
from portal.services import exhibitions as exhibitions_svc
from portal.services import requests as requests_svc

from .conftest import PASSWORD, login


# --- dates ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("stored, vi, en", [
    (datetime(2026, 12, 2, 1, 51), "02/12/2026 08:51", "2 Dec 2026, 08:51"),  # UTC 01:51 is 08:51 in Vietnam
    (datetime(2026, 1, 5, 17, 30), "06/01/2026 00:30", "6 Jan 2026, 00:30"),  # the local day has already turned
    (datetime(1999, 7, 31, 23, 59), "01/08/1999 06:59", "1 Aug 1999, 06:59"),
])
def test_one_format_per_language_in_vietnam_time(ctx, stored, vi, en):
    assert localtime.format_datetime(stored, "vi") == vi
    assert localtime.format_datetime(stored, "en") == en
    assert localtime.format_date(stored, "vi") == vi.split()[0]  # a moment's day is the local day


def test_catalogued_dates_keep_their_precision(ctx):
    assert [localtime.format_partial_date(v, "vi") for v in ("2020", "2020-03", "2020-03-15")] == \
        ["2020", "03/2020", "15/03/2020"]
    assert [localtime.format_partial_date(v, "en") for v in ("2020", "2020-03", "2020-03-15")] == \
        ["2020", "Mar 2020", "15 Mar 2020"]


def test_the_configured_zone_is_the_one_used(app):
    with app.test_request_context():
        app.config["BABEL_DEFAULT_TIMEZONE"] = "Asia/Tokyo"  # UTC+9
        assert localtime.format_datetime(datetime(2026, 12, 2, 1, 51), "vi") == "02/12/2026 10:51"
        assert localtime.utc_offset_label() == "UTC+9"
        app.config["BABEL_DEFAULT_TIMEZONE"] = "Asia/Ho_Chi_Minh"
        assert localtime.utc_offset_label() == "UTC+7"


def test_a_deadline_counts_from_the_local_day(ctx):
    # Monday 30/11/2026 18:00 UTC is Tuesday 01/12 01:00 in Vietnam: one working day → Wednesday.
    assert due_date(datetime(2026, 11, 30, 18, 0), "01", frozenset()) == date(2026, 12, 2)
    assert due_date(datetime(2026, 11, 30, 16, 0), "01", frozenset()) == date(2026, 12, 1)


def test_register_day_ranges_are_local_days(ctx):
    low, high = localtime.utc_day_range(date(2026, 12, 2), date(2026, 12, 2))
    assert (low, high) == (datetime(2026, 12, 1, 17, 0), datetime(2026, 12, 2, 17, 0))


def test_no_module_adds_seven_hours_of_its_own():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    offenders = [str(p.relative_to(root)) for folder in ("portal", "watermark", "demo")
                 for p in (root / folder).rglob("*.py") if "hours=7" in p.read_text(encoding="utf-8")]
    assert offenders == []


# --- pages with dates, words ------------------------------------------------------------------------

@pytest.fixture
def granted(app, make_user, make_file):
    """A reader with one request: item 1 granted (reading until a known moment), item 2 withdrawn later."""
    reader, archivist = make_user(full_name="Trần Thị Bích Ngọc"), make_user(role="archivist")
    first, second = make_file(mode="01"), make_file(mode="01")
    with app.test_request_context():
        from portal.models import User

        me, staff = db.session.get(User, reader.id), db.session.get(User, archivist.id)
        requests_svc.add_to_basket(me, first.id)
        requests_svc.add_to_basket(me, second.id)
        request = requests_svc.submit_request(me, {"purpose": "01", "research_topic": "Lịch sử",
                                                   "fee_category": "10"}, None, "screens-token")
        items = sorted(request.items, key=lambda i: i.file_id)
        requests_svc.decide(staff, items[0], "approve")
        stored = db.session.get(RequestItem, items[0].id)
        # Ten days from now (the window must still be open whenever the suite runs), at 09:00 UTC.
        stored.grant_ends_at = (utcnow() + timedelta(days=10)).replace(hour=9, minute=0, second=0, microsecond=0)
        stored_request = db.session.get(AccessRequest, request.id)
        stored_request.submitted_at = datetime(2026, 12, 2, 1, 51)
        db.session.commit()
        return {"reader": reader, "archivist": archivist, "request_id": request.id,
                "granted": items[0].id, "other": items[1].id, "ends": stored.grant_ends_at}


def test_my_requests_say_reading_until_once_with_the_local_time(app, client, granted):
    login(client, granted["reader"].email)
    html = client.get("/phieu-yeu-cau/").get_data(as_text=True)
    assert "đọc đọc" not in html
    local_end = granted["ends"] + timedelta(hours=7)  # the test's own oracle: Vietnam is UTC+7 all year
    assert "Gửi lúc 02/12/2026 08:51" in html and f"đến {local_end:%d/%m/%Y} 16:00" in html
    client.get("/lang/en")
    html = client.get("/phieu-yeu-cau/").get_data(as_text=True)
    months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    assert "2 Dec 2026, 08:51" in html
    assert f"{local_end.day} {months[local_end.month - 1]} {local_end.year}, 16:00" in html
    assert not re.search(r"\b\d{1,2}/\d{1,2}/\d{2}\b", html)  # no US-style or two-digit-year dates left
    assert "Vietnam time (UTC+7)" in html


def test_a_withdrawn_never_granted_item_does_not_say_reading_time_ended(app, client, granted):
    login(client, granted["reader"].email)
    with app.test_request_context():
        item = db.session.get(RequestItem, granted["other"])
        item.status = "withdrawn"  # as withdrawing the request leaves it
        db.session.commit()
    html = client.get(f"/doc/{granted['other']}").get_data(as_text=True)
    assert "Bạn đã rút yêu cầu đọc hồ sơ này" in html
    assert "kết thúc" not in html and "thu hồi" not in html


def test_staff_navigation_names_the_pages_in_english(app, client, make_user):
    admin = make_user(role="admin")
    login(client, admin.email)
    client.get("/lang/en")
    html = client.get("/nghiep-vu/").get_data(as_text=True)
    nav = html[html.index('class="subnav"'):]
    nav = nav[:nav.index("</nav>")]
    assert ">Readers<" in nav and ">Reading monitor<" in nav and ">Reader<" not in nav


@pytest.mark.parametrize("next_url, lands_on", [
    (None, "/phieu-yeu-cau/"),  # a reader's own requests, not the profile form
    ("/?", "/phieu-yeu-cau/"),  # "log in" from the home page is no destination
    ("/phong/UBND-DN?page=2", "/phong/UBND-DN?page=2"),  # where they were going
])
def test_after_login_a_reader_lands_where_going_or_on_my_requests(client, make_user, next_url, lands_on):
    reader = make_user()
    data = {"email": reader.email, "password": PASSWORD, **({"next": next_url} if next_url else {})}
    response = client.post("/tai-khoan/dang-nhap", data=data)
    assert response.status_code == 302 and response.headers["Location"] == lands_on


# --- confirm once, lock-out ---------------------------------------------------------------------------

def test_what_cannot_be_undone_asks_once_more_without_inline_script(app, client, granted, make_user, make_file):
    reader, record = make_user(), make_file(mode="01")
    with app.test_request_context():
        from portal.models import User

        me = db.session.get(User, reader.id)
        requests_svc.add_to_basket(me, record.id)
        fresh = requests_svc.submit_request(me, {"purpose": "01", "research_topic": "Lịch sử",
                                                 "fee_category": "10"}, None, "confirm-token").id
    login(client, reader.email)
    html = client.get(f"/phieu-yeu-cau/{fresh}").get_data(as_text=True)
    box = re.search(r'<details class="confirm" data-confirm="([^"]+)">(.*?)</details>', html, re.S)
    assert box and "Không thể hoàn tác" in box.group(1)
    assert 'type="submit"' in box.group(2) and "Xác nhận: Rút phiếu yêu cầu" in box.group(2)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and " onclick=" not in html
    assert 'src="/static/js/site.js"' in html
    staff = app.test_client()
    login(staff, granted["archivist"].email)
    html = staff.get(f"/nghiep-vu/yeu-cau/{granted['request_id']}").get_data(as_text=True)
    assert html.count('<details class="confirm"') >= 1  # revoke on the granted item
    assert "formaction=\"/nghiep-vu/muc/" in html and "Thu hồi quyền đọc" in html


@pytest.fixture
def limited_app(app):
    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN_ACCOUNT="2 per 15 minutes",
                      RATELIMIT_LOGIN="50 per minute", RATELIMIT_STORAGE_URI="memory://")
    from portal.extensions import limiter

    limiter.init_app(app)
    yield app
    app.config["RATELIMIT_ENABLED"] = False
    limiter.init_app(app)


def test_the_lock_out_page_says_how_long_offers_the_reset_and_keeps_the_email(limited_app, make_user):
    user = make_user()
    client = limited_app.test_client()
    for _ in range(2):
        assert login(client, user.email, "sai-mat-khau-1").status_code == 401
    locked = login(client, user.email, "sai-mat-khau-1")
    html = locked.get_data(as_text=True)
    assert locked.status_code == 429
    minutes = int(re.search(r"thử lại sau (\d+) phút", html).group(1))
    assert 1 <= minutes <= 15 and int(locked.headers["Retry-After"]) <= 15 * 60
    assert f'value="{user.email}"' in html  # typed email kept, in the login form and the reset form
    assert 'action="/tai-khoan/quen-mat-khau"' in html and "Gửi liên kết đặt lại mật khẩu" in html


# --- the researcher's file page, sitemap, robots ---------------------------------------------------------

def test_the_file_page_has_a_citation_a_stable_address_and_machine_readable_metadata(app, client, make_file):
    record = make_file(mode="01", title="Hồ sơ triển khai quy định về công tác lưu trữ")
    with app.app_context():
        stored = db.session.get(RecordFile, record.id)
        stored.start_date, stored.end_date = "2020-03", "2020-12-15"
        db.session.commit()
    old = client.get(f"/ho-so/{record.id}")
    assert old.status_code == 301 and old.headers["Location"].endswith(f"/ho-so/{record.file_code}")
    html = client.get(f"/ho-so/{record.file_code}").get_data(as_text=True)
    url = f"http://localhost/ho-so/{record.file_code}"
    citation = re.search(r'<p class="citation-text" id="citation-text">(.*?)</p>', html, re.S).group(1)
    citation = re.sub(r"<[^>]+>", "", citation)
    parts = ["Lưu trữ lịch sử tỉnh Đồng Nai", "Phông Phông UBND-DN", "Mục lục số 1", f"Hồ sơ {record.file_code}",
             "“Hồ sơ triển khai quy định về công tác lưu trữ”", "03/2020 – 15/12/2020", url]
    positions = [citation.index(p) for p in parts]
    assert positions == sorted(positions)  # archive, fonds, inventory, file code, title, dates, URL
    assert f'<link rel="canonical" href="{url}">' in html
    assert re.search(r'<meta name="description" content="Hồ sơ [^"]+lưu trữ">', html)
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == ["ArchiveComponent", "CreativeWork"] and data["url"] == url
    assert data["temporalCoverage"] == "2020-03/2020-12-15" and data["identifier"] == record.file_code
    assert data["holdingArchive"]["name"] == "Lưu trữ lịch sử tỉnh Đồng Nai"


def test_json_ld_cannot_close_its_script_element(app, client, make_file):
    record = make_file(mode="01", title="</script><script>alert(1)</script>")
    html = client.get(f"/ho-so/{record.file_code}").get_data(as_text=True)
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert json.loads(block)["name"] == "</script><script>alert(1)</script>" and "<" not in block


def test_a_classified_file_has_no_public_page_under_either_address(client, make_file):
    secret = make_file(mode="03")
    assert client.get(f"/ho-so/{secret.id}").status_code == 404
    assert client.get(f"/ho-so/{secret.file_code}").status_code == 404


def test_the_sitemap_lists_fonds_public_files_and_published_exhibitions_never_classified(app, client, make_file,
                                                                                          make_user):
    open_file, conditional, secret = make_file(mode="01"), make_file(mode="02"), make_file(mode="03")
    admin = make_user(role="admin")
    with app.test_request_context():
        from portal.models import User

        actor = db.session.get(User, admin.id)
        shown = exhibitions_svc.save_exhibition(actor, {"title": "Triển lãm công bố", "slug": "trien-lam-cong-bo",
                                                        "summary": "Tóm tắt triển lãm"})
        exhibitions_svc.save_exhibition(actor, {"title": "Bản nháp", "slug": "ban-nhap", "summary": "Tóm tắt bản nháp"})
        # Published as such (what publishing requires is tested with exhibitions).
        shown.is_published, shown.published_at = True, datetime(2026, 12, 1, 3, 0)
        db.session.commit()
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    xml = response.get_data(as_text=True)
    from lxml import etree

    locs = [e.text for e in etree.fromstring(xml.encode()).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "http://localhost/phong/UBND-DN" in locs
    assert f"http://localhost/ho-so/{open_file.file_code}" in locs
    assert f"http://localhost/ho-so/{conditional.file_code}" in locs
    assert "http://localhost/trien-lam/trien-lam-cong-bo" in locs
    assert secret.file_code not in xml and "ban-nhap" not in xml
    staff = app.test_client()
    login(staff, admin.email)
    assert secret.file_code not in staff.get("/sitemap.xml").get_data(as_text=True)  # the public one, for all


def test_robots_keeps_accounts_staff_and_reading_copies_out_and_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    for area in ("/tai-khoan/", "/ca-nhan/", "/phieu-yeu-cau/", "/nghiep-vu/", "/doc/", "/ban-doc/"):
        assert f"Disallow: {area}" in lines
    assert "Sitemap: http://localhost/sitemap.xml" in lines
    assert "Disallow: /ho-so/" not in lines and "Disallow: /phong" not in lines
