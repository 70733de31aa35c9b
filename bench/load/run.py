"""Load benchmark: the portal under gunicorn (2 workers, PostgreSQL, Redis), 100 simulated readers.

    .venv/bin/python -m bench.load.run [--readers 100] [--seconds 120]

It creates a throwaway PostgreSQL database, migrates it, loads the demo archive, gives every
simulated reader an account with a granted, ready reading copy, and starts gunicorn (2 gthread
workers) with Redis for rate limits and the job queue. Then each reader, on its own keep-alive
connection on loopback, loops for the given time (bounded in count too): home page, a fonds list,
a file page, a search, the viewer page, two range requests of its reading copy, and now and then a
request submission (basket + form, with CSRF tokens like a browser). It prints requests per second,
p50/p95/p99 latency, the status counts, 5xx errors, and lost submissions (accepted by the server but
missing from the database). Only 127.0.0.1 is contacted. The limits are raised for the run, because
every simulated reader comes from the same address.
"""
from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PASSWORD = "Bench-load-2026"
MAX_ITERATIONS = 10_000  # per reader: the loop is bounded in count as well as in time
QUERIES = ["lưu trữ", "luu tru", "Đồng Nai", "văn thư", "11495/UBND-KGVX", "kế hoạch", "báo cáo năm 2020"]


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    submitted: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, label: str, status: int, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds * 1000)
            self.statuses[status] += 1
            if status >= 500:
                self.errors.append(f"{status} {label}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def prepare(readers: int, database_url: str, data_dir: Path) -> dict:
    """Migrate, load the demo, and give each simulated reader a granted item with a ready copy."""
    from alembic import command
    from sqlalchemy import select

    from portal import create_app
    from portal.cli import alembic_config
    from demo import load_demo
    from portal.extensions import db
    from portal.db import utcnow
    from portal.models import Clearance, Consent, Fonds, ReaderProfile, ReadingCopy, RecordFile, Role, User
    from portal.services import requests as request_service
    from portal.services.accounts import hash_password

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "DATA_DIR": str(data_dir),
                      "OUTBOX_DIR": str(data_dir / "outbox"), "SERVER_NAME": None, "DEMO_SCAN_DPI": 80})
    with app.test_request_context():
        command.upgrade(alembic_config(), "head")
        load_demo(echo=lambda *_a, **_k: None)
        password_hash = hash_password(PASSWORD)
        archivist = db.session.scalar(select(User).where(User.role == Role.ARCHIVIST.value))
        digitised = list(db.session.scalars(select(RecordFile).where(RecordFile.mode == "01",
                                                                     RecordFile.scan_kind.is_not(None))))
        undigitised = list(db.session.scalars(select(RecordFile).where(RecordFile.mode == "01",
                                                                       RecordFile.scan_kind.is_(None))))
        people = []
        for n in range(readers):
            user = User(email=f"reader{n:03d}@load.example", password_hash=password_hash,
                        full_name=f"Độc Giả Thử {n:03d}", role=Role.READER.value,
                        clearance=Clearance.CLEARED.value, email_confirmed_at=utcnow())
            user.profile = ReaderProfile(id_kind="cccd", id_number=f"0990{n:08d}")
            user.consents.append(Consent(purpose="account"))
            db.session.add(user)
            db.session.commit()
            record = digitised[n % len(digitised)]
            request_service.add_to_basket(user, record.id)
            request = request_service.submit_request(user, {"purpose": "01", "research_topic": "Thử tải",
                                                            "fee_category": "10"}, None, f"load-{n}")
            request_service.decide(archivist, request.items[0], "approve")
            copy_id = db.session.scalar(select(ReadingCopy.id).where(ReadingCopy.item_id == request.items[0].id))
            people.append({"email": user.email, "item": request.items[0].id, "copy": copy_id})
        world = {
            "people": people,
            "fonds": list(db.session.scalars(select(Fonds.code))),
            "files": [f.id for f in digitised],
            "requestable": [f.id for f in undigitised],
        }
        db.engine.dispose()
    return world


