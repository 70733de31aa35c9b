"""Fault injection: a worker that dies, a queue that is down, a database away, a full disk.

What users and staff rely on when something fails: a job whose worker died
runs again by itself and fails visibly after the maximum; handlers run twice
leave one result; the search index catches up with the catalogue; pages answer
503 (not a traceback) while the database is away, and keep working without
Redis; a full disk leaves no partial file or row. ``bench/faults`` does the same
for real (kill -9, stopping PostgreSQL and Redis, a tiny filesystem).
"""
from __future__ import annotations

import errno
import io
import json
import socket
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select, update

from portal import create_app, jobs
from portal.db import Base, utcnow
from portal.errors import StorageFull
from portal.extensions import db
from portal.models import AccessRequest, Job, ReadingCopy, RecordFile, User, WorkerBeat
from portal.services import importer, reading, records, search
from portal.services.health import health_report
from watermark.assemble import CopyWriter

from .conftest import login
from .test_reading import digitised, grant, page_image  # noqa: F401  (the fixture is used by name)

CALLS: list[int] = []


@jobs.handler("test.count")
def _count(value: int) -> None:
    CALLS.append(value)


@jobs.handler("test.boom")
def _boom() -> None:
    raise RuntimeError("boom")


def _closed_port() -> int:
    """A local port nothing listens on (bound by the OS, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _job(job_id: int) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job_id)


# --- jobs outlive their worker -----------------------------------------------------------

def test_a_job_whose_worker_died_runs_again_and_counts_the_attempt(app):
    CALLS.clear()
    with app.app_context():
        # A worker claimed the job, then was killed: its row says running, the lease lapses.
        job = Job(kind="test.count", payload={"value": 1}, status="running", attempts=1, worker="host:4242",
                  started_at=utcnow(), lease_until=utcnow() + timedelta(seconds=60), enqueued_at=utcnow())
        db.session.add(job)
        db.session.commit()
        assert jobs.sweep().requeued == 0  # the lease still holds: nobody touches it
        report = jobs.sweep(now=utcnow() + timedelta(seconds=61))
        assert report.requeued == 1 and report.rung == 1  # taken back, and run (inline in tests)
        job = _job(job.id)
        assert job.status == "done" and job.attempts == 2 and CALLS == [1]
        assert job.lease_until is None and job.last_error is None


def test_a_job_that_keeps_dying_fails_visibly_after_the_maximum(app):
    with app.app_context():
        job = Job(kind="test.count", payload={"value": 2}, status="running", worker="host:1",
                  attempts=app.config["JOBS_MAX_ATTEMPTS"], started_at=utcnow(), lease_until=utcnow())
        db.session.add(job)
        db.session.commit()
        report = jobs.sweep(now=utcnow() + timedelta(seconds=1))
        job = _job(job.id)
        assert report.failed == 1 and job.status == "failed" and job.finished_at is not None
        assert "host:1 stopped during attempt 3" in job.last_error
        assert jobs.queue_state().failed == 1


def test_a_doorbell_rung_twice_runs_the_job_once(app):
    CALLS.clear()
    with app.app_context():
        job_id = jobs.submit("test.count", {"value": 3})
        assert _job(job_id).status == "done"
        assert jobs.execute(job_id) is None  # a duplicate message: the claim refuses it
        assert CALLS == [3] and _job(job_id).attempts == 1


def test_retry_bookkeeping_without_immediate_mode(app):
    """A failure before the maximum leaves the job retrying, due later, with its error."""
    with app.app_context():
        job = Job(kind="test.boom", payload={}, status="queued")
        db.session.add(job)
        db.session.commit()
        jobs.huey.immediate = False
        try:
            assert jobs.execute(job.id) == "retrying"
            job = _job(job.id)
            assert job.attempts == 1 and "boom" in job.last_error and job.run_after > utcnow()
            assert jobs.execute(job.id) is None  # not due yet
        finally:
            jobs.huey.immediate = True


# --- the outbox: the job row commits with the change -------------------------------------

def test_a_job_added_to_a_rolled_back_transaction_does_not_exist(app):
    CALLS.clear()
    with app.app_context():
        jobs.add("test.count", {"value": 4})
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Job)) == 0 and CALLS == []


def test_a_committed_job_never_enqueued_is_enqueued_by_the_sweeper(app):
    """The web process died between its commit and ringing the queue: the row is there, the sweeper rings."""
    CALLS.clear()
    with app.app_context():
        db.session.add(Job(kind="test.count", payload={"value": 5}, status="queued",
                           updated_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
        assert jobs.sweep().rung == 1 and CALLS == [5]


def test_with_the_queue_down_a_job_is_recorded_and_enqueued_later(app):
    """Redis stops: submitting still works; the row waits, unenqueued, until the sweeper can ring."""
    CALLS.clear()
    app.config.update(JOBS_IMMEDIATE=False, REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0")
    jobs.init_jobs(app)
    try:
        with app.app_context():
            job_id = jobs.submit("test.count", {"value": 6})
            job = _job(job_id)
            assert job.status == "queued" and job.enqueued_at is None and CALLS == []
            assert jobs.sweep(now=utcnow() + timedelta(seconds=30)).rung == 0  # still down: waits
            assert health_report().parts["queue"].status == "down"
    finally:
        app.config.update(JOBS_IMMEDIATE=True, REDIS_URL=None)
        jobs.init_jobs(app)
    with app.app_context():  # the queue is back
        assert jobs.sweep(now=utcnow() + timedelta(seconds=30)).rung == 1
        assert _job(job_id).status == "done" and CALLS == [6]


# --- idempotent handlers: one copy, one mail ---------------------------------------------

def test_a_copy_build_run_after_a_killed_one_leaves_one_copy_and_one_mail(app, client, digitised, make_user,
                                                                             outbox):
    record = digitised(pages=2)
    reader, archivist = make_user(), make_user(role="archivist")
    item = grant(app, client, reader, archivist, record)
    folder = Path(app.config["DATA_DIR"]) / "copies"
    with app.app_context():
        copy = db.session.scalar(select(ReadingCopy).where(ReadingCopy.item_id == item.id))
        assert copy.status == "ready"
        first_path = copy.path
        # The worker is killed mid-build the second time round: a half file and an unrecorded whole one.
        copy.status, copy.path = "building", None
        db.session.commit()
        (folder / f"{copy.id}-dead01.pdf.part").write_bytes(b"%PDF-1.7 half")
        (folder / f"{copy.id}-dead02.pdf").write_bytes(b"%PDF-1.7 whole but never recorded")
        (folder / first_path.split("/")[-1]).unlink()
        mails_before = len(outbox())
        jobs.submit(reading.BUILD_JOB, {"copy_id": copy.id})  # the requeued attempt
        jobs.submit(reading.BUILD_JOB, {"copy_id": copy.id})  # and a duplicate: nothing more
        db.session.expire_all()
        copy = db.session.get(ReadingCopy, copy.id)
        assert copy.status == "ready"
        # Only the files this build recorded: the copy and its data-saver twin.
        assert sorted(p.name for p in folder.glob(f"{copy.id}-*")) == sorted(
            [copy.path.split("/")[-1], copy.saver_path.split("/")[-1]])
        # The reader was told once, whatever ran twice: the notify job is keyed by the copy.
        reading.notify_copy_ready(copy.id)
        ready_mails = [m for m in outbox() if m["Message-ID"] == f"<copy-ready-{copy.id}@luutru.local>"]
        assert len(ready_mails) == 1 and len(outbox()) == mails_before


def test_a_copy_build_on_a_full_disk_fails_visibly_and_leaves_no_partial_file(app, client, digitised, make_user,
                                                                              monkeypatch):
    record = digitised(pages=2)

    class FullDisk(CopyWriter):
        """The second file (the standard one, after the data saver's) meets a full disk half-way."""

        def save(self, out_path):
            if out_path.name.endswith(".saver.pdf"):
                return super().save(out_path)
            out_path.with_suffix(".part").write_bytes(b"%PDF-1.7 half")
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(reading, "CopyWriter", FullDisk)
    item = grant(app, client, make_user(), make_user(role="archivist"), record)
    with app.app_context():
        copy = db.session.scalar(select(ReadingCopy).where(ReadingCopy.item_id == item.id))
        job = _job(copy.job_id)
        assert job.status == "failed" and "Ổ lưu trữ" in job.last_error
        assert list((Path(app.config["DATA_DIR"]) / "copies").glob(f"{copy.id}-*")) == []


# --- the search index never drifts unnoticed ---------------------------------------------

def test_the_index_check_finds_and_queues_what_the_index_lacks(app, make_file):
    files = [make_file(title=f"Hồ sơ đê điều {n}") for n in range(3)]  # written without index jobs
    with app.test_request_context():
        # No index at all (first start, or its folder lost): rebuilt as a whole.
        check = search.check_index(queue=False)
        assert check.catalogue == 3 and check.needs_rebuild and not search.index_state().in_sync
        assert search.check_index().queued == "rebuild"  # the job runs inline in tests
        assert search.check_index(queue=False).in_sync and search.index_state().in_sync
    # A file whose index job was lost (the process died after the commit) is missing…
    late = make_file(title="Hồ sơ thêm sau")
    with app.test_request_context():
        check = search.check_index(queue=False)
        assert check.missing == [late.id] and search.index_state().waiting == 1
        assert search.check_index().queued == "update"
        assert search.check_index(queue=False).in_sync
        # … a change whose index job was lost is stale …
        db.session.execute(update(RecordFile).where(RecordFile.id == files[0].id)
                           .values(title="Hồ sơ đổi tên", updated_at=utcnow() + timedelta(seconds=1)))
        db.session.commit()
        check = search.check_index()
        assert check.stale == [files[0].id] and check.queued == "update"
        assert search.check_index(queue=False).in_sync
        # … and a deleted file leaves the index too.
        db.session.delete(db.session.get(RecordFile, files[1].id))
        db.session.commit()
        assert search.check_index().extra == [files[1].id]
        assert search.check_index(queue=False).in_sync
        state = search.index_state()
        assert state.in_sync and state.indexed == state.catalogue == 3


def test_an_index_job_ending_in_the_same_second_as_the_check_is_not_reported_waiting(app, make_file):
    """Seen after `make run`: the check ran while the first index job was running and both ended within one
    second; staff were told "64 files waiting" until the next check although every file was indexed."""
    make_file(title="Hồ sơ đê điều")
    with app.test_request_context():
        search.check_index()  # no index yet: the rebuild job runs inline and indexes the file
        checked = search.check_index(queue=False)
        assert checked.in_sync
        folder = Path(app.config["DATA_DIR"]) / "search"
        found = json.loads((folder / search.CHECK_FILE).read_text("utf-8"))
        found["missing_count"] = 1  # what a check made a moment earlier would have found
        (folder / search.CHECK_FILE).write_text(json.dumps(found), "utf-8")
        finished = db.session.scalar(select(func.max(Job.finished_at)).where(Job.status == "done"))
        db.session.execute(update(Job).where(Job.finished_at == finished).values(
            finished_at=datetime.fromisoformat(found["checked_at"])))
        db.session.commit()
        assert search.index_state().waiting == 0


def test_a_catalogue_change_and_its_index_job_commit_together(app, make_file, make_user):
    """The outbox: the job row is in the same transaction; a failed commit leaves neither."""
    record = make_file()
    admin = make_user(role="admin")
    with app.test_request_context():
        me = db.session.get(User, admin.id)
        fonds = db.session.get(RecordFile, record.id).fonds
        data = {"file_code": record.file_code, "inventory_no": "1", "box_no": "1", "file_no": "1",
                "title": "Hồ sơ về trường học", "retention": "01", "mode": "01", "start_date": "2020",
                "end_date": "2020", "language": "Tiếng Việt", "condition": "01", "reliability": "02"}
        records.save_file(me, fonds, data, db.session.get(RecordFile, record.id))
        job = db.session.scalar(select(Job).where(Job.kind == search.JOB_KIND).order_by(Job.id.desc()))
        assert job.payload == {"file_ids": [record.id]} and job.status == "done"
        assert search.check_index(queue=False).missing == []  # in the index, at this version


# --- PostgreSQL (or any database) away -----------------------------------------------------

def test_while_the_database_is_away_pages_answer_503_in_the_users_language(tmp_path):
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "data"),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'missing-folder' / 'db.sqlite3'}"})
    client = app.test_client()
    response = client.get("/")
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "tạm gián đoạn" in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    client.set_cookie("lang", "en")
    with client.session_transaction() as session:  # a signed-in reader: loading the account needs the database
        session["_user_id"] = "1:0"
    english = client.get("/")
    assert english.status_code == 503 and "temporarily unavailable" in english.get_data(as_text=True)
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["status"] == "down"
    assert health.get_json()["database"]["status"] == "down"


