"""The job queue as staff see it: what failed, retried or looks stuck, and retrying a job."""
from __future__ import annotations

from flask_babel import gettext as _

from .. import jobs
from ..errors import InvalidTransition, NotFound
from ..extensions import db
from ..models import Job, JobStatus, User
from ..permissions import require
from .audit import record_event


def jobs_for_staff(user: User) -> tuple[list[Job], set[int], jobs.QueueState]:
    """(jobs needing attention, ids of the stuck ones, counts)."""
    require(user, "jobs.manage")
    return jobs.jobs_needing_attention(), jobs.stuck_job_ids(), jobs.queue_state()


def retry_job(user: User, job_id: int) -> Job:
    """Run a failed job again, from its first attempt (audited)."""
    require(user, "jobs.manage")
    job = db.session.get(Job, job_id)
    if job is None:
        raise NotFound(_("Không tìm thấy công việc."))
    if job.status != JobStatus.FAILED.value:
        raise InvalidTransition(_("Chỉ chạy lại được công việc đã thất bại."))
    record_event(db.session, user, "job.retry", "job", job.id, from_state=job.status, to_state=JobStatus.QUEUED.value,
                 data={"kind": job.kind})
    jobs.retry(job.id)  # commits the event with the job's new state
    return job
