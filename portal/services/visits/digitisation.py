"""Digitisation on demand: readers ask for an undigitised file to be scanned
first; staff see a queue (how many readers wait, by when); when the scan is
attached — staff upload or manifest import — every waiting granted item gets
its reading window, its reading copy built and its reader mailed, with no
further clicks (a hook on ``file.scan_attached``)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from ... import hooks
from ...db import utcnow
from ...deadlines import add_working_days, holiday_set
from ...extensions import db
from ...models import DigitisationRequest, RecordFile, RequestItem, User
from ...permissions import require
from ...workflow import Action, ItemStatus, OPEN_STATUSES
from .. import reading
from ..audit import record_event
from .calendar import now_local, room_settings

WAITING, DONE, CANCELLED = "waiting", "done", "cancelled"


@hooks.register("item.submitted")
def on_item_submitted(item: RequestItem) -> None:
    """A digitise-first item joins the queue, in the submitting transaction."""
    if item.use == "digitise":
        add_wait(item)


def add_wait(item: RequestItem) -> DigitisationRequest:
    """Record, in the caller's transaction, that the item's reader waits for the file to be digitised."""
    due = add_working_days(now_local().date(), room_settings().digitise_working_days, holiday_set())
    wait = DigitisationRequest(item_id=item.id, file_id=item.file_id, reader_id=item.reader_id, status=WAITING,
                               due_on=due)
    db.session.add(wait)
    return wait


@dataclass
class QueueRow:
    """One file in the digitisation queue."""

    file: RecordFile
    readers: int
    granted: int
    due_on: date
    first_asked: datetime

    @property
    def overdue(self) -> bool:
        return self.due_on < now_local().date()


def queue(actor: User) -> list[QueueRow]:
    """Files readers are waiting to have digitised, the earliest due first."""
    require(actor, "digitisation.queue")
    open_statuses = [s.value for s in OPEN_STATUSES]
    rows = db.session.execute(
        select(DigitisationRequest.file_id, func.count(func.distinct(DigitisationRequest.reader_id)),
               func.min(DigitisationRequest.due_on), func.min(DigitisationRequest.requested_at))
        .join(RequestItem, RequestItem.id == DigitisationRequest.item_id)
        .where(DigitisationRequest.status == WAITING, RequestItem.status.in_(open_statuses))
        .group_by(DigitisationRequest.file_id))
    result = []
    for file_id, readers, due_on, first in rows:
        granted = db.session.scalar(select(func.count(DigitisationRequest.id))
                                    .join(RequestItem, RequestItem.id == DigitisationRequest.item_id)
                                    .where(DigitisationRequest.file_id == file_id,
                                           DigitisationRequest.status == WAITING,
                                           RequestItem.status == ItemStatus.GRANTED.value)) or 0
        result.append(QueueRow(db.session.get(RecordFile, file_id), readers, granted, due_on, first))
    return sorted(result, key=lambda row: (row.due_on, row.first_asked))


def _window_days() -> int:
    # The same rule as the request service's grant_days (kept here: this module must not import it back).
    config = current_app.config
    return max(1, min(int(config["GRANT_DAYS"]), int(config["GRANT_MAX_DAYS"])))


@hooks.register("item.decided")
def on_item_decided(item: RequestItem, action: Action) -> bool:
    """A digitise-first item: a grant waits for the scan (no window yet); a refusal ends the wait.
    The decision mail is left to the request service (False)."""
    wait = item.digitisation
    if item.use != "digitise" or wait is None:
        return False
    if item.status == ItemStatus.GRANTED.value and wait.status == WAITING and not item.file.is_digitised:
        item.grant_starts_at = item.grant_ends_at = None  # the reading window opens when the scan arrives
        db.session.commit()
    elif ItemStatus(item.status) not in OPEN_STATUSES and wait.status == WAITING:
        wait.status = CANCELLED
        record_event(db.session, None, "digitisation.cancel", "file", item.file_id,
                     data={"item": item.id, "status": item.status})
        db.session.commit()
    elif item.file.is_digitised and wait.status == WAITING:
        wait.status, wait.done_at = DONE, utcnow()  # scanned before the decision: nothing left to wait for
        db.session.commit()
    return False


@hooks.register("file.scan_attached")
def on_scan_attached(record: RecordFile, actor: User | None = None) -> None:
    """The scan is here: close every wait for the file; granted items get their window and reading copy."""
    waits = list(db.session.scalars(select(DigitisationRequest).where(
        DigitisationRequest.file_id == record.id, DigitisationRequest.status == WAITING)))
    if not waits:
        return
    now = utcnow()
    ready: list[RequestItem] = []
    for wait in waits:
        wait.status, wait.done_at = DONE, now
        item = wait.item
        if item.status == ItemStatus.GRANTED.value:
            item.grant_starts_at, item.grant_ends_at = now, now + timedelta(days=_window_days())
            record_event(db.session, actor, "item.digitised", "item", item.id, from_state=item.status,
                         to_state=item.status, data={"file_code": record.file_code, "request": item.request.code})
            ready.append(item)
    record_event(db.session, actor, "digitisation.done", "file", record.id,
                 data={"file_code": record.file_code, "readers": len(waits), "copies": len(ready)})
    db.session.commit()
    for item in ready:
        reading.request_copy(item)  # builds in the background, then mails the reader "bản đọc đã sẵn sàng"


def waiting_for(item: RequestItem) -> DigitisationRequest | None:
    """The item's wait for digitisation, if any."""
    return db.session.scalar(select(DigitisationRequest).where(DigitisationRequest.item_id == item.id))
