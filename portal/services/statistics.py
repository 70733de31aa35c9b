"""Figures for a chosen period: readers, requests and items, decisions against the legal
deadline, online reading, the most requested fonds and files, exhibition visits.

Each figure is a :class:`Figure`: categories (rows) × series (columns) of numbers,
which the page draws as a chart *and* prints as a table. Modules that come later
(copies, fees, reading-room visits) add their own figures with
:func:`register_figure`; this module imports none of them.

Periods are Vietnam days, both ends included; stored times are UTC.
"""
from __future__ import annotations

import statistics as pystats
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import case, func, select

from ..localtime import to_local, utc_day_range
from .. import labels
from ..deadlines import holiday_set, is_working_day
from ..errors import ValidationError
from ..extensions import db
from ..models import (
    AccessKind,
    AccessRequest,
    AuditEvent,
    Exhibition,
    ExhibitionVisit,
    Fonds,
    ReadingAccess,
    ReadingCopy,
    ReadingCopyKind,
    RecordFile,
    RequestItem,
    Role,
    User,
)
from ..permissions import require

MAX_DAYS = 3 * 366 + 1  # a period longer than three years is a mistake, not a question
TOP = 10


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, Vietnam days, both included."""

    start: date
    end: date

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """The half-open UTC interval [low, high) that covers the period."""
        low, high = utc_day_range(self.start, self.end)
        return low, high

    def months(self) -> list[str]:
        """Every month the period touches, as ``YYYY-MM``."""
        months, year, month = [], self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            months.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months


def make_period(start: date | None, end: date | None, today: date) -> Period:
    """Check a chosen period; without dates, the current year up to today."""
    start = start or date(today.year, 1, 1)
    end = end or today
    if end < start:
        raise ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu."),
                              {"end": [_("Ngày kết thúc phải sau ngày bắt đầu.")]})
    if (end - start).days > MAX_DAYS:
        raise ValidationError(_("Khoảng thời gian tối đa là 3 năm."), {"end": [_("Khoảng thời gian tối đa là 3 năm.")]})
    return Period(start, end)


@dataclass
class Series:
    name: str
    values: list[float]


@dataclass
class Figure:
    """A table of numbers with a chart: ``categories`` are rows, each series one column.

    ``kind`` is ``columns`` (months along the bottom) or ``bars`` (labels on the
    left, one bar per category).
    """

    key: str
    title: str
    categories: list[str]
    series: list[Series]
    kind: str = "bars"
    unit: str = ""
    note: str = ""

    @property
    def total(self) -> list[float]:
        return [sum(s.values) for s in self.series]

    @property
    def is_empty(self) -> bool:
        return not any(v for s in self.series for v in s.values)


@dataclass
class Decisions:
    """Decisions made in the period, against each item's legal deadline."""

    on_time: int = 0
    late: int = 0
    by_mode: dict[str, tuple[int, int]] = field(default_factory=dict)  # mode → (on time, late)
    median_working_days: float | None = None
    overdue_undecided: int = 0

    @property
    def total(self) -> int:
        return self.on_time + self.late

    @property
    def on_time_percent(self) -> float | None:
        return round(100 * self.on_time / self.total, 1) if self.total else None


@dataclass
class Reading:
    pages: int = 0
    readers: int = 0
    opens: int = 0


@dataclass
class Statistics:
    period: Period
    readers_registered: int
    readers_cleared: int
    requests: int
    items: int
    decisions: Decisions
    reading: Reading
    exhibition_visits: int
    figures: list[Figure]


FigureSource = Callable[[Period], "Figure | None"]
_EXTRA_FIGURES: list[FigureSource] = []


def register_figure(source: FigureSource) -> FigureSource:
    """Add a figure built by another module (copies, fees, visits); it returns None when it has nothing."""
    if source not in _EXTRA_FIGURES:
        _EXTRA_FIGURES.append(source)
    return source


