"""Background jobs on a real queue: huey with embedded SQLite storage, or Redis when
``REDIS_URL`` is set. ``flask jobs worker`` runs the consumer (process workers,
because pdfium is not thread-safe); ``make run`` starts it beside the web server.

Every job also has a row in the ``jobs`` table so staff can see what is queued,
running, retrying or failed, and retry a failed job. Handlers are registered by
name with :func:`handler`; :func:`submit` records the job and enqueues it after
the caller's commit. In tests (``JOBS_IMMEDIATE``) huey runs each job inline.
"""
from __future__ import annotations

import os
import traceback
from pathlib import Path
from typing import Any, Callable

from flask import Flask, current_app, has_app_context
from huey import Huey, crontab
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

from .db import utcnow
from .extensions import db
from .models import Job

# Configured by init_jobs(); until then an in-memory queue that nothing consumes.
huey = Huey("phongdoc", results=False, storage_class=MemoryStorage)
HANDLERS: dict[str, Callable[..., None]] = {}
MAX_ATTEMPTS = 3
_app: Flask | None = None  # the app a worker process runs jobs in
_app_pid: int | None = None  # the process that configured it (forked workers differ)


def init_jobs(app: Flask) -> None:
    """Point huey at the storage the config asks for."""
    global _app, _app_pid
    _app, _app_pid = app, os.getpid()
    if app.config.get("JOBS_IMMEDIATE"):
        huey.immediate = True
        return
    huey.immediate = False
    if app.config.get("REDIS_URL"):
        huey.storage_class, huey.storage_kwargs = RedisStorage, {"url": app.config["REDIS_URL"]}
    else:
        path = Path(app.config["DATA_DIR"]) / "jobs.sqlite3"
        huey.storage_class, huey.storage_kwargs = SqliteStorage, {"filename": str(path)}
    huey.storage = huey.create_storage()


def handler(kind: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register ``func(**payload)`` as the handler of jobs of ``kind``."""

    def register(func: Callable[..., None]) -> Callable[..., None]:
        HANDLERS[kind] = func
        return func

    return register


def submit(kind: str, payload: dict[str, Any] | None = None, *, subject: tuple[str, object] | None = None) -> int:
    """Record a job, commit, and enqueue it. Returns the job id.

    Call it after your own changes are committed: the worker may start at once.
    """
    job = Job(kind=kind, payload=payload or {}, status="queued",
              subject_type=subject[0] if subject else None, subject_id=str(subject[1]) if subject else None)
    db.session.add(job)
    db.session.commit()
    run_job(job.id)
    return job.id


def retry(job_id: int) -> None:
    """Queue a failed job again (staff action; the view checks permission and audits)."""
    job = db.session.get(Job, job_id)
    if job is None:
        return
    job.status, job.attempts, job.last_error, job.finished_at = "queued", 0, None, None
    db.session.commit()
    run_job(job.id)


@huey.task(retries=MAX_ATTEMPTS - 1, retry_delay=10, context=True)
def run_job(job_id: int, task=None) -> None:
    """The one huey task: run the job's handler inside an app context."""
    app = current_app._get_current_object() if has_app_context() else _app  # type: ignore[attr-defined]
    if app is None:
        raise RuntimeError("jobs.init_jobs() was not called in this process")
    # Links in mails come from portal.urls.external_url: no request context is needed.
    with app.app_context():
        _execute(job_id, retries_left=task.retries if task is not None else 0)


def _execute(job_id: int, retries_left: int) -> None:
    job = db.session.get(Job, job_id)
    if job is None or job.status == "done":
        return
    job.status, job.attempts = "running", job.attempts + 1
    db.session.commit()
    try:
        HANDLERS[job.kind](**job.payload)
    except Exception as exc:
        db.session.rollback()
        job = db.session.get(Job, job_id)
        job.last_error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:4000]
        # Immediate mode (tests) cannot wait for a delayed retry: the job fails visibly at once.
        final = retries_left <= 0 or huey.immediate
        job.status = "failed" if final else "retrying"
        job.finished_at = utcnow() if final else None
        db.session.commit()
        if final:
            return
        raise
    job = db.session.get(Job, job_id)
    job.status, job.finished_at, job.last_error = "done", utcnow(), None
    db.session.commit()


@huey.on_startup()
def _fresh_connections() -> None:
    # Worker processes are forked: they must not share the parent's database connections.
    # (Worker threads share the process and its pool: nothing to do.)
    if _app is not None and os.getpid() != _app_pid:
        with _app.app_context():
            db.engine.dispose(close=False)


@huey.periodic_task(crontab(minute="*/10"))
def housekeeping() -> None:
    """Every ten minutes: end reading windows that are over, send reminders, purge old copies."""
    if _app is None:
        return
    with _app.app_context():
        for task in PERIODIC:
            task()


# Functions the housekeeping task calls, registered by the modules that own them.
PERIODIC: list[Callable[[], None]] = []


def worker(workers: int = 2) -> None:
    """Run the consumer in this process until interrupted (``flask jobs worker``)."""
    import logging

    logging.basicConfig(level=logging.INFO, format="[%(asctime)s] %(levelname)s %(name)s: %(message)s")
    consumer = huey.create_consumer(workers=workers, worker_type="process", periodic=True,
                                    check_worker_health=True, initial_delay=0.2, max_delay=2.0)
    consumer.run()
