"""Is the portal well? Database, queue and worker, disk, search index — one report.

:func:`health_report` is what ``/healthz`` answers (for the process manager and
monitoring) and what the staff home shows. Each part is checked on its own, so
a part that is down (the database, Redis) never hides the others.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, text

from .. import jobs
from ..db import utcnow
from ..extensions import db
from ..models import WorkerBeat
from ..storage import disk_state
from .search import index_state

OK, WARN, DOWN = "ok", "warn", "down"


@dataclass
class Part:
    """One part of the report: its state, one line for people, figures for machines."""

    status: str
    summary: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class HealthReport:
    """The whole report; ``status`` is "down" when the database is, "degraded" when any part is not ok."""

    status: str
    checked_at: str
    parts: dict[str, Part]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"status", "checked_at", "database": {...}, "queue": {...}, ...}``."""
        return {"status": self.status, "checked_at": self.checked_at,
                **{name: asdict(part) for name, part in self.parts.items()}}


def health_report() -> HealthReport:
    """Check every part now (a few cheap queries and two ``stat`` calls)."""
    parts: dict[str, Part] = {"database": _database()}
    database_up = parts["database"].status == OK
    parts["queue"] = _queue(database_up)
    parts["worker"] = _worker(database_up)
    parts["disk"] = _disk()
    parts["index"] = _index(database_up)
    if not database_up:
        status = "down"
    elif all(part.status == OK for part in parts.values()):
        status = "ok"
    else:
        status = "degraded"
    return HealthReport(status=status, checked_at=utcnow().isoformat(timespec="seconds") + "Z", parts=parts)


def _unknown() -> Part:
    return Part(WARN, _("Không kiểm tra được khi cơ sở dữ liệu gián đoạn."))


def _database() -> Part:
    started = time.monotonic()
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except Exception as exc:  # noqa: BLE001 - any failure means: the database does not answer
        current_app.logger.warning("health: database unavailable: %s", exc)
        db.session.rollback()
        return Part(DOWN, _("Cơ sở dữ liệu không trả lời."))
    ms = round((time.monotonic() - started) * 1000, 1)
    return Part(OK, _("Cơ sở dữ liệu hoạt động."), {"latency_ms": ms})


def _queue(database_up: bool) -> Part:
    details: dict[str, Any] = {"backend": "redis" if current_app.config.get("REDIS_URL") else "sqlite"}
    try:
        details["pending_in_queue"] = int(jobs.huey.pending_count())
        reachable = True
    except Exception as exc:  # noqa: BLE001 - any failure means: the queue does not answer
        current_app.logger.warning("health: queue unavailable: %s", exc)
        reachable = False
    details["reachable"] = reachable
    if not database_up:
        return Part(DOWN if not reachable else WARN, _("Không kiểm tra được khi cơ sở dữ liệu gián đoạn."), details)
    state = jobs.queue_state()
    db.session.rollback()
    details.update(asdict(state))
    if not reachable:
        return Part(DOWN, _("Hàng đợi không trả lời; công việc mới được ghi lại và sẽ chạy khi hàng đợi hoạt động "
                            "trở lại."), details)
    if state.failed or state.stuck:
        return Part(WARN, _("%(failed)d công việc thất bại, %(stuck)d công việc bị treo.",
                            failed=state.failed, stuck=state.stuck), details)
    return Part(OK, _("%(waiting)d công việc đang chờ, %(running)d đang chạy.",
                      waiting=state.queued + state.retrying, running=state.running), details)


def _worker(database_up: bool) -> Part:
    if not database_up:
        return _unknown()
    if current_app.config.get("JOBS_IMMEDIATE"):
        return Part(OK, _("Công việc chạy ngay trong tiến trình web."), {"immediate": True})
    sweep = int(current_app.config.get("JOBS_SWEEP_SECONDS", 15))
    last = db.session.scalar(select(func.max(WorkerBeat.beat_at)))
    db.session.rollback()
    if last is None:
        return Part(DOWN, _("Tiến trình xử lý công việc chưa từng chạy."), {"last_beat": None})
    age = (utcnow() - last).total_seconds()
    details = {"last_beat": last.isoformat(timespec="seconds") + "Z", "seconds_ago": int(age)}
    if age > max(3 * sweep, 60):
        return Part(DOWN, _("Tiến trình xử lý công việc không hoạt động."), details)
    return Part(OK, _("Tiến trình xử lý công việc đang chạy."), details)


def _disk() -> Part:
    try:
        state = disk_state()
    except OSError as exc:
        return Part(DOWN, _("Không đọc được thư mục dữ liệu."), {"error": exc.strerror})
    details = {"free_mb": state.free_bytes // (1024 * 1024), "total_mb": state.total_bytes // (1024 * 1024)}
    if state.low:
        return Part(WARN, _("Ổ lưu trữ sắp đầy: còn %(mb)d MB.", mb=details["free_mb"]), details)
    return Part(OK, _("Ổ lưu trữ còn %(mb)d MB.", mb=details["free_mb"]), details)


def _index(database_up: bool) -> Part:
    if not database_up:
        return _unknown()
    try:
        state = index_state()
    except Exception as exc:  # noqa: BLE001 - a damaged index folder must not break the report
        current_app.logger.warning("health: index unreadable: %s", exc)
        db.session.rollback()
        return Part(DOWN, _("Không đọc được chỉ mục tìm kiếm."))
    details = {"catalogue": state.catalogue, "indexed": state.indexed, "waiting": state.waiting,
               "pending_jobs": state.pending_jobs,
               "last_check": state.last_check.get("checked_at") if state.last_check else None}
    if state.in_sync:
        return Part(OK, _("Chỉ mục đồng bộ."), details)
    return Part(WARN, _("%(n)d hồ sơ đang chờ lập chỉ mục.", n=state.waiting), details)

