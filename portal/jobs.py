"""Background jobs on a real queue: huey with embedded SQLite storage, or Redis when
``REDIS_URL`` is set. ``flask jobs worker`` runs the consumer (process workers,
because pdfium is not thread-safe); ``make run`` starts it beside the web server.

The ``jobs`` table is the source of truth, huey's storage only the doorbell:

* :func:`add` writes the job row into the caller's transaction (the outbox
  pattern): the change and the work it needs commit together or not at all.
  The doorbell rings after the commit; :func:`submit` is ``add`` + commit.
* A worker *claims* a row with one conditional UPDATE (queued → running), so a
  doorbell rung twice runs the job once, and holds a **lease** on it that a
  heartbeat thread renews while the handler runs.
* The consumer's **sweeper** (a thread beside the workers, every
  ``JOBS_SWEEP_SECONDS``) takes back jobs whose lease lapsed (their worker was
  killed: SIGKILL, out of memory, a reboot), counting the attempt and failing
  the job visibly after ``JOBS_MAX_ATTEMPTS``; rings the doorbell for rows that
  were never enqueued (the queue was down, or the web process died right after
  its commit), for retries that are due, and for rows whose doorbell was lost.
* Handlers are idempotent: running one twice leaves the same result.

In tests (``JOBS_IMMEDIATE``) huey runs each job inline, in its own app context.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from huey import Huey, crontab
from huey.consumer import Consumer
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from redis import ConnectionPool
from sqlalchemy import event, func, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from .db import utcnow
from .extensions import db
from .models import WAITING_STATUSES, Job, JobStatus, WorkerBeat
from .storage import disk_full_message, is_disk_full

log = logging.getLogger(__name__)

# Configured by init_jobs(); until then an in-memory queue that nothing consumes.
huey = Huey("phongdoc", results=False, storage_class=MemoryStorage)
HANDLERS: dict[str, Callable[..., None]] = {}
MAX_ATTEMPTS = 3  # default of JOBS_MAX_ATTEMPTS
# Job ids added in a session's transaction, rung once it commits.
_OUTBOX = "jobs_outbox"
WORKER_NAME = f"{socket.gethostname()}:{os.getpid()}"[:80]
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
        # Short timeouts: with Redis down, a web request that rings a doorbell must not hang.
        pool = ConnectionPool.from_url(app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=10)
        huey.storage_class, huey.storage_kwargs = RedisStorage, {"connection_pool": pool}
    else:
        path = Path(app.config["DATA_DIR"]) / "jobs.sqlite3"
        huey.storage_class, huey.storage_kwargs = SqliteStorage, {"filename": str(path)}
    huey.storage = huey.create_storage()


class Wait(Exception):
    """Raised by a handler that cannot run *yet* (a missing system package, say): the job waits.

    It is not an attempt: the job goes back to "retrying" with ``reason`` as its last
    error, shown on the staff jobs page, and is tried again after ``seconds``.
    """

    def __init__(self, reason: str, seconds: int = 600) -> None:
        super().__init__(reason)
        self.reason, self.seconds = reason, seconds


def handler(kind: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register ``func(**payload)`` as the handler of jobs of ``kind``."""

    def register(func: Callable[..., None]) -> Callable[..., None]:
        HANDLERS[kind] = func
        return func

    return register


# --- submitting ------------------------------------------------------------------------

def add(kind: str, payload: dict[str, Any] | None = None, *, subject: tuple[str, object] | None = None) -> Job:
    """Write a job row into the current transaction; it is enqueued when that transaction commits.

    Use it *before* your commit, beside the change that needs the work: a crash
    between the two then loses neither (if the doorbell is never rung, the
    sweeper rings it).
    """
    job = Job(kind=kind, payload=payload or {}, status=JobStatus.QUEUED.value,
              subject_type=subject[0] if subject else None, subject_id=str(subject[1]) if subject else None)
    db.session.add(job)
    db.session.flush()
    db.session.info.setdefault(_OUTBOX, set()).add(job.id)
    return job


