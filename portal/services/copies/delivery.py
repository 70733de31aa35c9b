"""Delivering copies: downloads for the orderer only (15 days, each one logged), the paper
print list, posted or collected, and the housekeeping that expires and deletes.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select

from ... import copy_workflow as wf
from ...copy_workflow import CopyAction, CopyStatus
from ...db import utcnow
from ...errors import Conflict, NotFound, NotPermitted, ValidationError
from ...extensions import db
from ...models import CopyDownload, CopyOrder, User
from ...permissions import require
from ..audit import record_event
from . import orders


def stored_path(order: CopyOrder) -> Path:
    return Path(current_app.config["DATA_DIR"]) / str(order.pdf_path)


def can_download(order: CopyOrder) -> bool:
    """A digital copy is there for its orderer until the window ends."""
    return (order.delivery == "download" and order.status in (CopyStatus.PRODUCED.value, CopyStatus.DELIVERED.value)
            and bool(order.pdf_path) and order.purged_at is None
            and order.download_until is not None and order.download_until > utcnow())


def download(user: User, order_id: int) -> tuple[CopyOrder, Path]:
    """The file for the orderer (logged; the first download delivers the order); else NotFound/NotPermitted."""
    order = db.session.get(CopyOrder, order_id)
    if order is None or order.reader_id != getattr(user, "id", None):
        raise NotFound(_("Không tìm thấy phiếu sao."))
    require(user, "copy.download", order)
    if not can_download(order):
        raise NotPermitted(_("Bản sao không còn tải được: thời hạn tải đã hết hoặc bản sao chưa sẵn sàng."))
    path = stored_path(order)
    db.session.add(CopyDownload(order_id=order.id, user_id=user.id, bytes_sent=order.pdf_size or 0))
    record_event(db.session, user, "copy.download", "copy_order", order.id, data={"code": order.code})
    db.session.commit()
    if order.status == CopyStatus.PRODUCED.value:
        try:
            orders.apply(user, order, CopyAction.DELIVER.value, data={"by": "download"})
        except Conflict:
            pass  # two downloads at once: the other one delivered it
    return order, path


def download_count(order: CopyOrder) -> int:
    return len(list(db.session.scalars(select(CopyDownload.id).where(CopyDownload.order_id == order.id))))


def print_list(user: User) -> list[CopyOrder]:
    """Paper orders staff must print (or photocopy) and hand over: paid or produced, oldest first."""
    require(user, "copies.queue")
    return list(db.session.scalars(select(CopyOrder).where(
        CopyOrder.delivery.in_(["post", "pickup"]),
        CopyOrder.status.in_([CopyStatus.PAID.value, CopyStatus.PRODUCED.value])).order_by(CopyOrder.paid_at)))


def hand_over(actor: User, order: CopyOrder, tracking_number: str | None,
              expected_version: int | None = None) -> CopyOrder:
    """Staff: a paper copy was posted (with its tracking number) or collected at the reading room."""
    require(actor, "copy.deliver", order)
    if order.delivery not in ("post", "pickup"):
        raise ValidationError(_("Bản sao điện tử được giao khi độc giả tải về."))
    tracking = (tracking_number or "").strip()[:60]
    if order.delivery == "post" and not tracking:
        message = _("Hãy ghi mã bưu gửi.")
        raise ValidationError(message, {"tracking_number": [message]})

    def note(target: CopyOrder) -> None:
        target.tracking_number = tracking or None

    return orders.apply(actor, order, CopyAction.DELIVER.value, expected_version=expected_version, changes=note,
                        data={"by": order.delivery, "tracking_number": tracking or None})


@wf.on_enter(CopyStatus.REFUSED)
def _delete_closed_copy(order: CopyOrder, action: CopyAction) -> None:
    """An order closed after production (its file became classified): its copy is deleted at once."""
    if action is CopyAction.CLOSE and order.pdf_path and order.purged_at is None:
        stored_path(order).unlink(missing_ok=True)
        order.purged_at = utcnow()
        record_event(db.session, None, "copy.purge", "copy_order", order.id, data={"code": order.code})
        db.session.commit()


def expire_and_purge(now: datetime | None = None) -> tuple[int, int]:
    """Housekeeping: expire orders left unpaid and copies never fetched; delete copies whose time is up.

    Returns (expired, deleted).
    """
    now = now or utcnow()
    expired = 0
    unpaid_since = now - timedelta(days=int(current_app.config["COPY_PAYMENT_DAYS"]))
    stale = orders.ended_before(unpaid_since) + list(db.session.scalars(select(CopyOrder).where(
        CopyOrder.status == CopyStatus.PRODUCED.value, CopyOrder.delivery == "download",
        CopyOrder.download_until <= now)))
    for order in stale:
        try:
            orders.apply(None, order, CopyAction.EXPIRE.value)
            expired += 1
        except Conflict:
            continue
    keep = timedelta(days=int(current_app.config["COPY_DOWNLOAD_DAYS"]))
    due = list(db.session.scalars(select(CopyOrder).where(
        CopyOrder.pdf_path.is_not(None), CopyOrder.purged_at.is_(None),
        or_(CopyOrder.download_until <= now,
            (CopyOrder.delivered_at <= now - keep) & CopyOrder.delivery.in_(["post", "pickup"])))))
    for order in due:
        stored_path(order).unlink(missing_ok=True)
        order.purged_at = now
        record_event(db.session, None, "copy.purge", "copy_order", order.id, data={"code": order.code})
        db.session.commit()
    return expired, len(due)