# --- the figures --------------------------------------------------------------------------------------

def _local(moment: datetime) -> datetime:
    return to_local(moment).replace(tzinfo=None)


def month_key(moment: datetime) -> str:
    """The Vietnam month of a UTC moment, ``2026-03``: the key of monthly figures."""
    return _local(moment).strftime("%Y-%m")


def month_label(month: str) -> str:
    """``2026-03`` → ``03/2026``."""
    return f"{month[5:]}/{month[:4]}"


def readers_by_month(period: Period) -> tuple[Figure, int, int]:
    """Readers registered and readers cleared (identity checked) per month."""
    low, high = period.utc_bounds()
    registered = Counter(month_key(at) for at in db.session.scalars(select(User.created_at).where(
        User.role == Role.READER.value, User.created_at >= low, User.created_at < high)))
    cleared = Counter(month_key(at) for at in db.session.scalars(select(AuditEvent.created_at).where(
        AuditEvent.action == "reader.clear", AuditEvent.created_at >= low, AuditEvent.created_at < high)))
    months = period.months()
    figure = Figure("readers", _("Độc giả đăng ký và được xác minh theo tháng"),
                    [month_label(m) for m in months],
                    [Series(_("Đăng ký"), [registered[m] for m in months]),
                     Series(_("Được xác minh"), [cleared[m] for m in months])], kind="columns", unit=_("người"))
    return figure, sum(registered.values()), sum(cleared.values())


def _count_by(column, table_labels: dict, low: datetime, high: datetime, *, of_requests: bool = False) -> list[tuple[str, int]]:
    if of_requests:
        query = select(column, func.count(AccessRequest.id)).where(
            AccessRequest.submitted_at >= low, AccessRequest.submitted_at < high).group_by(column)
    else:
        query = select(column, func.count(RequestItem.id)).join(AccessRequest, AccessRequest.id == RequestItem.request_id) \
            .where(AccessRequest.submitted_at >= low, AccessRequest.submitted_at < high).group_by(column)
    counts = dict(db.session.execute(query).all())
    order = list(table_labels) + sorted(code for code in counts if code not in table_labels)
    return [(labels.label(table_labels, code), counts.get(code, 0)) for code in order]


def requests_and_items(period: Period) -> tuple[list[Figure], int, int]:
    """Requests by status; items by status, access mode and purpose."""
    low, high = period.utc_bounds()
    by_request = _count_by(AccessRequest.status, labels.REQUEST_STATUS, low, high, of_requests=True)
    by_status = _count_by(RequestItem.status, labels.ITEM_STATUS, low, high)
    by_mode = [(name, n) for name, n in _count_by(RequestItem.mode, labels.MODE, low, high)
               if name != str(labels.MODE["03"]) or n]  # classified files are never requested
    by_purpose = _count_by(AccessRequest.purpose, labels.PURPOSE, low, high)

    def figure(key: str, title: str, rows: list[tuple[str, int]], unit: str) -> Figure:
        return Figure(key, title, [name for name, _n in rows], [Series(unit, [n for _name, n in rows])], unit=unit)

    figures = [
        figure("requests_by_status", _("Phiếu yêu cầu theo trạng thái"), by_request, _("phiếu")),
        figure("items_by_status", _("Hồ sơ yêu cầu theo trạng thái"), by_status, _("hồ sơ")),
        figure("items_by_mode", _("Hồ sơ yêu cầu theo chế độ sử dụng"), by_mode, _("hồ sơ")),
        figure("items_by_purpose", _("Hồ sơ yêu cầu theo mục đích sử dụng"), by_purpose, _("hồ sơ")),
    ]
    return figures, sum(n for _name, n in by_request), sum(n for _name, n in by_status)