# --- Redis away --------------------------------------------------------------------------

def test_with_redis_down_login_works_and_its_limits_still_hold(tmp_path):
    """Flask-Limiter falls back to this process's memory: no 500, and the account limit still answers 429."""
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    app = create_app({"TESTING": True, "DATABASE_URL": url, "DATA_DIR": str(tmp_path / "data"),
                      "OUTBOX_DIR": str(tmp_path / "outbox"), "REDIS_URL": f"redis://127.0.0.1:{_closed_port()}/0",
                      "RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN_ACCOUNT": "3 per 15 minutes"})
    with app.app_context():
        Base.metadata.create_all(db.engine)
    try:
        client = app.test_client()
        assert client.get("/").status_code == 200
        statuses = [login(client, "ai@example.vn", "sai-mat-khau").status_code for _ in range(4)]
        assert 500 not in statuses and statuses[-1] == 429
    finally:
        app.config.update(JOBS_IMMEDIATE=True)
        jobs.init_jobs(app)


# --- a full disk -------------------------------------------------------------------------

def _disk_full(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_scan_upload_on_a_full_disk_says_so_and_leaves_nothing(app, make_file, make_user, tmp_path, monkeypatch):
    record = make_file()
    admin = make_user(role="admin")
    folder = tmp_path / "pages"
    folder.mkdir()
    page_image(folder / "01.png", "Trang 1")
    monkeypatch.setattr("portal.services.scans.shutil.copyfile", _disk_full)
    with app.test_request_context():
        with pytest.raises(StorageFull) as caught:
            records.attach_scan(db.session.get(User, admin.id), db.session.get(RecordFile, record.id), folder)
        assert "đã đầy" in caught.value.message
        assert db.session.get(RecordFile, record.id).scan_path is None
    assert list((Path(app.config["DATA_DIR"]) / "scans").glob("*")) == []


def test_a_letter_upload_on_a_full_disk_keeps_the_form_and_saves_no_request(app, client, make_user, make_file,
                                                                             monkeypatch):
    reader = make_user()
    record = make_file()
    login(client, reader.email)
    client.post(f"/phieu-yeu-cau/gio/them/{record.id}")
    letter = io.BytesIO()
    Image.new("L", (600, 800), 230).save(letter, "PNG")
    letter.seek(0)
    monkeypatch.setattr(Path, "write_bytes", _disk_full)
    response = client.post("/phieu-yeu-cau/gio", data={
        "purpose": "02", "purpose_details": "Công văn số 12/UBND", "research_topic": "Quy hoạch đô thị",
        "fee_category": "10", "submit_token": "disk-full", "letter": (letter, "giay.png")})
    page = response.get_data(as_text=True)
    assert "đã đầy" in page and "Quy hoạch đô thị" in page  # told why, and what was typed is kept
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AccessRequest)) == 0
    letters = Path(app.config["DATA_DIR"]) / "letters"
    assert not letters.exists() or list(letters.iterdir()) == []


