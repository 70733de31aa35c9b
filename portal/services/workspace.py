"""What the staff home shows: items due today or overdue, items waiting for the leader,
failed background jobs, the staff roster in numbers, and the space the data folder uses."""
from __future__ import annotations

import os
import shutil
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Job, JobStatus, RequestItem, Role, User
from ..workflow import ItemStatus

# Whose queue an undecided item is in.
QUEUE_OF_ROLE = {Role.ARCHIVIST.value: (ItemStatus.SUBMITTED.value,), Role.LEADER.value: (ItemStatus.FORWARDED.value,),
                 Role.ADMIN.value: (ItemStatus.SUBMITTED.value, ItemStatus.FORWARDED.value)}


@dataclass
class DueItems:
    today: list[RequestItem]
    overdue: list[RequestItem]


def _undecided(user: User):
    statuses = QUEUE_OF_ROLE.get(user.role, ())
    return (select(RequestItem).where(RequestItem.status.in_(statuses))
            .options(selectinload(RequestItem.request), selectinload(RequestItem.file),
                     selectinload(RequestItem.reader)).order_by(RequestItem.due_on, RequestItem.id))


def due_items(user: User, today: date) -> DueItems:
    """Items in the user's queue due today, and those past their due day (oldest first)."""
    overdue = list(db.session.scalars(_undecided(user).where(RequestItem.due_on < today).limit(50)))
    due = list(db.session.scalars(_undecided(user).where(RequestItem.due_on == today).limit(50)))
    return DueItems(today=due, overdue=overdue)


def waiting_items(user: User, limit: int = 50) -> list[RequestItem]:
    """Every item waiting in the user's queue, soonest due first."""
    return list(db.session.scalars(_undecided(user).limit(limit)))


def failed_jobs(limit: int = 10) -> tuple[int, list[Job]]:
    """How many background jobs failed for good, and the newest of them."""
    count = db.session.scalar(select(func.count(Job.id)).where(Job.status == JobStatus.FAILED.value)) or 0
    jobs = list(db.session.scalars(select(Job).where(Job.status == JobStatus.FAILED.value).order_by(Job.id.desc()).limit(limit)))
    return count, jobs


def staff_counts() -> dict[str, Counter]:
    """Staff accounts by role, active and disabled."""
    rows = db.session.execute(select(User.role, User.is_active_account, func.count(User.id))
                              .where(User.role != Role.READER.value).group_by(User.role, User.is_active_account))
    counts: dict[str, Counter] = {"active": Counter(), "disabled": Counter()}
    for role, active, n in rows:
        counts["active" if active else "disabled"][role] += n
    return counts


def folder_size(folder: Path) -> int:
    """Bytes of every file under ``folder`` (links are not followed)."""
    total = 0
    stack = [folder]
    while stack:
        try:
            entries = os.scandir(stack.pop())
        except OSError:
            continue
        with entries:
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(Path(entry.path))
                    elif entry.is_file(follow_symlinks=False):
                        total += entry.stat(follow_symlinks=False).st_size
                except OSError:
                    continue
    return total


def data_dir_usage() -> tuple[int, int, int]:
    """(bytes used by DATA_DIR, bytes free on its disk, disk size)."""
    folder = Path(current_app.config["DATA_DIR"])
    disk = shutil.disk_usage(folder)
    return folder_size(folder), disk.free, disk.total
