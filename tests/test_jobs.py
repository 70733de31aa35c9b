"""The background queue for real: huey on embedded SQLite storage, and on Redis when REDIS_URL is set."""
from __future__ import annotations

import signal
import time

import pytest
import redis
from huey.storage import RedisStorage, SqliteStorage
from sqlalchemy import select

from portal import jobs
from portal.extensions import db
from portal.models import Job

CALLS: list[int] = []


@jobs.handler("test.record_call")
def _record_call(value: int) -> None:
    CALLS.append(value)


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(params=["sqlite", "redis"])
def real_queue(request, app):
    """Switch the app from inline jobs to a real queue, consumed by a worker thread."""
    if request.param == "redis":
        if not _redis_answers():
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        app.config["REDIS_URL"] = "redis://127.0.0.1:6379/15"
    app.config["JOBS_IMMEDIATE"] = False
    jobs.init_jobs(app)
    expected = RedisStorage if request.param == "redis" else SqliteStorage
    assert isinstance(jobs.huey.storage, expected)
    jobs.huey.flush()
    consumer = jobs.huey.create_consumer(workers=1, worker_type="thread", periodic=False, initial_delay=0.05,
                                         max_delay=0.2)
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer.start()  # worker threads poll the storage, as the worker processes do in production
    yield
    consumer.stop(graceful=True)
    for sig, handler in saved.items():
        signal.signal(sig, handler)
    jobs.huey.flush()
    jobs.huey.storage.close()
    app.config["JOBS_IMMEDIATE"] = True
    jobs.init_jobs(app)


def test_a_job_goes_through_the_real_queue(app, real_queue):
    CALLS.clear()
    with app.app_context():
        job_id = jobs.submit("test.record_call", {"value": 7})
        assert db.session.get(Job, job_id).status in ("queued", "running", "done")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with app.app_context():
            status = db.session.scalar(select(Job.status).where(Job.id == job_id))
        if status == "done":
            break
        time.sleep(0.1)
    assert status == "done" and CALLS == [7]


def test_failed_jobs_are_visible_and_can_be_retried(app):
    attempts: list[int] = []

    @jobs.handler("test.flaky")
    def flaky(n: int) -> None:
        attempts.append(n)
        if len(attempts) == 1:
            raise RuntimeError("disk full")

    with app.app_context():
        job_id = jobs.submit("test.flaky", {"n": 1})
        job = db.session.get(Job, job_id)
        assert job.status == "failed" and "disk full" in job.last_error
        jobs.retry(job_id)
        db.session.expire_all()
        assert db.session.get(Job, job_id).status == "done" and len(attempts) == 2