def test_an_import_on_a_full_disk_keeps_the_rows_before_and_says_where_it_stopped(app, make_user, tmp_path,
                                                                                   monkeypatch, client):
    admin = make_user(role="admin")
    folder = tmp_path / "bundle"
    (folder / "scans").mkdir(parents=True)
    page_image(folder / "scans" / "b.png", "Trang 1")
    header = ",".join(importer.MANIFEST_COLUMNS)
    rows = [{"fonds_code": "UBND", "fonds_name": "Ủy ban", "inventory_no": "1", "box_no": "1", "file_no": str(n),
             "file_code": f"UBND.2020.00{n}", "title": f"Hồ sơ số {n}", "start_date": "2020", "end_date": "2020",
             "retention": "01", "mode": "01", "scan": "scans/b.png" if n == 2 else ""} for n in (1, 2, 3)]
    lines = [",".join(row.get(c, "") for c in importer.MANIFEST_COLUMNS) for row in rows]
    (folder / "manifest.csv").write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    monkeypatch.setattr("portal.services.scans.shutil.copyfile", _disk_full)
    with app.test_request_context():
        with pytest.raises(StorageFull) as caught:
            importer.import_manifest(db.session.get(User, admin.id), folder / "manifest.csv")
        assert "dòng 3" in caught.value.message
        codes = list(db.session.scalars(select(RecordFile.file_code)))
        assert codes == ["UBND.2020.001"]  # the row before is in; the failing row left nothing
        assert search.check_index(queue=False).in_sync  # and it was indexed
    assert list((Path(app.config["DATA_DIR"]) / "scans").glob("*")) == []