def submit(kind: str, payload: dict[str, Any] | None = None, *, subject: tuple[str, object] | None = None) -> int:
    """Record a job, commit (with whatever else the session holds), and enqueue it. Returns the job id."""
    job = add(kind, payload, subject=subject)
    db.session.commit()
    return job.id


def retry(job_id: int) -> None:
    """Queue a failed job again (staff action; the view checks permission and audits)."""
    job = db.session.get(Job, job_id)
    if job is None:
        return
    job.status, job.attempts, job.last_error, job.finished_at = JobStatus.QUEUED.value, 0, None, None
    job.run_after, job.enqueued_at, job.lease_until = None, None, None
    db.session.info.setdefault(_OUTBOX, set()).add(job.id)
    db.session.commit()


@event.listens_for(Session, "after_commit")
def _ring_after_commit(session: Session) -> None:
    ids = session.info.pop(_OUTBOX, None)
    for job_id in sorted(ids or ()):
        ring(job_id)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_OUTBOX, None)


def ring(job_id: int) -> bool:
    """Enqueue ``job_id`` on huey (inline in immediate mode); False when the queue is unreachable.

    The row stays as it is on failure: the sweeper rings again later.
    """
    if huey.immediate:
        run_job(job_id)
        return True
    try:
        run_job(job_id)
    except Exception as exc:  # noqa: BLE001 - Redis down, SQLite storage on a full disk…
        log.warning("job %s recorded; queue unavailable (%s): the sweeper will enqueue it", job_id, exc)
        return False
    try:
        with _engine().begin() as conn:
            conn.execute(update(Job).where(Job.id == job_id).values(enqueued_at=utcnow()))
    except Exception as exc:  # noqa: BLE001 - the sweeper may ring it once more: the claim makes that harmless
        log.warning("job %s enqueued but not marked (%s)", job_id, exc)
    return True


def _engine() -> Engine:
    return db.engine if has_app_context() else _app.extensions["db"]["engine"]  # type: ignore[union-attr]


# --- running ---------------------------------------------------------------------------

def _config(name: str, default: Any) -> Any:
    app = current_app if has_app_context() else _app
    return app.config.get(name, default) if app is not None else default


@huey.task()
def run_job(job_id: int) -> None:
    """The one huey task: run the job's handler inside an app context."""
    app = current_app._get_current_object() if has_app_context() else _app  # type: ignore[attr-defined]
    if app is None:
        raise RuntimeError("jobs.init_jobs() was not called in this process")
    # Links in mails come from portal.urls.external_url: no request context is needed.
    with app.app_context():
        execute(job_id)


def execute(job_id: int) -> str | None:
    """Claim the job, run its handler under a lease, record the outcome. Returns the new status.

    None: somebody else holds it, it is done, or its retry is not due (a doorbell rung twice).
    """
    attempt = _claim(job_id)
    if attempt is None:
        return None
    job = db.session.get(Job, job_id)
    assert job is not None
    lease = nullcontext() if huey.immediate else _Heartbeat(db.engine, job_id, attempt, _lease_seconds())
    try:
        with lease:
            HANDLERS[job.kind](**job.payload)
    except Wait as wait:
        db.session.rollback()
        log.info("job %s waits: %s", job_id, wait.reason)
        return _settle(job_id, attempt, status=JobStatus.RETRYING.value, attempts=attempt - 1, last_error=wait.reason[:4000],
                       enqueued_at=None, run_after=utcnow() + timedelta(seconds=wait.seconds))
    except Exception as exc:  # noqa: BLE001 - any handler error is the job's error, shown to staff
        db.session.rollback()
        return _record_failure(job_id, attempt, exc)
    db.session.rollback()  # whatever the handler left open
    return _settle(job_id, attempt, status=JobStatus.DONE.value, finished_at=utcnow(), last_error=None)


def _lease_seconds() -> int:
    return int(_config("JOBS_LEASE_SECONDS", 60))


def _max_attempts() -> int:
    return int(_config("JOBS_MAX_ATTEMPTS", MAX_ATTEMPTS))


