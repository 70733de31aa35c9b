"""Fault benchmark: break things for real on this machine and print what users saw and what was lost.

    .venv/bin/python -m bench.faults.run [--pages 120] [--files 3000] [--readers 8] [--only NAME ...]

Everything runs against throwaway services of its own, never the shared ones: a PostgreSQL
cluster made with ``initdb`` in a temporary folder (Debian binaries under /usr/lib/postgresql,
run as the ``postgres`` user) on a free port, a ``redis-server`` on another free port, and a
small tmpfs for the full-disk case. The portal runs as in production: gunicorn (2 gthread
workers) and ``flask jobs worker`` (2 worker processes), with a short lease (6 s) and sweep
(2 s) so the run takes minutes, not hours.

Faults (each prints one row of the final table):

copy-kill    kill -9 the worker process in the middle of a long reading-copy build
             → the copy must end ready, one PDF on disk, one mail to the reader.
index-kill   kill -9 the whole consumer (workers and sweeper, like an OOM kill or a reboot) in the
             middle of the search-index job of a few thousand files, then start it again
             → the job ends done, every file in the index once, the index check in sync.
postgres     readers browse and submit requests while PostgreSQL stops for 10 s and starts again
             → only 503s, and only during the outage; every accepted submission stored, none
             half-written; the web pool and the worker recover without a restart.
redis        Redis stops for 10 s while readers browse, someone types wrong passwords, and staff
             approve an item (which queues a copy build)
             → no 5xx; the login limit still answers 429 (in-process fallback, per gunicorn
             worker); the job recorded meanwhile runs once Redis is back.
disk-full    an import (ZIP with manifest and scans, through the staff page) into a DATA_DIR on a
             tmpfs of a few MB
             → a clear message naming the line where it stopped, no partial scan folder, no half
             row, the portal keeps serving; after freeing space the same import completes.
"""
from __future__ import annotations