class Reader(threading.Thread):
    """One simulated reader on its own keep-alive connection."""

    def __init__(self, port: int, person: dict, world: dict, stats: Stats, until: float, seed: int) -> None:
        super().__init__(daemon=True)
        self.port, self.person, self.world, self.stats, self.until = port, person, world, stats, until
        self.random = random.Random(seed)
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None,
                label: str | None = None) -> tuple[int, bytes, http.client.HTTPResponse]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()  # the server closed a kept-alive connection: reconnect once
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        self.stats.record(label or path, response.status, time.perf_counter() - started)
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, payload, response

    def token(self, html: bytes) -> str:
        match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', html)
        return match.group(1).decode() if match else ""

    def login(self) -> None:
        _status, page, _r = self.request("GET", "/tai-khoan/dang-nhap")
        status, _body, _r = self.request("POST", "/tai-khoan/dang-nhap", {
            "csrf_token": self.token(page), "email": self.person["email"], "password": PASSWORD})
        if status != 302:
            raise RuntimeError(f"login failed: {status}")

    def submit(self) -> None:
        """Basket + request form, as a browser does; counts submissions the server accepted."""
        file_id = self.random.choice(self.world["requestable"])
        _s, page, _r = self.request("GET", f"/ho-so/{file_id}", label="/ho-so/<id>")
        self.request("POST", f"/phieu-yeu-cau/gio/them/{file_id}", {"csrf_token": self.token(page)},
                     label="/phieu-yeu-cau/gio/them/<id>")
        _s, basket, _r = self.request("GET", "/phieu-yeu-cau/gio")
        match = re.search(rb'name="submit_token"[^>]*value="([^"]+)"', basket)
        form = {"csrf_token": self.token(basket), "submit_token": match.group(1).decode() if match else "",
                "purpose": "01", "research_topic": "Nghiên cứu lịch sử địa phương", "fee_category": "10"}
        status, _body, _r = self.request("POST", "/phieu-yeu-cau/gio", form)
        if status == 302:
            with self.stats.lock:
                self.stats.submitted += 1

    def run(self) -> None:
        try:
            self.login()
            for iteration in range(MAX_ITERATIONS):
                if time.monotonic() >= self.until:
                    break
                fonds = self.random.choice(self.world["fonds"])
                file_id = self.random.choice(self.world["files"])
                self.request("GET", "/")
                self.request("GET", f"/phong/{quote(fonds)}", label="/phong/<code>")
                self.request("GET", f"/ho-so/{file_id}", label="/ho-so/<id>")
                self.request("GET", f"/tim-kiem?q={quote(self.random.choice(QUERIES))}", label="/tim-kiem")
                self.request("GET", f"/doc/{self.person['item']}", label="/doc/<item>")
                for start in (0, self.random.randrange(0, 200_000)):
                    self.request("GET", f"/ban-doc/{self.person['copy']}.pdf", label="/ban-doc range",
                                 headers={"Range": f"bytes={start}-{start + 65535}"})
                if iteration % 8 == 7:
                    self.submit()
                time.sleep(self.random.uniform(0.2, 0.8))  # a person reads between clicks
        except Exception as error:  # noqa: BLE001 - report and stop this reader
            with self.stats.lock:
                self.stats.errors.append(f"reader {self.person['email']}: {error!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=120)
    args = parser.parse_args()

    from sqlalchemy import create_engine, text

    name = f"bench_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    database_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    server = None
    try:
        started = time.monotonic()
        world = prepare(args.readers, database_url, work / "data")
        print(f"prepared {args.readers} readers with ready reading copies in {time.monotonic() - started:.0f} s")
        port = free_port()
        env = {**os.environ, "PORTAL_ENV": "development", "SECRET_KEY": "bench-load-secret",
               "DATABASE_URL": database_url, "DATA_DIR": str(work / "data"), "OUTBOX_DIR": str(work / "outbox"),
               "REDIS_URL": "redis://127.0.0.1:6379/12", "RATELIMIT_LOGIN": "100000 per minute",
               "RATELIMIT_SEARCH": "100000 per minute", "RATELIMIT_SUBMIT": "100000 per minute",
               "RATELIMIT_READING": "100000 per minute"}
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "gthread", "--threads", "16",
             "--bind", f"127.0.0.1:{port}", "--keep-alive", "30", "--error-logfile", str(work / "gunicorn.log"),
             "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        stats = Stats()
        until = time.monotonic() + args.seconds
        readers = [Reader(port, person, world, stats, until, seed=n) for n, person in enumerate(world["people"])]
        began = time.monotonic()
        for reader in readers:
            reader.start()
            time.sleep(0.02)  # ramp up over two seconds
        for reader in readers:
            reader.join(timeout=args.seconds + 60)
        elapsed = time.monotonic() - began

        from sqlalchemy import create_engine as make

        engine = make(database_url)
        with engine.connect() as conn:
            stored = conn.execute(text(
                "select count(*) from access_requests r join users u on u.id = r.reader_id "
                "where u.email like '%@load.example' and r.submit_token not like 'load-%'")).scalar()
        engine.dispose()
        latencies = stats.latencies
        five_xx = sum(count for status, count in stats.statuses.items() if status >= 500)
        print(f"machine: {os.cpu_count()} cores; gunicorn 2 gthread workers x 16 threads; PostgreSQL; Redis")
        print(f"{args.readers} readers for {elapsed:.0f} s: {len(latencies)} requests, "
              f"{len(latencies) / elapsed:.1f} requests/s")
        print(f"latency p50 {statistics.median(latencies):.1f} ms, p95 {percentile(latencies, 95):.1f} ms, "
              f"p99 {percentile(latencies, 99):.1f} ms, max {max(latencies):.1f} ms")
        print(f"statuses: {dict(sorted(stats.statuses.items()))}; 5xx: {five_xx}")
        print(f"submissions accepted: {stats.submitted}, stored: {stored}, lost: {stats.submitted - stored}")
        if stats.errors:
            print(f"errors ({len(stats.errors)}): {stats.errors[:10]}")
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=20)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