def _claim(job_id: int) -> int | None:
    """queued/retrying → running in one UPDATE; returns the attempt number, or None if not ours."""
    now = utcnow()
    result = db.session.execute(
        update(Job).where(Job.id == job_id, Job.status.in_(WAITING_STATUSES),
                          or_(Job.run_after.is_(None), Job.run_after <= now))
        .values(status=JobStatus.RUNNING.value, attempts=Job.attempts + 1, started_at=now, worker=WORKER_NAME,
                lease_until=now + timedelta(seconds=_lease_seconds()), finished_at=None, updated_at=now)
        .execution_options(synchronize_session=False))
    db.session.commit()
    if result.rowcount != 1:
        return None
    return db.session.scalar(select(Job.attempts).where(Job.id == job_id))


def _settle(job_id: int, attempt: int, **values: Any) -> str | None:
    """Write the outcome, if this attempt still owns the job (the sweeper may have taken it back)."""
    result = db.session.execute(
        update(Job).where(Job.id == job_id, Job.status == JobStatus.RUNNING.value, Job.attempts == attempt)
        .values(lease_until=None, updated_at=utcnow(), **values).execution_options(synchronize_session=False))
    db.session.commit()
    return values.get("status") if result.rowcount == 1 else None


def _record_failure(job_id: int, attempt: int, exc: BaseException) -> str | None:
    error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:4000]
    if is_disk_full(exc):  # say it plainly: staff free space, then retry
        error = f"{disk_full_message()} ({error})"
    log.warning("job %s attempt %s failed: %s", job_id, attempt, error)
    # Immediate mode (tests) cannot wait for a delayed retry: the job fails visibly at once.
    if attempt >= _max_attempts() or huey.immediate:
        return _settle(job_id, attempt, status=JobStatus.FAILED.value, finished_at=utcnow(), last_error=error)
    delay = int(_config("JOBS_RETRY_DELAY", 10)) * attempt
    return _settle(job_id, attempt, status=JobStatus.RETRYING.value, last_error=error, enqueued_at=None,
                   run_after=utcnow() + timedelta(seconds=delay))


class _Heartbeat:
    """Renews the lease of a running job every third of its length, on its own connection."""

    def __init__(self, engine: Engine, job_id: int, attempt: int, seconds: int) -> None:
        self.engine, self.job_id, self.attempt, self.seconds = engine, job_id, attempt, seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{job_id}", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(max(1.0, self.seconds / 3)):
            try:
                with self.engine.begin() as conn:
                    conn.execute(update(Job).where(
                        Job.id == self.job_id, Job.status == JobStatus.RUNNING.value, Job.attempts == self.attempt,
                    ).values(lease_until=utcnow() + timedelta(seconds=self.seconds)))
            except Exception as exc:  # noqa: BLE001 - the database is away: the lease may lapse, the job then reruns
                log.warning("lease of job %s not renewed: %s", self.job_id, exc)


# --- the sweeper ----------------------------------------------------------------------------

@dataclass
class SweepReport:
    """What one sweep did."""

    requeued: int = 0  # lapsed leases taken back for another attempt
    failed: int = 0  # lapsed leases past the maximum
    rung: int = 0  # doorbells rung (never enqueued, retry due, or lost)


