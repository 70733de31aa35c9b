"""The panels of the staff home and the admin's health lines that the portal itself provides.

Other modules (reading-room visits, copy orders, the job health report) register
theirs the same way in their own modules: see :mod:`portal.dashboard`.
"""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..dashboard import HealthResult, health_report, register_health_check, register_panel
from ..deadlines import today_local
from ..extensions import db
from ..permissions import can
from ..services import accounts, audit, statistics, workspace

CLERKS = ("archivist", "admin")
STAFF = ("archivist", "leader", "admin")


def human_size(size: float) -> str:
    """Bytes for a person: ``1,4 GB``."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            text = f"{size:.0f}" if unit == "B" else f"{size:.1f}"
            return f"{text.replace('.', ',')} {unit}"
        size /= 1024
    return f"{size} TB"


@register_panel("due_today", "staff/panels/due.html", roles=CLERKS, order=10)
def due_today(user):
    """Items due today and overdue in the archivist's queue."""
    return {"due": workspace.due_items(user, today_local())}


@register_panel("leader_waiting", "staff/panels/waiting.html", roles=("leader",), order=10)
def leader_waiting(user):
    """Items forwarded to the leader, with their due dates."""
    return {"items": workspace.waiting_items(user), "today": today_local()}


@register_panel("readers_waiting", "staff/panels/readers.html", roles=CLERKS, order=20)
def readers_waiting(user):
    return {"waiting": accounts.readers_waiting()}


@register_panel("failed_jobs", "staff/panels/jobs.html", roles=CLERKS, order=30)
def failed_jobs(user):
    count, jobs = workspace.failed_jobs()
    return {"count": count, "jobs": jobs}


@register_panel("year_figures", "staff/panels/figures.html", roles=("leader", "admin"), order=40)
def year_figures(user):
    """This year at a glance, with a link to the statistics."""
    today = today_local()
    return {"stats": statistics.compute(user, statistics.make_period(None, None, today), today)}


@register_panel("staff_accounts", "staff/panels/staff.html", roles=("admin",), order=50)
def staff_accounts(user):
    return {"counts": workspace.staff_counts()}


@register_panel("settings", "staff/panels/settings.html", roles=("admin",), order=60)
def settings(user):
    return {}


@register_panel("health", "staff/panels/health.html", roles=("admin",), order=70)
def health(user):
    return {"checks": health_report()}


@register_panel("recent", "staff/panels/recent.html", roles=STAFF, order=90)
def recent(user):
    if not can(user, "audit.view"):
        return None
    events = audit.events_for(db.session, limit=10)
    return {"events": events, "user_names": audit.user_names(db.session, events)}


@register_health_check("failed_jobs", _l("Tác vụ nền lỗi"), order=10)
def failed_jobs_check() -> HealthResult:
    count, _jobs = workspace.failed_jobs(limit=0)
    return HealthResult(str(count), ok=count == 0, link=url_for("staff.reading_watch") if count else None)


@register_health_check("data_dir", _l("Dung lượng thư mục dữ liệu (DATA_DIR)"), order=20)
def data_dir_check() -> HealthResult:
    used, free, total = workspace.data_dir_usage()
    # Below 10 % free, scans and reading copies may soon fail to be written.
    return HealthResult(_("%(used)s đã dùng; còn trống %(free)s / %(total)s",
                          used=human_size(used), free=human_size(free), total=human_size(total)),
                        ok=free >= total * 0.10)