import argparse
import http.client
import io
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Bench-faults-2026"
TOPIC = "Nghiên cứu lịch sử địa phương"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, every: float = 0.25):
    """Poll ``predicate`` until it returns something truthy; return it (or None after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    return None


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- throwaway services ----------------------------------------------------------------------

class Postgres:
    """A PostgreSQL cluster of our own (initdb in a temporary folder), so stopping it harms nobody."""

    def __init__(self, work: Path) -> None:
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not versions:
            raise SystemExit("no PostgreSQL binaries under /usr/lib/postgresql/*/bin")
        self.bin = versions[-1].parent
        self.dir = work / "pg"
        self.port = free_port()
        self.dir.mkdir(mode=0o700)
        shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.dir), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/faults"

    def _run(self, tool: str, *args: str) -> None:
        command = ["runuser", "-u", "postgres", "--", str(self.bin / tool), *args] if os.geteuid() == 0 \
            else [str(self.bin / tool), *args]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.dir), "-l", str(self.dir / "server.log"), "-w", "-o",
                  f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c fsync=off", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.dir), "-m", "fast", "-w", "stop")

    def create_database(self) -> None:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute("CREATE DATABASE faults")


class Redis:
    """A redis-server of our own, without persistence (a restart loses its queue, the hard case)."""

    def __init__(self, work: Path) -> None:
        self.port = free_port()
        self.work = work
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.work)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: _answers(self.port), 10)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def _answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


class Portal:
    """gunicorn and the job consumer, started as a process manager would."""

    def __init__(self, work: Path, env: dict[str, str]) -> None:
        self.work, self.env = work, env
        self.port = free_port()
        self.web: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None

    def start_web(self) -> None:
        self.web = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "gthread", "--threads", "8",
             "--bind", f"127.0.0.1:{self.port}", "--error-logfile", str(self.work / "gunicorn.log"), "wsgi:app"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        wait_for(lambda: _answers(self.port), 30)

    def start_worker(self) -> None:
        out = open(self.work / "worker.log", "ab")  # noqa: SIM115 - the child keeps it
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker", "--workers", "2"],
            cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def kill_worker_group(self) -> None:
        """SIGKILL the consumer and its worker processes at once (an OOM kill, a reboot)."""
        if self.worker is not None:
            os.killpg(self.worker.pid, signal.SIGKILL)
            self.worker.wait(timeout=10)
            self.worker = None

    def stop(self) -> None:
        for process in (self.worker, self.web):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)


# --- the control side: the same app, in this process -------------------------------------

def control_app(env: dict[str, str], **overrides):
    """The portal in this process (same database, queue and data folder) to set up and to inspect."""
    from portal import create_app

    config = {"TESTING": True, "JOBS_IMMEDIATE": False, "SERVER_NAME": None, "DATABASE_URL": env["DATABASE_URL"],
              "REDIS_URL": env["REDIS_URL"], "DATA_DIR": env["DATA_DIR"], "OUTBOX_DIR": env["OUTBOX_DIR"],
              "PUBLIC_BASE_URL": "http://127.0.0.1", "ARCHIVE_NAME": "Lưu trữ lịch sử tỉnh Đồng Nai",
              "JOBS_LEASE_SECONDS": 6, "JOBS_SWEEP_SECONDS": 2}
    config.update(overrides)
    return create_app(config)


def page_images(folder: Path, pages: int) -> None:
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, pages + 1):
        image = Image.new("L", (1240, 1754), 238)
        draw = ImageDraw.Draw(image)
        for y in range(150, 1600, 48):
            draw.text((100, y), f"Trang {n} - Uy ban nhan dan tinh Dong Nai - van ban so {y}", fill=30)
        image.save(folder / f"{n:04d}.png")


def prepare(app, work: Path, pages: int, readers: int) -> dict:
    """Schema, staff, readers, files to request, and one long digitised file."""
    from sqlalchemy import select

    from portal.db import Base, utcnow
    from portal.extensions import db
    from portal.models import Clearance, Consent, Fonds, ReaderProfile, RecordFile, Role, User
    from portal.services import records
    from portal.services.accounts import hash_password

    with app.test_request_context():
        Base.metadata.create_all(db.engine)
        password = hash_password(PASSWORD)

        def person(email: str, role: str, n: int) -> User:
            user = User(email=email, password_hash=password, full_name=f"Người Thử {n:03d}", role=role,
                        clearance=Clearance.CLEARED.value, email_confirmed_at=utcnow())
            if role == Role.READER.value:
                user.profile = ReaderProfile(id_kind="cccd", id_number=f"0880{n:08d}")
                user.consents.append(Consent(purpose="account"))
            db.session.add(user)
            return user

        admin = person("admin@faults.example", Role.ADMIN.value, 0)
        person("archivist@faults.example", Role.ARCHIVIST.value, 1)
        for n in range(readers + 4):
            person(f"reader{n:03d}@faults.example", Role.READER.value, 10 + n)
        fonds = Fonds(code="BENCH", name="Phông thử nghiệm sự cố")
        db.session.add(fonds)
        for n in range(200):
            db.session.add(RecordFile(fonds=fonds, file_code=f"BENCH.2020.{n:04d}", inventory_no="1", box_no="1",
                                      file_no=str(n), title=f"Hồ sơ thử số {n} về đê điều", retention="01",
                                      mode="01", start_date="2020", end_date="2020"))
        long_file = RecordFile(fonds=fonds, file_code="BENCH.DAI.0001", inventory_no="2", box_no="1", file_no="1",
                               title="Hồ sơ dài để thử tạo bản đọc", retention="01", mode="01",
                               start_date="2020", end_date="2020")
        db.session.add(long_file)
        db.session.flush()
        records.reindex_search(list(db.session.scalars(select(RecordFile.id))))  # with the commit (outbox)
        db.session.commit()
        page_images(work / "long-scan", pages)
        records.attach_scan(db.session.get(User, admin.id), db.session.get(RecordFile, long_file.id),
                            work / "long-scan")
        requestable = list(db.session.scalars(select(RecordFile.id).where(RecordFile.scan_kind.is_(None))))
        return {"long_file": long_file.id, "requestable": requestable, "admin": admin.id}


def grant_long_copy(app, world: dict, reader_email: str) -> int:
    """A reader asks for the long file and the archivist approves: the copy build is queued."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import ReadingCopy, User
    from portal.services import requests as request_service

    with app.test_request_context():
        reader = db.session.scalar(select(User).where(User.email == reader_email))
        archivist = db.session.scalar(select(User).where(User.email == "archivist@faults.example"))
        request_service.add_to_basket(reader, world["long_file"])
        request = request_service.submit_request(reader, {"purpose": "01", "research_topic": TOPIC,
                                                          "fee_category": "10"}, None, f"grant-{reader_email}")
        request_service.decide(archivist, request.items[0], "approve")
        return db.session.scalar(select(ReadingCopy.id).where(ReadingCopy.item_id == request.items[0].id))