def sweep(now=None) -> SweepReport:
    """Take back lapsed leases and ring the doorbell of rows that need it (see the module docstring)."""
    now = now or utcnow()
    report = SweepReport()
    requeued: list[int] = []
    lapsed = db.session.scalars(select(Job).where(
        Job.status == JobStatus.RUNNING.value,
        or_(Job.lease_until < now,
            Job.lease_until.is_(None) & (Job.updated_at < now - timedelta(seconds=_lease_seconds()))),
    )).all()
    for job in lapsed:
        final = job.attempts >= _max_attempts()
        error = (f"worker {job.worker or '?'} stopped during attempt {job.attempts} "
                 f"(lease lapsed at {job.lease_until or job.updated_at:%Y-%m-%d %H:%M:%S} UTC)")
        values: dict[str, Any] = {"status": JobStatus.FAILED.value if final else JobStatus.RETRYING.value, "lease_until": None,
                                  "last_error": error, "updated_at": now}
        if final:
            values["finished_at"] = now
        else:
            values.update(run_after=None, enqueued_at=None)
        result = db.session.execute(update(Job).where(Job.id == job.id, Job.status == JobStatus.RUNNING.value,
                                                      Job.attempts == job.attempts)
                                    .values(**values).execution_options(synchronize_session=False))
        if result.rowcount == 1:
            log.warning("job %s (%s): %s%s", job.id, job.kind, error, "; failed" if final else "; requeued")
            report.failed += final
            report.requeued += not final
            if not final:
                requeued.append(job.id)
    db.session.commit()

    grace = now - timedelta(seconds=int(_config("JOBS_ENQUEUE_GRACE_SECONDS", 5)))
    waiting = or_(Job.run_after.is_(None), Job.run_after <= now)
    never_rung = list(db.session.scalars(select(Job.id).where(
        Job.status.in_(WAITING_STATUSES), waiting, Job.enqueued_at.is_(None), Job.updated_at <= grace,
    ).order_by(Job.id)))
    # A doorbell rung long ago for a job that never started, while the queue is empty, was lost
    # (a Redis restart without persistence): ring again; the claim makes a duplicate harmless.
    lost: list[int] = []
    stale = now - timedelta(seconds=int(_config("JOBS_RERING_SECONDS", 120)))
    if not huey.immediate and _queue_length() == 0:
        lost = list(db.session.scalars(select(Job.id).where(
            Job.status.in_(WAITING_STATUSES), waiting, Job.enqueued_at < stale).order_by(Job.id)))
    db.session.rollback()
    for job_id in [*requeued, *(i for i in never_rung if i not in requeued), *lost]:
        if not ring(job_id):
            break  # the queue is down: try again at the next sweep
        report.rung += 1
    return report


def _queue_length() -> int:
    try:
        return int(huey.pending_count())
    except Exception:  # noqa: BLE001 - the queue is unreachable
        return -1  # unknown: do not re-ring


def beat(name: str = WORKER_NAME, now=None) -> None:
    """Record that the consumer ``name`` is alive (read by the health report)."""
    now = now or utcnow()
    row = db.session.get(WorkerBeat, name)
    if row is None:
        db.session.add(WorkerBeat(name=name, started_at=now, beat_at=now))
    else:
        row.beat_at = now
    db.session.commit()


# Checks the consumer's sweeper also runs, registered by the modules that own them:
# (config key of the interval in seconds, default interval, function).
SUPERVISED: list[tuple[str, int, Callable[[], object]]] = []


def supervise(app: Flask, stop: threading.Event) -> None:
    """The sweeper loop (a thread of ``flask jobs worker``): sweep, beat, and the registered checks.

    Every failure is logged and the loop goes on: with the database or the queue
    away, the next round tries again.
    """
    interval = float(app.config.get("JOBS_SWEEP_SECONDS", 15))
    last_run: dict[str, float] = {}
    while not stop.is_set():
        with app.app_context():
            for name, func in [("sweep", sweep), ("beat", beat)]:
                try:
                    func()
                except Exception as exc:  # noqa: BLE001 - failures are logged, the loop goes on
                    log.warning("%s failed: %s", name, exc)
                    db.session.rollback()
            for key, default, check in SUPERVISED:
                every = float(app.config.get(key, default))
                if time.monotonic() - last_run.get(key, -every) >= every:
                    last_run[key] = time.monotonic()
                    try:
                        check()
                    except Exception as exc:  # noqa: BLE001 - failures are logged, the loop goes on
                        log.warning("%s failed: %s", key, exc)
                        db.session.rollback()
        stop.wait(interval)


# --- what staff see ---------------------------------------------------------------------