def working_days_between(start: date, end: date, holidays: frozenset[date]) -> int:
    """Working days after ``start`` up to and including ``end`` (0 on the same day).

    The same count the deadlines use: an item of an open file submitted on
    Friday and decided on Monday took 1 working day.
    """
    if end <= start:
        return 0
    days, current = 0, start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current, holidays):
            days += 1
    return days


def decisions(period: Period, today: date) -> Decisions:
    """Items decided in the period: on time (decided by the end of their due day, Vietnam time) or late,
    the median decision time in working days, and items still undecided past their deadline."""
    low, high = period.utc_bounds()
    holidays = holiday_set()
    rows = db.session.execute(select(RequestItem.mode, RequestItem.due_on, RequestItem.decided_at,
                                     AccessRequest.submitted_at)
                              .join(AccessRequest, AccessRequest.id == RequestItem.request_id)
                              .where(RequestItem.decided_at >= low, RequestItem.decided_at < high)).all()
    result = Decisions()
    by_mode: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    durations = []
    for mode, due_on, decided_at, submitted_at in rows:
        decided_day = _local(decided_at).date()
        late = decided_day > due_on
        by_mode[mode][1 if late else 0] += 1
        if late:
            result.late += 1
        else:
            result.on_time += 1
        durations.append(working_days_between(_local(submitted_at).date(), decided_day, holidays))
    result.by_mode = {mode: (counts[0], counts[1]) for mode, counts in sorted(by_mode.items())}
    result.median_working_days = float(pystats.median(durations)) if durations else None
    result.overdue_undecided = db.session.scalar(
        select(func.count(RequestItem.id)).join(AccessRequest, AccessRequest.id == RequestItem.request_id).where(
            RequestItem.status.in_(("submitted", "forwarded")), RequestItem.due_on < today,
            AccessRequest.submitted_at >= low, AccessRequest.submitted_at < high)) or 0
    return result


def decisions_figure(result: Decisions) -> Figure:
    modes = list(result.by_mode)
    return Figure("decisions", _("Quyết định đúng hạn và trễ hạn theo chế độ sử dụng"),
                  [labels.label(labels.MODE, m) for m in modes],
                  [Series(_("Đúng hạn"), [result.by_mode[m][0] for m in modes]),
                   Series(_("Trễ hạn"), [result.by_mode[m][1] for m in modes])], unit=_("hồ sơ"),
                  note=_("Hạn giải quyết tính theo ngày làm việc, trừ thứ Bảy, Chủ nhật và ngày nghỉ lễ."))


def page_estimate(bytes_sent: int, copy_size: int | None, copy_pages: int | None) -> int:
    """Pages a served byte count stands for (the copy's average page size); at least 1 for any bytes."""
    if not bytes_sent or not copy_size or not copy_pages:
        return 0
    return max(1, round(bytes_sent / (copy_size / copy_pages)))


def reading(period: Period) -> tuple[Reading, Figure]:
    """Pages read online (estimated from bytes served) and readers reading, per month."""
    low, high = period.utc_bounds()
    rows = db.session.execute(
        select(ReadingAccess.user_id, ReadingAccess.kind, ReadingAccess.bytes_sent, ReadingAccess.at,
               # a data-saver range stands for the pages of the data saver's (smaller) file
               case((ReadingAccess.variant == "saver", func.coalesce(ReadingCopy.saver_size_bytes,
                                                                     ReadingCopy.size_bytes)),
                    else_=ReadingCopy.size_bytes),
               ReadingCopy.pages)
        .join(ReadingCopy, ReadingCopy.id == ReadingAccess.copy_id)
        .where(ReadingCopy.kind == ReadingCopyKind.READER.value, ReadingAccess.at >= low, ReadingAccess.at < high))
    pages: Counter[str] = Counter()
    readers: dict[str, set[int]] = defaultdict(set)
    everyone: set[int] = set()
    opens = 0
    for user_id, kind, sent, at, size, count in rows:
        month = month_key(at)
        readers[month].add(user_id)
        everyone.add(user_id)
        if kind == AccessKind.OPEN.value:
            opens += 1
        else:
            pages[month] += page_estimate(sent, size, count)
    months = period.months()
    figure = Figure("reading", _("Đọc trực tuyến theo tháng"), [month_label(m) for m in months],
                    [Series(_("Trang đã đọc"), [pages[m] for m in months]),
                     Series(_("Độc giả đọc"), [len(readers[m]) for m in months])], kind="columns",
                    note=_("Số trang ước tính từ dung lượng bản đọc đã gửi."))
    return Reading(pages=sum(pages.values()), readers=len(everyone), opens=opens), figure