def job_of(app, job_id: int) -> dict:
    from portal.extensions import db
    from portal.models import Job

    with app.app_context():
        job = db.session.get(Job, job_id)
        return {"status": job.status, "attempts": job.attempts, "worker": job.worker, "error": job.last_error,
                "enqueued": job.enqueued_at is not None}


def copy_state(app, copy_id: int) -> tuple[str, int | None]:
    from portal.extensions import db
    from portal.models import ReadingCopy

    with app.app_context():
        copy = db.session.get(ReadingCopy, copy_id)
        return copy.status, copy.job_id


@dataclass
class Row:
    fault: str
    users_saw: str
    lost: str
    ok: bool
    details: list[str] = field(default_factory=list)


# --- faults --------------------------------------------------------------------------------------

def fault_copy_kill(app, portal: Portal, world: dict, env: dict) -> Row:
    """kill -9 the worker process that builds a long reading copy."""
    copy_id = grant_long_copy(app, world, "reader000@faults.example")
    _status, job_id = copy_state(app, copy_id)
    began = time.monotonic()
    running = wait_for(lambda: (j := job_of(app, job_id))["status"] == "running" and j, 60)
    if not running:
        return Row("kill -9 worker during a copy build", "-", "?", False, [f"job never started: {job_of(app, job_id)}"])
    time.sleep(1.5)  # well inside the build
    pid = int(running["worker"].rsplit(":", 1)[1])
    os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    log(f"copy-kill: killed worker pid {pid} {killed_at - began:.1f} s into job {job_id}")
    done = wait_for(lambda: job_of(app, job_id)["status"] in ("done", "failed"), 180)
    job = job_of(app, job_id)
    status, _ = copy_state(app, copy_id)
    copies = sorted(p.name for p in (Path(env["DATA_DIR"]) / "copies").glob(f"{copy_id}-*"))
    outbox = Path(env["OUTBOX_DIR"])
    wait_for(lambda: list(outbox.glob(f"*-copy-ready-{copy_id}.eml")), 60)  # the notify job follows
    time.sleep(3)  # and a second mail, if there were one, would come now
    mails = list(outbox.glob(f"*-copy-ready-{copy_id}.eml"))
    ok = bool(done) and job["status"] == "done" and status == "ready" and len(copies) == 1 and len(mails) == 1
    waited = time.monotonic() - killed_at
    return Row("kill -9 worker during a copy build",
               f"copy 'đang chuẩn bị' {waited:.0f} s longer, then ready (attempt {job['attempts']})",
               "nothing" if ok else f"copy {status}, {len(copies)} files, {len(mails)} mails",
               ok, [f"job {job}", f"files for the copy: {copies}", f"ready mails: {len(mails)}"])


