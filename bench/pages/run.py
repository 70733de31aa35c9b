"""Page speed: requests per second of the portal's pages next to a bare Flask "hello", on the same server.

    .venv/bin/python -m bench.pages.run [--seconds 8] [--connections 8]

Builds a throwaway PostgreSQL database with the demo archive, starts two gunicorn servers with the same settings
(2 sync workers each, Redis for the limits as in production): the portal, and a Flask app whose one view returns
"hello". Then ``wrk`` (Debian's package) measures each page for the given time on loopback, one after the other, and
the table shows requests per second and the ratio to "hello" beside the goal: at least 0.3 for anonymous catalogue
pages and search, at least 0.15 for a logged-in reader's pages. "hello" is measured before and after the pages and
the ratio uses the mean of the two, so a machine that got busier during the run does not flatter either side.
Only 127.0.0.1 is contacted; each wrk run is bounded in time.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from sqlalchemy import create_engine, select, text

from demo import CLEARED_READER, load_demo
from portal import create_app
from portal.extensions import db
from portal.models import Fonds, RecordFile

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
HELLO = "bench.pages.hello:app"
GOAL_ANONYMOUS, GOAL_READER = 0.3, 0.15


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answers on port {port}")


def gunicorn(app: str, port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--error-logfile", str(log), app], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wrk(url: str, seconds: int, connections: int, cookie: str | None = None) -> tuple[float, int]:
    """Requests per second and non-2xx/3xx responses reported by wrk for ``url``."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command + [url], capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rate, int(bad.group(1)) if bad else 0


def prepare(database_url: str, data_dir: Path) -> dict[str, str]:
    """Migrate, load the demo; return the paths to measure."""
    from alembic import command

    from portal.cli import alembic_config

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "DATA_DIR": str(data_dir),
                      "OUTBOX_DIR": str(data_dir / "outbox"), "SERVER_NAME": None, "DEMO_SCAN_DPI": 60})
    with app.test_request_context():
        command.upgrade(alembic_config(), "head")
        load_demo(echo=lambda *_a, **_k: None)
        fonds = db.session.scalar(select(Fonds.code).order_by(Fonds.code))
        record = db.session.scalar(select(RecordFile.file_code).where(RecordFile.mode == "01")
                                   .order_by(RecordFile.id))
        db.engine.dispose()
    return {"fonds": fonds, "file": record}  # the file's stable address is /ho-so/<file code>


def login(base: str, email: str, password: str) -> str:
    """Log in through the real form; return the session cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/tai-khoan/dang-nhap").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
        re.search(r'name="csrf_token" value="([^"]+)"', page)
    form = {"email": email, "password": password, "csrf_token": token.group(1) if token else ""}
    opener.open(f"{base}/tai-khoan/dang-nhap", data=urllib.parse.urlencode(form).encode())
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")

    name = f"bench_pages_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    database_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    work = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    servers: list[subprocess.Popen] = []
    try:
        where = prepare(database_url, work / "data")
        env = {**os.environ, "PORTAL_ENV": "development", "SECRET_KEY": "bench-pages-secret",
               "DATABASE_URL": database_url, "DATA_DIR": str(work / "data"), "OUTBOX_DIR": str(work / "outbox"),
               "REDIS_URL": "redis://127.0.0.1:6379/11", "RATELIMIT_SEARCH": "1000000 per minute",
               "RATELIMIT_LOGIN": "1000000 per minute", "RATELIMIT_READING": "1000000 per minute"}
        portal_port, hello_port = free_port(), free_port()
        servers.append(gunicorn("wsgi:app", portal_port, env, work / "portal.log"))
        servers.append(gunicorn(HELLO, hello_port, env, work / "hello.log"))
        wait_for(portal_port)
        wait_for(hello_port)
        portal, hello = f"http://127.0.0.1:{portal_port}", f"http://127.0.0.1:{hello_port}/"
        cookie = login(portal, CLEARED_READER.email, CLEARED_READER.password)
        if "session=" not in cookie:
            sys.exit("could not log in as the demo reader")
        search = "/tim-kiem?" + urllib.parse.urlencode({"q": "Đồng Nai"})
        pages = [
            ("home", "/", None, GOAL_ANONYMOUS),
            ("fonds list", "/phong", None, GOAL_ANONYMOUS),
            ("fonds page", f"/phong/{where['fonds']}", None, GOAL_ANONYMOUS),
            ("file page", f"/ho-so/{where['file']}", None, GOAL_ANONYMOUS),
            ("search", search, None, GOAL_ANONYMOUS),
            ("reader: home", "/", cookie, GOAL_READER),
            ("reader: file page", f"/ho-so/{where['file']}", cookie, GOAL_READER),
            ("reader: my requests", "/phieu-yeu-cau/", cookie, GOAL_READER),
            ("reader: search", search, cookie, GOAL_READER),
        ]
        for path, cookie_header in (("/", None), (search, None), ("/", cookie)):  # warm caches and workers
            wrk(portal + path, 2, args.connections, cookie_header)
        wrk(hello, 2, args.connections)
        hello_before, _bad = wrk(hello, args.seconds, args.connections)
        rows = []
        for label, path, cookie_header, goal in pages:
            rate, bad = wrk(portal + path, args.seconds, args.connections, cookie_header)
            rows.append((label, path, rate, bad, goal))
        hello_after, _bad = wrk(hello, args.seconds, args.connections)
        baseline = (hello_before + hello_after) / 2
        print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; gunicorn 2 sync workers each; "
              f"PostgreSQL, Redis; wrk -t2 -c{args.connections} -d{args.seconds}s on loopback")
        print(f'baseline: Flask "hello" {hello_before:.0f} req/s before, {hello_after:.0f} after '
              f"(mean {baseline:.0f})")
        print(f"{'page':<22} {'req/s':>8} {'× hello':>8} {'goal':>6}  {'errors':>6}  path")
        for label, path, rate, bad, goal in rows:
            ratio = rate / baseline
            mark = "ok" if ratio >= goal else "BELOW"
            print(f"{label:<22} {rate:8.0f} {ratio:8.2f} {goal:6.2f}  {bad:6d}  {path}  {mark}")
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            server.wait(timeout=20)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
