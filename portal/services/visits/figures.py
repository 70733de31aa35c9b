"""What reading-room visits add to the staff workspace: today's room, the yearly report's
reading-room rows and a statistics figure.

Registered with the report and the statistics from here; they know nothing of visits. A visit
counts as a "lượt người khai thác" at the reading room when the reader was checked in.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import distinct, func, select

from ...extensions import db
from ...models import User, Visit
from ..statistics import Figure, Period, Series, month_key, month_label, register_figure
from ..yearly_report import READING_ROOM, Counts, register_source
from .desk import desk_day
from .transitions import VisitStatus


@dataclass
class RoomToday:
    """The reading room's day at a glance."""

    day: date
    booked: int  # expected and not come yet
    present: int
    done: int
    files_to_fetch: int

    @property
    def is_empty(self) -> bool:
        return not (self.booked or self.present or self.done)


def room_today(actor: User, day: date) -> RoomToday:
    """How many readers are expected, in the room and gone today, and how many files to fetch."""
    desk = desk_day(actor, day)
    states = Counter(visit.status for visit in desk.visits)
    return RoomToday(day, states[VisitStatus.BOOKED.value], states[VisitStatus.PRESENT.value],
                     states[VisitStatus.DONE.value], sum(len(files) for files in desk.to_fetch.values()))


def _checked_in(year: int):
    low, high = Period(date(year, 1, 1), date(year, 12, 31)).utc_bounds()
    return Visit.checked_in_at >= low, Visit.checked_in_at < high


def _room_visits(year: int) -> Counts:
    return {READING_ROOM: db.session.scalar(select(func.count(Visit.id)).where(*_checked_in(year))) or 0}


def _room_people(year: int) -> Counts:
    return {READING_ROOM: db.session.scalar(select(func.count(distinct(Visit.reader_id))).where(
        *_checked_in(year))) or 0}


register_source("readers.visits", _room_visits)
register_source("readers.people", _room_people)


@register_figure
def visits_by_month(period: Period) -> Figure:
    """Reading-room visits per month: readers who came and bookings not kept."""
    came: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    for status, day, checked_in_at in db.session.execute(select(Visit.status, Visit.day, Visit.checked_in_at).where(
            Visit.day >= period.start, Visit.day <= period.end)):
        if checked_in_at is not None:
            came[month_key(checked_in_at)] += 1
        elif status == VisitStatus.NO_SHOW.value:
            missed[day.strftime("%Y-%m")] += 1
    months = period.months()
    return Figure("room_visits", _("Lượt đọc tại phòng đọc theo tháng"), [month_label(m) for m in months],
                  [Series(_("Độc giả đến đọc"), [came[m] for m in months]),
                   Series(_("Đặt lịch nhưng không đến"), [missed[m] for m in months])], kind="columns",
                  unit=_("lượt"))