def fault_index_kill(app, portal: Portal, world: dict, files: int) -> Row:
    """kill -9 the whole consumer while it indexes a few thousand new files; start it again."""
    from sqlalchemy import func, insert, select

    from portal.extensions import db
    from portal.models import Fonds, Job, RecordFile
    from portal.services import search

    with app.test_request_context():
        fonds = Fonds(code="NHAP", name="Phông nhập hàng loạt")
        db.session.add(fonds)
        db.session.flush()
        db.session.execute(insert(RecordFile), [
            {"fonds_id": fonds.id, "file_code": f"NHAP.2021.{n:05d}", "inventory_no": "3", "box_no": str(n // 50),
             "file_no": str(n), "title": f"Hồ sơ nhập hàng loạt số {n} về thủy lợi và giao thông", "retention": "01",
             "mode": "01", "start_date": "2021", "end_date": "2021", "keywords": "thủy lợi; giao thông"}
            for n in range(files)])
        ids = list(db.session.scalars(select(RecordFile.id).where(RecordFile.fonds_id == fonds.id)))
        search.reindex(ids)  # the job row commits with the files (outbox)
        db.session.commit()
        job_id = db.session.scalar(select(func.max(Job.id)).where(Job.kind == search.JOB_KIND))
    running = wait_for(lambda: job_of(app, job_id)["status"] == "running", 60)
    if not running:
        return Row("kill -9 consumer during an index job", "-", "?", False, [f"never started: {job_of(app, job_id)}"])
    time.sleep(1.0)
    portal.kill_worker_group()
    log(f"index-kill: killed the consumer group during job {job_id} ({files} files)")
    time.sleep(1.0)
    after_kill = job_of(app, job_id)["status"]
    portal.start_worker()  # the process manager restarts it (Restart=always)
    restarted = time.monotonic()
    wait_for(lambda: job_of(app, job_id)["status"] in ("done", "failed"), 300)
    job = job_of(app, job_id)
    with app.test_request_context():
        check = search.check_index(queue=False)
        results = search.search(None, _search_request("thủy lợi"))
    ok = job["status"] == "done" and check.in_sync and results.total >= files
    return Row("kill -9 consumer during an index job",
               f"{files} files absent from search {time.monotonic() - restarted:.0f} s after restart, then found "
               f"(attempt {job['attempts']})",
               "nothing" if ok else f"{check.waiting} files not indexed", ok,
               [f"job right after the kill: {after_kill}", f"job {job}",
                f"index check: catalogue {check.catalogue}, indexed {check.indexed}, waiting {check.waiting}",
                f"search 'thủy lợi': {results.total} hits"])


def _search_request(query: str):
    from search.results import SearchRequest

    return SearchRequest(text=query, with_facets=False, with_snippets=False)


class Browser:
    """One simulated reader on its own connection, with cookies and CSRF tokens, like a browser."""

    def __init__(self, port: int, email: str) -> None:
        self.port, self.email = port, email
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                payload = response.read().decode("utf-8", "replace")
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, payload

    @staticmethod
    def token(html: str, name: str = "csrf_token") -> str:
        match = re.search(rf'name="{name}"[^>]*value="([^"]+)"', html)
        return match.group(1) if match else ""

    def login(self, password: str = PASSWORD) -> int:
        _s, page = self.request("GET", "/tai-khoan/dang-nhap")
        status, _ = self.request("POST", "/tai-khoan/dang-nhap", {"csrf_token": self.token(page), "email": self.email,
                                                                   "password": password})
        return status


@dataclass
class Load:
    """What the simulated readers saw, with times."""

    events: list[tuple[float, str, int]] = field(default_factory=list)  # (time, label, status)
    accepted: list[str] = field(default_factory=list)  # submit tokens the server accepted
    abandoned: list[str] = field(default_factory=list)  # submissions never accepted after retries
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def saw(self, label: str, status: int) -> None:
        with self.lock:
            self.events.append((time.monotonic(), label, status))


def reader_loop(port: int, email: str, world: dict, load: Load, clock: dict, seed: int) -> None:
    """Log in, wait for the start, then browse and submit; on a 503, wait and send the same form again
    (a person pressing again)."""
    rng = random.Random(seed)
    browser = Browser(port, email)
    try:
        tried = []
        for _attempt in range(5):
            status = browser.login()
            tried.append(status)
            if status == 302:
                break
            time.sleep(1)
        else:
            load.errors.append(f"{email}: login failed {tried}")
            return
        if len(tried) > 1:
            load.errors.append(f"{email}: login needed {len(tried)} tries {tried}")
        with load.lock:
            clock["ready"] += 1
        clock["go"].wait()
        until = clock["until"]
        while time.monotonic() < until:
            file_id = rng.choice(world["requestable"])
            for path in ("/", f"/ho-so/{file_id}", "/tim-kiem?q=%C4%91%C3%AA+%C4%91i%E1%BB%81u"):
                status, _ = browser.request("GET", path)
                load.saw(path.split("?")[0] if not path.startswith("/ho-so") else "/ho-so/<id>", status)
            submit_token = None
            form: dict[str, str] = {}
            for _attempt in range(60):  # one submission, retried through an outage
                if not form:
                    status, page = browser.request("GET", f"/ho-so/{file_id}")
                    load.saw("/ho-so/<id>", status)
                    if status != 200:
                        time.sleep(1)
                        continue
                    status, _ = browser.request("POST", f"/phieu-yeu-cau/gio/them/{file_id}",
                                                {"csrf_token": browser.token(page)})
                    load.saw("basket add", status)
                    if status == 400:  # this reader already asked for that file: pick another
                        file_id = rng.choice(world["requestable"])
                        continue
                    status, basket = browser.request("GET", "/phieu-yeu-cau/gio")
                    load.saw("/phieu-yeu-cau/gio", status)
                    if status != 200:
                        time.sleep(1)
                        continue
                    submit_token = browser.token(basket, "submit_token")
                    form = {"csrf_token": browser.token(basket), "submit_token": submit_token, "purpose": "01",
                            "research_topic": TOPIC, "fee_category": "10"}
                status, _ = browser.request("POST", "/phieu-yeu-cau/gio", form)
                load.saw("submit", status)
                if status == 302:
                    with load.lock:
                        load.accepted.append(submit_token or "")
                    break
                if status == 503:
                    time.sleep(1)  # the page said: try again in a moment
                    continue
                if status == 400:  # "already requested by you": a person takes it out of the basket
                    _s, basket = browser.request("GET", "/phieu-yeu-cau/gio")
                    browser.request("POST", f"/phieu-yeu-cau/gio/bo/{file_id}", {"csrf_token": browser.token(basket)})
                    file_id = rng.choice(world["requestable"])
                form = {}  # start the form again
                time.sleep(0.5)
            else:
                load.abandoned.append(submit_token or "")
            time.sleep(rng.uniform(0.2, 0.6))
    except Exception as error:  # noqa: BLE001
        load.errors.append(f"{email}: {error!r}")


def run_load(port: int, world: dict, readers: int, seconds: float, first: int = 2) -> tuple[Load, list]:
    """Readers log in first (password hashing is slow on a busy machine); the clock starts when all are in."""
    load = Load()
    clock = {"ready": 0, "go": threading.Event(), "until": 0.0}
    threads = [threading.Thread(target=reader_loop, daemon=True,
                                args=(port, f"reader{first + n:03d}@faults.example", world, load, clock, n))
               for n in range(readers)]
    for thread in threads:
        thread.start()
    wait_for(lambda: clock["ready"] >= readers or not any(t.is_alive() for t in threads), 120)
    clock["until"] = time.monotonic() + seconds
    clock["go"].set()
    return load, threads


def fault_postgres(app, portal: Portal, pg: Postgres, world: dict, readers: int, env: dict) -> Row:
    """Stop PostgreSQL for 10 s under load; start it again."""
    from sqlalchemy import create_engine, text

    load, threads = run_load(portal.port, world, readers, seconds=32)
    time.sleep(8)
    stopped_at = time.monotonic()
    pg.stop()
    log("postgres: stopped")
    time.sleep(10)
    pg.start()
    started_at = time.monotonic()
    log(f"postgres: started again after {started_at - stopped_at:.1f} s")
    for thread in threads:
        thread.join(timeout=120)
    statuses = Counter(status for _t, _l, status in load.events)
    grace = 3.0  # requests in flight when it stopped or started
    outside = [(round(t - stopped_at, 1), label, status) for t, label, status in load.events
               if status == 503 and not (stopped_at - grace <= t <= started_at + grace)]
    other_5xx = [(label, status) for _t, label, status in load.events if status >= 500 and status != 503]
    after = [status for t, _l, status in load.events if t > started_at + grace]
    engine = create_engine(env["DATABASE_URL"])
    with engine.connect() as conn:
        stored = set(conn.execute(text(
            "select submit_token from access_requests where research_topic = :t"), {"t": TOPIC}).scalars())
        empty = conn.execute(text("select count(*) from access_requests r where not exists "
                                  "(select 1 from request_items i where i.request_id = r.id)")).scalar()
    engine.dispose()
    lost = [t for t in load.accepted if t not in stored]
    # The worker resumes on its own: a job queued now runs.
    from sqlalchemy import func, select

    from portal.extensions import db
    from portal.models import Job
    from portal.services import search

    with app.test_request_context():
        search.reindex([world["requestable"][0]])
        db.session.commit()
        job_id = db.session.scalar(select(func.max(Job.id)))
    resumed = wait_for(lambda: job_of(app, job_id)["status"] == "done", 60)
    web_ok = all(s < 500 for s in after) and len(after) > 0
    ok = not outside and not other_5xx and not lost and not load.abandoned and empty == 0 and bool(resumed) and web_ok
    submit_503 = sum(1 for _t, label, status in load.events if label == "submit" and status == 503)
    return Row("PostgreSQL stopped 10 s under load",
               f"{statuses.get(503, 0)} × 503 page, all inside the outage; {submit_503} submits retried and "
               f"accepted after; {len(load.events) - statuses.get(503, 0)} other answers < 500",
               "nothing" if ok else f"lost {len(lost)}, abandoned {len(load.abandoned)}, half {empty}", ok,
               [f"{len(load.events)} requests by {readers} readers; statuses {dict(sorted(statuses.items()))}",
                f"503 outside the outage window: {outside[:5]}", f"other 5xx: {other_5xx[:5]}",
                f"submissions accepted {len(load.accepted)}, stored {len(stored & set(load.accepted))}, "
                f"lost {len(lost)}, abandoned {len(load.abandoned)}, requests without items {empty}",
                f"after restart: {len(after)} requests, all < 500: {web_ok} (no gunicorn restart)",
                f"worker resumed (a new job done): {bool(resumed)}", *load.errors[:3]])


def fault_redis(app, portal: Portal, redis: Redis, world: dict, readers: int, env: dict) -> Row:
    """Stop Redis for 10 s: pages, the login limit, and a job queued meanwhile."""
    load, threads = run_load(portal.port, world, readers, seconds=20, first=2 + 1)
    time.sleep(4)
    redis.stop()
    stopped_at = time.monotonic()
    log("redis: stopped")
    # Someone tries passwords on one account: the per-account limit (5 per 15 min) must still answer.
    attacker = Browser(portal.port, "reader001@faults.example")
    tries = [attacker.login("sai-mat-khau") for _ in range(14)]
    first_429 = tries.index(429) + 1 if 429 in tries else None
    # Staff approve an item meanwhile: its copy build job is recorded, the queue is down.
    copy_id = grant_long_copy(app, world, "reader002@faults.example")
    _status, job_id = copy_state(app, copy_id)
    during = job_of(app, job_id)
    time.sleep(max(0.0, 10 - (time.monotonic() - stopped_at)))
    redis.start()
    back_at = time.monotonic()
    log("redis: started again (empty: no persistence)")
    done = wait_for(lambda: job_of(app, job_id)["status"] == "done", 180)
    ran_after = time.monotonic() - back_at
    for thread in threads:
        thread.join(timeout=60)
    statuses = Counter(status for _t, _l, status in load.events)
    refused = Counter((label, status) for _t, label, status in load.events if status >= 400)
    five_xx = [(label, status) for _t, label, status in load.events if status >= 500]
    login_5xx = [s for s in tries if s >= 500]
    ok = not five_xx and not login_5xx and first_429 is not None and bool(done) and not load.abandoned
    return Row("Redis stopped 10 s",
               f"pages {dict(sorted(statuses.items()))}; wrong passwords: 429 from try {first_429}",
               "nothing" if ok else f"job {job_of(app, job_id)['status']}, 5xx {len(five_xx)}", ok,
               [f"login tries during the outage: {tries}",
                f"copy job during the outage: {during} (recorded, not enqueued)",
                f"job done {ran_after:.0f} s after Redis came back: {bool(done)}", f"5xx: {five_xx[:5]}",
                f"4xx/5xx by page: {dict(refused)}; submissions accepted {len(load.accepted)}, "
                f"abandoned {len(load.abandoned)}",
                *load.errors[:3]])


def fault_disk_full(env: dict, work: Path, world: dict) -> Row:
    """An import into a DATA_DIR on a tmpfs of a few MB, through the staff page."""
    mount = work / "small"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)], capture_output=True,
                            text=True)
    if result.returncode != 0:
        return Row("DATA_DIR disk full during an import", "not run", "-", True,
                   [f"mounting a tmpfs is not permitted here ({result.stderr.strip()}); tests/test_faults.py "
                    "simulates ENOSPC in the scan copy, the letter write and the copy build instead"])
    try:
        return _disk_full_import(env, work, mount)
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def _disk_full_import(env: dict, work: Path, mount: Path) -> Row:
    from sqlalchemy import func, select

    from portal.extensions import db
    from portal.models import RecordFile
    from portal.services import search
    from portal.services.importer import MANIFEST_COLUMNS

    data_dir = mount / "data"
    app = control_app(env, DATA_DIR=str(data_dir), JOBS_IMMEDIATE=True, RENDER_WORKERS=1,
                      MAX_CONTENT_LENGTH=64 * 1024 * 1024)
    # A ZIP of 12 files with a noisy (incompressible) page scan each.
    bundle = io.BytesIO()
    rng = random.Random(7)
    from PIL import Image

    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_STORED) as archive:
        lines = [",".join(MANIFEST_COLUMNS)]
        for n in range(1, 13):
            values = {"fonds_code": "DAY", "fonds_name": "Phông thử ổ đầy", "inventory_no": "1", "box_no": "1",
                      "file_no": str(n), "file_code": f"DAY.2022.{n:03d}", "title": f"Hồ sơ ổ đầy số {n}",
                      "start_date": "2022", "end_date": "2022", "retention": "01", "mode": "01",
                      "scan": f"scans/{n:03d}.png"}
            lines.append(",".join(values.get(c, "") for c in MANIFEST_COLUMNS))
            image = Image.frombytes("L", (300, 420), rng.randbytes(300 * 420))
            page = io.BytesIO()
            image.save(page, "PNG")
            archive.writestr(f"scans/{n:03d}.png", page.getvalue())
        archive.writestr("manifest.csv", "\n".join(lines) + "\n")
    payload = bundle.getvalue()
    # Fill the small disk so that the upload and its extraction fit, and the import runs out midway.
    free = shutil.disk_usage(mount).free
    filler = mount / "filler.bin"
    filler.write_bytes(b"\0" * max(0, free - 2 * len(payload) - 1200 * 1024))
    client = app.test_client()
    login_status = client.post("/tai-khoan/dang-nhap", data={"email": "admin@faults.example",
                                                            "password": PASSWORD}).status_code
    response = client.post("/nghiep-vu/nhap-du-lieu", data={"manifest": (io.BytesIO(payload), "nhap.zip")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    message = re.search(r"(Ổ lưu trữ[^<]*)", page)
    with app.test_request_context():
        imported = db.session.scalar(select(func.count()).select_from(RecordFile).where(
            RecordFile.file_code.like("DAY.%"))) or 0
        half = db.session.scalar(select(func.count()).select_from(RecordFile).where(
            RecordFile.file_code.like("DAY.%"), RecordFile.scan_path.is_(None))) or 0
    partial = [p.name for p in (data_dir / "scans").glob("*.part")] if (data_dir / "scans").exists() else []
    orphans = []
    with app.test_request_context():
        recorded = set(db.session.scalars(select(RecordFile.scan_path).where(RecordFile.scan_path.is_not(None))))
    for folder in (data_dir / "scans").glob("*") if (data_dir / "scans").exists() else []:
        if f"scans/{folder.name}" not in recorded:
            orphans.append(folder.name)
    leftovers = list((data_dir / "tmp").glob("*")) if (data_dir / "tmp").exists() else []
    home = client.get("/").status_code
    health = client.get("/healthz").get_json()
    # Free the space and import the same file again.
    filler.unlink()
    again = client.post("/nghiep-vu/nhap-du-lieu", data={"manifest": (io.BytesIO(payload), "nhap.zip")},
                        content_type="multipart/form-data")
    again_message = re.search(r'class="(?:error|flash[^"]*)"[^>]*>([^<]*)', again.get_data(as_text=True))
    with app.test_request_context():
        total = db.session.scalar(select(func.count()).select_from(RecordFile).where(
            RecordFile.file_code.like("DAY.%"))) or 0
        day_ids = set(db.session.scalars(select(RecordFile.id).where(RecordFile.file_code.like("DAY.%"))))
        unindexed = len(day_ids & set(search.check_index(queue=False).missing))
    ok = (response.status_code in (400, 507) and message is not None and half == 0 and not partial
          and not orphans and not leftovers and home == 200 and again.status_code == 200 and total == 12
          and unindexed == 0)
    shown = message.group(1).strip()[:64] + "…" if message else f"HTTP {response.status_code}, no message"
    return Row("DATA_DIR full during an import (6 MB tmpfs)", f"HTTP {response.status_code}: “{shown}”; "
               f"site kept serving ({home})",
               "nothing" if ok else "see details", ok,
               [f"login {login_status}; rows imported before the disk filled: {imported} of 12, half rows: {half}",
                f"partial scan folders: {partial}; folders no row points to: {orphans}; upload leftovers: "
                f"{len(leftovers)}", f"home page during: {home}; health disk: {health['disk']['status']}",
                f"after freeing space, same import: HTTP {again.status_code}, {total} of 12 rows, "
                f"not in the search index: {unindexed} {again_message.group(1) if again_message else ''}"])


# --- main ----------------------------------------------------------------------------------------

FAULTS = ("copy-kill", "index-kill", "postgres", "redis", "disk-full")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=120, help="pages of the long file (copy build length)")
    parser.add_argument("--files", type=int, default=3000, help="files indexed by the job that gets killed")
    parser.add_argument("--readers", type=int, default=8, help="simulated readers during the outages")
    parser.add_argument("--only", nargs="*", choices=FAULTS, default=list(FAULTS))
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-faults-"))
    os.chmod(work, 0o755)
    pg = Postgres(work)
    redis = Redis(work)
    portal = None
    rows: list[Row] = []
    try:
        pg.start()
        pg.create_database()
        redis.start()
        env = {**os.environ, "PORTAL_ENV": "development", "SECRET_KEY": "bench-faults-secret",
               "DATABASE_URL": pg.url, "REDIS_URL": redis.url, "DATA_DIR": str(work / "data"),
               "OUTBOX_DIR": str(work / "outbox"), "PUBLIC_BASE_URL": "http://127.0.0.1",
               "JOBS_LEASE_SECONDS": "6", "JOBS_SWEEP_SECONDS": "2", "JOBS_RERING_SECONDS": "5",
               "SEARCH_CHECK_SECONDS": "3600", "RATELIMIT_LOGIN": "100000 per minute",
               "RATELIMIT_SEARCH": "100000 per minute", "RATELIMIT_SUBMIT": "100000 per minute",
               "RATELIMIT_READING": "100000 per minute", "RATELIMIT_MAIL": "100000 per minute"}
        app = control_app(env)
        started = time.monotonic()
        world = prepare(app, work, args.pages, args.readers)
        log(f"prepared: throwaway PostgreSQL :{pg.port}, Redis :{redis.port}, {args.pages}-page file "
            f"({time.monotonic() - started:.0f} s)")
        portal = Portal(work, env)
        portal.start_web()
        portal.start_worker()
        wait_for(lambda: _worker_beats(app), 30)
        for name in args.only:
            log(f"--- {name}")
            if name == "copy-kill":
                rows.append(fault_copy_kill(app, portal, world, env))
            elif name == "index-kill":
                rows.append(fault_index_kill(app, portal, world, args.files))
            elif name == "postgres":
                rows.append(fault_postgres(app, portal, pg, world, args.readers, env))
            elif name == "redis":
                rows.append(fault_redis(app, portal, redis, world, args.readers, env))
            elif name == "disk-full":
                rows.append(fault_disk_full(env, work, world))
            for line in rows[-1].details:
                log(f"    {line}")
    finally:
        if portal is not None:
            portal.stop()
        keep = Path(tempfile.gettempdir()) / "bench-faults-last"  # the logs of the last run, to read
        shutil.rmtree(keep, ignore_errors=True)
        keep.mkdir()
        for name in ("gunicorn.log", "worker.log"):
            if (work / name).exists():
                shutil.copy(work / name, keep / name)
        redis.stop()
        try:
            pg.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(f"machine: {os.cpu_count()} cores; gunicorn 2 gthread workers; jobs worker 2 processes; "
          f"lease 6 s, sweep 2 s")
    widths = (44, 96, 8)
    print(f"| {'fault':<{widths[0]}} | {'what users saw':<{widths[1]}} | {'lost':<{widths[2]}} | ok |")
    print(f"|{'-' * (widths[0] + 2)}|{'-' * (widths[1] + 2)}|{'-' * (widths[2] + 2)}|----|")
    for row in rows:
        print(f"| {row.fault:<{widths[0]}} | {row.users_saw:<{widths[1]}} | {row.lost:<{widths[2]}} | "
              f"{'yes' if row.ok else 'NO'} |")
    if not all(row.ok for row in rows):
        raise SystemExit(1)


def _worker_beats(app) -> bool:
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import WorkerBeat

    with app.app_context():
        return db.session.scalar(select(WorkerBeat.name)) is not None


if __name__ == "__main__":
    main()