@dataclass
class QueueState:
    """Counts of the jobs table, for staff and the health report."""

    queued: int = 0
    running: int = 0
    retrying: int = 0
    failed: int = 0
    stuck: int = 0  # running longer than JOBS_STUCK_MINUTES, or waiting for the queue longer than that
    oldest_waiting_seconds: int | None = None


def queue_state(now=None) -> QueueState:
    """How many jobs wait, run, retry, failed or look stuck."""
    now = now or utcnow()
    counts = dict(db.session.execute(select(Job.status, func.count()).group_by(Job.status)).all())
    state = QueueState(queued=counts.get(JobStatus.QUEUED.value, 0), running=counts.get(JobStatus.RUNNING.value, 0),
                       retrying=counts.get(JobStatus.RETRYING.value, 0), failed=counts.get(JobStatus.FAILED.value, 0))
    state.stuck = len(stuck_job_ids(now))
    oldest = db.session.scalar(select(func.min(Job.created_at)).where(Job.status.in_(WAITING_STATUSES)))
    if oldest is not None:
        state.oldest_waiting_seconds = max(0, int((now - oldest).total_seconds()))
    return state


def stuck_job_ids(now=None) -> set[int]:
    """Jobs that run or wait far longer than a job should: a hung handler, or no worker running."""
    now = now or utcnow()
    limit = now - timedelta(minutes=int(_config("JOBS_STUCK_MINUTES", 30)))
    return set(db.session.scalars(select(Job.id).where(or_(
        (Job.status == JobStatus.RUNNING.value) & (Job.started_at < limit),
        Job.status.in_(WAITING_STATUSES) & (Job.created_at < limit),
    ))))


def jobs_needing_attention(limit: int = 100) -> list[Job]:
    """Failed, retrying and stuck jobs first, then the newest others (the staff jobs page)."""
    stuck = stuck_job_ids()
    rows = list(db.session.scalars(select(Job).where(
        or_(Job.status.in_((JobStatus.FAILED.value, JobStatus.RETRYING.value, JobStatus.RUNNING.value, JobStatus.QUEUED.value)), Job.id.in_(stuck) if stuck else False)
    ).order_by(Job.id.desc()).limit(limit)))
    order = {JobStatus.FAILED.value: 0, JobStatus.RETRYING.value: 1, JobStatus.RUNNING.value: 2, JobStatus.QUEUED.value: 3}
    return sorted(rows, key=lambda j: (0 if j.id in stuck else 1, order.get(j.status, 4), -j.id))


# --- the consumer -------------------------------------------------------------------------

@huey.on_startup()
def _fresh_connections() -> None:
    # Worker processes are forked: they must not share the parent's database connections.
    # (Worker threads share the process and its pool: nothing to do.)
    global WORKER_NAME
    if _app is not None and os.getpid() != _app_pid:
        WORKER_NAME = f"{socket.gethostname()}:{os.getpid()}"[:80]
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


class _Consumer(Consumer):
    """huey's consumer, plus the sweeper thread, started once the worker processes are forked."""

    def __init__(self, app: Flask, *args: Any, **kwargs: Any) -> None:
        super().__init__(huey, *args, **kwargs)
        self._stop_sweeper = threading.Event()
        self._sweeper = threading.Thread(target=supervise, args=(app, self._stop_sweeper), name="sweeper",
                                         daemon=True)

    def start(self) -> None:
        super().start()
        if not self._sweeper.is_alive():
            self._sweeper.start()

    def stop(self, graceful: bool = False) -> None:
        self._stop_sweeper.set()
        super().stop(graceful=graceful)


def worker(workers: int = 2) -> None:
    """Run the consumer and its sweeper in this process until interrupted (``flask jobs worker``)."""
    logging.basicConfig(level=logging.INFO, format="[%(asctime)s] %(levelname)s %(name)s: %(message)s")
    if _app is None:
        raise RuntimeError("jobs.init_jobs() was not called in this process")
    _Consumer(_app, workers=workers, worker_type="process", periodic=True, check_worker_health=True,
              health_check_interval=2, initial_delay=0.2, max_delay=2.0).run()
