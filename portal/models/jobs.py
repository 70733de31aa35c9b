"""Background jobs as staff see them: what was asked, its state, attempts, lease and last error.

The ``jobs`` table is the source of truth; huey's storage (SQLite or Redis) is
only the doorbell that wakes a worker. A row written in the same transaction as
the change that needs it (the outbox pattern) is enqueued after the commit; the
worker's sweeper enqueues rows that never were (Redis down, a crash right after
the commit) and takes back the rows of workers that died (their lease lapsed).
"""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, utcnow


class JobStatus(str, enum.Enum):
    """queued → running → done | retrying → … → failed (staff may retry a failed job)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    RETRYING = "retrying"
    FAILED = "failed"


# Waiting for a worker: never run yet, or due to run again.
WAITING_STATUSES = (JobStatus.QUEUED.value, JobStatus.RETRYING.value)


class Job(Base):
    """One unit of background work (the queue itself lives in huey's storage)."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.QUEUED.value, index=True)  # JobStatus
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None]
    # When the doorbell was rung (None: never, e.g. the queue was down at commit time).
    enqueued_at: Mapped[datetime | None]
    # A retry waits until then (the sweeper rings the doorbell when it is due).
    run_after: Mapped[datetime | None]
    # While running: who runs it, since when, and until when the lease holds (renewed by a heartbeat).
    started_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    worker: Mapped[str | None] = mapped_column(String(80))

    __table_args__ = (Index("ix_jobs_subject", "subject_type", "subject_id"),)


class WorkerBeat(Base):
    """The last sign of life of a job consumer (its sweeper writes it), for the health report."""

    __tablename__ = "worker_beats"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)  # host:pid
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    beat_at: Mapped[datetime] = mapped_column(default=utcnow)
