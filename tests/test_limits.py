"""Abuse limits (Flask-Limiter): 429 pages with Retry-After, failed-login counting, lock-out notice,
and a limit that holds across two gunicorn workers sharing Redis."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis

from portal import create_app
from portal.db import Base
from portal.extensions import db

from .conftest import PASSWORD, login

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def limited_app(app):
    """The test app with rate limiting switched on (in-memory storage)."""
    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN_ACCOUNT="3 per minute", RATELIMIT_LOGIN="6 per minute",
                      RATELIMIT_STORAGE_URI="memory://", RATELIMIT_SUBMIT="2 per minute")
    from portal.extensions import limiter

    limiter.init_app(app)
    with app.app_context():
        limiter.reset()  # the module's app is shared: start from no counters
    yield app
    app.config["RATELIMIT_ENABLED"] = False
    limiter.init_app(app)


def test_failed_logins_are_limited_per_account_and_only_failures_count(limited_app, make_user, outbox):
    user = make_user()
    client = limited_app.test_client()
    for _ in range(2):
        assert login(client, user.email).status_code == 302  # successes do not count
        client.post("/tai-khoan/dang-xuat")
    for _ in range(3):
        assert login(client, user.email, "sai-mat-khau-1").status_code == 401
    blocked = login(client, user.email, PASSWORD)  # even the right password waits now
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert "thử lại sau" in blocked.get_data(as_text=True)
    # Another account from the same address is not locked by this one's failures...
    other = make_user()
    assert login(client, other.email).status_code == 302
    client.get("/lang/en")
    assert "try again" in login(client, user.email, PASSWORD).get_data(as_text=True).lower()


def test_failed_logins_are_limited_per_address(limited_app, make_user):
    users = [make_user() for _ in range(7)]
    client = limited_app.test_client()
    codes = [login(client, u.email, "sai-mat-khau-1").status_code for u in users]
    assert codes[:6] == [401] * 6 and codes[6] == 429


def test_the_owner_is_told_by_email_after_repeated_failures(app, make_user, outbox):
    app.config["LOGIN_LOCKOUT_NOTICE_AFTER"] = 3
    user = make_user()
    client = app.test_client()
    for _ in range(5):
        login(client, user.email, "sai-mat-khau-1")
    notices = [m for m in outbox() if m["To"] == user.email and "đăng nhập sai" in m["Subject"]]
    assert len(notices) == 1  # once, not on every further failure
    assert "dat-lai-mat-khau" in notices[0].get_body(("plain",)).get_content() or \
        "quen-mat-khau" in notices[0].get_body(("plain",)).get_content()
    assert login(client, user.email).status_code == 302


def test_request_submissions_are_limited_per_reader(limited_app, make_user, make_file, login_as):
    reader = make_user()
    client = limited_app.test_client()
    login(client, reader.email)
    codes = []
    for n in range(3):
        record = make_file()
        client.post(f"/phieu-yeu-cau/gio/them/{record.id}")
        codes.append(client.post("/phieu-yeu-cau/gio", data={"purpose": "01", "research_topic": "Lịch sử địa phương",
                                                             "fee_category": "10", "submit_token": f"t{n}"}).status_code)
    assert codes == [302, 302, 429]


# --- two gunicorn workers sharing Redis --------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _failed_login(base: str) -> int:
    """A real failed login as a browser does it: fetch the form (CSRF token, cookie), then post."""
    import http.cookiejar
    import re

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    with opener.open(base + "/tai-khoan/dang-nhap", timeout=10) as page:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.read().decode()).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "email": "nobody@example.vn", "password": "sai-mat-khau-1"})
    try:
        with opener.open(urllib.request.Request(base + "/tai-khoan/dang-nhap", data=data.encode()), timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as error:
        return error.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.mark.postgres_only  # runs once; the portal under gunicorn uses its own SQLite file
def test_a_limit_holds_across_two_gunicorn_workers_with_redis(tmp_path):
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    redis.Redis(host="127.0.0.1", port=6379, db=13).flushdb()
    database = f"sqlite:///{tmp_path / 'g.sqlite3'}"
    setup = create_app({"TESTING": True, "DATABASE_URL": database, "DATA_DIR": str(tmp_path / "data")})
    with setup.app_context():
        Base.metadata.create_all(db.engine)
        db.engine.dispose()
    port = _free_port()
    env = {**os.environ, "PORTAL_ENV": "development", "DATABASE_URL": database, "DATA_DIR": str(tmp_path / "data"),
           "OUTBOX_DIR": str(tmp_path / "outbox"), "SECRET_KEY": "gunicorn-test", "REDIS_URL": "redis://127.0.0.1:6379/13",
           "RATELIMIT_LOGIN": "4 per minute", "RATELIMIT_LOGIN_ACCOUNT": "100 per minute"}
    log, access = tmp_path / "gunicorn.log", tmp_path / "access.log"
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
                               "--error-logfile", str(log), "--access-logfile", str(access),
                               "--access-logformat", "%(p)s %(s)s %(r)s", "wsgi:app"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + "/", timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)
        # Two streams side by side keep both workers busy. Only failures count, and a failure is
        # known after its response, so two in flight may overshoot the limit by one (in any storage);
        # per-worker memory counters would instead allow 4 on each worker, 8 in all.
        with ThreadPoolExecutor(max_workers=2) as pool:
            codes = [code for pair in (pool.map(lambda _n: _failed_login(base), range(2)) for _ in range(6))
                     for code in pair]
        assert codes.count(401) in (4, 5) and codes.count(429) == 12 - codes.count(401), codes
        posts = [line.split()[0] for line in access.read_text().splitlines() if "POST /tai-khoan/dang-nhap" in line]
        assert len(set(posts)) == 2, posts  # both workers answered login posts
    finally:
        server.terminate()
        server.wait(timeout=10)
