"""Public pages kept for anonymous visitors: served again, never personal, dropped when anything public changes."""
from __future__ import annotations

from sqlalchemy import select, update

from portal import page_cache
from portal.extensions import db
from portal.models import Fonds, RecordFile
from portal.services import records, search

from .conftest import login


def _kept(app) -> int:
    return len(app.extensions["page_cache"]._pages)


def test_an_anonymous_page_is_kept_and_served_again_until_the_catalogue_changes(app, client, make_file, make_user):
    record = make_file(title="Hồ sơ về đê bao")
    first = client.get("/phong")
    assert first.status_code == 200 and _kept(app) == 1
    again = client.get("/phong")
    assert again.get_data() == first.get_data()
    assert again.headers["Content-Security-Policy"]  # the security headers are on kept pages too

    admin = make_user(role="admin")
    with app.test_request_context():
        fonds = db.session.scalar(select(Fonds).where(Fonds.id == record.fonds_id))
        records.save_fonds(db.session.get(type(admin), admin.id), {"code": fonds.code, "name": "Phông đã đổi tên"},
                           fonds)
    assert "Phông đã đổi tên" in client.get("/phong").get_data(as_text=True)


def test_a_new_generation_from_another_process_drops_kept_pages(app, client, make_file):
    make_file(title="Hồ sơ thứ nhất")
    assert "Hồ sơ thứ nhất" in client.get("/phong/UBND-DN").get_data(as_text=True)
    with app.app_context():  # a change that no ORM event of this process saw (another worker's commit)
        db.session.execute(update(RecordFile).where(RecordFile.id == 1).values(title="Hồ sơ đổi tên ở tiến trình khác"))
        db.session.commit()
    assert "Hồ sơ thứ nhất" in client.get("/phong/UBND-DN").get_data(as_text=True)  # still the kept page
    page_cache.bump(app.config["DATA_DIR"])
    assert "Hồ sơ đổi tên ở tiến trình khác" in client.get("/phong/UBND-DN").get_data(as_text=True)


def test_signed_in_people_never_get_or_leave_a_kept_page(app, client, make_file, make_user):
    record = make_file()
    reader = make_user(full_name="Trần Thị Riêng Tư")
    assert login(client, reader.email).status_code == 302
    page = client.get(f"/ho-so/{record.file_code}").get_data(as_text=True)
    assert "Trần Thị Riêng Tư" in page and _kept(app) == 0
    visitor = app.test_client()
    assert "Trần Thị Riêng Tư" not in visitor.get(f"/ho-so/{record.file_code}").get_data(as_text=True)
    assert _kept(app) == 1
    # ...and the reader still gets a page made for them, not the visitor's.
    assert "Trần Thị Riêng Tư" in client.get(f"/ho-so/{record.file_code}").get_data(as_text=True)


def test_each_language_has_its_own_kept_page(app, client, make_file):
    make_file()
    assert "Phông" in client.get("/phong").get_data(as_text=True)
    english = app.test_client()
    english.set_cookie("lang", "en")
    page = english.get("/phong")
    assert page.headers["Content-Language"] == "en" and _kept(app) == 2
    assert english.get("/phong").get_data() == page.get_data() != client.get("/phong").get_data()


def test_search_results_follow_the_index(app, client, make_file):
    make_file(title="Kênh đào Bến Gỗ")  # the factory writes rows directly: not indexed yet
    assert "/ho-so/UBND-DN.2020.001" not in client.get("/tim-kiem?q=kenh+dao").get_data(as_text=True)
    assert _kept(app) == 1
    with app.test_request_context():
        search.index_files(file_ids=[1])  # the index job; nothing in the database changes
    assert "/ho-so/UBND-DN.2020.001" in client.get("/tim-kiem?q=kenh+dao").get_data(as_text=True)


def test_the_cache_is_bounded():
    cache = page_cache.PageCache(max_entries=2, max_bytes=10)
    for n in range(3):
        cache.put((n,), page_cache._Page(200, (), b"1234"))
    assert cache.get((0,)) is None and cache.get((2,)) is not None
    cache.put((9,), page_cache._Page(200, (), b"x" * 11))
    assert cache.get((9,)) is None


def test_a_kept_search_page_spends_no_search_allowance_and_carries_no_one_elses(app, make_file):
    """A kept page is served before the rate limiter (it costs nothing); a search that must run is still limited."""
    from portal.extensions import limiter

    make_file(title="Kênh đào Bến Gỗ")
    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", RATELIMIT_SEARCH="2 per minute")
    limiter.init_app(app)
    try:
        with app.app_context():
            limiter.reset()
        client = app.test_client()
        first = client.get("/tim-kiem?q=kenh+dao")
        assert first.status_code == 200 and first.headers["X-RateLimit-Remaining"] == "1"
        for _ in range(4):
            again = client.get("/tim-kiem?q=kenh+dao")
            assert again.status_code == 200 and again.get_data() == first.get_data()
            assert "X-RateLimit-Remaining" not in again.headers  # not the first visitor's allowance
        assert client.get("/tim-kiem?q=ben+go").status_code == 200
        assert client.get("/tim-kiem?q=de+bao").status_code == 429  # a new search runs, and counts
    finally:
        app.config["RATELIMIT_ENABLED"] = False
        limiter.init_app(app)
