"""What copies add to the staff workspace: the day's copy work, the backlog, the rows of the
yearly report (copies, certified copies, fees) and a statistics figure.

The report and the statistics know nothing of copies; this module registers its numbers with
them (:func:`yearly_report.register_source`, :func:`statistics.register_figure`).

Channels of the yearly report: a copy collected at the reading room counts "tại phòng đọc";
one downloaded or sent by post counts "trực tuyến" (ordered and delivered without coming in).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from ... import copy_workflow as wf
from ...copy_workflow import CopyStatus
from ...db import utcnow
from ...extensions import db
from ...models import CopyOrder, CopyPayment, Job, JobStatus, User
from ...permissions import require
from ..statistics import Figure, Period, Series, month_key as _month, month_label, register_figure
from ..yearly_report import ONLINE, READING_ROOM, Counts, register_source
from .production import PRODUCE_JOB

# Produced and then delivered or left to expire: a copy was issued either way.
ISSUED = (CopyStatus.PRODUCED.value, CopyStatus.DELIVERED.value, CopyStatus.EXPIRED.value)


@dataclass
class CopyWork:
    """Copy orders needing staff today."""

    overdue: list[CopyOrder] = field(default_factory=list)
    due_today: list[CopyOrder] = field(default_factory=list)
    waiting: int = 0  # undecided orders waiting for this level
    to_print: int = 0  # paid paper orders to print and hand over
    unpaid: int = 0  # approved, waiting for the fee

    @property
    def is_empty(self) -> bool:
        return not (self.waiting or self.to_print or self.unpaid)


def copy_work(actor: User, today: date) -> CopyWork:
    """The orders to decide (overdue, due today), the paper copies to print and those awaiting payment."""
    require(actor, "copies.queue")
    undecided = list(db.session.scalars(select(CopyOrder).where(
        CopyOrder.status.in_([s.value for s in wf.UNDECIDED])).order_by(CopyOrder.due_on, CopyOrder.id)))
    # Each level sees what waits for it: the archivist new orders, the leader forwarded ones.
    mine = {"archivist": {CopyStatus.SUBMITTED.value}, "leader": {CopyStatus.FORWARDED.value}}.get(
        actor.role, {s.value for s in wf.UNDECIDED})
    visible = [o for o in undecided if o.status in mine]
    counts = dict(db.session.execute(select(CopyOrder.status, func.count(CopyOrder.id)).where(
        CopyOrder.status.in_([CopyStatus.PAID.value, CopyStatus.APPROVED.value])).group_by(CopyOrder.status)).all())
    to_print = db.session.scalar(select(func.count(CopyOrder.id)).where(
        CopyOrder.status.in_([CopyStatus.PAID.value, CopyStatus.PRODUCED.value]),
        CopyOrder.delivery.in_(["post", "pickup"]), CopyOrder.delivered_at.is_(None))) or 0
    return CopyWork(overdue=[o for o in visible if o.due_on < today][:10],
                    due_today=[o for o in visible if o.due_on == today][:10], waiting=len(visible),
                    to_print=int(to_print), unpaid=int(counts.get(CopyStatus.APPROVED.value, 0)))


def backlog() -> tuple[int, int]:
    """(paid digital orders still without their copy an hour later, failed production jobs)."""
    waiting = db.session.scalar(select(func.count(CopyOrder.id)).where(
        CopyOrder.status == CopyStatus.PAID.value, CopyOrder.delivery == "download",
        CopyOrder.paid_at < utcnow() - timedelta(hours=1))) or 0
    failed = db.session.scalar(select(func.count(Job.id)).where(Job.kind == PRODUCE_JOB, Job.status == JobStatus.FAILED.value)) or 0
    return int(waiting), int(failed)


# --- the yearly report --------------------------------------------------------------------------------

def _channel(delivery: str) -> str:
    return READING_ROOM if delivery == "pickup" else ONLINE


def _copies_issued(year: int, kind: str) -> Counts:
    """Copies issued in ``year``: one per digital order, one per paper set."""
    low, high = Period(date(year, 1, 1), date(year, 12, 31)).utc_bounds()
    counts: Counts = {ONLINE: 0, READING_ROOM: 0}
    rows = db.session.execute(select(CopyOrder.delivery, CopyOrder.paper_sets).where(
        CopyOrder.kind == kind, CopyOrder.status.in_(ISSUED), CopyOrder.produced_at >= low,
        CopyOrder.produced_at < high))
    for delivery, sets in rows:
        counts[_channel(delivery)] += 1 if delivery == "download" else int(sets or 1)
    return counts


def _fees(year: int) -> Counts:
    """Fees received in ``year`` (đồng), by when the payment was recorded."""
    low, high = Period(date(year, 1, 1), date(year, 12, 31)).utc_bounds()
    counts: Counts = {ONLINE: 0, READING_ROOM: 0}
    rows = db.session.execute(select(CopyOrder.delivery, func.coalesce(func.sum(CopyPayment.amount), 0))
                              .join(CopyOrder, CopyOrder.id == CopyPayment.order_id)
                              .where(CopyPayment.recorded_at >= low, CopyPayment.recorded_at < high)
                              .group_by(CopyOrder.delivery))
    for delivery, amount in rows:
        counts[_channel(delivery)] += int(amount or 0)
    return counts


register_source("copies.plain", lambda year: _copies_issued(year, "plain"))
register_source("copies.certified", lambda year: _copies_issued(year, "certified"))
register_source("fees", _fees)


# --- statistics -------------------------------------------------------------------------------------

@register_figure
def copies_by_month(period: Period) -> Figure:
    """Copies issued per month, plain and certified, and the fees received."""
    low, high = period.utc_bounds()
    issued: dict[str, Counter[str]] = {"plain": Counter(), "certified": Counter()}
    for kind, produced_at, delivery, sets in db.session.execute(
            select(CopyOrder.kind, CopyOrder.produced_at, CopyOrder.delivery, CopyOrder.paper_sets).where(
                CopyOrder.status.in_(ISSUED), CopyOrder.produced_at >= low, CopyOrder.produced_at < high)):
        issued.setdefault(kind, Counter())[_month(produced_at)] += 1 if delivery == "download" else int(sets or 1)
    months = period.months()
    return Figure("copies", _("Bản sao đã cấp theo tháng"), [month_label(m) for m in months],
                  [Series(_("Bản sao"), [issued["plain"][m] for m in months]),
                   Series(_("Bản sao có xác thực"), [issued["certified"][m] for m in months])],
                  kind="columns", unit=_("bản"))


@register_figure
def fees_by_month(period: Period) -> Figure:
    """Fees received per month (đồng)."""
    low, high = period.utc_bounds()
    received: Counter[str] = Counter()
    for amount, at in db.session.execute(select(CopyPayment.amount, CopyPayment.recorded_at).where(
            CopyPayment.recorded_at >= low, CopyPayment.recorded_at < high)):
        received[_month(at)] += int(amount or 0)
    months = period.months()
    return Figure("fees", _("Phí sao tài liệu đã thu theo tháng"), [month_label(m) for m in months],
                  [Series(_("Phí đã thu"), [received[m] for m in months])], kind="columns", unit=_("đồng"))