def most_requested(period: Period) -> list[Figure]:
    """The fonds and files most often requested in the period."""
    low, high = period.utc_bounds()
    base = (select(func.count(RequestItem.id).label("n")).join(AccessRequest, AccessRequest.id == RequestItem.request_id)
            .join(RecordFile, RecordFile.id == RequestItem.file_id)
            .where(AccessRequest.submitted_at >= low, AccessRequest.submitted_at < high))
    files = db.session.execute(base.add_columns(RecordFile.file_code, RecordFile.title)
                               .group_by(RecordFile.id, RecordFile.file_code, RecordFile.title)
                               .order_by(func.count(RequestItem.id).desc(), RecordFile.file_code).limit(TOP)).all()
    fonds = db.session.execute(base.join(Fonds, Fonds.id == RecordFile.fonds_id).add_columns(Fonds.code, Fonds.name)
                               .group_by(Fonds.id, Fonds.code, Fonds.name)
                               .order_by(func.count(RequestItem.id).desc(), Fonds.code).limit(TOP)).all()
    return [
        Figure("top_fonds", _("Phông được yêu cầu nhiều nhất"), [f"{code} – {name}" for _n, code, name in fonds],
               [Series(_("Lượt yêu cầu"), [n for n, _c, _t in fonds])], unit=_("lượt")),
        Figure("top_files", _("Hồ sơ được yêu cầu nhiều nhất"), [f"{code} – {title}" for _n, code, title in files],
               [Series(_("Lượt yêu cầu"), [n for n, _c, _t in files])], unit=_("lượt")),
    ]


def exhibition_visits(period: Period) -> tuple[int, Figure]:
    """Views of each exhibition in the period (counted per day; nobody's identity is stored)."""
    rows = db.session.execute(
        select(Exhibition.title, func.sum(ExhibitionVisit.views))
        .join(Exhibition, Exhibition.id == ExhibitionVisit.exhibition_id)
        .where(ExhibitionVisit.day >= period.start, ExhibitionVisit.day <= period.end)
        .group_by(Exhibition.id, Exhibition.title).order_by(func.sum(ExhibitionVisit.views).desc())).all()
    figure = Figure("exhibitions", _("Lượt xem triển lãm trực tuyến"), [title for title, _n in rows],
                    [Series(_("Lượt xem"), [int(n or 0) for _t, n in rows])], unit=_("lượt"),
                    note=_("Chỉ đếm số lượt xem mỗi ngày; không lưu ai đã xem."))
    return sum(int(n or 0) for _t, n in rows), figure


def compute(actor: User, period: Period, today: date) -> Statistics:
    """Every figure for ``period`` (leaders and admins; archivists may read)."""
    require(actor, "statistics.view")
    readers_figure, registered, cleared = readers_by_month(period)
    request_figures, requests_count, items_count = requests_and_items(period)
    decided = decisions(period, today)
    reading_totals, reading_figure = reading(period)
    visits, visits_figure = exhibition_visits(period)
    figures = [readers_figure, *request_figures, decisions_figure(decided), reading_figure,
               *most_requested(period), visits_figure]
    figures += [f for f in (source(period) for source in _EXTRA_FIGURES) if f is not None]
    return Statistics(period, registered, cleared, requests_count, items_count, decided, reading_totals,
                      visits, figures)