def test_an_unexpected_full_disk_is_a_clear_507_page(app, client, monkeypatch):
    monkeypatch.setattr("portal.views.public.render_template", _disk_full)
    response = client.get("/")
    assert response.status_code == 507 and "đã đầy" in response.get_data(as_text=True)


# --- the health report --------------------------------------------------------------------

def test_the_health_report_names_every_part(app, client, make_user):
    response = client.get("/healthz")
    body = response.get_json()
    assert response.status_code == 200 and body["status"] in ("ok", "degraded")
    assert set(body) >= {"database", "queue", "worker", "disk", "index"}
    assert body["database"]["status"] == "ok" and body["disk"]["details"]["free_mb"] > 0
    assert body["index"]["summary"] == "Chỉ mục đồng bộ."
    with app.app_context():
        db.session.add(WorkerBeat(name="host:1", beat_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
    app.config["JOBS_IMMEDIATE"] = False
    try:
        assert client.get("/healthz").get_json()["worker"]["status"] == "down"
    finally:
        app.config["JOBS_IMMEDIATE"] = True


def test_staff_see_failed_jobs_with_their_error_and_can_retry(app, client, make_user):
    admin = make_user(role="admin")
    with app.app_context():
        job_id = jobs.submit("test.boom")
    login(client, admin.email)
    home = client.get("/nghiep-vu/").get_data(as_text=True)
    assert "Tình trạng hệ thống" in home and "1 công việc thất bại" in home
    page = client.get("/nghiep-vu/tac-vu").get_data(as_text=True)
    assert "RuntimeError: boom" in page and "Thất bại" in page
    assert client.post(f"/nghiep-vu/tac-vu/{job_id}/chay-lai").status_code == 302
    with app.app_context():
        job = _job(job_id)
        assert job.status == "failed" and job.attempts == 1  # ran again from the first attempt, failed again


def test_the_command_line_checks_the_index_and_sweeps(app, runner, make_file):
    make_file()
    result = runner.invoke(args=["search", "check", "--no-queue"])
    assert result.exit_code == 0 and "catalogue=1" in result.output and "queued=-" in result.output
    result = runner.invoke(args=["search", "check"])
    assert "queued=rebuild" in result.output
    assert "missing=0" in runner.invoke(args=["search", "check", "--no-queue"]).output
    assert runner.invoke(args=["jobs", "sweep"]).output.strip() == "requeued=0 failed=0 enqueued=0"


def test_a_connection_that_died_mid_request_does_not_turn_the_answer_into_a_500(app, client, monkeypatch):
    """PostgreSQL stopped while a request held a connection: closing the session must not fail the request."""
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    real_close = Session.close

    def close_on_a_dead_connection(self):
        monkeypatch.setattr(Session, "close", real_close)
        raise OperationalError("ROLLBACK", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(Session, "close", close_on_a_dead_connection)
    assert client.get("/").status_code == 200
